-- ImportKeyPair with a distinct key name per request: BODY_PREFIX, then KeyName=<run>-<thread>-<counter>.
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
        ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
    }, body)
end
