-- test/lua/test_csv.lua - data.read_csv (the typed CSV reader, data.read_csv
-- once the Lua-table reader is gone) and DataFrame:write_csv, on the corpus
-- in test/data/csv/ (R's datasets written with the oddities real exports
-- have; see its README). Every reference value below was printed by R 4.2 /
-- data.table 1.14.8 from the same files (test/data/csv/make_corpus.R, output
-- in reference.txt), e.g.
--   f <- fread("airquality_cr.csv"); sapply(f, class); colSums(is.na(f))
--   sapply(f, mean, na.rm = TRUE);  read.csv("airquality_cr.csv")
local T = dofile("test/lua/harness.lua")
local DIR = "test/data/csv/"

local function types(df)
  local t = {}
  for i, n in ipairs(df:names()) do t[i] = df:col(n):type() end
  return table.concat(t, " ")
end

local function na_counts(df)
  local t = {}
  for i, n in ipairs(df:names()) do
    local v, k = df:col(n):totable(), 0
    for r = 1, df:nrow() do if v[r] == nil then k = k + 1 end end
    t[i] = k
  end
  return table.concat(t, " ")
end

local function mean(df, name)
  local v, s, k = df:col(name):totable(), 0, 0
  for r = 1, df:nrow() do if v[r] ~= nil then s, k = s + v[r], k + 1 end end
  return s / k
end

-- R: integer -> integer, numeric -> double, character -> string or
-- categorical (repetitive strings), IDate/Date -> date, POSIXct -> datetime.
local AQ_TYPES = "integer integer double integer integer integer"
local AQ_NA = "37 7 0 0 0 0"
local AQ_MEANS = { Ozone = 42.1293103448276, ["Solar.R"] = 185.931506849315, Wind = 9.95751633986928,
                   Temp = 77.8823529411765, Month = 6.99346405228758, Day = 15.8039215686275 }

local function check_airquality(df, what)
  T.eq(df:nrow(), 153, what .. " rows")
  T.eq(df:ncol(), 6, what .. " columns")
  T.eq(types(df), AQ_TYPES, what .. " types")
  T.eq(na_counts(df), AQ_NA, what .. " NA counts")
  for name, m in pairs(AQ_MEANS) do T.rel(mean(df, name), m, 1e-13, what .. " mean of " .. name) end
end

T.test("line ends: CRLF, CR only, CR CR LF, and .gz, as fread and read.csv read them", function()
  check_airquality(data.read_csv(DIR .. "airquality_crlf.csv"), "CRLF")
  check_airquality(data.read_csv(DIR .. "airquality_cr.csv"), "CR")
  check_airquality(data.read_csv(DIR .. "airquality.csv.gz"), "gzip")
  local e = data.read_csv(DIR .. "esoph_crcrlf.csv")
  T.eq(e:nrow(), 88)
  T.eq(types(e), "categorical categorical categorical integer integer")
  T.eq(table.concat(e:col("agegp"):levels(), " "), "25-34 35-44 45-54 55-64 65-74 75+")   -- R: levels(factor(x))
  T.rel(mean(e, "ncases"), 2.27272727272727, 1e-13)
  T.rel(mean(e, "ncontrols"), 8.80681818181818, 1e-13)
end)

T.test("read.csv2 files: ; with a decimal comma, and an empty header name", function()
  local df = data.read_csv(DIR .. "mtcars_csv2.csv")
  T.eq(df:nrow(), 32)
  T.eq(df:ncol(), 12)
  -- read.csv2: character numeric integer numeric integer numeric numeric numeric integer x4
  T.eq(types(df), "string double integer double integer double double double integer integer integer integer")
  T.eq(df:names()[1], "V1", "fread names an empty header V1")
  T.eq(df:col("V1"):totable()[1], "Mazda RX4")
  local means = { mpg = 20.090625, disp = 230.721875, drat = 3.5965625, wt = 3.21725, qsec = 17.84875, hp = 146.6875 }
  for name, m in pairs(means) do T.rel(mean(df, name), m, 1e-13, name) end
end)

