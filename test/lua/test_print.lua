-- test/lua/test_print.lua - output as an R user expects it: numbers as R
-- prints them (expectations generated with R 4.2.2 itself, the script is
-- quoted with each table), one format per Matrix and frame column, CSV
-- header names made unique as data.table's fread does (data.table 1.14.8),
-- tables fitted to the terminal (pipes and tmux at 100x30, 60x20, 200x50),
-- charts that take any vector-like value, and the small printing fixes.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()
local pretty = mlsh.pretty

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- Output of a script run by build/mlsh through a pipe (stdout only unless
-- err = true: then stderr only).
local function run(code, env, err)
  local path = T.tmpname(".lua")
  local f = assert(io.open(path, "w"))
  f:write(code)
  f:close()
  local redirect = err and " 2>&1 >/dev/null" or " 2>/dev/null"
  local p = io.popen((env or "") .. " " .. MLSH .. " " .. path .. redirect)
  local out = p:read("a")
  p:close()
  os.remove(path)
  return out
end

local function lines_of(s)
  local t = {}
  for l in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = l end
  return t
end

local function check_lines(text, width, what)
  for i, l in ipairs(lines_of(text)) do
    T.ok(not l:find(" $"), what .. ": line " .. i .. " ends in a space: '" .. l .. "'")
    T.ok(utf8.len(l) <= width, what .. ": line " .. i .. " is " .. utf8.len(l) .. " wide (> " .. width .. "):\n" .. text)
  end
end

-- R 4.2.2: for each case, format(x, digits = d) (print() shows the same for
-- one number). The generating script:
--   cases <- list(list(1234567.5), ..., list(123456, 2))
--   for (cs in cases) { x <- cs[[1]]; d <- if (length(cs) > 1) cs[[2]] else 7
--     cat(sprintf("{ %s, %d, { %s } },\n", <x as %.17g>, d, <format(x, digits = d), quoted>)) }
local R_FORMAT = {
  { 1234567.5, 7, { "1234568" } },
  { 0.30000000000000004, 7, { "0.3" } },
  { 9.9999999999999995e-21, 7, { "1e-20" } },
  { 123456789012.0, 7, { "123456789012" } },
  { 9007199254740992.0, 7, { "9.007199e+15" } },
  { 3.1415926535897931, 7, { "3.141593" } },
  { -3.1415926535897931, 7, { "-3.141593" } },
  { 100000.0, 7, { "1e+05" } },
  { 123456.0, 7, { "123456" } },
  { 100000.10000000001, 7, { "100000.1" } },
  { 1000000000000000.0, 7, { "1e+15" } },
  { 1.0000000000000001e-05, 7, { "1e-05" } },
  { 0.0001, 7, { "1e-04" } },
  { 0.00012339999999999999, 7, { "0.0001234" } },
  { 0.33333333333333331, 7, { "0.3333333" } },
  { 0.66666666666666663, 7, { "0.6666667" } },
  { 1.0000000000000001e+300, 7, { "1e+300" } },
  { -1e-300, 7, { "-1e-300" } },
  { 9999999.6999999993, 7, { "1e+07" } },
  { 99999.999989999997, 7, { "1e+05" } },
  { 0.5, 7, { "0.5" } },
  { 5.0, 7, { "5" } },
  { 1.0000000000000001e-15, 7, { "1e-15" } },
  { 123.456, 7, { "123.456" } },
  { 0.0, 7, { "0" } },
  { 1e+22, 7, { "1e+22" } },
  { 1.4999999999999999e+100, 7, { "1.5e+100" } },
  { 3.0000000099999999, 7, { "3" } },
  { -1.2345e-05, 7, { "-1.2345e-05" } },
  { { 2.9184978199999998, 0.91403047000000004, 0.14675688000000001, 0.020714840000000002 }, 7,
    { "2.91849782", "0.91403047", "0.14675688", "0.02071484" } },
  { { 1.0, 2.5, 10.0 }, 7, { " 1.0", " 2.5", "10.0" } },
  { { 1.0, 1000000.0 }, 7, { "1e+00", "1e+06" } },
  { { 1e-10, 1.0 }, 7, { "1e-10", "1e+00" } },
  { { -1.5, 2.0, 300.0 }, 7, { " -1.5", "  2.0", "300.0" } },
  { { 0.0012340000000000001, 123.40000000000001 }, 7, { "1.234e-03", "1.234e+02" } },
  { { 10000000000.0, 1.0 }, 7, { "1e+10", "1e+00" } },
  { { 0 / 0, 1.5 }, 7, { "NaN", "1.5" } },
  { { math.huge, -math.huge, 1.0 }, 7, { " Inf", "-Inf", "   1" } },
  { { 1e-300, 1.0000000000000001e+300 }, 7, { "1e-300", "1e+300" } },
  { { 5.0999999999999996, 4.9000000000000004, 4.7000000000000002 }, 7, { "5.1", "4.9", "4.7" } },
  { { 150.0, 0.0, 5.8433333330000004 }, 7, { "150.000000", "  0.000000", "  5.843333" } },
  { { 9996.0, 1.0 }, 3, { "9996", "   1" } },
  { 3.1415926535897931, 3, { "3.14" } },
  { 1234567.5, 3, { "1234568" } },
  { { 1.2345600000000001, 100.0 }, 3, { "  1.23", "100.00" } },
  { 0.66666666666666663, 15, { "0.666666666666667" } },
  { 0.33333333333333331, 22, { "0.3333333333333333148296" } },
  { { 0.10000000000000001, 0.123456789 }, 4, { "0.1000", "0.1235" } },
  { 99.989999999999995, 2, { "100" } },
  { 0.00099989999999999996, 2, { "0.001" } },
  { 123456.0, 2, { "123456" } },
}

