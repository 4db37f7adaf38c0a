-- test/lua/test_result_frames.lua - results whose rows are a frame's rows
-- (augment / frame): the values against R, the row alignment when
-- na = "omit" dropped rows (NA there, as R's na.exclude), the errors.
-- Sources: R 4.2.2: hclust + cutree, FactoMineR 2.8 PCA, class::knn,
-- forecast 8.20 (forecast + as.data.frame of a stats::arima fit; forecast::Arima
-- would rescale sigma2 by n / (n - npar)); each test names its call.
local T = dofile("test/lua/harness.lua")

-- x has an NA in row 3: fits with na = "omit" use rows 1, 2, 4, 5, 6.
local function small()
  return data.frame({ "x", "y", "g" }, { { 1.0, 2.0, nil, 8.0, 9.0, 10.0, n = 6 }, { 1.0, 1.5, 3.0, 8.0, 9.5, 9.0 },
    { "a", "b", "a", "b", "a", "b" } })
end

local function codes(col)
  local t = col:totable()
  local out = {}
  for i = 1, t.n do out[i] = t[i] == nil and "NA" or tostring(t[i]) end
  return table.concat(out, " ")
end

T.test("KMeans:augment adds a .cluster factor lined up with the input rows", function()
  local df = small()
  local km = cluster.kmeans(df, 2, { seed = 1, na = "omit" })
  local a = km:augment(df)
  T.eq(a:nrow(), 6); T.eq(a:ncol(), 4)
  T.eq(a:col(".cluster"):type(), "categorical")
  local lv = a:col(".cluster"):levels()
  T.eq(lv[1], "1"); T.eq(lv[2], "2")
  local lab = km.labels
  T.eq(codes(a:col(".cluster")), string.format("%d %d NA %d %d %d", lab[1], lab[2], lab[3], lab[4], lab[5]))
  T.ok(lab[1] == lab[2] and lab[1] ~= lab[3], "two groups")
  T.eq(#km.labels, 5, "the plain labels stay as they were")
  local again = km:augment(a)   -- a .cluster already there is replaced
  T.eq(again:ncol(), 4)
end)

T.test("HClust:augment: cutree's labels (R hclust ward.D2 and complete on the complete rows)", function()
  local df = small()
  T.eq(codes(cluster.hclust(df, { method = "ward", na = "omit" }):augment(df, 2):col(".cluster")), "1 1 NA 2 2 2")
  T.eq(codes(cluster.hclust(df, { method = "complete", na = "omit" }):augment(df, { k = 3 }):col(".cluster")),
    "1 1 NA 2 3 3")
  T.raises(function() cluster.hclust(df, { na = "omit" }):augment(df, 9) end, "HClust:augment:")
end)

-- FactoMineR::PCA(na.omit(df), graph = FALSE)$ind$coord
local coord = { { -1.8500883, 0.03973404 }, { -1.5668168, -0.05495891 }, { 0.7928373, 0.03690838 },
  { 1.2646874, 0.13079401 }, { 1.3593804, -0.15247752 } }

T.test("PCA:frame and PCA:augment: FactoMineR's coordinates, NA for the omitted row", function()
  local df = small()
  local p = stats.pca(df, { na = "omit" })
  local f, a = p:frame(df), p:augment(df)
  T.eq(f:nrow(), 6); T.eq(f:names()[1], "PC1"); T.eq(f:names()[2], "PC2")
  T.eq(a:names()[4], ".PC1"); T.eq(a:names()[5], ".PC2")
  local rows = { 1, 2, 4, 5, 6 }
  for k, name in ipairs({ "PC1", "PC2" }) do
    local v, w = f:col(name):totable(), a:col("." .. name):totable()
    T.ok(v[3] == nil and w[3] == nil, "row 3 is NA")
    -- A component's sign is arbitrary (with two standardised variables both loadings of PC2 tie
    -- in size, so the sign rule cannot prefer one): compare up to one sign per component.
    local sign = v[rows[1]] * coord[1][k] < 0 and -1 or 1
    for r, i in ipairs(rows) do
      T.near(sign * v[i], coord[r][k], 1e-6, name .. " row " .. i)
      T.near(sign * w[i], coord[r][k], 1e-6, "." .. name .. " row " .. i)
    end
  end
  T.eq(p:frame():nrow(), 5, "without df: the fitted rows")
end)

T.test("Model:augment: .pred as a factor and .pred_<class> (R class::knn, k = 3, prob = TRUE)", function()
  local train = data.frame({ "x", "y" }, { { 0, 1, 0.5, 5, 6, 5.5 }, { 0, 0.2, 1, 5, 5.5, 6.2 } })
  local m = learn.knn { k = 3 }
  m:fit(train, { "lo", "lo", "hi", "hi", "hi", "lo" })
  local test = data.frame({ "x", "y" }, { { 0.4, nil, 5.2, 3, n = 4 }, { 0.3, 1, 5.1, 2.9 } })
  local a = m:augment(test)
  T.eq(a:col(".pred"):type(), "categorical")
  T.eq(codes(a:col(".pred")), "lo NA hi hi")
  -- class::knn's prob: the winning class's share of the 3 neighbours, 2/3 for each row
  local hi, lo = a:col(".pred_hi"):totable(), a:col(".pred_lo"):totable()
  T.near(lo[1], 2 / 3, 1e-12); T.near(hi[3], 2 / 3, 1e-12); T.near(hi[4], 2 / 3, 1e-12)
  T.ok(hi[2] == nil and lo[2] == nil, "row 2 is NA")
  T.eq(m:augment(test, { proba = false }):ncol(), 3)
  local mi = learn.knn { k = 1 }
  mi:fit(train, { 1, 1, 2, 2, 2, 1 })
  T.eq(mi:augment(test, { cols = { "x", "y" }, proba = false }):col(".pred"):type(), "integer")
  T.raises(function() m:augment({ 1, 2 }) end, "Model:augment: argument 'df' must be a DataFrame")
  T.raises(function() m:augment(test, { cols = { "nope" } }) end, "Model:augment:")
end)

T.test("augment refuses a frame whose rows are not the fit's", function()
  local df = small()
  local km = cluster.kmeans(df, 2, { seed = 1, na = "omit" })
  T.raises(function() km:augment(df:slice(1, 4)) end, "KMeans:augment: argument 'df' has 4 rows")
  T.raises(function() km:augment(42) end, "KMeans:augment: argument 'df' must be a DataFrame")
end)

-- R: lm(y ~ x, df, na.action = na.exclude) and glm(g ~ x, binomial, ...): fitted / predict,
-- resid, hatvalues, cooks.distance, rstandard
local lm_ref = {
  [".fitted"] = { 1.4302326, 2.4186047, nil, 4.3953488, 5.3837209, 6.3720930 },
  [".resid"] = { -0.4302326, 0.5813953, nil, 0.6046512, -1.3837209, 0.6279070 },
  [".hat"] = { 0.5930233, 0.3488372, nil, 0.2093023, 0.3139535, 0.5348837 },
  [".cooksd"] = { 0.3108824, 0.1304499, nil, 0.0574143, 0.5991178, 0.4572818 },
  [".std.resid"] = { -0.6532238, 0.6978632, nil, 0.6586325, -1.6181368, 0.8917806 } }
local glm_ref = {
  [".fitted"] = { -1.0579666, -0.4531809, nil, 0.7563904, 1.3611761, 1.9659618 },
  [".resid"] = { -0.7720096, 1.3749128, nil, -1.5107718, 0.6756004, 0.5119508 },
  [".hat"] = { 0.5633532, 0.3968969, nil, 0.2792573, 0.3529470, 0.4075456 },
  [".cooksd"] = { 0.5128865, 0.8583779, nil, 0.5726775, 0.1080559, 0.0812887 },
  [".std.resid"] = { -1.1683086, 1.7704324, nil, -1.7795440, 0.8398853, 0.6651212 } }

local function same_columns(a, ref, what)
  for name, r in pairs(ref) do
    local v = a:col(name):totable()
    T.ok(v[3] == nil, what .. " " .. name .. ": row 3 is NA")
    for _, i in ipairs({ 1, 2, 4, 5, 6 }) do T.near(v[i], r[i], 1e-5, what .. " " .. name .. " " .. i) end
  end
end

T.test("LinearModel:augment and GLM:augment as broom's, NA for the omitted row (R lm, glm with na.exclude)", function()
  local df = data.frame({ "y", "x", "g" }, { { 1.0, 3, 2, 5, 4, 7 }, { 1.0, 2, nil, 4, 5, 6, n = 6 }, { 0, 1, 0, 0, 1, 1 } })
  local a = stats.lm(df, "y ~ x"):augment(df)
  T.eq(a:nrow(), 6); T.eq(a:ncol(), 8)
  same_columns(a, lm_ref, "lm")
  same_columns(stats.glm(df, "g ~ x", { family = "binomial" }):augment(df), glm_ref, "glm")
  T.raises(function() stats.lm(df, "y ~ x"):augment(df:slice(1, 5)) end,
    "LinearModel:augment: argument 'df' has 5 rows but the model was fitted on 6")
end)

T.test("DataFrame:augment: a Matrix (a t-SNE embedding) or an array beside the rows", function()
  local df = small()
  local Y = mat.from({ { 1, 2 }, { 3, 4 }, { 5, 6 }, { 7, 8 }, { 9, 10 } })
  local a = df:augment(Y, ".tSNE")
  T.eq(table.concat(a:names(), " "), "x y g .tSNE1 .tSNE2")
  local v = a:col(".tSNE2"):totable()
  T.eq(v[1], 2); T.ok(v[3] == nil); T.eq(v[4], 6); T.eq(v[6], 10)
  T.eq(df:augment({ 1, 2, 3, 4, 5, 6 }, "z"):col("z"):totable()[6], 6)
  T.eq(df:augment(mat.from({ { 1 }, { 2 }, { 3 }, { 4 }, { 5 } }), "s"):names()[4], "s")
  T.raises(function() df:augment({ 1, 2 }, "z") end, "DataFrame:augment: argument 'df' has 6 rows (5 without NA)")
  T.raises(function() df:augment(42, "z") end, "DataFrame:augment: argument 'values' must be")
  T.raises(function() df:augment({ 1 }) end, "DataFrame:augment: argument 'name' must be a string")
  local X = data.frame({ "a", "b" }, { { 0.1, 0.5, 0.9, 1.4, 2.2, 2.8, 3.1, 3.9, 4.4, 5.0, 5.2, 6.1 },
    { 1.0, 0.2, 1.7, 0.3, 2.5, 1.1, 3.3, 0.8, 2.9, nil, 4.1, 3.6, n = 12 } })
  local E = stats.tsne(X, { na = "omit", perplexity = 2, seed = 1, dims = 2 })
  local t = X:augment(E, ".tSNE"):col(".tSNE1"):totable()
  T.ok(t[10] == nil and t[11] == E:get(10, 1) and t[9] == E:get(9, 1), "row 10 is NA, the others line up")
end)

local function air()
  local df = data.read_csv("datasets/AirPassengers.csv")
  return ts.series(df:col("passengers"), { start = { 1949, 1 }, freq = 12 })
end

T.test("forecast frame: dates and intervals of the airline model (R as.data.frame(forecast(arima(...))))", function()
  local fit = ts.arima(ts.log(air()), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, method = "ML" })
  local f = fit:forecast(12):frame()
  local names = table.concat(f:names(), " ")
  T.eq(names, "date mean lo80 hi80 lo95 hi95")
  T.eq(f:col("date"):type(), "date")
  local d = f:col("date"):totable()
  T.eq(f:nrow(), 12)
  -- days since 1970-01-01: as.numeric(as.Date(c("1961-01-01", "1961-12-01"))) in R
  T.eq(d[1], -3287); T.eq(d[12], -2953)
  local lo80, hi95, mean = f:col("lo80"):totable(), f:col("hi95"):totable(), f:col("mean"):totable()
  T.near(mean[1], 6.110186, 1e-4); T.near(mean[12], 6.168025, 1e-4)
  T.near(lo80[1], 6.063133, 1e-4); T.near(lo80[12], 6.063488, 1e-4)
  T.near(hi95[1], 6.182147, 1e-4); T.near(hi95[12], 6.327901, 1e-4)
end)

