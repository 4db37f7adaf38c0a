-- lua/mlsh/vec.lua - "a vector-like value" as a Lua array of numbers: the
-- one converter every chart uses, so that a Lua array, a Matrix column or
-- row, a ts.series (its values; its start and frequency come along) and a
-- DataFrame column (or a one-column frame) are taken alike.
local mat = require("mat")
local V = {}

local function fail(fname, fmt, ...)
  error(fname .. ": " .. string.format(fmt, ...), 0)
end

local function kind(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name or nil
end

local function from_matrix(fname, arg, m)
  local r, c = m:shape()
  if r ~= 1 and c ~= 1 then fail(fname, "argument '%s' must be a vector (got a %dx%d Matrix)", arg, r, c) end
  if r * c == 0 then fail(fname, "argument '%s' is empty (a %dx%d Matrix)", arg, r, c) end
  local t = m:totable()
  return type(t) == "table" and t or { t }
end

local function from_array(fname, arg, t)
  local n = #t
  if n == 0 then fail(fname, "argument '%s' is an empty array", arg) end
  local out = {}
  for i = 1, n do
    local x = t[i]
    if type(x) ~= "number" then
      if x == false or type(x) == "string" then
        fail(fname, "argument '%s' has a %s at %d, not a number (a string column?)", arg,
          x == false and "missing string" or "string", i)
      end
      fail(fname, "argument '%s' has a %s at %d, not a number", arg, type(x), i)
    end
    out[i] = x + 0.0
  end
  return out
end

-- The numbers of v, and what v says about its time axis ({start = t0,
-- freq = f} for a Series, t0 the time of the first value in periods/freq
-- units, 1949.0 for January 1949), else nil.
function V.numbers(v, fname, arg)
  fname, arg = fname or "vector", arg or "x"
  if v == nil then fail(fname, "argument '%s' is missing", arg) end
  if mat.is(v) then return from_matrix(fname, arg, v) end
  local k = kind(v)
  if k == "Series" then
    local f = v.freq
    return from_matrix(fname, arg, v.values), { start = v.start[1] + (v.start[2] - 1) / f, freq = f }
  end
  if k == "DataFrame" then
    if v:ncol() ~= 1 then
      fail(fname, "argument '%s' is a DataFrame with %d columns: pick one, df:col(\"name\")", arg, v:ncol())
    end
    v, k = v:col(v:names()[1]), "Column"
  end
  if k == "Column" then
    local t = v:type()
    if t == "string" or t == "categorical" then
      fail(fname, "argument '%s' is a %s Column, not numbers", arg, t)
    end
    return from_matrix(fname, arg, v:matrix())
  end
  if type(v) == "table" and k == nil then return from_array(fname, arg, v) end
  fail(fname, "argument '%s' must be a vector: a Lua array of numbers, a Matrix column, a ts.series or a "
    .. "DataFrame column (got %s)", arg, k or type(v))
end

-- Is v one of the values V.numbers takes?
function V.is_vector(v)
  if mat.is(v) then local r, c = v:shape() return r == 1 or c == 1 end
  local k = kind(v)
  if k == "Column" then return v:type() ~= "string" and v:type() ~= "categorical" end
  return k == "Series" or (k == nil and type(v) == "table" and type(v[1]) == "number")
end

return V
