-- test/lua/test_mat.lua - the mat module: constructors, algebra, statistics, files, bad input.
local T = dofile("test/lua/harness.lua")

local function mat_near(a, b, tol, msg)
  T.eq(a:rows(), b:rows(), (msg or "") .. " rows")
  T.eq(a:cols(), b:cols(), (msg or "") .. " cols")
  for i = 1, a:rows() do
    for j = 1, a:cols() do T.near(a:get(i, j), b:get(i, j), tol or 1e-12, msg) end
  end
end

T.test("constructors", function()
  local m = mat.new(2, 3, 7)
  T.eq(m:rows(), 2); T.eq(m:cols(), 3); T.eq(m:get(2, 3), 7)
  T.eq(mat.zeros(3):cols(), 3)
  T.eq(mat.ones(2, 2):sum(), 4)
  T.eq(mat.eye(3):sum(), 3)
  local f = mat.from{{1, 2}, {3, 4}}
  T.eq(f:get(2, 1), 3)
  local v = mat.from{1, 2, 3}
  T.eq(v:rows(), 3); T.eq(v:cols(), 1); T.eq(v[2], 2)
  T.eq(#f, 2)
  T.eq(mat.zeros(0, 3):rows(), 0)
  T.ok(tostring(mat.zeros(0, 3)):find("%[Matrix 0x3%]"))
end)

T.test("random with seed is reproducible", function()
  local a, b = mat.randn(4, 4, {seed = 7}), mat.randn(4, 4, {seed = 7})
  mat_near(a, b, 0)
  local u = mat.rand(10000, 1, {seed = 1})
  T.near(u:mean(), 0.5, 0.02)
  local z = mat.randn(20000, 1, {seed = 2})
  T.near(z:mean(), 0, 0.03); T.near(z:std(), 1, 0.03)
end)

T.test("access, slices and selection", function()
  local m = mat.from{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}}
  mat_near(m:row(2), mat.from{{4, 5, 6}})
  mat_near(m:col(3), mat.from{3, 6, 9})
  mat_near(m:slice(2, 3, 1, 2), mat.from{{4, 5}, {7, 8}})
  mat_near(m:rows_select{3, 1}, mat.from{{7, 8, 9}, {1, 2, 3}})
  mat_near(m:cols_select{2}, mat.from{2, 5, 8})
  local c = m:copy(); c:set(1, 1, 100)
  T.eq(m:get(1, 1), 1); T.eq(c:get(1, 1), 100)
  T.eq(m:totable()[3][2], 8)
  T.eq(mat.from{5, 6}:totable()[2], 6)
  local r, k = m:shape(); T.eq(r, 3); T.eq(k, 3)
  mat_near(m:t(), mat.from{{1, 4, 7}, {2, 5, 8}, {3, 6, 9}})
  mat_near(m:reshape(1, 9), mat.from{{1, 2, 3, 4, 5, 6, 7, 8, 9}})
end)

T.test("arithmetic and broadcasting", function()
  local a = mat.from{{1, 2}, {3, 4}}
  mat_near(a + 1, mat.from{{2, 3}, {4, 5}})
  mat_near(1 - a, mat.from{{0, -1}, {-2, -3}})
  mat_near(a * a, mat.from{{1, 4}, {9, 16}})            -- elementwise
  mat_near(a:dot(a), mat.from{{7, 10}, {15, 22}})       -- matrix product
  mat_near(a / 2, mat.from{{0.5, 1}, {1.5, 2}})
  mat_near(-a, mat.from{{-1, -2}, {-3, -4}})
  mat_near(a ^ 2, a * a)
  mat_near(a - a:mean(1), mat.from{{-1, -1}, {1, 1}})   -- row broadcast
  mat_near(a - a:mean(2), mat.from{{-0.5, 0.5}, {-0.5, 0.5}})  -- column broadcast
  mat_near(a:mean(1) + a, a + a:mean(1))
  mat_near(a:apply(function(x) return x * 10 end), a * 10)
  mat_near(a:hcat(mat.from{9, 9}), mat.from{{1, 2, 9}, {3, 4, 9}})
  mat_near(a:vcat(mat.from{{0, 0}}), mat.from{{1, 2}, {3, 4}, {0, 0}})
end)

