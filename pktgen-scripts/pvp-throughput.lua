-- SPDX-License-Identifier: BSD-3-Clause
--
-- PVP (physical - virtual - physical) throughput with Pktgen-DPDK.
--
-- Pktgen port A sends through a NIC into vsw (or OVS-DPDK), which switches
-- the frames to a VM's vhost-user port; the VM forwards them (testpmd mac
-- forwarding) back through the switch and out of the NIC into Pktgen port B.
-- For each frame size the script offers RATE % of line rate for DURATION
-- ms after a warm-up and reports transmitted and received Mpps, loss and
-- received Gbit/s (L1, with preamble and inter-frame gap), from Pktgen's
-- own port counters.
--
--   pktgen -l 0-4 -n 4 -a 0000:3b:00.0 -a 0000:3b:00.1 -- -P -T \
--          -m "[1:2].0,[3:4].1" -f pvp-throughput.lua
--
-- Settings come from the environment (PVP_*) or the defaults below; see
-- README.md. Results are printed and appended to PVP_CSV. Works with the
-- Pktgen Lua API before and after 26.02 (portStats changed shape).

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
    tx_port     = env("PVP_TX_PORT", "0"),        -- Pktgen port that sends
    rx_port     = env("PVP_RX_PORT", "1"),        -- Pktgen port that receives
    bidir       = env("PVP_BIDIR", "1") == "1",   -- both ports send (A->B and B->A)
    sizes       = split_numbers(env("PVP_SIZES", "64,128,256,512,1024,1280,1518")),
    rate        = env_num("PVP_RATE", 100),       -- % of line rate offered
    warmup_ms   = env_num("PVP_WARMUP_MS", 2000),
    duration_ms = env_num("PVP_DURATION_MS", 10000),
    -- Each port's frames go to the VM's MAC on the other side (the switch
    -- forwards known unicast); with PVP_MACS > 1 the destination walks
    -- PVP_MACS addresses from there (Pktgen range mode).
    dst_mac_tx  = env("PVP_DST_MAC_TX", "02:00:00:00:10:00"),
    dst_mac_rx  = env("PVP_DST_MAC_RX", "02:00:00:00:10:01"),
    macs        = env_num("PVP_MACS", 1),
    src_ip_tx   = env("PVP_SRC_IP_TX", "198.18.0.1"),
    src_ip_rx   = env("PVP_SRC_IP_RX", "198.19.0.1"),
    csv         = env("PVP_CSV", "pvp-throughput.csv"),
    quit        = env("PVP_QUIT", "0") == "1",    -- quit Pktgen when done
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

-- Link speed in Mbit/s from pktgen.linkState(): "<UP-10000-FD>".
local function link_mbps(port)
    local st = pktgen.linkState(tostring(port))[tonumber(port)] or ""
    local speed = tonumber(string.match(st, "UP%-(%d+)"))
    if speed == nil or speed == 0 then
        error("port " .. port .. " link is not up: " .. st)
    end
    return speed
end

local function line_rate_pps(mbps, size)
    -- 20 bytes of preamble, SFD and inter-frame gap per frame on the wire.
    return mbps * 1e6 / ((size + 20) * 8)
end

local function mac_plus(mac, n)
    local v = 0
    for byte in string.gmatch(mac, "%x%x") do v = v * 256 + tonumber(byte, 16) end
    v = v + n
    local out = {}
    for i = 6, 1, -1 do
        out[i] = string.format("%02x", v % 256)
        v = v // 256
    end
    return table.concat(out, ":")
end

local function setup_port(port, dst_mac, src_ip, dst_ip)
    pktgen.set_type(port, "ipv4")
    pktgen.set_proto(port, "udp")
    pktgen.set_ipaddr(port, "src", src_ip .. "/24")
    pktgen.set_ipaddr(port, "dst", dst_ip)
    pktgen.set_mac(port, "dst", dst_mac)
    pktgen.set(port, "count", 0)            -- send until stopped
    if CFG.macs > 1 then
        -- Range mode: only the destination MAC walks; everything else fixed.
        pktgen.range.dst_mac(port, "start", dst_mac)
        pktgen.range.dst_mac(port, "min", dst_mac)
        pktgen.range.dst_mac(port, "max", mac_plus(dst_mac, CFG.macs - 1))
        pktgen.range.dst_mac(port, "inc", "00:00:00:00:00:01")
        pktgen.range.src_ip(port, "start", src_ip)
        pktgen.range.src_ip(port, "min", src_ip)
        pktgen.range.src_ip(port, "max", src_ip)
        pktgen.range.src_ip(port, "inc", "0.0.0.0")
        pktgen.range.dst_ip(port, "start", dst_ip)
        pktgen.range.dst_ip(port, "min", dst_ip)
        pktgen.range.dst_ip(port, "max", dst_ip)
        pktgen.range.dst_ip(port, "inc", "0.0.0.0")
        pktgen.range.src_port(port, "inc", 0)
        pktgen.range.dst_port(port, "inc", 0)
        pktgen.set_range(port, "on")
    end
