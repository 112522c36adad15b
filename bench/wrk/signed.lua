-- Replays requests signed ahead by botocore, each exactly once: REQUESTS names a file of lines
-- "x-amz-date TAB authorization TAB body". Thread i of THREADS sends lines i, i + THREADS, ... (counting from 0).
-- A thread that runs out stops and done() prints EXHAUSTED, so the harness knows to sign more.
-- DELAY_MS, when set, waits that long before each request: a low, steady load.
local threads = {}
local requests = {}
local next_index = 1

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    local id = wrk.thread:get("id")
    local count = tonumber(os.getenv("THREADS"))
    local index = 0
    for line in io.lines(os.getenv("REQUESTS")) do
        if index % count == id then
            local date, authorization, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
            table.insert(requests, wrk.format("POST", "/", {
                ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
                ["X-Amz-Date"] = date,
                ["Authorization"] = authorization,
            }, body))
        end
        index = index + 1
    end
    wrk.thread:set("exhausted", 0)
end

local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
if delay_ms then
    function delay()
        return delay_ms
    end
end

function request()
    local next_request = requests[next_index]
    if next_request == nil then
        wrk.thread:set("exhausted", 1)
        wrk.thread:stop()
        return requests[#requests]
    end
    next_index = next_index + 1
    return next_request
end

function done(summary, latency, requests)
    for _, thread in ipairs(threads) do
        if thread:get("exhausted") == 1 then
            io.write("EXHAUSTED\n")
        end
    end
end
