-- lua/mlsh/data.lua - the Lua side of the typed DataFrame (src/lua/lframe*.c):
-- CSV reading and writing, row access, and the aligned text tables every
-- module prints with. Printing, glimpse and describe: lua/mlsh/frame_print.lua;
-- verbs that only rearrange names: lua/mlsh/frame.lua.
local M, mlsh = ...
local mat = mlsh.mat
local doc = mlsh.doc

local DataFrame = getmetatable(M.frame({}, {}))
local Column = getmetatable(M.column({}, "date"))
M.DataFrame, M.Column = DataFrame, Column
local methods = DataFrame.__methods

local function fail(fname, fmt, ...)
  error(fname .. ": " .. string.format(fmt, ...), 0)
end

M.is_frame = doc(function(v) return getmetatable(v) == DataFrame end, "data.is_frame", "data.is_frame(v)",
  "True when v is a DataFrame.\nExample: data.is_frame(df)")
M.is_column = doc(function(v) return getmetatable(v) == Column end, "data.is_column", "data.is_column(v)",
  "True when v is a Column (df.name, df:col(name)).\nExample: data.is_column(df.species)")

local function check_frame(df, fname)
  if getmetatable(df) ~= DataFrame then fail(fname, "self must be a DataFrame (got %s)", type(df)) end
end

-- ---- small accessors ---------------------------------------------------------

local NUMERIC = { double = true, integer = true }

methods.is_numeric = doc(function(df, name)
  check_frame(df, "DataFrame:is_numeric")
  return NUMERIC[df:col(name):type()] == true
end, "DataFrame:is_numeric", "df:is_numeric(name)",
  "True when the column is a double or integer column (the ones df:matrix() takes).\nExample: df:is_numeric(\"species\")")

methods.numeric_names = doc(function(df)
  check_frame(df, "DataFrame:numeric_names")
  local out = {}
  for _, n in ipairs(df:names()) do if NUMERIC[df:col(n):type()] then out[#out + 1] = n end end
  return out
end, "DataFrame:numeric_names", "df:numeric_names()",
  "Names of the double and integer columns, in order.\nExample: df:numeric_names()")

methods.row = doc(function(df, i)
  check_frame(df, "DataFrame:row")
  if math.type(i) ~= "integer" and not (type(i) == "number" and i == math.floor(i)) or i < 1 or i > df:nrow() then
    fail("DataFrame:row", "row %s out of range 1..%d", tostring(i), df:nrow())
  end
  local r = {}
  for _, name in ipairs(df:names()) do r[name] = df:col(name)[math.tointeger(i)] end
  return r
end, "DataFrame:row", "df:row(i)", "Row i as a table {name = value} (NA values are absent).\nExample: df:row(1).species")

-- ---- aligned text tables ----------------------------------------------------

local function text_width(s) return utf8.len(s) or #s end
M._text_width = text_width

local ESCAPES = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- A string as a cell shows it: control characters escaped, as R prints them.
function M._display_string(s)
  return (s:gsub("%c", function(c) return ESCAPES[c] or string.format("\\%03d", c:byte()) end))
end

-- The text of the given columns of a table, lines without trailing spaces.
local function table_lines(header, rows, right, w, cols, out)
  local function line(r)
    local parts = {}
    for k, j in ipairs(cols) do
      local s = r[j] or ""
      local pad = string.rep(" ", w[j] - text_width(s))
      parts[k] = right[j] and pad .. s or s .. pad
    end
    out[#out + 1] = (table.concat(parts, "  "):gsub("%s+$", ""))
  end
  line(header)
  for _, r in ipairs(rows) do line(r) end
end

-- Columns 2..n of widths w in blocks that fit `width` with column 1 before
-- each (as few blocks as the widths allow, of even sizes when they fit).
local function column_blocks(w, width)
  local n, all = #w, {}
  for k = 1, n do all[k] = k end
  local function greedy(limit)
    local blocks, j = {}, 2
    while j <= n do
      local cols, used = { 1 }, w[1]
      repeat
        cols[#cols + 1] = j
        used = used + 2 + w[j]
        j = j + 1
      until j > n or #cols > limit or used + 2 + w[j] > width
      blocks[#blocks + 1] = cols
    end
    return blocks
  end
  if not width or n < 2 then return { all } end
  local blocks = greedy(n)
  if #blocks < 2 then return { all } end
  local even = greedy(math.ceil((n - 1) / #blocks))
  return #even == #blocks and even or blocks
end

-- An aligned text table: header row, then rows (arrays of strings);
-- right-aligned columns where `right[j]` is true. With opts.width, a table
-- wider than that is printed in blocks of columns, each led by column 1
-- (the row names), as R prints a wide matrix.
local function text_table(header, rows, right, opts)
  right = right or {}
  local w = {}
  for j, h in ipairs(header) do w[j] = text_width(h) end
  for _, r in ipairs(rows) do
    for j, s in ipairs(r) do w[j] = math.max(w[j] or 0, text_width(s)) end
  end
  local out = {}
  for _, cols in ipairs(column_blocks(w, opts and opts.width)) do table_lines(header, rows, right, w, cols, out) end
  return table.concat(out, "\n")
end
M.text_table = doc(text_table, "data.text_table", "data.text_table(header, rows [, right [, {width=}]])",
  "Formats an aligned text table: header is an array of strings, rows an array of arrays of strings,\n" ..
  "right[j] = true right-aligns column j (numbers). Width is measured in UTF-8 characters; lines carry no\n" ..
  "trailing spaces. width: a table wider than that comes in blocks of columns, each led by column 1, as R\n" ..
  "prints a wide matrix.\n" ..
  "Example: print(data.text_table({\"k\", \"inertia\"}, {{\"2\", \"152.3\"}, {\"3\", \"78.9\"}}, {false, true}))")
