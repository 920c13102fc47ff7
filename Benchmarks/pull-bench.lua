-- wrk script for pull-bench.sh: every thread holds one keep-alive connection and plays one
-- worker: claim a task of the pool, complete it with its fencing token, claim again.
-- Usage: wrk -t N -c N -d D -s pull-bench.lua URL -- TOKEN POOL
-- Prints "claims C completes K empty E duration_us T" when done.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  pool = args[2]
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  wrk.headers["Content-Type"] = "application/json"
  claiming = true
  claims, completes, empty, stale = 0, 0, 0, 0
  task, token = nil, nil
end

function request()
  if claiming then
    return wrk.format("POST", "/api/v1/pools/" .. pool .. "/claim", nil,
                      '{"worker":"wrk-' .. id .. '","leaseSeconds":120}')
  end
  return wrk.format("POST", "/api/v1/tasks/" .. task .. "/complete", nil, '{"token":"' .. token .. '"}')
end

function response(status, headers, body)
  if claiming then
    if status == 200 then
      token = body:match('"token"%s*:%s*"([^"]+)"')
      task = body:match('"task"%s*:%s*{[^}]-"id"%s*:%s*"([^"]+)"')
      if token and task then
        claims = claims + 1
        claiming = false
      end
    else
      empty = empty + 1
    end
  else
    if status == 200 then completes = completes + 1 else stale = stale + 1 end
    claiming = true
  end
end

function done(summary, latency, requests)
  local c, k, e, s = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("claims")
    k = k + thread:get("completes")
    e = e + thread:get("empty")
    s = s + thread:get("stale")
  end
  io.write(string.format("claims %d completes %d empty %d refused %d duration_us %d p50_us %d p99_us %d\n",
                         c, k, e, s, summary.duration, latency:percentile(50), latency:percentile(99)))
end