T.test("tab separated without a header; BOM and | separator", function()
  local q = data.read_csv(DIR .. "quakes_noheader.tsv")
  T.eq(q:nrow(), 1000)
  T.eq(table.concat(q:names(), " "), "V1 V2 V3 V4 V5")
  T.eq(types(q), "double double integer double integer")
  local qm = { V1 = -20.64275, V2 = 179.46202, V3 = 311.371, V4 = 4.6204, V5 = 33.418 }
  for name, m in pairs(qm) do T.rel(mean(q, name), m, 1e-13, name) end
  local c = data.read_csv(DIR .. "co2_bom_pipe.csv")
  T.eq(c:nrow(), 84)
  T.eq(c:names()[1], "Plant", "the BOM is not part of the first name")
  T.eq(types(c), "categorical categorical categorical integer double")
  T.rel(mean(c, "conc"), 435, 1e-13)
  T.rel(mean(c, "uptake"), 27.2130952380952, 1e-13)
end)

T.test("dates: ISO, d/m/Y (unambiguous), ISO 8601 with an offset", function()
  local df = data.read_csv(DIR .. "airquality_dates.csv")
  T.eq(df:nrow(), 153)
  T.eq(types(df), "date date datetime integer")
  T.eq(na_counts(df), "0 0 0 37")
  -- R: as.numeric(as.Date("1973-05-01")) = 1216; as.Date("02/05/1973", "%d/%m/%Y") = 1217
  T.eq(df:col("iso"):totable()[1], 1216)
  T.eq(df:col("dmy"):totable()[2], 1217)
  -- R: as.numeric(as.POSIXct("1973-05-01 09:30:00", tz = "UTC") - 7200) = 105089400
  T.eq(df:col("stamp"):totable()[1], 105089400)
  T.rel(mean(df, "ozone"), 42.1293103448276, 1e-13)
end)

T.test("quoted fields with separators, doubled quotes and line breaks (read.csv: 43 x 3)", function()
  local df = data.read_csv(DIR .. "judges_quoted.csv")
  T.eq(df:nrow(), 43)
  T.eq(types(df), "string string double")
  T.eq(df:col("judge"):totable()[1], "AARONSON,L.H.")
  T.eq(df:col("note"):totable()[3], "rated \"7.8\"\nby lawyers")
  T.rel(mean(df, "integrity"), 8.02093023255814, 1e-13)
end)

T.test("encoding = latin1 converts to UTF-8; invalid UTF-8 names its line", function()
  local df = data.read_csv(DIR .. "airquality_latin1.csv", { encoding = "latin1" })
  T.eq(df:nrow(), 153)
  T.eq(types(df), "categorical integer integer")
  T.eq(df:col("mois"):levels()[1], "ao\u{fb}t")
  T.rel(mean(df, "temp"), 77.8823529411765, 1e-13)
  -- August (ao\xFBt in Latin-1) starts at row 93 of airquality: line 94
  T.raises(function() data.read_csv(DIR .. "airquality_latin1.csv") end, "line 94: invalid UTF-8 (byte 0xFB)")
end)

T.test("options: select, types, na, nrows, skip, comment, fill, dec, thousands, strings", function()
  local p = T.tmpfile("# exported 2024\nid;amount;when;tag\n1;\"1.234,5\";2024-01-02;a\n2;-;2024-02-03;b\n3;7,25;;a\n", ".csv")
  local df = data.read_csv(p, { comment = "#", na = { "-" }, thousands = ".", select = { "when", "amount", "tag" },
                             types = { tag = "string" } })
  T.eq(table.concat(df:names(), " "), "when amount tag")
  T.eq(types(df), "date double string")
  T.eq(df:col("amount"):totable()[1], 1234.5)
  T.eq(na_counts(df), "1 1 0")
  T.eq(data.read_csv(p, { skip = 1, nrows = 2 }):nrow(), 2)
  T.eq(data.read_csv(p, { skip = 1, strings = "categorical" }):col("tag"):type(), "categorical")
  os.remove(p)
  p = T.tmpfile("a,b,c\n1,2\n3,4,5\n", ".csv")
  T.raises(function() data.read_csv(p) end, "line 2 has 2 fields, expected 3 (as in the header); fill = true pads short rows with NA")
  T.eq(na_counts(data.read_csv(p, { fill = true })), "0 0 1")
  T.raises(function() data.read_csv(p, { fill = true, types = { a = "date" } }) end, "line 2, column 1 ('a'): \"1\" cannot be read as date")
  T.raises(function() data.read_csv(p, { types = { zz = "date" } }) end, "option 'types': unknown column 'zz' (the file has: a, b, c)")
  T.raises(function() data.read_csv(p, { types = { a = "dat" } }) end, "option 'types' for column 'a' must be one of")
  T.raises(function() data.read_csv(p, { sep = ";;" }) end, "option 'sep' must be one character")
  T.raises(function() data.read_csv(p, { dec = ";" }) end, "option 'dec' must be \".\" or \",\"")
  T.raises(function() data.read_csv(p, { select = { 1 } }) end, "option 'select' must be an array of column names")
  os.remove(p)
end)

