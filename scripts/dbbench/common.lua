-- scripts/dbbench/common.lua - what the db-benchmark jobs share: timing REPS
-- runs of a question, check sums, and the JSON record the peer harness
-- (../shared/bench/peers/dbbench, README "JSON record") reads.
local M = {}
M.reps = tonumber(os.getenv("REPS") or "2")

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

local function json_value(v)
  if type(v) == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = json_value(v[i]) end
    return "[" .. table.concat(parts, ", ") .. "]"
  elseif type(v) == "string" then
    return string.format("%q", v)
  elseif v == nil or v ~= v then
    return "null"
  elseif math.type(v) == "integer" then
    return tostring(v)
  end
  return string.format("%.17g", v)
end

local order = { "task", "solution", "version", "threads", "data", "in_rows", "question_id", "question",
  "out_rows", "out_cols", "reps", "times_s", "min_s", "median_s", "read_s", "files", "chk", "chk_cols", "rss_kb" }

function M.emit(rec)
  local parts = {}
  for _, k in ipairs(order) do
    if rec[k] ~= nil then parts[#parts + 1] = string.format("%q: %s", k, json_value(rec[k])) end
  end
  io.write("{", table.concat(parts, ", "), "}\n")
  io.flush()
end

function M.stem(path) return (path:match("([^/]+)%.csv$") or path) end

local function median(t)
  local s = { table.unpack(t) }
  table.sort(s)
  local n = #s
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

-- Check sum of a column: the sum of its non-missing values.
local function col_sum(df, name)
  return df:col(name):sum { na_rm = true }
end

function M.base(task, data, in_rows)
  return { task = task, solution = "mlsh", version = mlsh.version or "0.1.0", threads = 2, data = data, in_rows = in_rows }
end

function M.emit_read(base, question, secs, files, frames)
  local rows, cols, tot = 0, 0, 0
  for _, f in ipairs(frames) do rows, cols = rows + f:nrow(), cols + f:ncol() end
  for _, s in ipairs(secs) do tot = tot + s end
  local r = setmetatable({ question_id = "read", question = question, out_rows = rows, out_cols = cols, reps = 1,
    times_s = { tot }, min_s = tot, median_s = tot, read_s = secs, files = files, rss_kb = rss_kb() }, { __index = base })
  local rec = {}
  for _, k in ipairs(order) do rec[k] = r[k] end
  M.emit(rec)
end

-- Run fun() REPS times (wall clock), collect garbage between runs outside
-- the timed region, check sums from the last run.
function M.ask(base, qid, question, fun, chk_cols)
  local times, ans = {}, nil
  for r = 1, M.reps do
    ans = nil
    collectgarbage()
    local t0 = mlsh.clock()
    ans = fun()
    times[r] = mlsh.clock() - t0
  end
  local chk = {}
  for i, c in ipairs(chk_cols) do chk[i] = col_sum(ans, c) end
  local mn = math.huge
  for _, t in ipairs(times) do mn = math.min(mn, t) end
  local rec = {}
  for k, v in pairs(base) do rec[k] = v end
  rec.question_id, rec.question, rec.out_rows, rec.out_cols = qid, question, ans:nrow(), ans:ncol()
  rec.reps, rec.times_s, rec.min_s, rec.median_s = M.reps, times, mn, median(times)
  rec.chk, rec.chk_cols, rec.rss_kb = chk, chk_cols, rss_kb()
  M.emit(rec)
end

return M
