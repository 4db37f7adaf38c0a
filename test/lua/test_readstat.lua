-- test/lua/test_readstat.lua - SPSS, Stata and SAS files through libreadstat:
-- the fixtures in test/data/io/ were written by R's haven (make_fixtures.R,
-- which holds the reference values used here); what mlsh writes is read back
-- by mlsh (every type and NA) and, when R and haven are installed, by haven.
local T = dofile("test/lua/harness.lua")

local IO = "test/data/io/"
local function values(df, name) return df:col(name):totable() end
local function joined(df, name)
  local t, out = values(df, name), {}
  for i = 1, t.n do out[i] = t[i] == nil and "NA" or tostring(t[i]) end
  return table.concat(out, "|")
end

-- make_fixtures.R: id 1:6; score with one missing (Stata .a, SPSS user-missing 99);
-- dates 2020-01-01 1969-12-31 NA 2024-02-29 1960-01-01 2000-06-15 (days since 1970);
-- stamps 2020-01-01 12:30:00, NA, 1970-01-01 00:00:01, 2024-02-29 23:59:59,
-- 1999-12-31 00:00:00, 2001-09-09 01:46:40 UTC; group labelled low/mid/high.
local function check_fixture(df, what)
  T.eq(table.concat(df:names(), ","), "id,score,name,when,stamp,group", what)
  T.eq(df:col("id"):type(), "integer", what)
  T.eq(joined(df, "id"), "1|2|3|4|5|6", what)
  T.eq(df:col("score"):type(), "double", what)
  T.eq(joined(df, "score"), "1.5|NA|-2.25|1000000.0|0.0|3.125", what)
  T.eq(joined(df, "name"), "ann|bob||dé|eve|fay", what)
  T.eq(df:col("when"):type(), "date", what)
  T.eq(joined(df, "when"), "18262|-1|NA|19782|-3653|11123", what)
  T.eq(df:col("stamp"):type(), "datetime", what)
  T.eq(joined(df, "stamp"), "1577881800.0|NA|1.0|1709251199.0|946598400.0|1000000000.0", what)
  T.eq(df:col("group"):type(), "categorical", what)
  T.eq(table.concat(df:col("group"):levels(), ","), "low,mid,high", what)
  T.eq(joined(df, "group"), "low|mid|mid|NA|high|low", what)
  local l = df:labels()
  T.eq(l.id, "Row id", what); T.eq(l.score, "Test score", what); T.eq(l.group, "Group", what); T.eq(l.name, nil, what)
end

T.test("Stata .dta written by haven: types, value labels, tagged missing, labels", function()
  check_fixture(data.read_dta(IO .. "labelled.dta"), "dta")
end)

T.test("SPSS .sav and .zsav written by haven: user-missing values are NA", function()
  check_fixture(data.read_sav(IO .. "labelled.sav"), "sav")
  check_fixture(data.read_sav(IO .. "labelled.zsav"), "zsav")
end)

T.test("SAS .sas7bdat and transport .xpt written by haven", function()
  local s7 = data.read_sas(IO .. "plain.sas7bdat")
  T.eq(table.concat(s7:names(), ","), "id,score,name,when")
  T.eq(joined(s7, "name"), "ann|bob||dé|eve|fay")
  T.eq(joined(s7, "when"), "18262|-1|NA|19782|-3653|11123")
  T.eq(s7:labels().id, "Row id")
  local df = data.read_sas(IO .. "plain.xpt")
  T.eq(table.concat(df:names(), ","), "id,score,name,when")
  T.eq(df:col("id"):type(), "double")    -- SAS has only doubles
  T.eq(joined(df, "score"), "1.5|NA|-2.25|1000000.0|0.0|3.125")
  T.eq(joined(df, "when"), "18262|-1|NA|19782|-3653|11123")
  T.eq(df:labels().score, "Test score")
end)

local function same_frame(a, b, what)
  T.eq(table.concat(a:names(), ","), table.concat(b:names(), ","), what)
  for _, n in ipairs(a:names()) do
    T.eq(a:col(n):type(), b:col(n):type(), what .. " " .. n)
    T.eq(joined(a, n), joined(b, n), what .. " " .. n)
    if a:col(n):type() == "categorical" then
      T.eq(table.concat(a:col(n):levels(), ","), table.concat(b:col(n):levels(), ","), what .. " levels")
    end
  end
end

T.test("write_dta and write_sav round-trip every type, NA and the labels", function()
  local df = data.read_dta(IO .. "labelled.dta")
  for _, ext in ipairs({ ".dta", ".sav" }) do
    local p = T.tmpname(ext)
    if ext == ".dta" then df:write_dta(p) else df:write_sav(p) end
    local back = ext == ".dta" and data.read_dta(p) or data.read_sav(p)
    same_frame(back, df, ext)
    T.eq(back:labels().score, "Test score", ext)
    os.remove(p)
  end
  -- logicals (0/1 labelled FALSE/TRUE) and NA in every numeric type
  local f = data._typed_frame({ "ok", "n", "x", "big" },
    { { true, nil, false }, { nil, -5, 7, n = 3 }, { 0.25, nil, -1e300 }, { 1 << 40, nil, 3 } })
  for _, ext in ipairs({ ".dta", ".sav" }) do
    local p = T.tmpname(ext)
    if ext == ".dta" then f:write_dta(p) else f:write_sav(p) end
    local back = ext == ".dta" and data.read_dta(p) or data.read_sav(p)
    T.eq(back:col("ok"):type(), "logical", ext); T.eq(joined(back, "ok"), "true|NA|false", ext)
    T.eq(back:col("n"):type(), "integer", ext); T.eq(joined(back, "n"), "NA|-5|7", ext)
    T.eq(joined(back, "x"), "0.25|NA|-1e+300", ext)
    -- beyond Stata's long the integers go as doubles; SPSS (all doubles, F20.0) reads whole numbers back
    T.eq(back:col("big"):type(), ext == ".dta" and "double" or "integer", ext)
    T.eq(values(back, "big")[1], 1 << 40, ext)
    os.remove(p)
  end
end)

