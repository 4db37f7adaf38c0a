-- test/lua/test_ts.lua - the ts module against reference values.
-- Sources: R 4.2.2 (stats::arima, predict, acf, pacf, Box.test, decompose) on
-- R's own datasets (lh, presidents, LakeHuron, USAccDeaths, AirPassengers; the
-- examples of ?arima), ../shared/reference/arima/README.md (R 4.2.2), and
-- statsmodels 0.13 (adfuller, kpss) for the unit-root tests; stl from R 4.2.2
-- (each test names its call).
local T = dofile("test/lua/harness.lua")

local lh = { 2.4, 2.4, 2.4, 2.2, 2.1, 1.5, 2.3, 2.3, 2.5, 2.0, 1.9, 1.7, 2.2, 1.8, 3.2, 3.2, 2.7, 2.2, 2.2, 1.9,
  1.9, 1.8, 2.7, 3.0, 2.3, 2.0, 2.0, 2.9, 2.9, 2.7, 2.7, 2.3, 2.6, 2.4, 1.8, 1.7, 1.5, 1.4, 2.1, 3.3, 3.5, 3.5,
  3.1, 2.6, 2.1, 3.4, 3.0, 2.9 }
local NA = 0 / 0
local presidents = { NA, 87, 82, 75, 63, 50, 43, 32, 35, 60, 54, 55, 36, 39, NA, NA, 69, 57, 57, 51, 45, 37, 46,
  39, 36, 24, 32, 23, 25, 32, NA, 32, 59, 74, 75, 60, 71, 61, 71, 57, 71, 68, 79, 73, 76, 71, 67, 75, 79, 62, 63,
  57, 60, 49, 48, 52, 57, 62, 61, 66, 71, 62, 61, 57, 72, 83, 71, 78, 79, 71, 62, 74, 76, 64, 62, 57, 80, 73, 69,
  69, 71, 64, 69, 62, 63, 46, 56, 44, 44, 52, 38, 46, 36, 49, 35, 44, 59, 65, 65, 56, 66, 53, 61, 52, 51, 48, 54,
  49, 49, 61, NA, NA, 68, 44, 40, 27, 28, 25, 24, 24 }
local huron = { 580.38, 581.86, 580.97, 580.8, 579.79, 580.39, 580.42, 580.82, 581.4, 581.32, 581.44, 581.68,
  581.17, 580.53, 580.01, 579.91, 579.14, 579.16, 579.55, 579.67, 578.44, 578.24, 579.1, 579.09, 579.35, 578.82,
  579.32, 579.01, 579, 579.8, 579.83, 579.72, 579.89, 580.01, 579.37, 578.69, 578.19, 578.67, 579.55, 578.92,
  578.09, 579.37, 580.13, 580.14, 579.51, 579.24, 578.66, 578.86, 578.05, 577.79, 576.75, 576.75, 577.82, 578.64,
  580.58, 579.48, 577.38, 576.9, 576.94, 576.24, 576.84, 576.85, 576.9, 577.79, 578.18, 577.51, 577.23, 578.42,
  579.61, 579.05, 579.26, 579.22, 579.38, 579.1, 577.95, 578.12, 579.75, 580.85, 580.41, 579.96, 579.61, 578.76,
  578.18, 577.21, 577.13, 579.1, 578.25, 577.91, 576.89, 575.96, 576.8, 577.68, 578.38, 578.52, 579.74, 579.31,
  579.89, 579.96 }
local usacc = { 9007, 8106, 8928, 9137, 10017, 10826, 11317, 10744, 9713, 9938, 9161, 8927, 7750, 6981, 8038,
  8422, 8714, 9512, 10120, 9823, 8743, 9129, 8710, 8680, 8162, 7306, 8124, 7870, 9387, 9556, 10093, 9620, 8285,
  8466, 8160, 8034, 7717, 7461, 7767, 7925, 8623, 8945, 10078, 9179, 8037, 8488, 7874, 8647, 7792, 6957, 7726,
  8106, 8890, 9299, 10625, 9302, 8314, 8850, 8265, 8796, 7836, 6892, 7791, 8192, 9115, 9434, 10484, 9827, 9110,
  9070, 8633, 9240 }

local function air()
  local df = data.read_csv("datasets/AirPassengers.csv")
  return ts.series(df:col("passengers"), { start = { 1949, 1 }, freq = 12 })
end