T.test("mat.format: numbers as R's format() writes them (R 4.2.2)", function()
  for _, c in ipairs(R_FORMAT) do
    local x, d, want = c[1], c[2], c[3]
    local got = mat.format(x, { digits = d })
    if type(x) == "number" then
      T.eq(got, want[1], string.format("format(%.17g, digits = %d)", x, d))
    else
      T.eq(#got, #want)
      for i = 1, #want do T.eq(got[i], want[i], string.format("format(c(...), digits = %d)[%d]", d, i)) end
    end
  end
  T.eq(mat.format((1 << 53) + 1), "9007199254740993", "a Lua integer stays whole")
  T.eq(mat.format({ 1, 0 / 0 }, { na = "NA" })[2], "NA")
  T.raises(function() mat.format(1, { digits = 0 }) end, "mat.format: option 'digits' must be an integer between 1 and 22 (got 0)")
  T.raises(function() mat.format("x") end, "mat.format: argument 'x' must be a number")
  T.raises(function() mat.format(1, { width = 3 }) end, "unknown option 'width'")
end)

T.test("the shell prints numbers as R: 7 significant digits, integers whole", function()
  T.eq(pretty.format(1234567.5), "1234568")
  T.eq(pretty.format((1 << 53) + 1), "9007199254740993")   -- an integer in Lua
  T.eq(pretty.format(2 ^ 53 + 1), "9.007199e+15")          -- ^ makes a float: R's print(2^53 + 1)
  T.eq(pretty.format(0.1 + 0.2), "0.3")
  T.eq(pretty.format(1e-20), "1e-20")
  T.eq(pretty.format(123456789012.0), "123456789012")
  T.eq(pretty.format(0 / 0), "NaN")
  T.eq(pretty.format(-math.huge), "-Inf")
  T.eq(pretty.format({ 1.5, 2.0, 3 }), "{ 1.5, 2, 3 }")
  local r = data.read_csv("datasets/iris.csv"):row(2)
  T.ok(pretty.format(r):find("sepal_width = 3,", 1, true), "df:row(2): an integer-valued column shows 3:\n" .. pretty.format(r))
  -- through the shell itself (stdin not a terminal: the REPL reads the lines)
  local p = io.popen("printf '1234567.5\\n0.1+0.2\\n(1<<53)+1\\n' | " .. MLSH .. " -i 2>&1")
  local out = p:read("a")
  p:close()
  T.ok(out:find("1234568\n", 1, true) and out:find("0.3\n", 1, true) and out:find("9007199254740993\n", 1, true),
    "the REPL's echo:\n" .. out)
end)

T.test("mlsh.options{digits = n} for numbers, tables, matrices and frames", function()
  T.eq(mlsh.options().digits, 7)
  mlsh.options { digits = 3 }
  local ok, err = pcall(function()
    T.eq(mlsh.options().digits, 3)
    T.eq(pretty.format(math.pi), "3.14")
    T.eq(pretty.format({ x = math.pi }), "{ x = 3.14 }")
    -- R: options(digits = 3); print(matrix(c(pi, exp(1), 100, 2/3), 2)): 3.14 100.000 / 2.72 0.667
    local s = tostring(mat.from { { math.pi, 100 }, { math.exp(1), 2 / 3 } })
    T.ok(s:find(" 3.14  100.000\n", 1, true) and s:find(" 2.72    0.667\n", 1, true), s)
    local df = data.frame({ "x" }, { { math.pi, 1 } })
    T.ok(tostring(df):find("3.14", 1, true) and not tostring(df):find("3.1416", 1, true), tostring(df))
  end)
  mlsh.options { digits = 7 }
  T.ok(ok, err)
  T.raises(function() mlsh.options { digits = 0 } end, "mlsh.options: option 'digits' must be an integer 1..22")
  T.raises(function() mlsh.options { digit = 3 } end, "mlsh.options: unknown option 'digit'")
  T.eq(mlsh.options().digits, 7)
  T.eq(select("#", mlsh.options { digits = 7 }), 0, "setting returns nothing")
end)

T.test("Matrices: one format per column (R's print of a matrix), ==, aligned in a table", function()
  -- R: m <- matrix(c(1, 2.5, 1e6, 4, -0.5, 3, 1/3, 100, 7), 3); format(m[, j]) per column:
  -- "1.0e+00" "2.5e+00" "1.0e+06" | " 4.0" "-0.5" " 3.0" | "  0.3333333" "100.0000000" "  7.0000000"
  local m = mat.from { { 1, 4, 1 / 3 }, { 2.5, -0.5, 100 }, { 1e6, 3, 7 } }
  local want = { { "1.0e+00", " 4.0", "  0.3333333" }, { "2.5e+00", "-0.5", "100.0000000" }, { "1.0e+06", " 3.0", "  7.0000000" } }
  local rows = lines_of(tostring(m))
  for i = 1, 3 do T.eq(rows[i], "   " .. table.concat(want[i], "  "), "row " .. i) end
  T.eq(rows[4], "[Matrix 3x3]")
  -- R: print(c(2.91849782, 0.91403047, 0.14675688, 0.02071484)) shows all eight decimals
  T.ok(tostring(mat.from { 2.91849782, 0.02071484 }):find("0.02071484", 1, true))
  T.ok(mat.eye(2) == mat.eye(2), "equal shapes and values")
  T.ok(mat.from { { 1, 2 } } == mat.from { { 1, 2 } })
  T.ok(not (mat.eye(2) == mat.zeros(2)), "different values")
  T.ok(mat.zeros(1, 4) ~= mat.zeros(4, 1), "different shapes")
  T.ok(mat.from { 0 / 0 } ~= mat.from { 0 / 0 }, "NaN equals nothing")
  -- a Matrix inside a table: every line of it at one indentation
  local text = pretty.format({ m = mat.from { { 1, 2 }, { 3, 4 } }, k = 1 })
  T.eq(text, "{\n  k = 1,\n  m =\n       1  2\n       3  4\n    [Matrix 2x2]\n}")
end)

-- data.table 1.14.8: names(fread(text = paste0(h, "\n1,2,...\n"), check.names = TRUE)) for each header h
local FREAD_NAMES = {
  { "a,a,,b", { "a", "a.1", "V3", "b" } },
  { "a,a,a,b,a", { "a", "a.1", "a.2", "b", "a.3" } },
  { ",,x", { "V1", "V2", "x" } },
  { "a,a.1,a", { "a", "a.1", "a.2" } },
  { "a,b,a,b,V2", { "a", "b", "a.1", "b.1", "V2" } },
  { "V1,,a", { "V1", "V2", "a" } },
  { "x,,x,", { "x", "V2", "x.1", "V4" } },
  { "V2,,a", { "V2", "V2.1", "a" } },
  { "a,,V2", { "a", "V2", "V2.1" } },
  { "a.1,a,a", { "a.1", "a", "a.2" } },
  { "b,a,a,a.2,a", { "b", "a", "a.1", "a.2", "a.3" } },
  { "a,,,a", { "a", "V2", "V3", "a.1" } },
  { "b,a,a,a.2,a,,V6", { "b", "a", "a.1", "a.2", "a.3", "V6", "V6.1" } },
}

local function write_file(text)
  local p = T.tmpname(".csv")
  local f = assert(io.open(p, "w"))
  f:write(text)
  f:close()
  return p
end

T.test("CSV header names made unique as data.table's fread does, with one warning line", function()
  for _, c in ipairs(FREAD_NAMES) do
    local header, want = c[1], c[2]
    local vals = {}
    for i = 1, #want do vals[i] = tostring(i) end
    local p = write_file(header .. "\n" .. table.concat(vals, ",") .. "\n")
    local err = run("data.read_csv(" .. string.format("%q", p) .. ")", nil, true)
    local df = data.read_csv(p)
    T.eq(table.concat(df:names(), "|"), table.concat(want, "|"), header)
    local _, nl = err:gsub("\n", "")
    T.eq(nl, 1, "one warning line for " .. header .. ": " .. err)
    T.ok(err:find("^data.read_csv: warning: ") and err:find("renamed"), err)
    local given = {}
    for name in (header .. ","):gmatch("([^,]*),") do given[#given + 1] = name end
    for j, name in ipairs(want) do
      if name ~= given[j] then
        T.ok(err:find(string.format("%q (column %d)", name, j), 1, true), "the warning names column " .. j .. ": " .. err)
      end
    end
    os.remove(p)
  end
  local p = write_file("a,a,,b\n1,2,3,4\n")
  local df = data.read_csv(p)
  os.remove(p)
  T.eq(df:col("a")[1], 1, "df:col(\"a\") is the first a")
  T.eq(df:col("a.1")[1], 2)
  T.eq(df:col("V3")[1], 3)
  T.eq(run('data.read_csv("datasets/iris.csv")', nil, true), "", "no warning when the names are unique")
end)

local WINE = [[
local w = data.read_csv("datasets/wine.csv")
print(w)
print(w:describe())
local air = data.read_csv("datasets/AirPassengers.csv")
print(ts.series(air:col("passengers"), {start = {1949, 1}, freq = 12}))
print(data.frame({"x", "note"}, {{1.5, 2}, {"two\nlines", "tab\there"}}))
]]

T.test("output fits the width of a pipe (COLUMNS, else 80), without trailing spaces", function()
  for _, w in ipairs({ 60, 80, 100 }) do
    local out = run(WINE, "COLUMNS=" .. w)
    check_lines(out, w, "COLUMNS=" .. w)
    -- a tibble-style footer names the columns left out
    -- a tibble's header and footer: "# A DataFrame: 178 × 14", "# ℹ 6 more variables: a <dbl>, ..."
    T.ok(out:find("# A DataFrame: 178 × 14\n", 1, true), "the frame's header line:\n" .. out)
    local n, rest = out:match("# ℹ (%d+) more variables: (.-)\n[^#]")
    T.ok(n, "the footer of the wine frame at " .. w .. ":\n" .. out)
    T.ok(rest:find("cultivar <fct>", 1, true) and rest:find("proline <int>", 1, true), rest)
    T.ok(out:find("# ℹ 168 more rows", 1, true), "rows counted")
    -- every column is either shown in the header or named in the footer
    local header = out:match("# A DataFrame: 178 × 14\n([^\n]*)")
    for _, name in ipairs({ "alcohol", "malic_acid", "hue", "proline", "cultivar" }) do
      T.ok(header:find(name, 1, true) or rest:find(name .. " <", 1, true), name .. " is shown or listed")
    end
    -- the monthly series: Nov and Dec on a block's header, not wrapped
    T.ok(out:find("\n +[JFMASOND][a-z][a-z] [^\n]*Dec\n", 1) or out:find("Dec\n1949", 1, true), "a block ends in Dec")
    -- control characters escaped in a frame
    T.ok(out:find("two\\nlines", 1, true) and out:find("tab\\there", 1, true), "escaped:\n" .. out)
  end
  local narrow = run(WINE, "COLUMNS=60")
  T.ok(narrow:find("\n +Jan  Feb  Mar  Apr  May  Jun\n", 1) and narrow:find("\n +Jul  Aug  Sep  Oct  Nov  Dec\n", 1),
    "twelve months in two even blocks at 60 columns:\n" .. narrow)
end)

T.test("describe: R's summary digits per statistic, in column blocks that fit", function()
  -- R: x <- iris[, 1:4]; format(sapply(x, mean), digits = 4) etc. (summary()'s digits: max(3, 7 - 3))
  local R = { mean = { "5.843", "3.057", "3.758", "1.199" }, sd = { "0.8281", "0.4359", "1.7653", "0.7622" },
    min = { "4.3", "2.0", "1.0", "0.1" }, q1 = { "5.1", "2.8", "1.6", "0.3" }, median = { "5.80", "3.00", "4.35", "1.30" },
    max = { "7.9", "4.4", "6.9", "2.5" } }
  local text = tostring(data.read_csv("datasets/iris.csv"):describe())
  local rows = lines_of(text)
  for i, name in ipairs({ "sepal_length", "sepal_width", "petal_length", "petal_width" }) do
    local want = table.concat({ name, "150", "0", R.mean[i], R.sd[i], R.min[i], R.q1[i], R.median[i], "", R.max[i] }, " ")
    local got = rows[i + 1]:gsub("%s+", " ")
    local pat = want:gsub("%.", "%%."):gsub("  ", " %%S+ ")
    T.ok(got:find("^" .. pat .. "$"), "describe row " .. i .. ": '" .. got .. "' ~ '" .. want .. "'")
  end
  local out = run('print(data.read_csv("datasets/wine.csv"):describe())', "COLUMNS=60")
  check_lines(out, 60, "describe at 60 columns")
  T.ok(out:find("\n +50%%") or out:find("\n +75%%") or out:find("\n +max"), "a second block of statistics:\n" .. out)
end)

T.test("forecast tables: one number of decimals per column", function()
  local air = data.read_csv("datasets/AirPassengers.csv")
  local s = ts.series(air:col("passengers"), { start = { 1949, 1 }, freq = 12 })
  local fit = ts.arima(ts.log(s), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 } })
  local rows = lines_of(tostring(fit:forecast(12)))
  local dec = {}
  for i = 2, #rows do
    local k = 0
    for cell in rows[i]:gmatch("%S+") do
      k = k + 1
      if k > 1 then
        local d = #(cell:match("%.(%d+)$") or "")
        dec[k] = dec[k] or d
        T.eq(d, dec[k], "column " .. k .. " row " .. i .. ": " .. rows[i])
      end
    end
  end
  T.ok(#dec >= 6, "mean, se and four bounds")
  T.eq(select("#", fit:summary()), 0, "fit:summary() prints its report and returns nothing")
end)

T.test("pc:summary() prints its report once and returns nothing", function()
  local out = run('local p = stats.pca(data.read_csv("datasets/iris.csv")); local r = {p:summary()}; print("results=" .. #r)')
  local _, n = out:gsub("Eigenvalues", "")
  T.eq(n, 1, "one report:\n" .. out)
  T.ok(out:find("results=0", 1, true), out)
  local p = stats.pca(data.read_csv("datasets/iris.csv"))
  T.ok(p:summary { print = false }:find("Eigenvalues", 1, true), "print = false returns the text")
end)

T.test("charts take Series, Matrix columns, Lua arrays and DataFrame columns alike", function()
  local air = data.read_csv("datasets/AirPassengers.csv")
  local s = ts.series(air:col("passengers"), { start = { 1949, 1 }, freq = 12 })
  local fit = ts.arima(ts.log(s), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 } })
  local fc = fit:forecast(24)
  local c = plot.forecast(ts.log(s), fc, { width = 70, height = 16 })
  local text = c:render { width = 70, height = 16 }
  T.ok(text:find("1950") and text:find("1962"), "the time axis of the series:\n" .. text)
  local col, arr, m = air:col("passengers"), air:col("passengers"):totable(), air:col("passengers"):matrix()
  local one = air:select { "passengers" }
  for _, f in ipairs({ "line", "hist", "box", "acf" }) do
    local ref
    for _, v in ipairs({ s, col, arr, one, m:t() }) do
      local ok, r = pcall(plot[f], v, { width = 50, height = 10 })
      T.ok(ok, "plot." .. f .. " of a " .. (getmetatable(v) and getmetatable(v).__name or type(v)) .. ": " .. tostring(r))
      if ok and f ~= "line" then
        local t = r:render { width = 50, height = 10 }
        ref = ref or t
        T.eq(t, ref, "plot." .. f .. " draws the same for every kind of vector")
      end
    end
  end
  T.ok(pcall(plot.scatter, s, arr, { width = 50, height = 10 }))
  T.ok(pcall(plot.bar, s:window(1, 12), { width = 50, height = 10 }))
  T.raises(function() plot.hist(data.read_csv("datasets/iris.csv"):col("species")) end,
    "plot.hist: argument 'x' is a categorical Column, not numbers")
  T.raises(function() plot.hist(data.read_csv("datasets/iris.csv")) end, "is a DataFrame with 5 columns")
  T.raises(function() plot.hist({}) end, "plot.hist: argument 'x' is an empty array")
  T.raises(function() plot.hist(mat.eye(3)) end, "must be a vector (got a 3x3 Matrix)")
end)