T.test("linear algebra against known results", function()
  -- inverse of [[4,7],[2,6]] is [[0.6,-0.7],[-0.2,0.4]] (det 10)
  mat_near(mat.from{{4, 7}, {2, 6}}:inv(), mat.from{{0.6, -0.7}, {-0.2, 0.4}}, 1e-14)
  T.near(mat.from{{1, 2}, {3, 4}}:det(), -2, 1e-12)
  T.near(mat.from{{2, 0, 0}, {0, 3, 0}, {0, 0, 4}}:det(), 24, 1e-12)
  -- 2x + y = 5, x + 3y = 10 -> x = 1, y = 3
  mat_near(mat.from{{2, 1}, {1, 3}}:solve(mat.from{5, 10}), mat.from{1, 3}, 1e-12)
  local vals, vecs = mat.from{{2, 1}, {1, 2}}:eigh()
  T.near(vals[1], 3, 1e-12); T.near(vals[2], 1, 1e-12)
  T.near(math.abs(vecs:get(1, 1)), math.sqrt(0.5), 1e-12)
  mat_near(mat.from{{4, 2}, {2, 3}}:chol(), mat.from{{2, 0}, {1, math.sqrt(2)}}, 1e-12)
  -- SVD reconstructs the matrix; singular values of [[3,0],[4,5]] are sqrt(45), sqrt(5)
  local X = mat.randn(7, 4, {seed = 3})
  local U, s, V = X:svd()
  local S = mat.zeros(4, 4)
  for i = 1, 4 do S:set(i, i, s[i]) end
  mat_near(U:dot(S):dot(V:t()), X, 1e-12)
  local _, s2 = mat.from{{3, 0}, {4, 5}}:svd()
  T.near(s2[1], math.sqrt(45), 1e-12); T.near(s2[2], math.sqrt(5), 1e-12)
end)

T.test("statistics on iris against R", function()
  local X = data.read_csv("datasets/iris.csv"):matrix()
  -- R: colMeans(iris[,1:4]); apply(iris[,1:4], 2, sd); cor(iris$Sepal.Length, iris$Petal.Length)
  local means = {5.843333333, 3.057333333, 3.758000000, 1.199333333}
  local sds = {0.8280661, 0.4358663, 1.7652982, 0.7622377}
  local mu, sd = X:mean(1), X:std(1)
  for j = 1, 4 do T.near(mu:get(1, j), means[j], 1e-8); T.near(sd:get(1, j), sds[j], 1e-7) end
  T.near(X:cor():get(1, 3), 0.8717538, 1e-7)
  T.near(X:cov():get(1, 1), 0.6856935, 1e-7)          -- R: var(iris$Sepal.Length)
  T.near(X:var(1):get(1, 2), 0.1899794, 1e-7)
  local Z, m2, s2 = X:standardize()
  T.near(Z:mean(1):get(1, 3), 0, 1e-12); T.near(Z:std(1):get(1, 3), 1, 1e-12)
  T.near(m2:get(1, 1), means[1], 1e-8); T.near(s2:get(1, 4), sds[4], 1e-7)
  T.eq(X:min(), 0.1); T.eq(X:max(), 7.9)
  T.near(X:sum(), 2078.7, 1e-9)
  T.eq(X:sum(2):rows(), 150)
end)

T.test("npy files written by numpy", function()
  local expect = mat.from{{1.5, -2.0, 3.25}, {4.0, 5.5, -6.75}}
  for _, f in ipairs{"f8_c", "f4_c", "f8_fortran", "f8_bigendian"} do
    mat_near(mat.load("test/fixtures/npy/" .. f .. ".npy"), expect, 0, f)
  end
  mat_near(mat.load("test/fixtures/npy/f8_vec.npy"), mat.from{1, 2, 3, 4}, 0)
  mat_near(mat.load("test/fixtures/npy/i4_c.npy"), mat.from{{1, 2}, {3, 4}}, 0)
end)

T.test("npy and csv round trips", function()
  local X = mat.randn(5, 3, {seed = 9})
  local p = T.tmpname(".npy")
  X:save(p); mat_near(mat.load(p), X, 0); os.remove(p)
  X:save(p, {dtype = "float32"}); mat_near(mat.load(p), X, 1e-6); os.remove(p)
  local c = T.tmpname(".csv")
  X:save(c); mat_near(mat.load(c), X, 1e-15); os.remove(c)
end)

T.test("read_raw", function()
  local p = T.tmpname(".f64")
  local f = io.open(p, "wb"); f:write(string.pack("<dddd", 1, 2, 3, 4)); f:close()
  mat_near(mat.read_raw(p, 2, 2), mat.from{{1, 2}, {3, 4}}, 0)
  T.raises(function() mat.read_raw(p, 3, 2) end, "mat.read_raw")
  os.remove(p)
end)

