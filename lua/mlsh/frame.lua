-- lua/mlsh/frame.lua - the DataFrame verbs that work on names: select
-- (names, "-name", "a:c" ranges, Lua patterns), rename, and the tables
-- of counts (table, crosstab) built on count.
local M, mlsh = ...
local doc = mlsh.doc
local DataFrame = M.DataFrame
local methods = DataFrame.__methods

local function fail(fname, fmt, ...) error(fname .. ": " .. string.format(fmt, ...), 0) end

local function check_frame(df, fname)
  if getmetatable(df) ~= DataFrame then fail(fname, "self must be a DataFrame (got %s)", mlsh.typename and mlsh.typename(df) or type(df)) end
end

-- The unknown-column message of df:col (it lists close names) under fname.
local function unknown(df, fname, name)
  local ok, err = pcall(df.col, df, name)
  if ok then return end
  fail(fname, "%s", (tostring(err):gsub("^DataFrame:col: ", "")))
end

-- The string arguments, or the one array given (the df:select{...} form).
local function arg_list(fname, ...)
  local args = table.pack(...)
  if args.n == 1 and type(args[1]) == "table" then args = args[1]; args.n = #args end
  for i = 1, args.n do
    if type(args[i]) ~= "string" then fail(fname, "argument %d must be a column name (a string; got %s)", i, type(args[i])) end
  end
  return args
end

local MAGIC = "[%^%$%*%+%?%[%]%%%(%)]"