T.test("bad files: missing, a folder, empty, binary, truncated quote", function()
  T.raises(function() data.read_csv("/nonexistent.csv") end, "data.read_csv: cannot open '/nonexistent.csv'")
  T.raises(function() data.read_csv("test") end, "is a folder")
  local p = T.tmpfile("", ".csv")
  T.raises(function() data.read_csv(p) end, "no data (empty file)")
  os.remove(p)
  T.raises(function() data.read_csv("test/fuzz/corpus/image/rgb.png") end, "a NUL byte: this is a binary file, not CSV")
  p = T.tmpfile("a,b\n1,2\n3,\"cut", ".csv")
  T.raises(function() data.read_csv(p) end, "line 3, column 2: unterminated quoted field")
  os.remove(p)
end)

T.test("duplicate and empty header names: made unique with one warning line", function()
  local p = T.tmpfile("a,,a\n1,2,3\n", ".csv")
  local out = T.sh(T.mlsh() .. " -e 'print(table.concat(data.read_csv(\"" .. p .. "\"):names(), \" \"))'")
  T.ok(out:find("a V2 a.1", 1, true), out)
  T.ok(out:find("data.read_csv: warning: " .. p .. ": renamed 2 duplicate or empty column names: \"\" -> \"V2\" (column 2), \"a\" -> \"a.1\" (column 3)", 1, true), out)
  os.remove(p)
end)

T.test("write_csv round-trips every column type and NA, atomically", function()
  local src = T.tmpfile("d,i,l,s,dt,tm,c\n0.1,1,TRUE,\"a, \"\"b\"\"\",2020-01-02,2020-03-04T05:06:07Z,x\n" ..
                        "NA,NA,NA,NA,NA,NA,NA\n3,-9007199254740993,F,\"NA\",1969-12-31,1960-01-01T00:00:00.5Z,y\n" ..
                        "0.30000000000000004,7,T,\"two\nlines\",2000-02-29,2038-01-19T03:14:08Z,x\n", ".csv")
  local df = data.read_csv(src, { types = { c = "categorical" } })
  local out = T.tmpname(".csv")
  T.eq(df:write_csv(out), df, "returns the frame")
  local back = data.read_csv(out, { types = { c = "categorical" } })
  T.eq(types(back), types(df))
  T.eq(types(df), "double integer logical string date datetime categorical")
  for _, n in ipairs(df:names()) do
    local a, b = df:col(n):totable(), back:col(n):totable()
    for r = 1, df:nrow() do T.eq(b[r], a[r], n .. " row " .. r) end
  end
  T.eq(back:col("s"):totable()[3], "NA", "a quoted NA stays text")
  df:write_csv(out, { sep = ";", dec = ",", na = "", quote = "all" })
  local eu = data.read_csv(out, { types = { c = "categorical" } })
  T.eq(eu:col("d"):totable()[1], 0.1)
  T.raises(function() df:write_csv("/nonexistent-dir/x.csv") end, "DataFrame:write_csv: cannot write '/nonexistent-dir/x.csv'")
  T.raises(function() df:write_csv(out, { dec = ";" }) end, "option 'dec' must be")
  os.remove(src)
  os.remove(out)
end)

T.done()
