-- SPDX-License-Identifier: BSD-3-Clause
--
-- RFC 2544 (section 26.1) throughput: the highest rate at which the device
-- under test forwards every frame, found by binary search, per frame size,
-- with Pktgen-DPDK.
--
-- Each trial sends an exact number of frames (Pktgen "count") at a rate, waits
-- for the senders to finish and the pipes to drain, then compares frames sent
-- and received. A trial passes when the loss is at most RFC_LOSS_PCT % of the
-- frames sent (0 = zero loss, as RFC 2544 asks). The search narrows
-- [lo, hi] (% of line rate) until hi - lo <= RFC_PRECISION_PCT, then confirms
-- the result with one long trial (RFC_FINAL_MS, 60 s by default as the RFC
-- says); a failed confirmation steps the rate down and confirms again.
--
--   pktgen -l 0-4 -n 4 -a 0000:3b:00.0 -a 0000:3b:00.1 -- -P -T \
--          -m "[1:2].0,[3:4].1" -f rfc2544-zero-loss.lua
--
-- Settings come from the environment (RFC_*) or the defaults below; see
-- README.md. Works with the Pktgen Lua API before and after 26.02.

local getenv = (os and os.getenv) or function() return nil end

local function env(name, default)
    local v = getenv(name)
    if v == nil or v == "" then return default end
    return v
end

local function env_num(name, default)
    local v = tonumber(env(name, nil))
    if v == nil then return default end
    return v
end