T.test("heat map: every row name sits on its row", function()
  local m = mat.from { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 }, { 11, 11, 11 } }
  local names = { "r1", "r2", "r3", "r4" }
  local first = { "1", "4", "7", "11" }
  for h = 8, 20 do
    local text = plot.heatmap(m, { rownames = names, annot = true, colorbar = false }):render { width = 40, height = h }
    for i, name in ipairs(names) do
      local line
      for l in text:gmatch("[^\n]+") do if l:find("^" .. name .. " ") or l == name then line = l end end
      T.ok(line and line:find("^" .. name .. "%s+" .. first[i] .. "%s"), "height " .. h .. ": " .. name ..
        " on the line of its values:\n" .. text)
    end
  end
end)

T.test("confusion matrix: each class name on the line of its counts", function()
  local cm = mat.from { { 112, 7, 5 }, { 2, 172, 1 }, { 1, 1, 122 } }
  for h = 12, 30 do
    local text = plot.confusion(cm, { "daisy", "dandelion", "roses" }):render { width = 70, height = h }
    T.ok(text:find("\n *daisy +%[112%] +7 +5\n") and text:find("\n *dandelion +2 +%[172%] +1\n")
      and text:find("\n *roses +1 +1 +%[122%]\n"), "height " .. h .. ":\n" .. text)
  end
end)

