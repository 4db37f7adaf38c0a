-- lua/mlsh/data.lua - the DataFrame class: named columns, each a Matrix
-- (numeric, NaN = missing) or an array of strings (false = missing).
local M, mlsh = ...
local mat = mlsh.mat
local doc = mlsh.doc

local DataFrame = { __name = "DataFrame" }
DataFrame.__index = DataFrame
M.DataFrame = DataFrame

local function fail(fname, fmt, ...)
  error(fname .. ": " .. string.format(fmt, ...), 0)
end

local function check_frame(df, fname)
  if getmetatable(df) ~= DataFrame then fail(fname, "self must be a DataFrame (got %s)", type(df)) end
end

local function new_frame(names, columns, nrow)
  local index = {}
  for i, n in ipairs(names) do index[n] = i end
  return setmetatable({ names = names, _cols = columns, _nrow = nrow, _index = index }, DataFrame)
end

local function column_values(col, rows)
  if mat.is(col) then
    local out = mat.zeros(#rows, 1)
    for k, i in ipairs(rows) do out[k] = col[i] end
    return out
  end
  local out = {}
  for k, i in ipairs(rows) do out[k] = col[i] end
  return out
end

local function subset_rows(df, rows)
  local cols = {}
  for j, c in ipairs(df._cols) do cols[j] = column_values(c, rows) end
  local names = {}
  for j, n in ipairs(df.names) do names[j] = n end
  return new_frame(names, cols, #rows)
end

-- One line on stderr naming the header names that were made unique.
local function warn_renamed(path, renamed)
  if #renamed == 0 then return end
  local parts = {}
  for _, r in ipairs(renamed) do
    parts[#parts + 1] = string.format("%q -> %q (column %d)", r[2], r[3], r[1])
  end
  io.stderr:write(string.format("data.read_csv: warning: %s: renamed %d duplicate or empty column name%s: %s\n",
    path, #renamed, #renamed > 1 and "s" or "", table.concat(parts, ", ")))
end

M.read_csv = doc(function(path, opts)
  local t = M._read_csv(path, opts)
  warn_renamed(path, t.renamed or {})
  return new_frame(t.names, t.columns, t.nrow)
end, "data.read_csv", "data.read_csv(path [, {sep=, header=, na=}])",
  "Reads a CSV file into a DataFrame. The delimiter is sniffed (, ; tab |) unless sep is given; header is\n" ..
  "detected unless given (true/false); quoted fields, CRLF and a UTF-8 BOM are handled. Columns whose values\n" ..
  "all parse as numbers become Matrices; others are string arrays. \"\", NA and NaN (and the strings in na)\n" ..
  "are missing: NaN in numeric columns, false in string columns. A ragged row is an error naming its line.\n" ..
  "Column names are unique, as data.table's fread(check.names = TRUE) makes them (names are otherwise kept\n" ..
  "as written): an empty name becomes V<column number>, a repeated one gets .1, .2, ... in order (R's\n" ..
  "make.unique); one warning line on stderr names the renamed columns.\n" ..
  "Example: df = data.read_csv(\"datasets/iris.csv\")")

M.frame = doc(function(names, columns)
  local fname = "data.frame"
  if type(names) ~= "table" or type(columns) ~= "table" then
    fail(fname, "expects an array of names and an array of columns")
  end
  if #names ~= #columns then fail(fname, "%d names for %d columns", #names, #columns) end
  local nrow
  local cols = {}
  for j, c in ipairs(columns) do
    local n
    if mat.is(c) then
      if c:cols() ~= 1 then fail(fname, "column %d must be a vector (got %dx%d)", j, c:rows(), c:cols()) end
      n = c:rows(); cols[j] = c
    elseif type(c) == "table" then
      n = #c
      local numeric = true
      for i = 1, n do if type(c[i]) ~= "number" then numeric = false break end end
      cols[j] = numeric and n > 0 and mat.from(c) or c
    else
      fail(fname, "column %d must be a Matrix or an array (got %s)", j, type(c))
    end
    if nrow and n ~= nrow then fail(fname, "column %d has %d values, column 1 has %d", j, n, nrow) end
    nrow = n
  end
  return new_frame(names, cols, nrow or 0)
end, "data.frame", "data.frame(names, columns)",
  "A DataFrame from an array of column names and an array of columns (Matrices n x 1, or arrays of numbers\n" ..
  "or strings of equal length).\nExample: df = data.frame({\"x\", \"g\"}, {mat.from{1, 2}, {\"a\", \"b\"}})")

local methods = {}

function methods.nrow(df) return df._nrow end
function methods.ncol(df) return #df.names end

function methods.col(df, name)
  check_frame(df, "DataFrame:col")
  local j = type(name) == "number" and name or df._index[name]
  if not j or not df._cols[j] then
    fail("DataFrame:col", "no column %s (columns: %s)", tostring(name), table.concat(df.names, ", "))
  end
  return df._cols[j]
end

function methods.is_numeric(df, name)
  return mat.is(methods.col(df, name))
end

function methods.matrix(df, names)
  check_frame(df, "DataFrame:matrix")
  local pick = {}
  if names == nil then
    for j, c in ipairs(df._cols) do if mat.is(c) then pick[#pick + 1] = j end end
  else
    if type(names) ~= "table" then fail("DataFrame:matrix", "names must be an array of column names") end
    for _, n in ipairs(names) do
      local j = type(n) == "number" and n or df._index[n]
      if not j or not df._cols[j] then fail("DataFrame:matrix", "no column %s", tostring(n)) end
      if not mat.is(df._cols[j]) then fail("DataFrame:matrix", "column '%s' is not numeric", df.names[j]) end
      pick[#pick + 1] = j
    end
  end
  if #pick == 0 then fail("DataFrame:matrix", "the frame has no numeric columns") end
  local m = df._cols[pick[1]]:copy()
  for k = 2, #pick do m = m:hcat(df._cols[pick[k]]) end
  return m
end

function methods.numeric_names(df)
  local out = {}
  for j, c in ipairs(df._cols) do if mat.is(c) then out[#out + 1] = df.names[j] end end
  return out
end

function methods.head(df, n)
  check_frame(df, "DataFrame:head")
  n = math.min(n or 6, df._nrow)
  local rows = {}
  for i = 1, n do rows[i] = i end
  return subset_rows(df, rows)
end

function methods.row(df, i)
  check_frame(df, "DataFrame:row")
  if math.type(i) ~= "integer" and not (type(i) == "number" and i == math.floor(i)) or i < 1 or i > df._nrow then
    fail("DataFrame:row", "row %s out of range 1..%d", tostring(i), df._nrow)
  end
  local r = {}
  for j, name in ipairs(df.names) do
    local v = df._cols[j][i]
    if v == false then v = nil end
    r[name] = v
  end
  return r
end

function methods.filter(df, fn)
  check_frame(df, "DataFrame:filter")
  if type(fn) ~= "function" then fail("DataFrame:filter", "argument must be a function(row) -> boolean") end
  local rows = {}
  for i = 1, df._nrow do
    if fn(methods.row(df, i), i) then rows[#rows + 1] = i end
  end
  return subset_rows(df, rows)
end

function methods.select(df, names)
  check_frame(df, "DataFrame:select")
  if type(names) ~= "table" or #names == 0 then fail("DataFrame:select", "argument must be a non-empty array of column names") end
  local outn, outc = {}, {}
  for k, n in ipairs(names) do
    local j = type(n) == "number" and n or df._index[n]
    if not j or not df._cols[j] then
      fail("DataFrame:select", "no column %s (columns: %s)", tostring(n), table.concat(df.names, ", "))
    end
    outn[k] = df.names[j]
    outc[k] = df._cols[j]
  end
  return new_frame(outn, outc, df._nrow)
end

mlsh.declare_options("DataFrame:write_csv", { { "sep", "string", ",", doc = "delimiter" } })

function methods.write_csv(df, path, opts)
  check_frame(df, "DataFrame:write_csv")
  if type(path) ~= "string" then fail("DataFrame:write_csv", "argument 'path' must be a string (got %s)", type(path)) end
  local sep = mlsh.check_options("DataFrame:write_csv", opts).sep
  M._write_csv(path, df.names, df._cols, df._nrow, sep)
  return df
end

-- ---- printing -------------------------------------------------------------

local pretty = require("mlsh.pretty")

local function text_width(s) return utf8.len(s) or #s end

local ESCAPES = { ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- A string as a cell shows it: control characters escaped, as R prints them.
local function display_string(s)
  return (s:gsub("%c", function(c) return ESCAPES[c] or string.format("\\%03d", c:byte()) end))
end

-- Cells of one numeric column (a Matrix or an array of numbers, rows 1..n):
-- one format for all, as R prints a column; NaN (missing) as NA.
local function number_cells(col, n, digits)
  local vals = {}
  for i = 1, n do vals[i] = col[i] end
  if n == 0 then return {} end
  return mat.format(vals, { na = "NA", digits = digits })
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

-- The tibble-style footer "# i 8 more variables: a <dbl>, b <chr>, ..."
-- wrapped to the width, continued on lines starting "#   ".
local function more_footer(text, items, width)
  local lines, line = {}, text
  for k, item in ipairs(items) do
    local piece = item .. (k < #items and "," or "")
    if text_width(line) + 1 + text_width(piece) > width and line ~= text then
      lines[#lines + 1] = line
      line = "#  "
    end
    line = line .. " " .. piece
  end
  lines[#lines + 1] = line
  return table.concat(lines, "\n")
end

local function info_mark()
  return mlsh.terminal and not mlsh.terminal().unicode and "i" or "\u{2139}"
end

-- Header, cells and alignment of every column over rows 1..show.
local function frame_columns(df, show)
  local cols = {}
  for j, c in ipairs(df._cols) do
    local cells = {}
    if mat.is(c) then
      cells = number_cells(c, show)
    else
      for i = 1, show do cells[i] = c[i] and display_string(c[i]) or "NA" end
    end
    local name = display_string(df.names[j])
    local w = text_width(name)
    for _, s in ipairs(cells) do w = math.max(w, text_width(s)) end
    cols[j] = { name = name, cells = cells, right = mat.is(c), width = w, tag = mat.is(c) and "<dbl>" or "<chr>" }
  end
  return cols
end

-- The first 10 rows and the columns that fit the terminal; the rest are
-- counted (rows) and named (columns) in a footer, as a tibble prints.
function DataFrame.__tostring(df)
  local width = pretty.width()
  local show = math.min(df._nrow, 10)
  local cols = frame_columns(df, show)
  local header, right, rows = { "" }, { true }, {}
  local used, shown = #tostring(show), {}
  for j, c in ipairs(cols) do
    if used + 2 + c.width > width and #shown > 0 then break end
    used = used + 2 + c.width
    shown[#shown + 1] = c
    header[#shown + 1] = c.name
    right[#shown + 1] = c.right
  end
  for i = 1, show do
    local r = { tostring(i) }
    for k, c in ipairs(shown) do r[k + 1] = c.cells[i] end
    rows[i] = r
  end
  local out = { text_table(header, rows, right) }
  if df._nrow > show then out[#out + 1] = string.format("# %s %d more rows", info_mark(), df._nrow - show) end
  if #shown < #cols then
    local rest = {}
    for j = #shown + 1, #cols do rest[#rest + 1] = cols[j].name .. " " .. cols[j].tag end
    local text = string.format("# %s %d more variable%s:", info_mark(), #rest, #rest > 1 and "s" or "")
    out[#out + 1] = more_footer(text, rest, width)
  end
  out[#out + 1] = string.format("[DataFrame %dx%d]", df._nrow, #df.names)
  return table.concat(out, "\n")
end

function DataFrame.__len(df) return df._nrow end

function methods.describe(df)
  check_frame(df, "DataFrame:describe")
  local num, str = {}, {}
  for j, c in ipairs(df._cols) do
    local name = df.names[j]
    if mat.is(c) then
      local vals = {}
      local n, miss = 0, 0
      for i = 1, c:rows() do
        local v = c[i]
        if v ~= v then miss = miss + 1 else n = n + 1; vals[n] = v end
      end
      local d = { name = name, n = n, missing = miss }
      if n > 0 then
        local v = mat.from(vals)
        d.mean = v:mean()
        d.sd = n > 1 and v:std() or 0 / 0
        local q = M.quantiles(v, { 0, 0.25, 0.5, 0.75, 1 })
        d.min, d.q1, d.median, d.q3, d.max = q[1], q[2], q[3], q[4], q[5]
      end
      num[#num + 1] = d
    else
      local counts, n, miss = {}, 0, 0
      for i = 1, df._nrow do
        local v = c[i]
        if v == false or v == nil then miss = miss + 1
        else n = n + 1; counts[v] = (counts[v] or 0) + 1 end
      end
      local top = {}
      for k, v in pairs(counts) do top[#top + 1] = { k, v } end
      table.sort(top, function(a, b) return a[2] > b[2] or (a[2] == b[2] and a[1] < b[1]) end)
      str[#str + 1] = { name = name, n = n, missing = miss, unique = #top, top = top }
    end
  end
  return setmetatable({ numeric = num, strings = str, nrow = df._nrow }, M.Description)
end

M.Description = { __name = "Description" }
M.Description.__index = M.Description

-- The most frequent values that fit in `room` characters, "..." for the rest.
local function top_values(top, room)
  local text = ""
  for k, t in ipairs(top) do
    local piece = (k > 1 and ", " or "") .. display_string(t[1]) .. " (" .. t[2] .. ")"
    local more = k < #top and ", ..." or ""
    if k > 1 and text_width(text .. piece .. more) > room then return text .. ", ..." end
    text = text .. piece
  end
  return text
end

-- Numbers to max(3, digits - 3) significant digits, one format per
-- statistic, as R's summary(); blocks of columns past the terminal's width.
function M.Description.__tostring(d)
  local parts, width = {}, pretty.width()
  local digits = math.max(3, pretty.options.digits - 3)
  if #d.numeric > 0 then
    local header = { "", "n", "missing", "mean", "sd", "min", "25%", "50%", "75%", "max" }
    local right = { false, true, true, true, true, true, true, true, true, true }
    local stats = { "mean", "sd", "min", "q1", "median", "q3", "max" }
    local cells = {}
    for k, key in ipairs(stats) do
      local vals = {}
      for i, c in ipairs(d.numeric) do vals[i] = c[key] or 0 / 0 end
      cells[k] = number_cells(vals, #vals, digits)
    end
    local rows = {}
    for i, c in ipairs(d.numeric) do
      local r = { display_string(c.name), tostring(c.n), tostring(c.missing) }
      for k = 1, #stats do r[#r + 1] = cells[k][i] end
      rows[i] = r
    end
    parts[#parts + 1] = text_table(header, rows, right, { width = width })
  end
  if #d.strings > 0 then
    local rows, w = {}, { 0, 1, 7, 6 }
    for _, c in ipairs(d.strings) do
      w[1] = math.max(w[1], text_width(display_string(c.name)))
      w[2] = math.max(w[2], #tostring(c.n))
    end
    local room = math.max(20, width - (w[1] + w[2] + w[3] + w[4] + 8))
    for _, c in ipairs(d.strings) do
      rows[#rows + 1] = { display_string(c.name), tostring(c.n), tostring(c.missing), tostring(c.unique),
                          top_values(c.top, room) }
    end
    parts[#parts + 1] = text_table({ "", "n", "missing", "unique", "most frequent" }, rows, { false, true, true, true, false })
  end
  return table.concat(parts, "\n\n")
end

local method_docs = {
  nrow = { "df:nrow()", "Number of rows.\nExample: df:nrow()" },
  ncol = { "df:ncol()", "Number of columns.\nExample: df:ncol()" },
  col = { "df:col(name)", "A column by name or position: a Matrix (n x 1) for numeric columns, a string array otherwise.\nExample: df:col(\"petal_length\"):mean()" },
  is_numeric = { "df:is_numeric(name)", "True when the column is numeric.\nExample: df:is_numeric(\"species\")" },
  matrix = { "df:matrix([names])", "The numeric columns (or the named ones) side by side as one Matrix.\nExample: X = df:matrix()" },
  numeric_names = { "df:numeric_names()", "Names of the numeric columns.\nExample: df:numeric_names()" },
  head = { "df:head([n=6])", "The first n rows as a new DataFrame.\nExample: df:head(3)" },
  row = { "df:row(i)", "Row i as a table {name = value}.\nExample: df:row(1).species" },
  filter = { "df:filter(fn)", "Rows for which fn(row, i) is true, as a new DataFrame (row as in df:row).\nExample: df:filter(function(r) return r.species == \"setosa\" end)" },
  select = { "df:select{names}", "The named columns, in order, as a new DataFrame.\nExample: df:select{\"sepal_length\", \"species\"}" },
  write_csv = { "df:write_csv(path [, opts])", "Writes the frame as CSV atomically (temp file + rename); missing values as NA.\nExample: df:write_csv(\"out.csv\")" },
  describe = { "df:describe()", "Per numeric column: n, missing, mean, sd, min, quartiles, max; per string column: n, missing, unique values and the most frequent.\nExample: df:describe()" },
}
for name, f in pairs(methods) do
  local d = method_docs[name]
  DataFrame[name] = d and doc(f, "DataFrame:" .. name, d[1], d[2]) or f
end
