-- test/lua/test_files_io.lua - .npz archives, HDF5 datasets and .xlsx
-- workbooks. The .npz fixtures were written by Python's zipfile as numpy lays
-- them out (test/data/io/make_npz.py); what mlsh writes is checked by
-- Python's zipfile and Info-ZIP's unzip when present, and the cells of the
-- workbooks in the sheet XML itself (ECMA-376). That the writers are atomic
-- (a full disk, a read-only folder) is checked with the others in test_files.lua.
local T = dofile("test/lua/harness.lua")

local IO = "test/data/io/"
local HAVE_UNZIP = os.execute("command -v unzip >/dev/null 2>&1") == true
local HAVE_PY = os.execute("command -v python3 >/dev/null 2>&1") == true

local function check_npz_fixture(t, what)
  -- make_npz.py: X = [[1, 2, 3], [4, 5, 6.5]] (<f8), y = [10, -20, 30] (<i4), F = [[1, 2], [3, 4]] (<f4, Fortran order)
  T.eq(t.X:rows(), 2, what); T.eq(t.X:cols(), 3, what)
  T.eq(t.X:get(1, 3), 3, what); T.eq(t.X:get(2, 3), 6.5, what)
  T.eq(t.y:rows(), 3, what); T.eq(t.y:cols(), 1, what); T.eq(t.y:get(2, 1), -20, what)
  T.eq(t.F:get(1, 2), 2, what); T.eq(t.F:get(2, 1), 3, what)
end

T.test("read_npz: archives laid out as np.savez and np.savez_compressed (zip64 local headers)", function()
  check_npz_fixture(data.read_npz(IO .. "savez.npz"), "stored")
  check_npz_fixture(data.read_npz(IO .. "savez_compressed.npz"), "deflated")
end)

T.test("write_npz round-trips, stored and deflated; zip tools read the archive", function()
  local X = mat.randn(7, 3, { seed = 4 })
  for _, compress in ipairs({ true, false }) do
    local p = T.tmpname(".npz")
    data.write_npz(p, { X = X, v = { 1.5, -2, 1e-300 }, one = mat.from({ { 42 } }) }, { compress = compress })
    local t = data.read_npz(p)
    T.eq(t.X:rows(), 7); T.eq(t.X:cols(), 3)
    for i = 1, 7 do for j = 1, 3 do T.eq(t.X:get(i, j), X:get(i, j)) end end
    T.eq(t.v:get(3, 1), 1e-300); T.eq(t.one:get(1, 1), 42)
    if HAVE_UNZIP then
      local out, code = T.sh("unzip -t " .. p)
      T.eq(code, 0, out)
      T.ok(out:find("No errors detected", 1, true), out)
    end
    if HAVE_PY then
      local out = T.sh("python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.testzip(), " ..
        "[(i.filename, i.compress_type) for i in z.infolist()], z.read('X.npy')[:6])\" " .. p)
      T.eq(out, string.format("None [('X.npy', %d), ('one.npy', %d), ('v.npy', %d)] b'\\x93NUMPY'\n",
        compress and 8 or 0, compress and 8 or 0, compress and 8 or 0))
    end
    os.remove(p)
  end
end)

