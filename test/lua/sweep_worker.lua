-- test/lua/sweep_worker.lua MODULE - the bad-input sweep for one module
-- (run by test_sweep.lua in a child process, from a scratch directory).
-- Calls every public function, and every method of the objects they
-- return, with nil, wrong types, empty and 1x1 matrices, NaN/Inf,
-- mismatched shapes, negative/zero/huge sizes and unknown options. Each
-- call must return or raise a Lua error whose message names the function;
-- a crash kills this process and the parent reports the last CALL line.
local modname = assert(arg[1], "module name")
local mod = assert(mlsh[modname], "no module " .. modname)
io.stdout:setvbuf("line")

local nan, inf = 0 / 0, math.huge
local function samples()
  return {
    { "nil", nil }, { "string", "bogus" }, { "zero", 0 }, { "negative", -1 }, { "huge", 1e12 },
    { "NaN", nan }, { "Inf", inf }, { "fraction", 2.5 }, { "true", true }, { "function", function() end },
    { "empty table", {} }, { "array", { 1, 2, 3 } }, { "nested", { { 1, 2 }, { 3, 4 } } },
    { "strings", { "a", "b" } }, { "unknown option", { bogus_option = 1 } },
    { "0x0", mat.zeros(0, 0) }, { "0x3", mat.zeros(0, 3) }, { "1x1", mat.ones(1, 1) },
    { "NaN matrix", mat.from { { nan, 1 }, { 2, 3 } } }, { "Inf matrix", mat.from { { inf, 1 }, { 2, 3 } } },
    { "5x3", mat.randn(5, 3, { seed = 1 }) }, { "3x5", mat.randn(3, 5, { seed = 2 }) },
    { "vector", mat.from { 1, 2, 3, 4 } },
  }
end

local failures = {}
local calls = 0
local seen_classes = {}
local queue = {}   -- objects whose methods are swept after the functions

local function short(name) return name:match("[%.:]([%w_]+)$") or name end

local function check(name, desc, ok, err, results)
  calls = calls + 1
  if ok then
    for _, r in ipairs(results) do
      local mt = getmetatable(r)
      if type(mt) == "table" and type(mt.__name) == "string" and not seen_classes[mt.__name] then
        local methods = type(mt.__methods) == "table" and mt.__methods or (type(mt.__index) == "table" and mt.__index)
        if methods then
          seen_classes[mt.__name] = true
          queue[#queue + 1] = { class = mt.__name, obj = r, methods = methods }
        end
      end
    end
    return
  end
  local msg = tostring(err)
  if msg == "interrupted" or not (msg:find(name, 1, true) or msg:find(short(name), 1, true)) then
    failures[#failures + 1] = ("%s(%s): error does not name the function: %s"):format(name, desc, msg:sub(1, 160))
  end
end

local function try(name, f, desc, ...)
  print("CALL " .. name .. " " .. desc)
  local n = select("#", ...)
  local args = { ... }
  local res = table.pack(pcall(f, table.unpack(args, 1, n)))
  local ok = res[1]
  check(name, desc, ok, res[2], ok and { table.unpack(res, 2, res.n) } or {})
end

local function sweep(name, f, self)
  local S = samples()
  local A = mat.randn(20, 3, { seed = 3 })
  local function call(desc, ...)
    if self ~= nil then try(name, f, desc, self, ...) else try(name, f, desc, ...) end
  end
  call("()")
  for _, s in ipairs(S) do call(s[1], s[2]) end
  for _, s in ipairs(S) do call("20x3, " .. s[1], A, s[2]) end
  for _, s in ipairs(S) do call("20x3, 2, " .. s[1], A, 2, s[2]) end
  for _, s in ipairs(S) do call(s[1] .. ", 2", s[2], 2) end
  call("20x3, labels", A, { 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2 })
  call("20x3, short labels", A, { 1, 2 })
  call("20x3, unknown option", A, { bogus_option = 1 })
end

local names = {}
for k, v in pairs(mod) do
  if type(v) == "function" and not k:find("^_") then names[#names + 1] = k end
end
table.sort(names)
-- Functions that open interactive views or run for minutes by design are
-- swept with their arguments checked, but not with valid data.
for _, k in ipairs(names) do sweep(modname .. "." .. k, mod[k]) end
local done = 0
while #queue > 0 and done < 40 do
  local q = table.remove(queue, 1)
  done = done + 1
  local mnames = {}
  for k, v in pairs(q.methods) do
    if type(v) == "function" and not k:find("^_") and k ~= "show" then mnames[#mnames + 1] = k end
  end
  table.sort(mnames)
  for _, k in ipairs(mnames) do sweep(q.class .. ":" .. k, q.methods[k], q.obj) end
end
for _, f in ipairs(failures) do print("BAD " .. f) end
print(("SWEEP %s: %d calls, %d classes, %d bad errors"):format(modname, calls, done, #failures))
os.exit(#failures == 0 and 0 or 3)