T.test("pretty printing", function()
  local s = tostring(mat.from{{1, 2}, {3, 4}})
  T.ok(s:find("1  *2") and s:find("%[Matrix 2x2%]"), s)
  -- one format per column, as R's print(matrix(c(1.5, 2.25), 1)): "[1,] 1.5 2.25"
  s = tostring(mat.from{{1.5, 2.25}})
  T.ok(s:find(" 1%.5  2%.25\n"), s)
  -- R: print(matrix(c(123456.7, 234567.8), 1)): "[1,] 123456.7 234567.8"
  s = tostring(mat.from{{123456.7, 234567.8}})
  T.ok(s:find(" 123456%.7  234567%.8\n"), "7 significant digits: " .. s)
  s = tostring(mat.zeros(1000, 50))
  T.ok(s:find("%.%.%.") and s:find("%[Matrix 1000x50%]"), "elided")
  local lines = 0
  for line in s:gmatch("[^\n]+") do lines = lines + 1; T.ok(#line <= 80, "fits 80 columns: " .. #line) end
  T.ok(lines <= 45, "fits the page: " .. lines)
end)

T.test("bad input gives clear errors", function()
  local m = mat.from{{1, 2}, {3, 4}}
  T.raises(function() mat.zeros(-1, 2) end, "mat.zeros")
  T.raises(function() mat.zeros("a", 2) end, "mat.zeros: argument 'rows' must be a number")
  T.raises(function() mat.new(nil, 2) end, "mat.new")
  T.raises(function() mat.zeros(1e9, 1e9) end, "not enough memory")
  T.raises(function() mat.from{} end, "mat.from")
  T.raises(function() mat.from{{1, 2}, {3}} end, "row 2")
  T.raises(function() mat.from{1, "x"} end, "element 2")
  T.raises(function() mat.from("str") end, "mat.from")
  T.raises(function() mat.randn(2, 2, {sed = 1}) end, "unknown option 'sed'")
  T.raises(function() m:get(3, 1) end, "out of range")
  T.raises(function() m:get(0, 1) end, "Matrix:get")
  T.raises(function() m:set(1, 1, "x") end, "Matrix:set")
  T.raises(function() m:dot(mat.zeros(3, 3)) end, "inner dimensions")
  T.raises(function() local _ = m + mat.zeros(3, 3) end, "do not match")
  T.raises(function() local _ = m + "x" end, "Matrix:add")
  T.raises(function() mat.from{{1, 2}, {2, 4}}:inv() end, "singular")
  T.raises(function() mat.zeros(2, 3):inv() end, "square")
  T.raises(function() mat.zeros(0, 0):det() end, "Matrix:det")
  T.raises(function() mat.from{{1, 2}, {3, 4}}:chol() end, "not symmetric")
  T.raises(function() mat.from{{1, 2}, {2, 1}}:chol() end, "positive definite")
  T.raises(function() mat.from{{0 / 0, 1}, {1, 1}}:inv() end, "non-finite")
  T.raises(function() mat.from{{0 / 0}}:svd() end, "non-finite")
  T.raises(function() mat.zeros(0, 2):svd() end, "non-empty")
  T.raises(function() m:mean(3) end, "dim")
  T.raises(function() mat.zeros(0, 2):mean() end, "empty")
  T.raises(function() mat.from{{1, 1}, {1, 1}}:standardize() end, "zero variance")
  T.raises(function() m:slice(2, 1) end, "empty range")
  T.raises(function() m:rows_select{3} end, "out of range")
  T.raises(function() m:reshape(3, 1) end, "cannot reshape")
  T.raises(function() m:hcat(mat.zeros(3, 1)) end, "row counts differ")
  T.raises(function() mat.load("/nonexistent/x.npy") end, "cannot open")
  T.raises(function() mat.load("test/fixtures/csv/ragged.csv") end, "line 3 has 2 fields")
  T.raises(function() mat.load("test/fixtures/csv/bom_semicolon.csv") end, "not numeric")
  local p = T.tmpname(".npy")
  local f = io.open(p, "wb"); f:write(io.open("test/fixtures/npy/f8_c.npy", "rb"):read("a"):sub(1, 150)); f:close()
  T.raises(function() mat.load(p) end, "truncated")
  f = io.open(p, "wb"); f:write("not an npy file at all"); f:close()
  T.raises(function() mat.load(p) end, "not a .npy file")
  os.remove(p)
  T.raises(function() m:save("/nonexistent-dir/x.npy") end, "cannot write")
  T.raises(function() m:apply(function() return "x" end) end, "Matrix:apply")
end)

T.test("saving never leaves a half-written file", function()
  local dir = T.tmpname("")
  os.execute("mkdir -p " .. dir .. "/target.npy")
  -- The target is a directory: the final rename fails, and neither the
  -- target nor a temporary file may be left changed or behind.
  T.raises(function() mat.from{9, 9, 9}:save(dir .. "/target.npy") end, "cannot write")
  local p = io.popen("ls -A " .. dir)
  local listing = p:read("a"); p:close()
  T.eq(listing, "target.npy\n", "no temporary left")
  os.execute("rm -rf " .. dir)
end)

T.done()