-- ---- ARIMA against R ----------------------------------------------------------
T.test("airline model on log AirPassengers (R 4.2.2, shared reference)", function()
  local fit = ts.arima(ts.log(air()), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, method = "ML" })
  T.near(fit.coef.ma1, -0.401827, 1e-4, "ma1")
  T.near(fit.coef.sma1, -0.556947, 1e-4, "sma1")
  T.near(fit.se.ma1, 0.089644, 1e-4, "se ma1")
  T.near(fit.se.sma1, 0.073099, 1e-4, "se sma1")
  T.rel(fit.sigma2, 0.00134803, 1e-4, "sigma2")
  T.near(fit.loglik, 244.6995, 1e-3, "loglik")
  T.near(fit.aic, -483.3991, 1e-3, "aic")
  local fc = fit:forecast(12)
  local mean = { 6.110186, 6.053775, 6.171715, 6.199300, 6.232556, 6.368779, 6.507294, 6.502906, 6.324698, 6.209008, 6.063487, 6.168025 }
  local se = { 0.036716, 0.042783, 0.048091, 0.052868, 0.057249, 0.061317, 0.065131, 0.068734, 0.072158, 0.075426, 0.078559, 0.081571 }
  for i = 1, 12 do
    T.near(fc.mean.values[i], mean[i], 1e-4, "forecast " .. i)
    T.near(fc.se.values[i], se[i], 1e-4, "se " .. i)
  end
  T.eq(fc.mean.start[1], 1961); T.eq(fc.mean.start[2], 1)
  local bt = fit:forecast(12, { lambda = 0 })
  T.near(bt.mean.values[1], 450.422, 0.05, "exp forecast")
  T.near(bt.mean.values[12], 477.243, 0.05, "exp forecast 12")
end)

T.test("the repository's AirPassengers equals the shared reference data", function()
  local path = T.shared("reference/arima/airpassengers.csv")
  if not path then T.skip("../shared/reference/arima not found (set MLSH_SHARED)") end
  local ref = data.read_csv(path):col("passengers")
  local y = air()
  T.eq(#ref, 144)
  for i = 1, 144 do T.eq(ref[i], y.values[i], "month " .. i) end
end)

T.test("ARIMA(2,1,2) on the peer harness's 10,000-point series (R 4.2.2, shared/bench/peers/RESULTS.md)", function()
  local path = (os.getenv("PEERDATA") or "/tmp/peerdata") .. "/arima212_10000.f64"
  local f = io.open(path, "rb")
  if not f then T.skip(path .. " not found (generate it with ../shared/bench/peers/gen_data.py)") end
  f:close()
  local x = mat.read_raw(path, 10000, 1, { dtype = "f64" })
  local fit = ts.arima(x, { order = { 2, 1, 2 } })
  T.near(fit.loglik, -14262.5656, 1e-3, "loglik CSS-ML")
  T.near(fit.coef.ar1, 0.489564, 1e-4); T.near(fit.coef.ar2, -0.310920, 1e-4)
  T.near(fit.coef.ma1, 0.418754, 1e-4); T.near(fit.coef.ma2, 0.221258, 1e-4)
  T.near(fit.sigma2, 1.014938, 1e-5)
  local ml = ts.arima(x, { order = { 2, 1, 2 }, method = "ML" })
  T.near(ml.loglik, -14262.5656, 1e-3, "loglik ML")
  T.near(ml.coef.ar1, 0.489757, 1e-4); T.near(ml.coef.ma2, 0.221153, 1e-4)
end)

T.test("the course's grid: exact ML picks the airline model (R 4.2.2, shared reference)", function()
  local ly = ts.log(air())
  local train = ly:window(1, 132)
  local fit = ts.arima(train, { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, method = "ML" })
  T.near(fit.aic, -441.2594, 1e-3, "aic airline")
  T.near(fit.coef.ma1, -0.3484246593, 1e-4)
  local course = ts.arima(train, { order = { 1, 1, 0 }, seasonal = { 0, 1, 0 }, method = "ML" })
  T.near(course.aic, -409.6225819958, 1e-3, "aic course")
  T.near(course.coef.ar1, -0.3167908128, 1e-4)
  local fc = fit:forecast(12, { lambda = 0 })
  local acc = ts.accuracy(fc, air():window(133, 144))
  T.near(acc.mape, 2.905, 0.001, "MAPE")
  T.near(acc.rmse, 18.59, 0.01, "RMSE")
  local fc2 = course:forecast(12, { lambda = 0 })
  T.near(ts.accuracy(fc2, air():window(133, 144)).mape, 7.416, 0.001, "course MAPE")
end)

T.test("ARIMA(2,1,2)(1,1,1)[12] on the 1949-1959 logs (R 4.2.2)", function()
  local train = ts.log(air()):window(1, 132)
  local fit = ts.arima(train, { order = { 2, 1, 2 }, seasonal = { 1, 1, 1 }, method = "ML" })
  T.near(fit.aic, -436.96616190574, 2e-3, "aic")
end)

T.test("AR(1) with mean on lh (R 4.2.2 ?arima example)", function()
  local fit = ts.arima(lh, { order = { 1, 0, 0 } })
  T.near(fit.coef.ar1, 0.5739296014, 1e-4)
  T.near(fit.coef.intercept, 2.4132879577, 1e-4)
  T.near(fit.se.ar1, 0.1161393285, 1e-4)
  T.near(fit.se.intercept, 0.1466134857, 1e-4)
  T.near(fit.loglik, -29.3791623874, 1e-3)
  T.near(fit.aic, 64.7583247747, 1e-3)
  T.rel(fit.sigma2, 0.1974895149, 1e-4)
end)

T.test("AR(3) by CSS on lh (R 4.2.2)", function()
  local fit = ts.arima(lh, { order = { 3, 0, 0 }, method = "CSS" })
  T.near(fit.coef.ar1, 0.65782335362, 1e-4)
  T.near(fit.coef.ar2, -0.06581276688, 1e-4)
  T.near(fit.coef.ar3, -0.23483584389, 1e-4)
  T.near(fit.coef.intercept, 2.39181936733, 1e-4)
  T.near(fit.se.ar1, 0.14140830005, 1e-4)
  T.near(fit.loglik, -28.3106985711, 1e-3)
  T.rel(fit.sigma2, 0.1904692288, 1e-4)
  T.ok(fit.aic ~= fit.aic, "no AIC for CSS")
end)

T.test("ARMA(1,1) on lh and its forecasts (R 4.2.2)", function()
  local fit = ts.arima(lh, { order = { 1, 0, 1 } })
  T.near(fit.coef.ar1, 0.4522020220, 1e-4)
  T.near(fit.coef.ma1, 0.1981673266, 1e-4)
  T.near(fit.coef.intercept, 2.4100596105, 1e-4)
  T.near(fit.se.ma1, 0.1705199723, 1e-4)
  T.near(fit.loglik, -28.7620332052, 1e-3)
  local fc = fit:forecast(3)
  local m, s = { 2.679610920, 2.531951258, 2.465179260 }, { 0.4385340742, 0.5231217606, 0.5387858475 }
  for i = 1, 3 do T.near(fc.mean[i], m[i], 1e-4); T.near(fc.se[i], s[i], 1e-4) end
end)

T.test("SARIMA on USAccDeaths (R 4.2.2 ?arima example)", function()
  local y = ts.series(usacc, { start = { 1973, 1 }, freq = 12 })
  local fit = ts.arima(y, { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 } })
  T.near(fit.coef.ma1, -0.4302692362, 1e-4)
  T.near(fit.coef.sma1, -0.5527912702, 1e-4)
  T.near(fit.loglik, -425.4399936, 1e-3)
  T.rel(fit.sigma2, 99346.8899301, 1e-4)
end)

