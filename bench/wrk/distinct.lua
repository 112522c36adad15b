-- Requests with a distinct key name each, for servers that do not verify signatures (Keyway --dev, moto): BODY_PREFIX,
-- then KeyName=<RUN>-<thread>-<counter>. Each body differs, so one signature cannot be valid for all of them; strict
-- mode is measured with signed.lua instead. AMZ_DATE and AUTHORIZATION come from the environment.
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
    thread:set("thread_id", #threads)
    table.insert(threads, thread)
end

function init(args)
    thread_id = wrk.thread:get("thread_id")
end

function request()
    counter = counter + 1
    local body = os.getenv("BODY_PREFIX") .. "&KeyName=" .. os.getenv("RUN") .. "-" .. thread_id .. "-" .. counter
    return wrk.format("POST", "/", {
        ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
        ["X-Amz-Date"] = os.getenv("AMZ_DATE"),
        ["Authorization"] = os.getenv("AUTHORIZATION"),
    }, body)
end