T.test("read_npz: bad archives are clear errors", function()
  local f = assert(io.open(IO .. "savez_compressed.npz", "rb"))
  local good = f:read("a")
  f:close()
  local function try(bytes)
    local p = T.tmpfile(bytes, ".npz")
    local ok, err = pcall(data.read_npz, p)
    os.remove(p)
    T.ok(not ok, "accepted a bad archive")
    return tostring(err):gsub("'[^']*%.npz'", "'F'")
  end
  T.eq(try(""), "data.read_npz: 'F': not a .npz file (too short for a zip archive)")
  T.eq(try(string.rep("x", 100)), "data.read_npz: 'F': not a .npz file (no zip directory)")
  T.eq(try(good:sub(1, #good - 30)), "data.read_npz: 'F': not a .npz file (no zip directory)")
  -- a flipped byte in the first member's deflated data
  local pos = 31 + #"X.npy" + 20 + 10
  local bad = good:sub(1, pos - 1) .. string.char((good:byte(pos) + 1) % 256) .. good:sub(pos + 1)
  T.ok(try(bad):find("member 'X.npy' is corrupt", 1, true))
  -- the directory cut off: its entries run past the end
  local dir = good:find("PK\1\2", 1, true)
  T.eq(try(good:sub(1, dir + 20) .. good:sub(-22)), "data.read_npz: 'F': truncated zip directory")
  T.raises(function() data.read_npz("/nonexistent.npz") end, "data.read_npz: cannot open '/nonexistent.npz'")
  T.raises(function() data.write_npz(T.tmpname(".npz"), {}) end, "data.write_npz: argument 'arrays' holds no array")
  T.raises(function() data.write_npz(T.tmpname(".npz"), { 1, 2 }) end, "argument 'arrays' must map names to matrices")
  T.raises(function() data.write_npz("/nonexistent-dir/a.npz", { a = { 1 } }) end, "data.write_npz: cannot")
end)

T.test("HDF5: save_h5 then read_h5, groups, no overwrite, bad files", function()
  local p = T.tmpname(".h5")
  local X = mat.from({ { 1, 2, 3 }, { 4, 5, 6 } })
  X:save_h5(p, "train/X")
  mat.from({ 7, 8 }):save_h5(p, "y")
  local R = data.read_h5(p, "train/X")
  T.eq(R:rows(), 2); T.eq(R:cols(), 3); T.eq(R:get(2, 1), 4)
  local y = data.read_h5(p, "/y")
  T.eq(y:rows(), 2); T.eq(y:cols(), 1); T.eq(y:get(2, 1), 8)
  T.raises(function() X:save_h5(p, "y") end, "Matrix:save_h5: '" .. p .. "' already has a dataset 'y' (not overwritten)")
  T.eq(data.read_h5(p, "y"):get(1, 1), 7, "the file is intact")
  T.raises(function() data.read_h5(p, "nope") end, "data.read_h5: '" .. p .. "' has no dataset 'nope'")
  T.raises(function() data.read_h5(p, "train") end, "has no dataset 'train'")
  local junk = T.tmpfile("not hdf5", ".h5")
  T.raises(function() data.read_h5(junk, "x") end, "data.read_h5: '" .. junk .. "' is not an HDF5 file")
  T.raises(function() X:save_h5(junk, "x") end, "Matrix:save_h5: '" .. junk .. "' is not an HDF5 file")
  local f = assert(io.open(junk, "rb")); T.eq(f:read("a"), "not hdf5"); f:close()
  T.raises(function() data.read_h5("/nonexistent.h5", "x") end, "data.read_h5: cannot open '/nonexistent.h5'")
  T.raises(function() X:save_h5(p, "") end, "Matrix:save_h5: argument 'dataset' must not be empty")
  os.remove(p); os.remove(junk)
end)

local function sheet_xml(p, k)
  return (T.sh("unzip -p " .. p .. " xl/worksheets/sheet" .. (k or 1) .. ".xml"))
end

T.test("write_xlsx: typed cells, NA blank, dates with a date format", function()
  if not HAVE_UNZIP then T.skip("unzip is not installed") end
  local f = data._typed_frame({ "i", "x", "s", "ok" }, { { 1, nil, n = 2 }, { 2.5, 0 / 0 }, { "a<b", nil, n = 2 }, { true, nil, n = 2 } })
  local p = T.tmpname(".xlsx")
  f:write_xlsx(p, { sheet = "data" })
  local x = sheet_xml(p)
  T.ok(x:find('<c r="A1" s="1" t="inlineStr"><is><t>i</t></is></c>', 1, true), x)   -- bold header
  T.ok(x:find('<c r="A2"><v>1</v></c><c r="B2"><v>2.5</v></c><c r="C2" t="inlineStr"><is><t>a&lt;b</t></is></c><c r="D2" t="b"><v>1</v></c>', 1, true), x)
  T.ok(x:find('<row r="3"></row>', 1, true) or x:find('<row r="3"/>', 1, true) or not x:find('r="A3"', 1, true), x)   -- NA, NaN: blank
  T.ok(select(1, T.sh("unzip -p " .. p .. " xl/workbook.xml")):find('name="data"', 1, true))
  os.remove(p)
  -- dates: Excel serials (2024-02-29 is 45351) with a yyyy-mm-dd format; datetimes with a time
  local db = data.sqlite(":memory:")
  db:exec("CREATE TABLE t (d DATE, t DATETIME); INSERT INTO t VALUES ('2024-02-29', '1970-01-02 12:00:00')")
  local dates = db:query("SELECT * FROM t")
  local q = T.tmpname(".xlsx")
  dates:write_xlsx(q)
  x = sheet_xml(q)
  local styles = select(1, T.sh("unzip -p " .. q .. " xl/styles.xml"))
  T.ok(x:find('<c r="A2" s="2"><v>45351</v></c><c r="B2" s="3"><v>25570.5</v></c>', 1, true), x)
  T.ok(styles:find('formatCode="yyyy%-mm%-dd"') and styles:find('formatCode="yyyy%-mm%-dd hh:mm:ss"'), styles)
  os.remove(q)
end)

T.test("data.write_xlsx: one sheet per frame; bad sheet names and paths", function()
  if not HAVE_UNZIP then T.skip("unzip is not installed") end
  local a = data._typed_frame({ "a" }, { { 1, 2 } })
  local b = data._typed_frame({ "b" }, { { "x" } })
  local p = T.tmpname(".xlsx")
  data.write_xlsx(p, { a, b, zeta = a, alpha = b })
  local wb = select(1, T.sh("unzip -p " .. p .. " xl/workbook.xml"))
  local names = {}
  for n in wb:gmatch('<sheet name="([^"]+)"') do names[#names + 1] = n end
  T.eq(table.concat(names, ","), "Sheet1,Sheet2,alpha,zeta")
  T.ok(sheet_xml(p, 3):find("<t>x</t>", 1, true))
  os.remove(p)
  T.raises(function() a:write_xlsx(T.tmpname(".xlsx"), { sheet = "a/b" }) end,
    "DataFrame:write_xlsx: sheet name 'a/b': Worksheet name cannot contain invalid characters")
  T.raises(function() a:write_xlsx(T.tmpname(".xlsx"), { sheet = string.rep("s", 32) }) end, "exceeds Excel's limit of 31 characters")
  T.raises(function() a:write_xlsx("/nonexistent-dir/x.xlsx") end, "DataFrame:write_xlsx: cannot write '/nonexistent-dir/x.xlsx'")
  T.raises(function() data.write_xlsx(T.tmpname(".xlsx"), {}) end, "data.write_xlsx: argument 'sheets' holds no DataFrame")
  T.raises(function() data.write_xlsx(T.tmpname(".xlsx"), { s = 1 }) end, "data.write_xlsx: sheet s must be a DataFrame (got number)")
end)

T.done()
