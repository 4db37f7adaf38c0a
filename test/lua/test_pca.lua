-- test/lua/test_pca.lua - stats.pca. References: R 4.2.2 prcomp(iris[,1:4], scale.=TRUE)
-- eigenvalues (sdev^2) and FactoMineR 2.x PCA(iris[,1:4]) variable contributions to Dim.1
-- (as stated in issue 3); scikit-learn 1.2.1 PCA(svd_solver="full") explained_variance_ratio_
-- on the peer harness data (../shared/bench/peers/RESULTS.md).
local T = dofile("test/lua/harness.lua")
local df = data.read_csv("datasets/iris.csv")
local X = df:matrix()

T.test("iris correlation PCA eigenvalues (R prcomp)", function()
  local p = stats.pca(df)
  local ref = { 2.918498, 0.914030, 0.146757, 0.020715 }
  for k = 1, 4 do T.near(p.eigenvalues[k], ref[k], 1e-6) end
  T.near(p.eig:get(1, 2), 72.962445, 1e-5)
  T.near(p.eig:get(4, 3), 100, 1e-9)
  T.near(p.explained[2], 0.914030 / 4, 1e-6)
end)

T.test("iris variable contributions to Dim.1 (FactoMineR)", function()
  local p = stats.pca(df)
  local ref = { 27.150969, 7.254804, 33.687936, 31.906291 }
  for j = 1, 4 do T.near(p.var.contrib:get(j, 1), ref[j], 1e-5) end
  -- correlation PCA: var.coord are correlations with the components
  local F1 = p.ind.coord:col(1)
  local r = mat.cor(X:col(3):hcat(F1)):get(1, 2)
  T.near(p.var.coord:get(3, 1), r, 1e-10)
  T.eq(p.names[3], "petal_length")
end)

T.test("sign convention, individual contributions, cos2", function()
  local p = stats.pca(X)
  for k = 1, 4 do
    local best, arg = 0, 1
    for j = 1, 4 do if math.abs(p.loadings:get(j, k)) > best then best, arg = math.abs(p.loadings:get(j, k)), j end end
    T.ok(p.loadings:get(arg, k) > 0, "largest loading positive on Dim." .. k)
  end
  local s = 0
  for i = 1, 150 do s = s + p.ind.contrib:get(i, 2) end
  T.near(s, 100, 1e-9)
  local c = 0
  for k = 1, 4 do c = c + p.ind.cos2:get(7, k) end
  T.near(c, 1, 1e-12)
end)

T.test("transform, ncomp, supplementary rows and columns", function()
  local p = stats.pca(X, { ncomp = 2, sup_rows = X:slice(1, 5), sup_cols = X:col(1) })
  T.eq(p.ind.coord:cols(), 2)
  local Z = p:transform(X:slice(1, 5))
  for i = 1, 5 do T.near(Z:get(i, 2), p.ind.coord:get(i, 2), 1e-12) end
  T.near(p.sup.ind.coord:get(3, 1), p.ind.coord:get(3, 1), 1e-12)
  T.near(p.sup.var.coord:get(1, 1), p.var.coord:get(1, 1), 1e-10)
  local text = p:summary { print = false }
  T.ok(text:find("Kaiser", 1, true))
  T.ok(tostring(p):find("PCA%(correlation"))
  T.eq(p.method, "gram")            -- iris is tall and well conditioned: auto takes the Gram solver
  T.ok(text:find("solver gram", 1, true))
  T.ok(tostring(p):find("ncomp=2, gram;", 1, true))
end)

T.test("gram and svd solvers agree with prcomp", function()
  -- prcomp(iris[,1:4])$sdev^2 = 4.22824171 0.24267075 0.07820950 0.02383509 (1/(n-1)); FactoMineR uses 1/n
  local ref = { 4.22824171, 0.24267075, 0.07820950, 0.02383509 }
  for _, m in ipairs { "gram", "svd" } do
    local pc = stats.pca(X, { scale = false, method = m })
    T.eq(pc.method, m)
    for k = 1, 4 do T.near(pc.eigenvalues[k], ref[k] * 149 / 150, 1e-6) end
  end
  local wide = stats.pca(X:slice(1, 6))
  T.eq(wide.method, "svd")          -- n < 2p: the SVD of the data
end)

T.test("covariance PCA and randomized solver", function()
  local pc = stats.pca(X, { scale = false })
  -- prcomp(iris[,1:4])$sdev^2 = 4.2282418, 0.2426707, ... (1/(n-1)); FactoMineR uses 1/n
  T.near(pc.eigenvalues[1], 4.2282418 * 149 / 150, 1e-6)
  local pr = stats.pca(X, { method = "randomized", ncomp = 2, seed = 3 })
  T.near(pr.eigenvalues[1], 2.918498, 1e-6)
  T.near(pr.eigenvalues[2], 0.914030, 1e-6)
end)

T.test("bad input", function()
  T.raises(function() stats.pca(X, { ncomp = 9 }) end, "stats.pca: ncomp must be at most 4")
  T.raises(function() stats.pca(X:slice(1, 1)) end, "stats.pca: argument 'X' needs at least 2 rows")
  local Y = X:copy(); Y:set(4, 2, 0 / 0)
  T.raises(function() stats.pca(Y) end, "row 4, column 2")
  local p = stats.pca(Y, { na = "omit" })
  T.eq(p.n, 149)
  local Z = X:hcat(mat.ones(150, 1))
  T.raises(function() stats.pca(Z) end, "column 5 has zero variance")
  T.raises(function() stats.pca(X, { bogus = 1 }) end, "unknown option 'bogus'")
  T.raises(function() stats.pca(X, { weights = mat.ones(3, 1) }) end, "option 'weights' has 3 values")
  T.raises(function() stats.pca("x") end, "stats.pca: argument 'X'")
  T.raises(function() stats.pca(X, { ncomp = 2 }):transform(mat.ones(2, 3)) end, "PCA:transform")
end)