T.test("strings: long ones as Stata strL, NA written empty (no missing string in either format)", function()
  local long = string.rep("é", 1500)   -- 3000 bytes: over Stata's str2045
  local f = data._typed_frame({ "s" }, { { "a", long, nil, n = 3 } })
  for _, ext in ipairs({ ".dta", ".sav" }) do
    local p = T.tmpname(ext)
    if ext == ".dta" then f:write_dta(p) else f:write_sav(p) end
    local back = values(ext == ".dta" and data.read_dta(p) or data.read_sav(p), "s")
    T.eq(back[1], "a", ext); T.eq(back[2], long, ext); T.eq(back[3], "", ext)
    os.remove(p)
  end
end)

T.test("labels: read, set on a new frame, written", function()
  local f = data._typed_frame({ "a", "b" }, { { 1, 2 }, { 3, 4 } })
  T.eq(next(f:labels()), nil)
  local g = f:labels({ a = "First", b = "Second" })
  T.eq(g:labels().a, "First"); T.eq(next(f:labels()), nil)   -- f is unchanged
  local h = g:labels({ b = false })
  T.eq(h:labels().b, nil); T.eq(h:labels().a, "First")
  local p = T.tmpname(".sav")
  g:write_sav(p)
  T.eq(data.read_sav(p):labels().b, "Second")
  os.remove(p)
  T.raises(function() f:labels({ zz = "x" }) end, "DataFrame:labels: labels must be keyed by column names (got zz)")
  T.raises(function() f:labels({ a = 3 }) end, "DataFrame:labels: the label of 'a' must be a string")
end)

T.test("haven reads what mlsh writes", function()
  if os.execute("Rscript -e 'library(haven)' >/dev/null 2>&1") ~= true then T.skip("R with haven is not installed") end
  local df = data.read_dta(IO .. "labelled.dta")
  local dta, sav = T.tmpname(".dta"), T.tmpname(".sav")
  df:write_dta(dta)
  df:write_sav(sav)
  local script = T.tmpfile([[
library(haven)
for (p in commandArgs(TRUE)) {
  d <- if (grepl("dta$", p)) read_dta(p) else read_sav(p)
  cat(format(d$when), sep = ",", "\n")
  cat(format(d$stamp, tz = "UTC"), sep = ",", "\n")
  cat(as.character(as_factor(d$group)), sep = ",", "\n")
  cat(d$id, d$score, attr(d$score, "label"), sep = ",", "\n")
  cat(d$name, sep = ",", "\n")
}
]], ".R")
  local out, code = T.sh("Rscript " .. script .. " " .. dta .. " " .. sav)
  T.eq(code, 0, out)
  local want = table.concat({
    "2020-01-01,1969-12-31,NA,2024-02-29,1960-01-01,2000-06-15,",
    "2020-01-01 12:30:00,NA,1970-01-01 00:00:01,2024-02-29 23:59:59,1999-12-31 00:00:00,2001-09-09 01:46:40,",
    "low,mid,mid,NA,high,low,",
    "1,2,3,4,5,6,1.5,NA,-2.25,1e+06,0,3.125,Test score,",
    "ann,bob,,dé,eve,fay," }, "\n") .. "\n"
  T.eq(out, want .. want)
  os.remove(dta); os.remove(sav); os.remove(script)
end)

T.test("bad input: empty, truncated, binary, misnamed, missing, unwritable", function()
  local empty = T.tmpfile("", ".dta")
  T.raises(function() data.read_dta(empty) end, "data.read_dta: '" .. empty .. "' is empty")
  local f = assert(io.open(IO .. "labelled.dta", "rb"))
  local bytes = f:read("a")
  f:close()
  local cut = T.tmpfile(bytes:sub(1, 300), ".dta")
  T.raises(function() data.read_dta(cut) end, "is not a readable Stata .dta file (truncated")
  local junk = T.tmpfile(string.rep("\0\1\2\255", 500), ".sav")
  T.raises(function() data.read_sav(junk) end, "is not a readable SPSS .sav file")
  local misnamed = T.tmpname(".dta")
  os.execute("cp " .. IO .. "labelled.sav " .. misnamed)
  T.raises(function() data.read_dta(misnamed) end, "is not a readable Stata .dta file")
  T.raises(function() data.read_dta("/nonexistent/x.dta") end, "data.read_dta: cannot open '/nonexistent/x.dta'")
  T.raises(function() data.read_sav(IO .. "plain.xpt") end, "data.read_sav: '" .. IO .. "plain.xpt' is not a .sav, .zsav or .por file")
  T.raises(function() data.read_sas("x.csv") end, "is not a .sas7bdat or .xpt file")
  local df = data._typed_frame({ "a b" }, { { 1 } })
  local p = T.tmpname(".dta")
  T.raises(function() df:write_dta(p) end, "DataFrame:write_dta: column 'a b' cannot be written to '" .. p .. "'")
  T.eq(io.open(p, "rb"), nil, "nothing is left")
  T.raises(function() data._typed_frame({ "a" }, { { 1 } }):write_dta("/nonexistent-dir/x.dta") end,
    "DataFrame:write_dta: cannot write '/nonexistent-dir/x.dta'")
  T.raises(function() df:write_sav("x.dta") end, "DataFrame:write_sav: 'x.dta' must end in .sav")
  for _, x in ipairs({ empty, cut, junk, misnamed }) do os.remove(x) end
end)

T.done()
