-- lua/mlsh/pretty.lua - how the REPL shows values, as R prints them:
-- numbers to 7 significant digits (mlsh.options{digits = n}), fixed
-- notation unless scientific is narrower, Lua integers whole; tables
-- nested to a bounded depth and length, fitted to the terminal; objects
-- through their __tostring (Matrices and frames print themselves),
-- strings quoted with escapes.
local mat = require("mat")
local M = {}

M.max_depth = 3
M.max_items = 20

-- The printing options; lmat.c reads digits from here for Matrices.
M.options = { digits = 7 }

local terminal = function() return { cols = tonumber(os.getenv("COLUMNS")) or 80 } end

-- The text width to fit: the terminal's, COLUMNS on a pipe, else 80.
function M.width()
  return terminal().cols
end

-- One number as R prints it: Lua integers whole, floats to `digits`.
function M.number(v)
  if math.type(v) == "integer" then return tostring(v) end
  return mat.format(v)
end

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return (string.format("%q", v):gsub("\\\n", "\\n")) end
  if t == "number" then return M.number(v) end
  return nil
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__tostring ~= nil
end

local function render(v, depth, indent, seen)
  local s = scalar(v)
  if s then return s end
  if has_tostring(v) then
    return (tostring(v):gsub("\n", "\n" .. indent))
  end
  if type(v) ~= "table" then return tostring(v) end
  if seen[v] then return "<cycle>" end
  if depth >= M.max_depth then return "{...}" end
  seen[v] = true
  local n = #v
  local parts, count, long = {}, 0, false
  local inner = indent .. "  "
  for i = 1, n do
    count = count + 1
    if count > M.max_items then parts[#parts + 1] = "... (" .. n .. " items)"; break end
    local r = render(v[i], depth + 1, inner, seen)
    if r:find("\n") or type(v[i]) == "table" then long = true end
    parts[#parts + 1] = r
  end
  local keys = {}
  for k in pairs(v) do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "string" or ta == "number" then return a < b end
    return tostring(a) < tostring(b)
  end)
  local shown = 0
  for _, k in ipairs(keys) do
    shown = shown + 1
    if shown > M.max_items then parts[#parts + 1] = "... (" .. #keys .. " keys)"; break end
    local key = is_identifier(k) and k or "[" .. (scalar(k) or tostring(k)) .. "]"
    local block = has_tostring(v[k]) and tostring(v[k]):find("\n")
    local r = render(v[k], depth + 1, block and inner .. "  " or inner, seen)
    if r:find("\n") or type(v[k]) == "table" then long = true end
    -- a block (a Matrix, a frame) starts on its own line, all of it indented alike
    parts[#parts + 1] = key .. (block and " =\n" .. inner .. "  " or " = ") .. r
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if not long and utf8.len(flat) and utf8.len(flat) <= M.width() - 2 - #indent then return flat end
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

-- The display text of one value.
function M.format(v)
  return render(v, 0, "", {})
end

-- Print every value (as the REPL does for an expression's results).
function M.show(...)
  local n = select("#", ...)
  for i = 1, n do
    io.write(M.format((select(i, ...))), "\n")
  end
end

local function set_options(new)
  local fname = "mlsh.options"
  if type(new) ~= "table" then
    error(fname .. ": argument must be a table of options (got " .. type(new) .. ")", 3)
  end
  for k, v in pairs(new) do
    if k ~= "digits" then
      error(fname .. ": unknown option '" .. tostring(k) .. "' (known: digits)", 3)
    end
    if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) or v < 1 or v > 22 then
      error(fname .. ": option 'digits' must be an integer 1..22 (got " .. tostring(v) .. ")", 3)
    end
  end
  for k, v in pairs(new) do M.options[k] = math.tointeger(v) end
end

-- mlsh.options and mlsh.pretty in the mlsh table (called by the prelude).
function M.install(mlsh)
  mlsh.pretty = M
  if mlsh.terminal then terminal = mlsh.terminal end
  mlsh.options = mlsh.doc(function(new)
    if new == nil then
      local copy = {}
      for k, v in pairs(M.options) do copy[k] = v end
      return copy
    end
    set_options(new)
  end, "mlsh.options", "mlsh.options([{digits = 7}])",
    "Printing options, as R's options(): with no argument, a copy of the current ones; with a table, sets\n" ..
    "them (returns nothing). digits: significant digits of printed numbers (1..22, default 7, R's default),\n" ..
    "for numbers, tables, Matrices and DataFrames alike; fixed notation unless scientific is narrower.\n" ..
    "Example: mlsh.options{digits = 3}; print(mat.from{math.pi})  -- 3.14")
end

return M