T.test("options from the spec; data frames everywhere; messages without a file", function()
  T.raises(function() stats.pca(X, { ncomp = 0 }) end, "stats.pca: option 'ncomp' must be a positive integer (got 0)")
  T.raises(function() stats.pca(X, { method = "qr" }) end,
    "stats.pca: option 'method' must be one of \"auto\", \"gram\", \"svd\", \"randomized\", \"gram32\" (got \"qr\")")
  T.raises(function() stats.pca(X, { iters = 101 }) end, "stats.pca: option 'iters' must be an integer between 0 and 100")
  T.raises(function() stats.pca(X, { names = "a" }) end, "stats.pca: option 'names' must be a table (got string)")
  T.raises(function() stats.pca(X, { weights = "w" }) end, "stats.pca: option 'weights' must be a Matrix")
  T.raises(function() stats.pca(X, { print = false }) end, "stats.pca: unknown option 'print'")
  local p = stats.pca(X, { ncomp = 2 })
  T.raises(function() p:summary { bogus = 1 } end, "PCA:summary: unknown option 'bogus' (known: top, print, sup_names)")
  T.raises(function() p:summary { top = 0, print = false } end, "PCA:summary: option 'top' must be a positive integer (got 0)")
  T.raises(function() p.summary(3) end, "PCA:summary: argument 'self' must be a PCA (got number)")
  T.raises(function() p.transform(3, X) end, "PCA:transform: argument 'self' must be a PCA (got number)")
  T.ok(p:summary { top = 2, print = false }:find("the 2 largest contributions", 1, true))
  -- a data frame as X, sup_rows, sup_cols and transform's argument: its numeric columns
  local pf = stats.pca(df, { ncomp = 2, sup_rows = df:head(5), sup_cols = df:select { "sepal_length" } })
  local pm = stats.pca(X, { ncomp = 2, sup_rows = X:slice(1, 5), sup_cols = X:col(1) })
  T.eq(pf.sup.ind.coord:get(4, 2), pm.sup.ind.coord:get(4, 2))
  T.eq(pf.sup.var.coord:get(1, 1), pm.sup.var.coord:get(1, 1))
  T.eq(pf:transform(df:head(3)):get(3, 1), pm.ind.coord:get(3, 1))
  T.eq(stats.pca(df, { names = { "a", "b", "c", "d" } }).names[4], "d")
  local cases = {
    function() stats.pca(X, { names = { "a" } }) end,
    function() stats.pca(df, { names = { "a" } }) end,
    function() stats.pca(X, { bogus = 1 }) end,
    function() stats.pca(X, 7) end,
  }
  for _, f in ipairs(cases) do
    local err = T.raises(f, "stats.pca: ")
    T.ok(err:sub(1, 11) == "stats.pca: " and not err:find("lua/mlsh/", 1, true) and not err:find("%.lua:%d"), err)
  end
  T.raises(cases[1], "stats.pca: option 'names' has 1 names for 4 columns")
end)

T.test("peer data: explained variance ratios equal scikit-learn's (1e-6)", function()
  local path = T.shared("bench/peers/RESULTS.md")
  if not path then T.skip("../shared not found (set MLSH_SHARED)") end
  local f = io.open("/tmp/peerdata/pca_100000x100.f64", "rb")
  if not f then T.skip("peer data not generated (/tmp/peerdata; run make bench or gen_data.py)") end
  f:close()
  local P = mat.read_raw("/tmp/peerdata/pca_100000x100.f64", 100000, 100)
  local p = stats.pca(P, { scale = false, ncomp = 10 })
  local ref = { 0.282272, 0.150806, 0.101495, 0.075821, 0.053130, 0.049372, 0.040102, 0.036212, 0.032461, 0.030178 }
  for k = 1, 10 do T.near(p.explained[k], ref[k], 5e-7) end
  T.eq(p.method, "gram32")          -- large and tall: single-precision block products, checked in double
  local d = stats.pca(P, { scale = false, ncomp = 10, method = "gram" })
  for k = 1, 10 do T.near(p.explained[k], d.explained[k], 1e-8) end
  local e = 0
  for j = 1, 100 do for k = 1, 10 do e = math.max(e, math.abs(p.loadings:get(j, k) - d.loadings:get(j, k))) end end
  T.ok(e < 1e-6, "loadings within 1e-6 of the double Gram's (max difference " .. e .. ")")
end)

T.test("gram32: the double Gram's fit from single-precision block products", function()
  local M = {}
  for i = 1, 26 do
    M[i] = {}
    for j = 1, 26 do M[i][j] = (i == j and 3 * 0.9 ^ i or 0) + (j > i and 0.1 or 0) end
  end
  local Y = mat.randn(50000, 26, { seed = 5 }):dot(mat.from(M)) + 4
  local a, b = stats.pca(Y, { ncomp = 4, scale = false, method = "gram" }), stats.pca(Y, { ncomp = 4, scale = false })
  T.eq(b.method, "gram32")          -- auto: 50000 x 26 is large and tall
  for k = 1, 4 do T.near(b.explained[k], a.explained[k], 1e-8) end
  for j = 1, 26 do T.near(b.loadings:get(j, 1), a.loadings:get(j, 1), 1e-6) end
  for i = 1, 50 do T.near(b.ind.contrib:get(i, 2), a.ind.contrib:get(i, 2), 1e-8) end
  T.eq(stats.pca(Y:slice(1, 1000), { ncomp = 4, scale = false }).method, "gram")   -- small: the double Gram
end)

T.done()
