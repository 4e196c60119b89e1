-- bench/community/get.lua: wrk script for the citizen's GET /api/v1/public/concerns/{code},
-- round-robin over the known tracking codes in the file named by BENCH_CODES (one a line),
-- each wrk thread from its own starting point. Known codes are never throttled (only
-- lookups of unknown codes count), so every reply should be 200; done() prints
-- "statuses: 200=N ..." for the benchmark to read.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  for line in io.lines(os.getenv("BENCH_CODES")) do
    if #line > 0 then table.insert(codes, line) end
  end
  counts = {}
  i = (tid - 1) * math.floor(#codes / 2)
end

function request()
  i = i % #codes + 1
  return wrk.format("GET", "/api/v1/public/concerns/" .. codes[i])
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