local function split_numbers(s)
    local t = {}
    for x in string.gmatch(s, "[^,%s]+") do t[#t + 1] = tonumber(x) end
    return t
end

local CFG = {
    tx_port       = env("RFC_TX_PORT", "0"),
    rx_port       = env("RFC_RX_PORT", "1"),
    bidir         = env("RFC_BIDIR", "1") == "1",
    sizes         = split_numbers(env("RFC_SIZES", "64,128,256,512,1024,1280,1518")),
    trial_ms      = env_num("RFC_TRIAL_MS", 20000),   -- each search trial
    final_ms      = env_num("RFC_FINAL_MS", 60000),   -- confirmation trial (0: none)
    drain_ms      = env_num("RFC_DRAIN_MS", 2000),    -- wait for frames still in flight
    loss_pct      = env_num("RFC_LOSS_PCT", 0),       -- allowed loss, % of frames sent
    precision_pct = env_num("RFC_PRECISION_PCT", 0.5),-- stop when hi - lo <= this
    max_trials    = env_num("RFC_MAX_TRIALS", 20),
    start_pct     = env_num("RFC_START_PCT", 100),
    dst_mac_tx    = env("RFC_DST_MAC_TX", "02:00:00:00:10:00"),
    dst_mac_rx    = env("RFC_DST_MAC_RX", "02:00:00:00:10:01"),
    src_ip_tx     = env("RFC_SRC_IP_TX", "198.18.0.1"),
    src_ip_rx     = env("RFC_SRC_IP_RX", "198.19.0.1"),
    csv           = env("RFC_CSV", "rfc2544-zero-loss.csv"),
    quit          = env("RFC_QUIT", "0") == "1",
}

local function log(fmt, ...)
    io.write(string.format(fmt, ...) .. "\n")
    io.flush()
end

-- Counters of one port since the last pktgen.clr(): (ipackets, opackets).
-- Pktgen <= 25.08: portStats(ports, "port")[pid].ipackets;
-- Pktgen >= 26.02: portStats(ports)[pid].curr.ipackets.
local function port_counters(port)
    local pid = tonumber(port)
    local ok, t = pcall(pktgen.portStats, tostring(port), "port")
    if not ok or type(t) ~= "table" or t[pid] == nil then
        t = pktgen.portStats(tostring(port))
    end
    local s = t[pid]
    if s == nil then error("Pktgen returned no stats for port " .. port) end
    if s.curr ~= nil then s = s.curr end
    return s.ipackets or 0, s.opackets or 0
end

local function link_mbps(port)
    local st = pktgen.linkState(tostring(port))[tonumber(port)] or ""
    local speed = tonumber(string.match(st, "UP%-(%d+)"))
    if speed == nil or speed == 0 then
        error("port " .. port .. " link is not up: " .. st)
    end
    return speed
end

local function line_rate_pps(mbps, size)
    return mbps * 1e6 / ((size + 20) * 8)
end

local function senders()
    if CFG.bidir then return { CFG.tx_port, CFG.rx_port } end
    return { CFG.tx_port }
end

local function receivers()
    if CFG.bidir then return { CFG.rx_port, CFG.tx_port } end
    return { CFG.rx_port }
end

local function sending(ports)
    for _, p in ipairs(ports) do
        local t = pktgen.isSending(tostring(p))
        if t[tonumber(p)] == "y" then return true end
    end
    return false
end

local function setup_port(port, dst_mac, src_ip, dst_ip)
    pktgen.set_type(port, "ipv4")
    pktgen.set_proto(port, "udp")
    pktgen.set_ipaddr(port, "src", src_ip .. "/24")
    pktgen.set_ipaddr(port, "dst", dst_ip)
    pktgen.set_mac(port, "dst", dst_mac)
end

-- One trial: `rate` % of line rate for `ms` milliseconds, an exact frame
-- count per sender. Returns sent, received.
local function trial(size, rate, ms, mbps)
    local ports = senders()
    local count = math.floor(line_rate_pps(mbps, size) * rate / 100 * ms / 1000 + 0.5)
    if count < 1 then count = 1 end
    -- Pktgen keeps the count in 32 bits: beyond that, send until stopped and
    -- count what was sent (the comparison below uses the counters anyway).
    if count > 4294967295 then count = 0 end
    for _, p in ipairs({ CFG.tx_port, CFG.rx_port }) do
        pktgen.set(p, "size", size)
    end
    for _, p in ipairs(ports) do
        pktgen.set(p, "rate", rate)
        pktgen.set(p, "count", count)
    end
    pktgen.clr()
    for _, p in ipairs(ports) do pktgen.start(p) end
    pktgen.delay(ms)
    -- Senders that fall behind the rate take longer: give them up to as much
    -- again before stopping them.
    local waited = 0
    while sending(ports) and waited < ms + 5000 do
        pktgen.delay(100)
        waited = waited + 100
    end
    for _, p in ipairs(ports) do pktgen.stop(p) end
    pktgen.delay(CFG.drain_ms)
    local sent, received = 0, 0
    for _, p in ipairs(ports) do
        local _, o = port_counters(p)
        sent = sent + o
    end
    for _, p in ipairs(receivers()) do
        local i, _ = port_counters(p)
        received = received + i
    end
    return sent, received
end

local function passes(sent, received)
    if sent == 0 then return false end
    local lost = math.max(0, sent - received)
    return lost <= sent * CFG.loss_pct / 100
end

local function describe(size, rate, ms, sent, received, ok)
    local lost = math.max(0, sent - received)
    log("  %4d B  rate %7.3f%%  %3.0f s  sent %12d  received %12d  lost %10d (%.4f%%)  %s",
        size, rate, ms / 1000, sent, received, lost,
        sent > 0 and 100 * lost / sent or 0, ok and "pass" or "FAIL")
end

-- Binary search for one frame size. Returns the confirmed rate (% of line
-- rate) or 0 when not even the lowest rate passed.
local function search(size, mbps)
    local lo, hi = 0, 100
    local rate = math.min(CFG.start_pct, 100)
    local trials = 0
    while trials < CFG.max_trials do
        trials = trials + 1
        local s, r = trial(size, rate, CFG.trial_ms, mbps)
        local ok = passes(s, r)
        describe(size, rate, CFG.trial_ms, s, r, ok)
        if ok then lo = rate else hi = rate end
        if hi - lo <= CFG.precision_pct then break end
        rate = (lo + hi) / 2
    end
    if CFG.final_ms <= 0 or lo == 0 then return lo end
    -- Confirm with a long trial; step down by the precision until it holds.
    for _ = 1, 5 do
        local s, r = trial(size, lo, CFG.final_ms, mbps)
        local ok = passes(s, r)
        describe(size, lo, CFG.final_ms, s, r, ok)
        if ok then return lo end
        lo = lo - CFG.precision_pct
        if lo <= 0 then return 0 end
    end
    return 0
end

local function main()
    if pktgen.screen then pktgen.screen("off") end
    local mbps = link_mbps(CFG.tx_port)
    setup_port(CFG.tx_port, CFG.dst_mac_tx, CFG.src_ip_tx, CFG.src_ip_rx)
    setup_port(CFG.rx_port, CFG.dst_mac_rx, CFG.src_ip_rx, CFG.src_ip_tx)
    log("RFC 2544 throughput: ports %s%s%s, link %d Mbit/s, loss allowed %g%%, precision %g%%",
        CFG.tx_port, CFG.bidir and "<->" or "->", CFG.rx_port, mbps, CFG.loss_pct,
        CFG.precision_pct)
    local results = {}
    for _, size in ipairs(CFG.sizes) do
        local rate = search(size, mbps)
        local nports = #senders()
        local mpps = line_rate_pps(mbps, size) * rate / 100 * nports / 1e6
        results[#results + 1] = {
            size = size, rate_pct = rate, mpps = mpps,
            gbps_l1 = mpps * 1e6 * (size + 20) * 8 / 1e9,
        }
        log("RESULT %4d B: %.3f%% of line rate = %.3f Mpps (%.3f Gbit/s L1, %d port(s))",
            size, rate, mpps, results[#results].gbps_l1, nports)
    end
    local f = io.open(CFG.csv, "a")
    if f then
        f:write("# rfc2544-zero-loss " .. os.date("%Y-%m-%dT%H:%M:%S") .. "\n")
        f:write("size,rate_pct,mpps,gbps_l1\n")
        for _, r in ipairs(results) do
            f:write(string.format("%d,%.3f,%.4f,%.4f\n", r.size, r.rate_pct, r.mpps, r.gbps_l1))
        end
        f:close()
        log("results appended to %s", CFG.csv)
    end
    PKTGEN_RESULTS = results
    if pktgen.screen then pktgen.screen("on") end
    if CFG.quit then pktgen.quit() end
end

main()
