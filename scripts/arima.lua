-- scripts/arima.lua - exercise 4.3: the Box-Jenkins method on AirPassengers.
-- Descriptive statistics, decomposition, ACF/PACF, unit-root tests, log and
-- differencing, the course's 36-model SARIMA grid fitted on 1949-1959 with
-- the exact likelihood, diagnostics, the 1960 forecast with its accuracy,
-- and a 12-month forecast from all the data.
-- Run: build/mlsh scripts/arima.lua
-- Charts come from the plot module when it is present; tables always print.
local root = mlsh.root or "."
local has_plot = plot and plot.line

local function section(title) print("\n" .. string.rep("=", 72) .. "\n" .. title .. "\n" .. string.rep("=", 72)) end
local function show(chart_fn, ...)
  if not has_plot or not chart_fn then return end
  local ok, c = pcall(chart_fn, ...)
  if ok and c then print(c) elseif not ok then print("(chart skipped: " .. tostring(c) .. ")") end
end

-- A forecast as plain arrays, the form plot.forecast takes.
local function plain(fc)
  local out = { mean = fc.mean.values, level = fc.level, lower = {}, upper = {} }
  for _, l in ipairs(fc.level) do out.lower[l] = fc.lower[l].values; out.upper[l] = fc.upper[l].values end
  return out
end

local function correlograms(y, lag, what)
  local a, p = ts.acf(y, { lag = lag }), ts.pacf(y, { lag = lag })
  if has_plot and plot.acf then
    show(plot.acf, a.values, { band = a.band, lag0 = false, title = "ACF of " .. what })
    show(plot.acf, p.values, { band = p.band, lag0 = false, title = "PACF of " .. what, ylabel = "PACF" })
  else
    print(a); print(p)
  end
end

local function tests(y, what)
  print("Unit-root and stationarity tests on " .. what .. ":")
  print("  " .. tostring(ts.adf(y)))
  print("  " .. tostring(ts.kpss(y)))
end

local df = data.read_csv(root .. "/datasets/AirPassengers.csv")
local y = ts.series(df:col("passengers"), { start = { 1949, 1 }, freq = 12 })

section("1. The series: monthly airline passengers (thousands), 1949-1960")
print(y)
print(ts.describe(y))
show(plot.line, y.values:totable(), { title = "AirPassengers", xlabel = "month (1 = 1949-01)", ylabel = "thousands" })

section("2. Multiplicative decomposition (moving average, as R's decompose)")
local dc = ts.decompose(y, { type = "multiplicative" })
local rows = {}
for m = 1, 12 do rows[m] = { ({ "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" })[m], string.format("%.4f", dc.figure[m]) } end
print(data.text_table({ "month", "seasonal index" }, rows, { false, true }))
print("The seasonal swing grows with the level (multiplicative): a log transform makes it additive.")
-- STL on the log scale lets the seasonal shape drift from year to year (R's stl, robust to outliers).
local stl = ts.stl(ts.log(y), { s_window = 7, robust = true })
print(stl)
print(string.format("STL seasonal swing (log scale): %.3f in 1949, %.3f in 1960",
  stl.seasonal.values:slice(1, 12):max() - stl.seasonal.values:slice(1, 12):min(),
  stl.seasonal.values:slice(133, 144):max() - stl.seasonal.values:slice(133, 144):min()))
if has_plot then
  local tr = {}
  for i = 1, #y do tr[i] = dc.trend.values[i] end
  show(plot.line, { y.values:totable(), tr }, { names = { "observed", "trend" }, title = "Trend (2x12 moving average)" })
end

section("3. ACF / PACF and tests on the raw series")
correlograms(y, 36, "the raw series")
tests(y, "the raw series")

section("4. log, d = 1, D = 1: the series becomes stationary")
local ly = ts.log(y)
local w = ts.diff(ts.diff(ly), { lag = 12 })
tests(w, "diff(diff(log y), lag 12)")
correlograms(w, 36, "diff(diff(log y), lag 12)")
print("Spikes at lag 1 and lag 12 in the ACF suggest MA(1) and seasonal MA(1): the airline model.")

section("5. The course's grid on 1949-1959: (p,1,q)(P,1,Q)[12], p,q in 0..2, P,Q in 0..1, exact ML")
local train, test = ly:window(1, 132), y:window(133, 144)
local fits = {}
for p = 0, 2 do for q = 0, 2 do for P = 0, 1 do for Q = 0, 1 do
  local ok, f = pcall(ts.arima, train, { order = { p, 1, q }, seasonal = { P, 1, Q }, method = "ML" })
  if ok then fits[#fits + 1] = f else print("  failed: " .. tostring(f)) end
end end end end
table.sort(fits, function(a, b) return a.aic < b.aic end)
rows = {}
for i, f in ipairs(fits) do
  rows[i] = { tostring(i), ts.model_name(f), string.format("%.4f", f.aic), string.format("%.4f", f.aicc), string.format("%.4f", f.loglik) }
end
print(data.text_table({ "rank", "model", "AIC", "AICc", "loglik" }, rows, { true, false, true, true, true }))
local best = fits[1]

section("6. The best model: " .. ts.model_name(best))
best:summary()
best:diagnostics()

section("7. Forecast of 1960 from 1949-1959, back-transformed with exp()")
local fc = best:forecast(12, { level = { 80, 95 }, lambda = 0 })
print(fc)
local acc = ts.accuracy(fc, test, { train = y:window(1, 132) })
print("accuracy on 1960: " .. tostring(acc))
show(plot.forecast, y:window(1, 132), plain(fc), { start = 1949, frequency = 12, title = "1960 forecast vs data" })

-- The course's pick, for comparison.
local course = ts.arima(train, { order = { 1, 1, 0 }, seasonal = { 0, 1, 0 }, method = "ML" })
local acc_c = ts.accuracy(course:forecast(12, { lambda = 0 }), test, { train = y:window(1, 132) })
rows = {
  { ts.model_name(best), string.format("%.4f", best.aic), string.format("%.3f %%", acc.mape), string.format("%.2f", acc.rmse) },
  { ts.model_name(course) .. " (course)", string.format("%.4f", course.aic), string.format("%.3f %%", acc_c.mape), string.format("%.2f", acc_c.rmse) },
}
print(data.text_table({ "model", "AIC (exact ML)", "1960 MAPE", "RMSE" }, rows, { false, true, true, true }))
print([[
The course chose (1,1,0)(0,1,0)[12] (reported AIC -445.41, MAPE 7.41 %) with a library whose
likelihood did not enforce stationarity/invertibility and started the filter diffusely, so its
AICs were not comparable across models with different seasonal parts. With R's exact likelihood
(state-space Kalman filter, Gardner et al. initial covariance) the airline model
(0,1,1)(0,1,1)[12] has the lowest AIC (-441.26) and its 1960 MAPE (2.9 %) is less than half
of the course's pick (7.4 %): the seasonal MA term captures the slowly changing seasonal pattern.]])

section("8. Refit on all 144 months and forecast 1961 with 95 % intervals")
local final = ts.arima(ly, { order = { best.order[1], 1, best.order[3] }, seasonal = { best.seasonal[1], 1, best.seasonal[3] }, method = "ML" })
print(final)
local f61 = final:forecast(12, { level = 95, lambda = 0 })
print(f61)
show(plot.forecast, y, plain(f61), { start = 1949, frequency = 12, title = "AirPassengers: 1961 forecast (95 %)" })

section("9. Automatic search (Hyndman-Khandakar stepwise, AICc) for comparison")
local auto = ts.auto_arima(ly)
print(auto)