end

local function set_size(port, size)
    pktgen.set(port, "size", size)
    if CFG.macs > 1 then
        pktgen.range.pkt_size(port, "start", size)
        pktgen.range.pkt_size(port, "min", size)
        pktgen.range.pkt_size(port, "max", size)
        pktgen.range.pkt_size(port, "inc", 0)
    end
end

local function senders()
    if CFG.bidir then return { CFG.tx_port, CFG.rx_port } end
    return { CFG.tx_port }
end

local function receivers()
    if CFG.bidir then return { CFG.rx_port, CFG.tx_port } end
    return { CFG.rx_port }
end

local function sum_counters(ports, which)
    local total = 0
    for _, p in ipairs(ports) do
        local i, o = port_counters(p)
        total = total + (which == "rx" and i or o)
    end
    return total
end

-- One frame size: warm up, then count over the window.
local function measure(size, mbps)
    local ports = senders()
    for _, p in ipairs({ CFG.tx_port, CFG.rx_port }) do set_size(p, size) end
    for _, p in ipairs(ports) do pktgen.set(p, "rate", CFG.rate) end
    pktgen.clr()
    for _, p in ipairs(ports) do pktgen.start(p) end
    pktgen.delay(CFG.warmup_ms)
    local tx0, rx0 = sum_counters(ports, "tx"), sum_counters(receivers(), "rx")
    pktgen.delay(CFG.duration_ms)
    local tx1, rx1 = sum_counters(ports, "tx"), sum_counters(receivers(), "rx")
    for _, p in ipairs(ports) do pktgen.stop(p) end
    pktgen.delay(500)
    local secs = CFG.duration_ms / 1000
    local tx_pps, rx_pps = (tx1 - tx0) / secs, (rx1 - rx0) / secs
    local loss = 0
    if tx1 > tx0 then loss = 100 * math.max(0, (tx1 - tx0) - (rx1 - rx0)) / (tx1 - tx0) end
    return {
        size = size,
        offered_mpps = line_rate_pps(mbps, size) * #ports * CFG.rate / 100 / 1e6,
        tx_mpps = tx_pps / 1e6,
        rx_mpps = rx_pps / 1e6,
        loss_pct = loss,
        rx_gbps_l1 = rx_pps * (size + 20) * 8 / 1e9,
    }
end

local function main()
    if pktgen.screen then pktgen.screen("off") end
    local mbps = link_mbps(CFG.tx_port)
    setup_port(CFG.tx_port, CFG.dst_mac_tx, CFG.src_ip_tx, CFG.src_ip_rx)
    setup_port(CFG.rx_port, CFG.dst_mac_rx, CFG.src_ip_rx, CFG.src_ip_tx)
    log("PVP throughput: ports %s%s%s, link %d Mbit/s, rate %g%%, %d dst MAC(s), %g s per size",
        CFG.tx_port, CFG.bidir and "<->" or "->", CFG.rx_port, mbps, CFG.rate, CFG.macs,
        CFG.duration_ms / 1000)
    log("%6s %12s %10s %10s %8s %12s", "size", "offered Mpps", "tx Mpps", "rx Mpps",
        "loss %", "rx Gbps L1")
    local results = {}
    for _, size in ipairs(CFG.sizes) do
        local r = measure(size, mbps)
        results[#results + 1] = r
        log("%6d %12.3f %10.3f %10.3f %8.3f %12.3f", r.size, r.offered_mpps, r.tx_mpps,
            r.rx_mpps, r.loss_pct, r.rx_gbps_l1)
    end
    local f = io.open(CFG.csv, "a")
    if f then
        f:write("# pvp-throughput " .. os.date("%Y-%m-%dT%H:%M:%S") .. "\n")
        f:write("size,offered_mpps,tx_mpps,rx_mpps,loss_pct,rx_gbps_l1\n")
        for _, r in ipairs(results) do
            f:write(string.format("%d,%.4f,%.4f,%.4f,%.4f,%.4f\n", r.size, r.offered_mpps,
                                  r.tx_mpps, r.rx_mpps, r.loss_pct, r.rx_gbps_l1))
        end
        f:close()
        log("results appended to %s", CFG.csv)
    end
    PKTGEN_RESULTS = results   -- for tests and for a caller's script
    if pktgen.screen then pktgen.screen("on") end
    if CFG.quit then pktgen.quit() end
end

main()