T.test("dash:show() returns nothing (the shell echoes no dashboard after it)", function()
  local out = run('local d = plot.dashboard{title = "T", tabs = {{"A", plot.bar({1, 2})}}}\n'
    .. 'print("results=" .. select("#", d:show()))', "MLSH_NO_DASHBOARD=1")
  T.ok(out:find("results=0", 1, true), out)
end)

-- tmux: the shell at several sizes; -J joins wrapped lines, so a line wider
-- than the window means the terminal wrapped it.
T.test("in tmux at 100x30, 60x20 and 200x50: frames, describe and series fit", function()
  if not T.have_tmux then T.skip("tmux not installed (apt-get install tmux)") end
  for _, size in ipairs({ { 100, 30 }, { 60, 20 }, { 200, 50 } }) do
    local w, h = size[1], size[2]
    local sock, home = T.tmpname(".tmux"), T.tmpname(".home")
    os.execute("mkdir -p " .. q(home))
    local function tm(args)
      local p = io.popen("tmux -S " .. q(sock) .. " " .. args .. " 2>/dev/null")
      local out = p:read("a")
      p:close()
      return out
    end
    local root = os.getenv("MLSH_ROOT") and (" MLSH_ROOT=" .. q(os.getenv("MLSH_ROOT"))) or ""
    tm(("new-session -d -s p -x %d -y %d %s"):format(w, h, q("HOME=" .. home .. root .. " TERM=xterm-256color LANG=C.UTF-8 " .. MLSH)))
    local function screen() return tm("capture-pane -t p -p -J -S -400") end
    local function wait_for(pat)
      local deadline = os.time() + 10
      repeat
        local s = screen()
        if s:find(pat) then return s end
        os.execute("sleep 0.1")
      until os.time() > deadline
      return screen()
    end
    wait_for("mlsh>")
    for _, cmd in ipairs({ 'w = data.read_csv("datasets/wine.csv")', "w", "w:describe()",
        'ap = data.read_csv("datasets/AirPassengers.csv")',
        "ts.series(ap:col('passengers'), {start = {1949, 1}, freq = 12})", 'print("END-OF-OUTPUT")' }) do
      tm("send-keys -t p -l " .. q(cmd))
      tm("send-keys -t p Enter")
      os.execute("sleep 0.2")
    end
    local s = wait_for("\nEND%-OF%-OUTPUT")
    tm("kill-server")
    os.execute("rm -rf " .. q(home) .. " " .. q(sock))
    T.ok(s:find("# A DataFrame: 178 × 14", 1, true) and s:find("[Series n=144 freq=12]", 1, true), w .. "x" .. h .. ":\n" .. s)
    for l in s:gmatch("[^\n]*") do
      -- output only: not the typed lines, nor the shell's banner
      if l:find("^mlsh> ") or l:find("^help%(%) lists") then l = "" end
      T.ok(utf8.len(l) <= w, ("%dx%d: a line of %d cells wrapped: %s"):format(w, h, utf8.len(l), l))
    end
    T.ok(s:find("Nov  Dec", 1, true) or s:find("Nov  Dec\n", 1, true), w .. "x" .. h .. ": Nov and Dec together")
  end
end)

T.done()
