-- bench/community/post.lua: wrk script for POST /api/v1/concerns. Every request carries a
-- client_id of its own (run tag, wrk thread, counter), so none is a retry of another; the
-- replies are counted by status and done() prints "statuses: 201=N 200=N ..." for the
-- benchmark to read. The token comes as wrk's -H "Authorization: Bearer ..." header; the
-- run tag from the environment (BENCH_TAG), so two runs on one database never collide.
local threads = {}
local counter = 0
local services = { "criminal", "public_order", "youth", "water", "electricity", "rubbish" }

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tag = os.getenv("BENCH_TAG") or tostring(os.time())
  counts = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"channel":"station","service_code":"%s","description":"Street lights out on the'
      .. ' corner by the school since Monday; children walk there after dark (%d)",'
      .. '"address":"Chui Avenue 1%d","client_id":"bench-%s-%d-%d"}',
    services[counter % #services + 1], counter, counter % 100, tag, tid, counter)
  return wrk.format(nil, "/api/v1/concerns", nil, body)
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total, keys, parts = {}, {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do total[k] = (total[k] or 0) + v end
  end
  for k in pairs(total) do table.insert(keys, k) end
  table.sort(keys)
  for _, k in ipairs(keys) do table.insert(parts, k .. "=" .. total[k]) end
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
