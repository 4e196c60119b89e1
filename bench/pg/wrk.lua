-- bench/pg/wrk.lua: wrk script for bench/pg.sh. Either GETs the paths in the file named by
-- BENCH_PATHS round-robin (one a line; each wrk thread from its own starting point), or,
-- with BENCH_POST=concern or BENCH_POST=activity, POSTs a new officer's concern
-- (/api/v1/concerns, a client_id of its own) or a new activity (/api/v1/activities, a title
-- of its own) each request; BENCH_TAG keeps two runs on one database apart. The token comes
-- as wrk's -H "Authorization: Bearer ..." header. done() prints "statuses: 200=N ..." for the
-- benchmark to read.
local threads = {}
local counter = 0
local services = { "criminal", "public_order", "youth", "water", "electricity", "rubbish" }

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tag = os.getenv("BENCH_TAG") or tostring(os.time())
  post = os.getenv("BENCH_POST")
  counts = {}
  paths = {}
  if post then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
  else
    for line in io.lines(os.getenv("BENCH_PATHS")) do
      if #line > 0 then table.insert(paths, line) end
    end
    i = (tid - 1) * math.floor(#paths / 2)
  end
end

function request()
  counter = counter + 1
  if post == "concern" then
    local body = string.format(
      '{"channel":"station","service_code":"%s","description":"Street lights out on the'
        .. ' corner by the school since Monday; children walk there after dark (%d)",'
        .. '"address":"Chui Avenue 1%d","client_id":"pgbench-%s-%d-%d"}',
      services[counter % #services + 1], counter, counter % 100, tag, tid, counter)
    return wrk.format(nil, "/api/v1/concerns", nil, body)
  elseif post == "activity" then
    local body = string.format(
      '{"title":{"en":"Bench training %s-%d-%d on community policing"},'
        .. '"type":"training","lead_org":"BISHKEK","planned_start":"2031-03-01",'
        .. '"planned_end":"2031-03-05","host_country":"KG","beneficiary_countries":["KG"],'
        .. '"priorities":["PDR"],"focus_areas":["PDR-CP"],"lines":["TRN"],'
        .. '"target_groups":["police"]}', tag, tid, counter)
    return wrk.format(nil, "/api/v1/activities", nil, body)
  end
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
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