T.test("regression with AR(2) errors on LakeHuron (R 4.2.2 ?arima example)", function()
  local X = mat.zeros(#huron, 1)
  for i = 1, #huron do X[i] = (1875 + i - 1) - 1920 end
  local fit = ts.arima(huron, { order = { 2, 0, 0 }, xreg = X })
  T.near(fit.coef.ar1, 1.00480374416, 1e-4)
  T.near(fit.coef.ar2, -0.29131982222, 1e-4)
  T.near(fit.coef.intercept, 579.09934482083, 1e-3)
  T.near(fit.coef.xreg, -0.02156882822, 1e-5)
  T.near(fit.se.ar1, 0.097611185426, 1e-4)
  T.near(fit.se.xreg, 0.008098811042, 1e-5)
  T.near(fit.loglik, -101.1982673216, 1e-3)
  local fit2 = ts.arima(huron, { order = { 2, 0, 0 }, xreg = X, transform_pars = false })
  T.near(fit2.loglik, -101.1982672, 1e-3)
  local fc = fit:forecast(2, { xreg = { 78, 79 } })
  T.ok(fc.mean[1] == fc.mean[1], "forecast with future xreg")
  T.raises(function() fit:forecast(2) end, "newxreg must be 2 x 1")
end)

T.test("intercept and drift (rotated regressors) on LakeHuron (R 4.2.2, xreg = 1:98)", function()
  local fit = ts.arima(huron, { order = { 2, 0, 0 }, drift = true })
  T.near(fit.coef.ar1, 1.00480374415, 1e-4)
  T.near(fit.coef.intercept, 580.09151091879, 1e-3)
  T.near(fit.coef.drift, -0.02156882822, 1e-5)
  T.near(fit.se.intercept, 0.463588121921, 1e-4)
  T.near(fit.se.drift, 0.008098790281, 1e-5)
  T.near(fit.loglik, -101.1982673, 1e-3)
end)

T.test("two regressors with gaps on presidents (R 4.2.2, xreg = cbind(1:120, sin(1:120)))", function()
  local X, NX = mat.zeros(120, 2), mat.zeros(2, 2)
  for i = 1, 120 do X:set(i, 1, i); X:set(i, 2, math.sin(i)) end
  for i = 1, 2 do NX:set(i, 1, 120 + i); NX:set(i, 2, math.sin(120 + i)) end
  local fit = ts.arima(presidents, { order = { 1, 0, 0 }, xreg = X })
  T.near(fit.coef.ar1, 0.8276018846, 1e-4)
  T.near(fit.coef.intercept, 64.5857164490, 1e-3)
  T.near(fit.coef.xreg1, -0.1358760235, 1e-4)
  T.near(fit.coef.xreg2, -2.2200934952, 1e-3)
  T.near(fit.se.xreg2, 1.34259566456, 1e-3)
  T.near(fit.loglik, -414.9768246, 1e-3)
  local fc = fit:forecast(2, { xreg = NX })
  T.near(fc.mean[1], 26.89937740, 1e-3); T.near(fc.mean[2], 31.15414487, 1e-3)
end)

T.test("missing values: AR(1) on presidents (R 4.2.2 ?arima example)", function()
  local fit = ts.arima(ts.series(presidents, { start = { 1945, 1 }, freq = 4 }), { order = { 1, 0, 0 } })
  T.eq(fit.method, "ML", "CSS-ML falls back to ML with gaps")
  T.near(fit.coef.ar1, 0.8241648591, 1e-4)
  T.near(fit.coef.intercept, 56.1504816765, 1e-3)
  T.near(fit.se.ar1, 0.05546203318, 1e-4)
  T.near(fit.loglik, -416.89227329, 1e-3)
  local fc = fit:forecast(2)
  T.near(fc.mean[1], 29.65318447, 1e-3); T.near(fc.mean[2], 34.31234046, 1e-3)
  T.near(fc.se[1], 9.244920523, 1e-3); T.near(fc.se[2], 11.980103359, 1e-3)
  local f3 = ts.arima(presidents, { order = { 3, 0, 0 } })
  T.near(f3.loglik, -414.08193142, 1e-3)
  T.near(f3.coef.ar3, -0.1890315163, 1e-4)
  local ff = ts.arima(presidents, { order = { 1, 0, 0 }, fixed = { NA, 56 } })
  T.near(ff.coef.ar1, 0.8241808771, 1e-4)
  T.near(ff.aic, 837.78559584, 1e-3)
  T.ok(ff.fixed.intercept and not ff.fixed.ar1)
end)

T.test("drift term equals the mean of the differences for a random walk with drift", function()
  local v = {}
  local acc = 0
  for i = 1, 60 do acc = acc + 0.5 + math.sin(i * 1.7) * 0.3; v[i] = acc end
  local fit = ts.arima(v, { order = { 0, 1, 0 }, drift = true })
  T.near(fit.coef.drift, (v[60] - v[1]) / 59, 1e-6)
  local fc = fit:forecast(1)
  T.near(fc.mean[1], v[60] + fit.coef.drift, 1e-6)
end)

-- ---- series tools against R ------------------------------------------------------
T.test("acf, pacf and portmanteau tests on lh (R 4.2.2)", function()
  local a = ts.acf(lh, { lag = 5 })
  local ra = { 0.5755244755, 0.1818181818, -0.1447552448, -0.1748251748, -0.1496503497 }
  local rp = { 0.57552447552, -0.22340997286, -0.22694020165, 0.10276837701, -0.07593441965 }
  local p = ts.pacf(lh, { lag = 5 })
  for i = 1, 5 do T.near(a.values[i], ra[i], 1e-9); T.near(p.values[i], rp[i], 1e-9) end
  T.near(a.band, 1.96 / math.sqrt(48), 1e-12)
  local lb = ts.ljung_box(lh, { lag = 10, fitdf = 1 })
  T.near(lb.statistic, 25.35093, 1e-4); T.eq(lb.df, 9); T.near(lb.pvalue, 0.002606546, 1e-8)
  local bp = ts.box_pierce(lh, { lag = 10 })
  T.near(bp.statistic, 23.09481, 1e-4); T.near(bp.pvalue, 0.01040198, 1e-7)
end)

T.test("multiplicative decomposition of AirPassengers (R 4.2.2 decompose)", function()
  local d = ts.decompose(air(), { type = "multiplicative" })
  local fig = { 0.9102303674, 0.8836253207, 1.0073662876, 0.9759060123, 0.9813780275, 1.1127758267,
    1.2265555429, 1.2199109694, 1.0604919326, 0.9217572404, 0.8011780824, 0.8988243900 }
  for i = 1, 12 do T.near(d.figure[i], fig[i], 1e-9) end
  T.near(d.trend.values[7], 126.7916667, 1e-6)
  T.near(d.trend.values[9], 127.9583333, 1e-6)
  T.ok(d.trend.values[6] ~= d.trend.values[6], "NaN before the window")
  T.near(d.random.values[7], 0.9516643164, 1e-9)
end)

T.test("ADF and KPSS on log AirPassengers (statsmodels adfuller / kpss)", function()
  local ly = ts.log(air())
  local a = ts.adf(ly)
  T.near(a.statistic, -1.7170170891069683, 1e-9); T.near(a.pvalue, 0.4223667747703874, 1e-6); T.eq(a.lags, 13)
  T.near(a.critical["5%"], -2.8840418343195267, 1e-9)
  local ct = ts.adf(ly, { type = "ct" })
  T.near(ct.statistic, -2.147030308024152, 1e-9); T.near(ct.pvalue, 0.5196810243754181, 1e-6)
  T.near(ct.critical["1%"], -4.030152423759672, 1e-9)
  local nc = ts.adf(ly, { type = "n" })
  T.near(nc.statistic, 2.4832780176235123, 1e-9); T.near(nc.pvalue, 0.9979972814466732, 1e-6)
  local fixed = ts.adf(ly, { lags = 3, select = "none" })
  T.near(fixed.statistic, -1.6085906649046326, 1e-9); T.near(fixed.pvalue, 0.4792768389023241, 1e-6)
  local dd = ts.adf(ts.diff(ly))
  T.near(dd.statistic, -2.717130598388114, 1e-9); T.eq(dd.lags, 14)
  local k = ts.kpss(ly)
  T.near(k.statistic, 2.8286747955542046, 1e-9); T.eq(k.pvalue, 0.01); T.eq(k.lags, 4)
  local kt = ts.kpss(ly, { type = "trend", lags = 4 })
  T.near(kt.statistic, 0.11267293226016464, 1e-9); T.eq(kt.pvalue, 0.1)
end)

T.test("Jarque-Bera, describe, diff and Box-Cox", function()
  local jb = ts.jarque_bera(lh)
  local d = ts.describe(lh)
  T.near(jb.statistic, 48 / 6 * (d.skewness ^ 2 + d.kurtosis ^ 2 / 4), 1e-12)
  T.near(jb.pvalue, math.exp(-jb.statistic / 2), 1e-12)
  T.eq(d.n, 48); T.near(d.min, 1.4, 1e-12); T.near(d.max, 3.5, 1e-12); T.near(d.median, 2.3, 1e-12)
  local y = air()
  local dy = ts.diff(y, { lag = 12, differences = 1 })
  T.eq(#dy.values, 132); T.eq(dy.start[1], 1950); T.eq(dy.start[2], 1)
  T.eq(dy.values[1], 115 - 112)
  local bc = ts.boxcox(y, 0.5)
  T.near(bc.values[1], (math.sqrt(112) - 1) / 0.5, 1e-12)
  T.near(ts.boxcox(bc, 0.5, { inverse = true }).values[1], 112, 1e-9)
  T.near(ts.log(y).values[1], math.log(112), 1e-12)
end)

T.test("auto_arima: stepwise and grid on log AirPassengers", function()
  local ly = ts.log(air())
  local fit = ts.auto_arima(ly, { ic = "aic", trace = false })
  T.eq(fit.order[2], 1, "d by KPSS"); T.eq(fit.seasonal[2], 1, "D by seasonal strength")
  T.near(fit.aic, -483.3991, 1e-2, "airline model found")
  T.ok(#fit.candidates >= 4)
  local g = ts.auto_arima(ly:window(1, 132), { stepwise = false, ic = "aic", d = 1, D = 1, max_p = 2, max_q = 2,
    max_P = 1, max_Q = 1, max_order = 6, method = "ML", trace = false })
  T.eq(#g.candidates, 36, "the course's 36 models")
  T.eq(g.order[1], 0); T.eq(g.order[3], 1); T.eq(g.seasonal[1], 0); T.eq(g.seasonal[3], 1)
  T.near(g.aic, -441.2594, 1e-3)
end)

-- ---- auto_arima against forecast 8.20 (R 4.2.2) ----------------------------------
-- The series of test/data/auto_arima_series.csv (name,frequency,values), by name.
local function csv_values(name)
  for line in io.lines("test/data/auto_arima_series.csv") do
    if line:sub(1, 1) ~= "#" then
      local f = {}
      for tok in line:gmatch("[^,]+") do f[#f + 1] = tok end
      if f[1] == name then
        local v = {}
        for k = 3, #f do v[#v + 1] = tonumber(f[k]) end
        return v, math.max(1, math.floor(tonumber(f[2]) + 0.5))
      end
    end
  end
  error("no series " .. name)
end

local function csv_series(name)
  local v, freq = csv_values(name)
  return ts.series(v, { freq = freq })
end

-- fit's order, constant, aicc (relative 1e-6) and first forecasts against forecast's
local function same_as_forecast(fit, order, seasonal, constant, aicc, fc)
  for k = 1, 3 do T.eq(fit.order[k], order[k], "order " .. k); T.eq(fit.seasonal[k], seasonal[k], "seasonal " .. k) end
  T.eq(fit.coef.intercept ~= nil or fit.coef.drift ~= nil, constant, "constant")
  if aicc then T.rel(fit.aicc, aicc, 1e-6, "aicc") end
  local fm = fit:forecast(#fc).mean
  local m = fm.values or fm
  for k = 1, #fc do T.rel(m[k], fc[k], 1e-6, "forecast " .. k) end
end

T.test("auto_arima follows forecast's options (forecast 8.20)", function()
  -- p(auto.arima(lynx, allowmean = FALSE)), p printing arima.string, aicc, forecast(f, h = 3)$mean
  same_as_forecast(ts.auto_arima(csv_series("lynx"), { mean = false, trace = false }), { 1, 0, 1 }, { 0, 0, 0 }, false,
    1903.3451173665987, { 2984.0045104863366, 2240.2719978937016, 1681.9071844260263 })
  -- p(auto.arima(WWWusage, stationary = TRUE))
  same_as_forecast(ts.auto_arima(csv_series("WWWusage"), { stationary = true, trace = false }), { 2, 0, 2 }, { 0, 0, 0 },
    true, 526.47175445986602, { 216.51775814353036, 211.33712238217842, 205.18619853789303 })
  -- row("UKgas", auto.arima(UKgas, ic = "aic", stepwise = FALSE, approximation = TRUE), ...) of test_ts.c
  same_as_forecast(ts.auto_arima(csv_series("UKgas"), { approximation = true, stepwise = false, ic = "aic",
    trace = false }), { 3, 1, 1 }, { 0, 1, 1 }, false, 1025.7171152472511,
    { 1197.6803609400606, 675.75731671671201, 368.183659420867 })
end)

T.test("auto_arima: gaps, leading gaps and constant data as forecast", function()
  -- p(auto.arima(ts(c(NA, NA, Nile), start = 1869))): the leading gaps are dropped
  local v = { NA, NA }
  for _, x in ipairs((csv_values("Nile"))) do v[#v + 1] = x end
  local fit = ts.auto_arima(ts.series(v, { start = { 1869, 1 } }), { trace = false })
  same_as_forecast(fit, { 1, 1, 1 }, { 0, 0, 0 }, false, 1267.507395130986,
    { 816.18127593967711, 835.55961147314417, 840.48890523221667 })
  T.eq(fit:forecast(1).mean.start[1], 1971)
  -- p(auto.arima(presidents)): a leading gap, gaps inside, quarterly
  same_as_forecast(ts.auto_arima(ts.series(presidents, { start = { 1945, 1 }, freq = 4 }), { trace = false }),
    { 1, 0, 0 }, { 0, 0, 1 }, true, 839.34448536617128, { 29.356002445574568, 33.895349270566214, 37.273957700274458 })
  -- p(auto.arima(ts(rep(3, 20)))): ARIMA(0,0,0) with the mean fixed at 3
  local flat = {}
  for k = 1, 20 do flat[k] = 3 end
  local f0 = ts.auto_arima(flat, { trace = false })
  same_as_forecast(f0, { 0, 0, 0 }, { 0, 0, 0 }, true, nil, { 3, 3, 3 })
  T.eq(f0.coef.intercept, 3); T.eq(#f0.candidates, 0)
  -- p(auto.arima(ts(1:30 * 2 + 1))): d = 1 leaves a constant: drift fixed at 2
  local line = {}
  for k = 1, 30 do line[k] = 2 * k + 1 end
  local f1 = ts.auto_arima(line, { trace = false })
  same_as_forecast(f1, { 0, 1, 0 }, { 0, 0, 0 }, true, nil, { 63, 65, 67 })
  T.eq(f1.coef.drift, 2)
end)

-- ---- bad input -------------------------------------------------------------------
T.test("bad input gives clear errors", function()
  T.raises(function() ts.arima({ 1, 2, 3 }, { order = { 2, 0, 2 } }) end, "ts.arima: series too short")
  T.raises(function() ts.arima({ NA, NA, NA, NA }, { order = { 1, 0, 0 } }) end, "ts.arima: too few non-missing")
  T.raises(function() ts.arima(lh, { order = { 1.5, 0, 0 } }) end, "option 'order': element 1 must be a non-negative integer")
  T.raises(function() ts.arima(lh, { order = { -1, 0, 0 } }) end, "non-negative integer")
  T.raises(function() ts.arima(lh, { order = { 1, 0 } }) end, "option 'order' must be an array of 3")
  T.raises(function() ts.arima(lh, { seasonal = { 0, 1, 1 } }) end, "a seasonal order needs a period")
  T.raises(function() ts.arima(lh, { order = { 1, 0, 0 }, method = "OLS" }) end, "ts.arima")
  T.raises(function() ts.arima(lh, { order = { 1, 0, 0 }, bogus = 1 }) end, "unknown option 'bogus'")
  T.raises(function() ts.arima("x", {}) end, "ts.arima: argument 'y'")
  T.raises(function() ts.arima(lh, { order = { 1, 0, 0 }, fixed = { 1, 2, 3 } }) end, "option 'fixed' has 3 values")
  local const = {}
  for i = 1, 30 do const[i] = 5 end
  T.raises(function() ts.adf(const) end, "ts.adf: the series is constant")
  T.raises(function() ts.kpss(const) end, "ts.kpss: the series is constant")
  T.raises(function() ts.acf(const) end, "ts.acf: the series is constant")
  T.raises(function() ts.arima(const, { order = { 1, 0, 0 } }) end, "ts.arima: the series is constant")
  T.raises(function() ts.diff({ 1, 2 }, { lag = 2 }) end, "ts.diff: series too short")
  T.raises(function() ts.decompose(lh, { freq = 30 }) end, "ts.decompose: the series has no or less than 2 periods")
  T.raises(function() ts.adf(presidents) end, "ts.adf: the series has missing")
  T.raises(function() ts.ljung_box(lh, { lag = 5, fitdf = 5 }) end, "fitdf must be in 0..lag-1")
  T.raises(function() ts.accuracy({ 1, 2 }, { 1, 2, 3 }) end, "ts.accuracy: forecast and actual differ in length")
  T.raises(function() ts.series(lh, { freq = 0 }) end, "ts.series: option 'freq' must be an integer between 1 and 100000 (got 0)")
  T.raises(function() ts.arima(lh, { order = { 1, 0, 0 } }):forecast(0) end,
    "Arima:forecast: argument 'h' must be an integer between 1 and 100000 (got 0)")
  -- a non-stationary CSS start that the exact likelihood cannot leave
  local explode = {}
  for i = 1, 40 do explode[i] = 1.3 ^ i end
  T.raises(function() ts.arima(explode, { order = { 1, 0, 0 } }) end, "non-stationary AR part from CSS")
end)

T.test("singular Hessian: NaN standard errors with a warning, not a crash", function()
  -- under CSS a seasonal MA at lag 30 never reaches a 20-point series: its
  -- coefficient has no effect, so the Hessian is exactly singular
  local v = {}
  for i = 1, 20 do v[i] = math.sin(i * 0.9) + 0.1 * i end
  local fit = ts.arima(v, { order = { 1, 0, 0 }, seasonal = { 0, 0, 1 }, period = 30, method = "CSS" })
  T.ok(fit.se.sma1 ~= fit.se.sma1, "NaN s.e.")
  T.ok(fit.warning and fit.warning:find("standard errors are NaN", 1, true), "warning recorded")
  T.ok(tostring(fit):find("NaN", 1, true), "printed as NaN")
end)

T.test("pnorm and qnorm: R 4 values, both tails, bad input", function()
  T.rel(ts.pnorm(-1.96), 2.4997895148220428e-02, 1e-15)             -- R: pnorm(-1.96)
  T.rel(ts.pnorm(3, { lower_tail = false }), 1.3498980316300946e-03, 1e-15)
  T.rel(ts.pnorm(-10), 7.6198530241605269e-24, 1e-15)
  T.rel(ts.pnorm(12, { lower_tail = false }), 1.7764821120776790e-33, 1e-15)
  T.eq(ts.pnorm(-40), 0)
  T.near(ts.qnorm(0.975), 1.9599639845400536, 1e-14)                -- R: qnorm(0.975)
  T.raises(function() ts.pnorm("x") end, "ts.pnorm: argument 'q' must be a number")
  T.raises(function() ts.pnorm(1, { lower = false }) end, "ts.pnorm: unknown option 'lower'")
  T.raises(function() ts.qnorm(1.5) end, "ts.qnorm: argument 'p' must be a probability")
  -- the summary's Pr(>|z|) column is 2 P(Z > |z|) at full precision
  local fit = ts.arima(lh, { order = { 1, 0, 0 } })
  local z = fit.coef.ar1 / fit.se.ar1
  local text = fit:summary { print = false }
  T.ok(text:find(string.format("%.4g", 2 * ts.pnorm(-math.abs(z))), 1, true), text)
end)

T.test("printing: verdicts, summary, forecast tables", function()
  local fit = ts.arima(lh, { order = { 1, 0, 0 } })
  local s = tostring(fit)
  T.ok(s:find("ar1") and s:find("log likelihood = %-29.38"), s)
  T.ok(tostring(ts.adf(lh)):find("Augmented Dickey%-Fuller"))
  T.ok(tostring(ts.kpss(lh)):find("KPSS"))
  T.ok(ts.adf(ts.log(air())).verdict:find("cannot reject a unit root", 1, true))
  T.ok(tostring(fit:forecast(3)):find("lo 95"))
  T.ok(tostring(ts.acf(lh)):find("ACF"))
  T.ok(tostring(air()):find("Dec"))
end)

-- ---- STL against R ------------------------------------------------------------
local ukgas = { 160.1, 129.7, 84.8, 120.1, 160.1, 124.9, 84.8, 116.9, 169.7, 140.9, 89.7, 123.3, 187.3, 144.1,
  92.9, 120.1, 176.1, 147.3, 89.7, 123.3, 185.7, 155.3, 99.3, 131.3, 200.1, 161.7, 102.5, 136.1, 204.9, 176.1,
  112.1, 140.9, 227.3, 195.3, 115.3, 142.5, 244.9, 214.5, 118.5, 153.7, 244.9, 216.1, 188.9, 142.5, 301, 196.9,
  136.1, 267.3, 317, 230.5, 152.1, 336.2, 371.4, 240.1, 158.5, 355.4, 449.9, 286.6, 179.3, 403.4, 491.5, 321.8,
  177.7, 409.8, 593.9, 329.8, 176.1, 483.5, 584.3, 395.4, 187.3, 485.1, 669.2, 421, 216.1, 509.1, 827.7, 467.5,
  209.7, 542.7, 840.5, 414.6, 217.7, 670.8, 848.5, 437, 209.7, 701.2, 925.3, 443.4, 214.5, 683.6, 917.3, 515.5,
  224.1, 694.8, 989.4, 477.1, 233.7, 730, 1087, 534.7, 281.8, 787.6, 1163.9, 613.1, 347.4, 782.8 }

-- rows: { i, seasonal, trend, remainder, weight } of fit$time.series[i, ] and fit$weights[i];
-- sums: colSums(fit$time.series); win, deg, jump, inner, outer as the fit reports them.
local function check_stl(fit, rows, sums, settings)
  local tol = function(v) return 1e-12 * (1 + math.abs(v)) end
  for _, r in ipairs(rows) do
    local i = r[1]
    T.near(fit.seasonal[i], r[2], tol(r[2]), "seasonal " .. i)
    T.near(fit.trend[i], r[3], tol(r[3]), "trend " .. i)
    T.near(fit.remainder[i], r[4], tol(r[3]), "remainder " .. i)
    T.near(fit.weights[i], r[5], 1e-12, "weight " .. i)
  end
  local names = { "seasonal", "trend", "remainder" }
  for k, nm in ipairs(names) do
    local s = 0
    for i = 1, #fit.trend do s = s + fit[nm][i] end
    T.near(s, sums[k], tol(sums[2]), "sum of " .. nm)
  end
  local got = { fit.win.s, fit.win.t, fit.win.l, fit.deg.s, fit.deg.t, fit.deg.l,
                fit.jump.s, fit.jump.t, fit.jump.l, fit.inner, fit.outer }
  T.eq(table.concat(got, " "), settings, "settings")
end

T.test("stl periodic on USAccDeaths, an array with period = 12 (R 4.2.2)", function()
  -- stl(USAccDeaths, s.window = "periodic")
  local fit = ts.stl(usacc, { s_window = "periodic", period = 12 })
  check_stl(fit, { { 1, -819.87198191477353, 9934.5374556482529, -107.6654737334793, 1 },
                   { 36, -26.887093606505783, 8460.4117825480389, -399.52468894153299, 1 },
                   { 72, -26.887093606505783, 9072.2143836688447, 194.67270993766033, 1 } },
    { -0.00089042806457229062, 633391.26104651776, -598.26015608964008 }, "721 19 13 0 1 1 73 2 2 2 0")
  T.ok(fit.periodic and fit.period == 12)
  T.ok(mat.is(fit.trend) and mat.is(fit.weights))
end)

T.test("stl robust on log AirPassengers, a Series (R 4.2.2)", function()
  -- stl(log(AirPassengers), s.window = 7, robust = TRUE)
  local fit = ts.stl(ts.log(air()), { s_window = 7, robust = true })
  check_stl(fit, { { 1, -0.06892420127583522, 4.7972225864119666, -0.0097995138410373883, 0.94902126075830873 },
                   { 72, -0.10255732054696788, 5.5456759616379898, -0.0093966375367822152, 0.95617497109800753 },
                   { 144, -0.11767845757164984, 6.201423668816016, -0.015319623000255689, 0.89284005003945721 } },
    { 0.06001792834566505, 798.038427621447, -0.025107521203163508 }, "7 23 13 0 1 1 1 3 2 1 15")
  T.eq(fit.trend:time(1), "1949-01")
  T.eq(fit.seasonal.freq, 12)
  local text = tostring(fit)
  T.ok(text:find("STL decomposition, period 12: s_window 7, t_window 23", 1, true)
       and text:find("robust (15 outer passes)", 1, true) and text:find("1949-01", 1, true) and text:find("134 more", 1, true), text)
end)

T.test("stl on quarterly UKgas with windows and jumps given (R 4.2.2)", function()
  -- stl(UKgas, s.window = 7, t.window = 11, s.jump = 1, robust = TRUE)
  local y = ts.series(ukgas, { start = { 1960, 1 }, freq = 4 })
  local fit = ts.stl(y, { s_window = 7, t_window = 11, s_jump = 1, robust = true })
  check_stl(fit, { { 1, 41.599422644944774, 121.16069209659773, -2.6601147415425146, 0.97526397488807981 },
                   { 54, -37.384321678683222, 287.30821524692709, -9.8238935682438751, 0.69071534959582714 },
                   { 108, 103.94125044104001, 721.66615036133612, -42.807400802376151, 0 } },
    { -108.90068143396321, 36097.811698954712, 475.18898247925279 }, "7 11 5 0 1 1 1 2 1 1 15")
  T.eq(fit.trend:time(108), "1986 Q4")
end)

T.test("stl refuses bad input with the argument named", function()
  local y = ts.series(usacc, { freq = 12 })
  T.raises(function() ts.stl(y) end, "ts.stl: option 's_window' is required")
  T.raises(function() ts.stl(y, { s_window = 8 }) end, "ts.stl: s_window must be an odd integer >= 3 (got 8)")
  T.raises(function() ts.stl(y, { s_window = 1 }) end, "ts.stl: option 's_window' must be an odd integer >= 3 or \"periodic\" (got 1)")
  T.raises(function() ts.stl(y, { s_window = "weekly" }) end, "ts.stl: option 's_window' must be one of \"periodic\"")
  T.raises(function() ts.stl(y, { s_window = 7, t_window = 10 }) end, "ts.stl: t_window must be an odd integer >= 3 (got 10)")
  T.raises(function() ts.stl(y, { s_window = 7, l_window = 4 }) end, "ts.stl: l_window must be an odd integer")
  T.raises(function() ts.stl(y, { s_window = 7, t_degree = 2 }) end, "ts.stl: option 't_degree' must be an integer between 0 and 1 (got 2)")
  T.raises(function() ts.stl(usacc, { s_window = 7 }) end, "ts.stl: argument 'y' has no period")
  T.raises(function() ts.stl(y, { s_window = 7, period = 1 }) end, "ts.stl: option 'period' must be an integer between 2")
  T.raises(function() ts.stl(y:window(1, 24), { s_window = 7 }) end,
    "ts.stl: the series must be longer than two periods (n = 24, period 12)")
  local gap = {}
  for i = 1, 72 do gap[i] = usacc[i] end
  gap[30] = NA
  T.raises(function() ts.stl(gap, { s_window = 7, period = 12 }) end, "ts.stl: y[30] is missing (NaN)")
end)

T.done()
