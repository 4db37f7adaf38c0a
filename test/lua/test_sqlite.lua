-- test/lua/test_sqlite.lua - data.sqlite and data.sql: typed query results,
-- ? parameters, frames written as tables in one transaction (a failure rolls
-- back), and clear errors for SQL mistakes, locked, read-only and non-database
-- files. What a table holds after db:write is checked with the sqlite3 shell
-- (SQLite's own typeof()), when it is installed.
local T = dofile("test/lua/harness.lua")

local function values(df, name) return df:col(name):totable() end
local HAVE_SQLITE3 = os.execute("command -v sqlite3 >/dev/null 2>&1") == true

local function sample()
  -- 2024-02-29 is day 19782; 2024-01-02 03:04:05.25 UTC is 1704164645.25 s.
  local f = data._typed_frame({ "i", "x", "s", "b" },
    { { 1, nil, 3 }, { 1.5, 2.25, nil, n = 3 }, { "a", nil, "c'q\"", n = 3 }, { true, false, nil, n = 3 } })
  return f
end

T.test("declared types give typed columns, NULL gives NA", function()
  local db = data.sqlite(":memory:")
  db:exec([[CREATE TABLE t (a INTEGER, b REAL, c TEXT, d DATE, e DATETIME, f BOOLEAN, g VARCHAR(10), h);
            INSERT INTO t VALUES (1, 1.5, 'x', '2024-02-29', '2024-01-02 03:04:05.25', 1, 'v', 3),
                                 (NULL, NULL, NULL, NULL, '2024-01-02T03:04:05Z', 0, NULL, NULL);]])
  local df = db:query("SELECT * FROM t")
  local want = { a = "integer", b = "double", c = "string", d = "date", e = "datetime", f = "logical",
                 g = "string", h = "integer" }
  for name, ty in pairs(want) do T.eq(df:col(name):type(), ty, name) end
  T.eq(values(df, "a")[1], 1); T.eq(values(df, "a")[2], nil)
  T.eq(values(df, "d")[1], 19782)
  T.near(values(df, "e")[1], 1704164645.25, 1e-6)
  T.near(values(df, "e")[2], 1704164645, 1e-6)
  T.eq(values(df, "f")[1], true); T.eq(values(df, "f")[2], false)
  T.eq(df:nrow(), 2)
end)

T.test("values that do not fit the declared type fall back to their own type", function()
  local db = data.sqlite(":memory:")
  db:exec("CREATE TABLE t (n INTEGER, d DATE, k); INSERT INTO t VALUES (1, 'not a date', 2.5), ('two', '2020-01-01', 1)")
  local df = db:query("SELECT * FROM t")
  T.eq(df:col("n"):type(), "string")      -- SQLite lets text into an INTEGER column
  T.eq(values(df, "n")[1], "1")
  T.eq(df:col("d"):type(), "string")
  T.eq(df:col("k"):type(), "double")      -- integers and reals: double
  local e = db:query("SELECT 1 + 1 AS two, 'x' || 'y' AS xy, NULL AS none, 0.5 AS half")
  T.eq(e:col("two"):type(), "integer"); T.eq(values(e, "two")[1], 2)
  T.eq(values(e, "xy")[1], "xy")
  T.eq(e:col("none"):type(), "logical"); T.eq(values(e, "none")[1], nil)
  T.eq(values(e, "half")[1], 0.5)
end)

T.test("? parameters are bound from Lua values, never spliced", function()
  local db = data.sqlite(":memory:")
  db:exec("CREATE TABLE t (a INTEGER, s TEXT)")
  db:exec("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (NULL, 'none')")
  local df = db:query("SELECT s FROM t WHERE a = ? OR s = ?", 2, "one' OR 1=1 --")
  T.eq(df:nrow(), 1); T.eq(values(df, "s")[1], "two")
  T.eq(db:query("SELECT count(*) AS n FROM t WHERE a IS ?", nil):col("n"):totable()[1], 1)
  T.eq(db:query("SELECT ? AS v", true):col("v"):totable()[1], 1)
  T.eq(db:query("SELECT ? AS v", 2.5):col("v"):totable()[1], 2.5)
  T.eq(db:query("SELECT typeof(?) AS t", 3):col("t"):totable()[1], "integer")
  T.raises(function() db:query("SELECT ? + ?", 1) end, "SQLite:query: ':memory:': the statement has 2 parameters, 1 value given")
  T.raises(function() db:query("SELECT ?", {}) end, "SQLite:query: parameter 1 must be a number, string, boolean or nil (got table)")
end)

T.test("write then query round-trips every type and NA", function()
  local db = data.sqlite(":memory:")
  local f = sample()
  db:write("t", f)
  local back = db:query("SELECT * FROM t")
  for _, name in ipairs({ "i", "x", "s", "b" }) do
    T.eq(back:col(name):type(), f:col(name):type(), name)
    local a, b = values(back, name), values(f, name)
    for r = 1, 3 do T.eq(a[r], b[r], name .. " row " .. r) end
  end
  T.eq(table.concat(db:tables(), ","), "t")
  local s = db:schema("t")
  T.eq(table.concat(values(s, "type"), ","), "INTEGER,REAL,TEXT,BOOLEAN")
  T.raises(function() db:schema("nope") end, "SQLite:schema: ':memory:' has no table or view named 'nope'")
end)

T.test("dates, datetimes and categoricals as ISO text and level text", function()
  local path = T.tmpname(".db")
  local db = data.sqlite(path)
  db:exec("CREATE TABLE src (d DATE, t DATETIME)")
  db:exec("INSERT INTO src VALUES ('1969-12-31', '1970-01-01 00:00:00.5'), ('2000-02-29', NULL)")
  local f = db:query("SELECT * FROM src")
  T.eq(values(f, "d")[1], -1); T.eq(values(f, "d")[2], 11016)
  db:write("copy", f)
  if HAVE_SQLITE3 then
    local out = T.sh("sqlite3 " .. path .. " \"SELECT d, typeof(d), t, typeof(t) FROM copy\"")
    T.eq(out, "1969-12-31|text|1970-01-01 00:00:00.5|text\n2000-02-29|text||null\n")
  end
  local back = db:query("SELECT * FROM copy")
  T.eq(back:col("d"):type(), "date"); T.eq(values(back, "d")[2], 11016)
  T.near(values(back, "t")[1], 0.5, 1e-9)
  db:close()
  os.remove(path)
end)

T.test("every column type of a frame read from a .dta: categoricals come back as their level text", function()
  local df = data.read_dta("test/data/io/labelled.dta")   -- integer, double, string, date, datetime, categorical
  local db = data.sqlite(":memory:")
  db:write("t", df)
  local back = db:query("SELECT * FROM t")
  for _, name in ipairs(df:names()) do
    local want = df:col(name):type()
    T.eq(back:col(name):type(), want == "categorical" and "string" or want, name)
    local a, b = values(back, name), values(df, name)
    for r = 1, df:nrow() do T.eq(a[r], b[r], name .. " row " .. r) end
  end
end)

T.test("create, replace and append; a failure rolls back", function()
  local db = data.sqlite(":memory:")
  local f = sample()
  db:write("t", f)
  T.raises(function() db:write("t", f) end, "table \"t\" already exists")
  db:write("t", f, { mode = "append" })
  T.eq(db:query("SELECT count(*) AS n FROM t"):col("n"):totable()[1], 6)
  db:write("t", f, { mode = "replace" })
  T.eq(db:query("SELECT count(*) AS n FROM t"):col("n"):totable()[1], 3)
  -- a NOT NULL column: the second row's NA fails the insert, nothing of the frame stays
  db:exec("CREATE TABLE strict (i INTEGER NOT NULL, x REAL, s TEXT, b BOOLEAN)")
  db:exec("INSERT INTO strict VALUES (7, 7, 'seven', 1)")
  T.raises(function() db:write("strict", f, { mode = "append" }) end, "NOT NULL constraint failed: strict.i")
  T.eq(db:query("SELECT count(*) AS n FROM strict"):col("n"):totable()[1], 1)
  -- an append naming a column the table lacks fails before any row: the table is as it was
  T.raises(function() db:write("strict", data._typed_frame({ "a" }, { { 1 } }), { mode = "append" }) end,
    "table strict has no column named a")
  T.eq(db:query("SELECT i FROM strict"):col("i"):totable()[1], 7)
  T.raises(function() db:write("t", f, { mode = "upsert" }) end, "SQLite:write: option 'mode' must be one of")
end)

T.test("SQL errors name the message and the statement", function()
  local db = data.sqlite(":memory:")
  T.raises(function() db:query("SELECT * FROM missing") end,
    "SQLite:query: ':memory:': no such table: missing (in: SELECT * FROM missing)")
  T.raises(function() db:exec("CREATE TABLEx") end, "SQLite:exec: ':memory:': near \"TABLEx\": syntax error")
  T.raises(function() db:query("SELECT 1; SELECT 2") end, "one statement at a time")
  T.raises(function() db:query(42) end, "SQLite:query: argument 'sql' must be a string")
end)

T.test("a locked database, a read-only one and a file that is not a database", function()
  local path = T.tmpname(".db")
  local a = data.sqlite(path)
  a:exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
  local b = data.sqlite(path, { timeout = 0 })
  a:exec("BEGIN EXCLUSIVE")
  T.raises(function() b:query("SELECT * FROM t") end, "database is locked")
  T.raises(function() b:write("u", sample()) end, "database is locked")
  a:exec("COMMIT")
  T.eq(b:query("SELECT x FROM t"):col("x"):totable()[1], 1)
  a:close(); b:close()
  local ro = data.sqlite(path, { readonly = true })
  T.raises(function() ro:exec("INSERT INTO t VALUES (2)") end, "attempt to write a readonly database")
  T.raises(function() ro:write("u", sample()) end, "attempt to write a readonly database")
  ro:close()
  T.raises(function() data.sqlite(T.tmpname(".db"), { readonly = true }) end, "data.sqlite: cannot open")
  local junk = T.tmpfile(string.rep("not a database\n", 100), ".db")
  T.raises(function() data.sqlite(junk) end, "data.sqlite: cannot open '" .. junk .. "': file is not a database")
  os.remove(junk)
  os.remove(path)
end)

T.test("close is final; tostring names the file", function()
  local db = data.sqlite(":memory:")
  T.eq(tostring(db), "SQLite database ':memory:'")
  db:close()
  db:close()
  T.raises(function() db:query("SELECT 1") end, "SQLite:query: the database is closed")
  T.eq(tostring(db), "SQLite database (closed)")
end)

T.test("data.sql runs SQL over frames", function()
  local flights = data._typed_frame({ "origin", "delay" }, { { "JFK", "LGA", "JFK", "EWR" }, { 10, 20, nil, 40 } })
  local airports = data._typed_frame({ "code", "name" }, { { "JFK", "LGA" }, { "Kennedy", "LaGuardia" } })
  local r = data.sql([[SELECT a.name, count(*) AS n, avg(f.delay) AS d FROM flights f
                       JOIN airports a ON a.code = f.origin WHERE f.origin <> ? GROUP BY a.name ORDER BY a.name]],
    { flights = flights, airports = airports }, "EWR")
  T.eq(table.concat(values(r, "name"), ","), "Kennedy,LaGuardia")
  T.eq(table.concat(values(r, "n"), ","), "2,1")
  T.eq(values(r, "d")[1], 10.0)   -- avg skips the NULL, as SQL does
  T.raises(function() data.sql("SELECT 1", { t = 3 }) end, "data.sql: frames.t must be a DataFrame (got number)")
  T.raises(function() data.sql("SELECT * FROM nope", {}) end, "data.sql: no such table: nope")
end)

T.done()