-- Positions of the columns one select spec names.
local function spec_columns(df, names, index, spec, fname)
  if index[spec] then return { index[spec] } end
  local a, b = spec:match("^([^:]+):([^:]+)$")
  if a and index[a] and index[b] then
    local out, step = {}, index[a] <= index[b] and 1 or -1
    for j = index[a], index[b], step do out[#out + 1] = j end
    return out
  end
  if spec:find(MAGIC) or spec:find("%.") then
    local ok, out = pcall(function()
      local hits = {}
      for j, n in ipairs(names) do if n:find(spec) then hits[#hits + 1] = j end end
      return hits
    end)
    if not ok then fail(fname, "'%s' is neither a column nor a valid Lua pattern", spec) end
    if #out > 0 or spec:find(MAGIC) then return out end
  end
  unknown(df, fname, spec)
end

-- The column names of df that the specs select, in order.
function M._select_names(df, fname, specs)
  local names, index = df:names(), {}
  for j, n in ipairs(names) do index[n] = j end
  local keep, seen, any_positive = {}, {}, false
  local drop = {}
  for i = 1, specs.n do
    local s = specs[i]
    if s:sub(1, 1) == "-" and not index[s] then
      for _, j in ipairs(spec_columns(df, names, index, s:sub(2), fname)) do drop[j] = true end
    else
      any_positive = true
      for _, j in ipairs(spec_columns(df, names, index, s, fname)) do
        if not seen[j] then seen[j] = true; keep[#keep + 1] = j end
      end
    end
  end
  if not any_positive then for j = 1, #names do keep[j] = j end end
  local out = {}
  for _, j in ipairs(keep) do if not drop[j] then out[#out + 1] = names[j] end end
  return out
end

methods.select = doc(function(df, ...)
  local fname = "DataFrame:select"
  check_frame(df, fname)
  local picked = M._select_names(df, fname, arg_list(fname, ...))
  local have, keys = {}, df:group_keys()
  for _, n in ipairs(picked) do have[n] = true end
  for k = #keys, 1, -1 do   -- dplyr keeps the group keys, in front
    if not have[keys[k]] then table.insert(picked, 1, keys[k]) end
  end
  return df:_pick(picked)
end, "DataFrame:select", "df:select(spec, ...)",
  "The columns the specs name, in order: a name, \"-name\" (every column but it, or but those after the\n" ..
  "others), \"a:c\" (a to c in frame order) or a Lua pattern (\"^Sepal\", \"%.Width$\": every column it\n" ..
  "finds). Group keys are kept. The columns are shared, not copied.\n" ..
  "Example: iris:select(\"Species\", \"^Petal\")")

methods.rename = doc(function(df, a, b)
  local fname = "DataFrame:rename"
  check_frame(df, fname)
  local map = {}
  if type(a) == "string" then
    if type(b) ~= "string" then fail(fname, "argument 'to' must be a string (got %s)", type(b)) end
    map[b] = a
  elseif type(a) == "table" then
    map = a
  else
    fail(fname, "expects {new = \"old\", ...} or (old, new) (got %s)", type(a))
  end
  local names, index = df:names(), {}
  for j, n in ipairs(names) do index[n] = j end
  local out = {}
  for j, n in ipairs(names) do out[j] = n end
  for new, old in pairs(map) do
    if type(new) ~= "string" or type(old) ~= "string" then fail(fname, "each entry must be new = \"old\" (strings)") end
    if not index[old] then unknown(df, fname, old) end
    out[index[old]] = new
  end
  local seen = {}
  for _, n in ipairs(out) do
    if seen[n] then fail(fname, "two columns would be named '%s'", n) end
    seen[n] = true
  end
  return df:_set_names(out)
end, "DataFrame:rename", "df:rename{new = \"old\", ...} | df:rename(old, new)",
  "The same columns with some renamed, as dplyr's rename(new = old); the others keep their names and\n" ..
  "places.\nExample: iris:rename{sl = \"Sepal.Length\"}")

mlsh.declare_options("DataFrame:pivot_longer", {
  { "names_to", "string", "name", doc = "the new column of the stacked columns' names" },
  { "values_to", "string", "value", doc = "the new column of their values" } })

methods.pivot_longer = doc(function(df, ...)
  local fname = "DataFrame:pivot_longer"
  check_frame(df, fname)
  local args = table.pack(...)
  local opts
  if type(args[1]) == "table" then   -- pivot_longer({specs} [, opts])
    opts, args = args[2], table.pack(table.unpack(args[1]))
  elseif args.n > 0 and type(args[args.n]) == "table" then
    opts = args[args.n]
    args.n = args.n - 1
  end
  local o = mlsh.check_options(fname, opts)
  local specs = arg_list(fname, table.unpack(args, 1, args.n))
  return df:_pivot_longer(M._select_names(df, fname, specs), o.names_to, o.values_to)
end, "DataFrame:pivot_longer", "df:pivot_longer(spec, ... [, opts])",
  "The columns the specs select (as df:select's) stacked into two: names_to holds each one's name and\n" ..
  "values_to its value, the other columns repeated, row by row, as tidyr's pivot_longer. The stacked\n" ..
  "columns must have compatible types (integer and double give double).\n" ..
  "Example: iris:pivot_longer(\"-Species\", {names_to = \"measure\"})")

-- ---- tables of counts ----------------------------------------------------------

methods.table = doc(function(df, a, b, opts)
  local fname = "DataFrame:table"
  check_frame(df, fname)
  if type(a) ~= "string" then fail(fname, "argument 'col' must be a column name (got %s)", type(a)) end
  if b ~= nil then return df:crosstab(a, b, opts) end
  return df:ungroup():count(a)
end, "DataFrame:table", "df:table(col [, col2 [, opts]])",
  "The counts of each value of col, in value order (NA last), as R's table(): the frame of df:count(col);\n" ..
  "with two columns, the two-way table of df:crosstab.\nExample: mtcars:table(\"cyl\")")

mlsh.declare_options("DataFrame:crosstab", {
  { "margins", "bool", false, doc = "add a Total row and a Total column (R's addmargins)" } })

local function cell_text(v)
  if v == nil then return "NA" end
  return tostring(v)
end

methods.crosstab = doc(function(df, a, b, opts)
  local fname = "DataFrame:crosstab"
  check_frame(df, fname)
  local o = mlsh.check_options(fname, opts)
  for _, n in ipairs({ a, b }) do
    if type(n) ~= "string" then fail(fname, "the two columns must be named by strings (got %s)", type(n)) end
  end
  local counts = df:ungroup():count(a, b)
  local rows = df:ungroup():distinct(a):arrange(a):col(a):totable()
  local cols = df:ungroup():distinct(b):arrange(b):col(b):totable()
  local rindex, cindex = {}, {}
  for i = 1, rows.n do rindex[cell_text(rows[i])] = i end
  local names = { a }
  for j = 1, cols.n do cindex[cell_text(cols[j])] = j; names[j + 1] = cell_text(cols[j]) end
  local cells = {}
  for j = 1, cols.n do
    local t = { n = rows.n }
    for i = 1, rows.n do t[i] = 0 end
    cells[j] = t
  end
  local ca, cb, cn = counts:col(a), counts:col(b), counts:col("n")
  for i = 1, #cn do cells[cindex[cell_text(cb[i])]][rindex[cell_text(ca[i])]] = cn[i] end
  local first = { n = rows.n }
  for i = 1, rows.n do first[i] = rows[i] end
  if o.margins then
    local total, grand = { n = rows.n + 1 }, 0
    for i = 1, rows.n do
      local s = 0
      for j = 1, cols.n do s = s + cells[j][i] end
      total[i] = s
      grand = grand + s
    end
    total[rows.n + 1] = grand
    for j = 1, cols.n do
      local s = 0
      for i = 1, rows.n do s = s + cells[j][i] end
      cells[j][rows.n + 1] = s
      cells[j].n = rows.n + 1
    end
    for i = 1, rows.n do first[i] = cell_text(rows[i]) end
    first[rows.n + 1] = "Total"
    first.n = rows.n + 1
    names[#names + 1] = "Total"
    cells[#cells + 1] = total
  end
  local columns = { first }
  for j = 1, #cells do columns[j + 1] = cells[j] end
  return M.frame(names, columns)
end, "DataFrame:crosstab", "df:crosstab(a, b [, opts])",
  "The two-way table of counts of columns a and b, as R's table(a, b): one row per value of a, one integer\n" ..
  "column per value of b (values in order, NA last), 0 where a pair never occurs; margins = true adds the\n" ..
  "Total row and column of R's addmargins (the first column then holds the values of a as text).\n" ..
  "Example: mtcars:crosstab(\"cyl\", \"gear\", {margins = true})")

-- ---- results whose rows are the rows of a frame ---------------------------------

-- Rows of df whose numeric columns are all finite: the rows a fit with
-- na = "omit" kept (mlsh_check_data drops the others).
local function complete_rows(df, cols)
  local X = df:matrix(cols)
  local rows, p = {}, X:cols()
  for i = 1, X:rows() do
    local ok = true
    for j = 1, p do
      local v = X:get(i, j)
      if v ~= v or v == math.huge or v == -math.huge then ok = false; break end
    end
    if ok then rows[#rows + 1] = i end
  end
  return rows
end
M._complete_rows = complete_rows

-- The input row of each of the n result rows: all rows when n is df's row
-- count, the complete rows when n is their count (R's na.exclude).
local function result_rows(fname, df, n)
  local N = df:nrow()
  if n == N then return nil end
  local kept = complete_rows(df)
  if #kept ~= n then
    fail(fname, "argument 'df' has %d rows (%d without NA) but the result has %d: give the frame the model was fitted on", N, #kept, n)
  end
  return kept
end

-- One result column spread over N rows (NA where no result row lands).
local function spread(spec, rows, N, n)
  local v, out = spec.values, { n = N }
  for i = 1, n do out[rows and rows[i] or i] = v[i] end
  if spec.type == nil then return out end   -- integers, numbers, strings: data.frame types them
  return M.column(out, spec.type, spec.levels)
end

-- The frame of result columns specs = {{name =, values =, type =, levels =}, ...}
-- (values: n entries), its rows lined up with df's (NA for the rows that
-- na = "omit" dropped, or given as rows: the df row of each result row);
-- without df, n rows in result order.
function M._result_frame(fname, df, n, specs, rows)
  local N = n
  if df ~= nil then
    check_frame(df, fname)
    rows, N = rows or result_rows(fname, df, n), df:nrow()
  end
  local names, columns = {}, {}
  for j, s in ipairs(specs) do names[j] = s.name; columns[j] = spread(s, rows, N, n) end
  return M.frame(names, columns)
end

-- df and the result columns beside it (a column of df with the same name is replaced).
function M._augment(fname, df, n, specs, rows)
  if getmetatable(df) ~= DataFrame then
    fail(fname, "argument 'df' must be a DataFrame (got %s)", mlsh.typename and mlsh.typename(df) or type(df))
  end
  local new = M._result_frame(fname, df, n, specs, rows)
  local have = {}
  for _, nm in ipairs(df:names()) do have[nm] = true end
  local drop = {}
  for _, s in ipairs(specs) do if have[s.name] then drop[#drop + 1] = "-" .. s.name end end
  if #drop > 0 then df = df:select(drop) end
  return df:bind_cols(new)
end

-- A Matrix, a Column or a Lua array as result specs: one column per Matrix column.
local function value_specs(fname, values, name)
  if type(values) == "userdata" and values.cols and values.get then
    local specs = {}
    for j = 1, values:cols() do
      local v = {}
      for i = 1, values:rows() do v[i] = values:get(i, j) end
      specs[j] = { name = values:cols() == 1 and name or name .. j, values = v }
    end
    return specs, values:rows()
  end
  if type(values) == "userdata" and values.totable then values = values:totable() end
  if type(values) ~= "table" then fail(fname, "argument 'values' must be a Matrix, a Column or an array (got %s)", type(values)) end
  local n = values.n or #values
  return { { name = name, values = values } }, n
end

methods.augment = doc(function(df, values, name)
  local fname = "DataFrame:augment"
  check_frame(df, fname)
  if type(name) ~= "string" then fail(fname, "argument 'name' must be a string (got %s)", type(name)) end
  local specs, n = value_specs(fname, values, name)
  return M._augment(fname, df, n, specs)
end, "DataFrame:augment", "df:augment(values, name)",
  "df with values beside it, lined up with its rows: a Matrix gives columns name1..namek (name when it has one\n" ..
  "column), a Column or an array the column name (replaced if df has it). values has one entry per row of df,\n" ..
  "or one per row without NA in df's numeric columns (the rows a fit with na = \"omit\" kept): the other rows\n" ..
  "get NA (R's na.exclude). For the results without an augment method, e.g. a t-SNE embedding.\n" ..
  "Example: local Y = stats.tsne(df, {na = \"omit\", seed = 1}); df:augment(Y, \".tSNE\")")

-- ---- cut as a verb ---------------------------------------------------------------

mlsh.declare_options("DataFrame:cut", {
  { "into", "string", doc = "the name of the new factor column (default: replace col)" },
  { "right", "bool", true, doc = "intervals closed on the right, (a,b]; false: [a,b)" },
  { "include_lowest", "bool", false, doc = "the first interval (the last when right = false) also takes its edge" },
  { "ordered", "bool", false, doc = "an ordered factor" },
  { "labels", "table", doc = "array of strings: one name per interval" } })

-- An error of `from` raised again under fname (the name the user called).
local function rename_error(fname, from, ok, ...)
  if ok then return ... end
  error((tostring((...)):gsub("^" .. from:gsub("%p", "%%%0"), fname)), 0)
end

methods.cut = doc(function(df, col, breaks, opts)
  local fname = "DataFrame:cut"
  check_frame(df, fname)
  if type(col) ~= "string" then fail(fname, "argument 'col' must be a column name (got %s)", type(col)) end
  local o = mlsh.check_options(fname, opts)
  unknown(df, fname, col)
  local f = rename_error(fname, "Column:cut", pcall(df:col(col).cut, df:col(col), breaks,
    { right = o.right, include_lowest = o.include_lowest, ordered = o.ordered, labels = o.labels }))
  return df:mutate { [o.into or col] = function() return f end }
end, "DataFrame:cut", "df:cut(col, breaks [, opts])",
  "df with the numbers of col as a factor of the intervals they fall in (see Column:cut: breaks is an array\n" ..
  "of increasing numbers or a number of equal intervals), in place of col or as a new column into, as\n" ..
  "dplyr's mutate(x = cut(x, ...)).\nExample: airquality:cut(\"Temp\", {50, 70, 80, 100}, {into = \"band\"})")

-- ---- the names other tools use -----------------------------------------------------
-- pandas and base R users reach for these first; each is the verb named in its help.

local function alias(name, target, usage, origin, example)
  methods[name] = doc(function(df, ...)
    return rename_error("DataFrame:" .. name, "DataFrame:" .. target, pcall(methods[target], df, ...))
  end, "DataFrame:" .. name, usage,
    "The same as df:" .. target .. " (" .. origin .. "); see help(\"DataFrame:" .. target .. "\").\nExample: " .. example)
end
alias("sort", "arrange", "df:sort(key, ...)", "R's order, pandas' sort_values", "mtcars:sort(\"cyl\", \"desc(mpg)\")")
alias("unique", "distinct", "df:unique([col, ...])", "R's unique, pandas' drop_duplicates", "mtcars:unique(\"cyl\", \"gear\")")
alias("dropna", "drop_na", "df:dropna([col, ...])", "pandas' dropna, R's na.omit", "airquality:dropna()")
alias("merge", "join", "df:merge(other, opts)", "R's merge, pandas' merge: on, how",
  "flights:merge(airlines, {on = \"carrier\", how = \"left\"})")
alias("aggregate", "summarise", "df:aggregate{name = \"expr\", ...}", "R's aggregate, pandas' agg on a grouped frame",
  "mtcars:group_by(\"cyl\"):aggregate{mpg = \"mean(mpg)\"}")
