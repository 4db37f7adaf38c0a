-- lua/mlsh/pretty.lua - how the REPL shows values: tables nested to a
-- bounded depth and length, objects through their __tostring (Matrices
-- print Torch-style), strings quoted.
local M = {}

M.max_depth = 3
M.max_items = 20

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

local function scalar(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
  if t == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
    if v == math.floor(v) and math.abs(v) < 1e15 then return string.format("%.1f", v) end
    return string.format("%.6g", v)
  end
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
    local text = tostring(v)
    if text:find("\n") then
      return text:gsub("\n", "\n" .. indent)
    end
    return text
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
    local r = render(v[k], depth + 1, inner, seen)
    if r:find("\n") or type(v[k]) == "table" then long = true end
    parts[#parts + 1] = key .. " = " .. r
  end
  seen[v] = nil
  if #parts == 0 then return "{}" end
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if not long and #flat <= 78 - #indent then return flat end
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

return M
