-- SPDX-License-Identifier: BSD-3-Clause
--
-- A stand-in for Pktgen-DPDK's `pktgen` Lua table, to run the benchmark's
-- Lua scripts without Pktgen or NICs:
--
--   FAKE_API=old|new FAKE_CAP_MPPS=8.9 lua5.4 fake_pktgen.lua SCRIPT.lua
--
-- Two ports on a simulated 10 Gbit/s link, a device under test that forwards
-- at most FAKE_CAP_MPPS per direction (the rest is lost), and a virtual clock
-- that pktgen.delay() advances. FAKE_API=old mimics Pktgen <= 25.08
-- (portStats(ports, "port") -> t[pid].ipackets), new mimics >= 26.02
-- (portStats(ports) -> t[pid].curr.ipackets; a second argument is an error).
-- After the script ran, prints "FAKE_RESULT key=value ..." per result row
-- and "FAKE_CALL ..." for calls a test wants to check.

local API = os.getenv("FAKE_API") or "new"
local CAP_PPS = (tonumber(os.getenv("FAKE_CAP_MPPS")) or 1e9) * 1e6
local LINK_MBPS = 10000

local now_ms = 0
local ports = {}
for pid = 0, 1 do
    ports[pid] = { size = 64, rate = 100, count = 0, start = nil, stop = nil,
                   base_tx = 0, base_rx = 0, range = false }
end

local function pids(list)
    list = tostring(list)
    if list == "all" then return { 0, 1 } end
    local out = {}
    for a, b in string.gmatch(list, "(%d+)%-?(%d*)") do
        local first, last = tonumber(a), tonumber(b ~= "" and b or a)
        for p = first, last do out[#out + 1] = p end
    end
    return out
end

local function offered_pps(p)
    local pp = ports[p]
    return LINK_MBPS * 1e6 / ((pp.size + 20) * 8) * pp.rate / 100
end

-- Frames port p has sent since it was started, up to now.
local function sent_total(p)
    local pp = ports[p]
    if pp.start == nil then return pp.sent_before or 0 end
    local stop = pp.stop or now_ms
    local ms = math.max(0, stop - pp.start)
    local n = math.floor(offered_pps(p) * ms / 1000)
    if pp.count > 0 and n > pp.count then n = pp.count end
    return (pp.sent_before or 0) + n
end

local function received_total(p)
    local other = 1 - p
    local rate = offered_pps(other)
    local frac = rate > CAP_PPS and CAP_PPS / rate or 1
    return math.floor(sent_total(other) * frac)
end

local function is_sending(p)
    local pp = ports[p]
    if pp.start == nil or pp.stop ~= nil then return false end
    if pp.count > 0 then
        local ms_needed = pp.count / offered_pps(p) * 1000
        return now_ms - pp.start < ms_needed
    end
    return true
end

local function each(list, fn)
    for _, p in ipairs(pids(list)) do fn(p, ports[p]) end
end

local function call(...)
    local t = {}
    for i = 1, select("#", ...) do t[#t + 1] = tostring(select(i, ...)) end
    print("FAKE_CALL " .. table.concat(t, " "))
end

pktgen = {
    set = function(list, what, value)
        assert(value ~= nil, "set: 3 arguments")
        each(list, function(_, pp)
            if what == "size" then pp.size = value
            elseif what == "rate" then pp.rate = tonumber(value)
            elseif what == "count" then
                assert(value >= 0 and value <= 4294967295, "count out of 32 bits")
                pp.count = value
            else error("set does not support " .. what) end
        end)
    end,
    start = function(list)
        each(list, function(p, pp)
            pp.sent_before = sent_total(p)
            pp.start, pp.stop = now_ms, nil
        end)
    end,
    stop = function(list)
        each(list, function(p, pp)
            if pp.start ~= nil and pp.stop == nil then
                -- Count-limited senders stopped by themselves earlier.
                local total = sent_total(p) - (pp.sent_before or 0)
                pp.stop = pp.start + total / offered_pps(p) * 1000
            end
        end)
    end,
    clr = function()
        for p = 0, 1 do
            ports[p].base_tx = sent_total(p)
            ports[p].base_rx = received_total(p)
        end
    end,
    delay = function(ms) now_ms = now_ms + ms end,
    screen = function() end,
    quit = function() call("quit") end,
    set_type = function() end,
    set_proto = function() end,
    set_ipaddr = function(list, what, ip) call("set_ipaddr", list, what, ip) end,
    set_mac = function(list, what, mac) call("set_mac", list, what, mac) end,
    set_range = function(list, state)
        each(list, function(_, pp) pp.range = state == "on" end)
        call("set_range", list, state)
    end,
    linkState = function(list)
        local t = { n = 0 }
        each(list, function(p) t[p] = "<UP-" .. LINK_MBPS .. "-FD>"; t.n = t.n + 1 end)
        return t
    end,
    isSending = function(list)
        local t = { n = 0 }
        each(list, function(p) t[p] = is_sending(p) and "y" or "n"; t.n = t.n + 1 end)
        return t
    end,
    portStats = function(list, kind)
        if API == "new" and kind ~= nil then error("portStats, wrong number of arguments") end
        if API == "old" and kind == nil then error("portStats, wrong number of arguments") end
        local t = { n = 0 }
        each(list, function(p, pp)
            local s = { ipackets = received_total(p) - pp.base_rx,
                        opackets = sent_total(p) - pp.base_tx }
            t[p] = API == "new" and { curr = s, sizes = {}, qstats = {} } or s
            t.n = t.n + 1
        end)
        return t
    end,
    range = {},
}
for _, f in ipairs({ "dst_mac", "src_ip", "dst_ip", "src_port", "dst_port", "pkt_size" }) do
    pktgen.range[f] = function(list, what, value) call("range." .. f, list, what, value) end
end

dofile(arg[1])

for _, r in ipairs(PKTGEN_RESULTS or {}) do
    local keys = {}
    for k in pairs(r) do keys[#keys + 1] = k end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. tostring(r[k]) end
    print("FAKE_RESULT " .. table.concat(parts, " "))
end
print(string.format("FAKE_CLOCK_S %.1f", now_ms / 1000))