T.test("forecast frame: quarterly dates and one level (R predict(arima(q, c(1,0,0))), pred -/+ qnorm(0.975) se)", function()
  local q = ts.series({ 1, 3, 2, 5, 4, 6, 5, 8, 7, 9, 8, 11 }, { start = { 2001, 3 }, freq = 4 })
  local f = ts.arima(q, { order = { 1, 0, 0 } }):forecast(3, { level = 95 }):frame()
  T.eq(table.concat(f:names(), " "), "date mean lo95 hi95")
  -- as.numeric(as.Date(c("2004-07-01", "2004-10-01", "2005-01-01"))) in R
  local s = f:col("date"):totable()
  T.eq(s[1], 12600); T.eq(s[2], 12692); T.eq(s[3], 12784)
  local mean, lo, hi = f:col("mean"):totable(), f:col("lo95"):totable(), f:col("hi95"):totable()
  local rm, rlo, rhi = { 10.168652, 9.471920, 8.888005 }, { 6.321022, 4.451726, 3.186632 }, { 14.016283, 14.492114, 14.589379 }
  for i = 1, 3 do
    T.near(mean[i], rm[i], 2e-3, "mean " .. i)
    T.near(lo[i], rlo[i], 2e-3, "lo95 " .. i); T.near(hi[i], rhi[i], 2e-3, "hi95 " .. i)
  end
  -- a plain vector: a step column h
  local g = ts.arima({ 1, 3, 2, 5, 4, 6, 5, 8, 7, 9 }, { order = { 1, 0, 0 } }):forecast(2):frame()
  T.eq(g:names()[1], "h")
end)

T.done()
