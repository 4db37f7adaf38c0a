-- lua/mlsh/ts.lua - the Lua side of the ts module: printing of series,
-- test results, ACF tables and ARIMA fits (as R prints them), and the
-- fit:summary() / fit:diagnostics() reports.
local M, mlsh = ...
local mat, doc = mlsh.mat, mlsh.doc
local text_table = mlsh.data and mlsh.data.text_table

local function fmt(v, digits)
  if v == nil then return "" end
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "NaN" end
  return string.format("%." .. (digits or 4) .. "g", v)
end

local function tabulate(header, rows, right, opts)
  if text_table then return text_table(header, rows, right, opts) end
  local out = { table.concat(header, "  ") }
  for _, r in ipairs(rows) do out[#out + 1] = table.concat(r, "  ") end
  return table.concat(out, "\n")
end

-- Numbers (a Matrix or an array) with one format for all, as R prints a vector.
local function common_format(values) return mat.format(values) end

local function width() return mlsh.pretty and mlsh.pretty.width() or 80 end

local MONTHS = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" }

-- ---- Series ----------------------------------------------------------------
local Series = M._Series
local SeriesMethods = {}
Series.__index = SeriesMethods

-- Time label of observation i (1-based): "1949-01", "1949 Q2" or "t".
function SeriesMethods.time(s, i)
  local f = s.freq
  local t = s.start[1] * f + (s.start[2] - 1) + (i - 1)
  local y, p = t // f, t % f + 1
  if f == 12 then return string.format("%d-%02d", y, p) end
  if f == 4 then return string.format("%d Q%d", y, p) end
  if f == 1 then return tostring(y) end
  return string.format("%d:%d", y, p)
end

-- Observations i..j as a Series (1-based, inclusive).
function SeriesMethods.window(s, i, j)
  local n = #s.values
  j = j or n
  i, j = type(i) == "number" and math.tointeger(i), type(j) == "number" and math.tointeger(j)
  if not i or not j then error("Series:window: arguments 'i' and 'j' must be integers", 0) end
  if i < 1 or j > n or i > j then error(string.format("Series:window: range %d..%d outside 1..%d", i, j, n), 0) end
  local v = s.values:slice(i, j)
  local f = s.freq
  local t = s.start[1] * f + (s.start[2] - 1) + (i - 1)
  return M.series(v, { start = { t // f, t % f + 1 }, freq = f })
end

function SeriesMethods.totable(s) return s.values:totable() end

Series.__len = function(s) return #s.values end
Series.__index = function(s, k)
  if type(k) == "number" then return s.values[k] end
  return SeriesMethods[k]
end

-- Values to R's 7 significant digits, one format for the series (as
-- print.ts); monthly and quarterly ones one row per year, in blocks of
-- months that fit the terminal.
Series.__tostring = function(s)
  local n, f = #s.values, s.freq
  if f == 12 or f == 4 then    -- one row per year, as R prints monthly/quarterly series
    local header, rows, right = { "" }, {}, { false }
    for p = 1, f do header[p + 1] = f == 12 and MONTHS[p] or ("Q" .. p); right[p + 1] = true end
    local t0 = s.start[1] * f + (s.start[2] - 1)
    local y0, y1 = t0 // f, (t0 + n - 1) // f
    local more = 0
    if y1 - y0 + 1 > 40 then more = y1 - y0 + 1 - 40; y1 = y0 + 39 end
    local cells = common_format(s.values:slice(1, math.min(n, (y1 + 1) * f - t0)))
    for y = y0, y1 do
      local r = { tostring(y) }
      for p = 1, f do
        local i = y * f + (p - 1) - t0 + 1
        r[p + 1] = (i >= 1 and i <= n) and cells[i] or ""
      end
      rows[#rows + 1] = r
    end
    local out = tabulate(header, rows, right, { width = width() })
    if more > 0 then out = out .. "\n... " .. more .. " more years" end
    return out .. string.format("\n[Series n=%d freq=%d]", n, f)
  end
  local rows = {}
  local show = math.min(n, 20)
  local cells = n > 0 and common_format(s.values:slice(1, show)) or {}
  for i = 1, show do rows[i] = { s:time(i), cells[i] } end
  local out = tabulate({ "time", "value" }, rows, { false, true })
  if n > show then out = out .. "\n... " .. (n - show) .. " more" end
  return out .. string.format("\n[Series n=%d freq=%d]", n, f)
end

doc(SeriesMethods.window, "Series:window", "s:window(i [, j])",
  "Observations i..j (1-based, inclusive) as a Series with the matching start.\nExample: train = y:window(1, 132)")
doc(SeriesMethods.time, "Series:time", "s:time(i)",
  "Time label of observation i: \"1949-01\" (monthly), \"1949 Q1\" (quarterly), the year when freq = 1.\nExample: y:time(1)")

-- ---- test results, tables and forecasts --------------------------------------
local Result = M._Result

local function verdict(r)
  local p, sig = r.pvalue, r.pvalue < 0.05
  if r.kind == "adf" then
    return sig and "reject the unit root: stationary at 5 %" or "cannot reject a unit root: difference the series"
  elseif r.kind == "kpss" then
    return sig and "reject stationarity at 5 %: difference the series" or "cannot reject stationarity"
  elseif r.kind == "ljung_box" or r.kind == "box_pierce" then
    return sig and "autocorrelation remains at 5 %" or "no significant autocorrelation (white noise)"
  elseif r.kind == "jarque_bera" then
    return sig and "not normal at 5 %" or "normality not rejected"
  end
  return p < 0.05 and "significant at 5 %" or "not significant at 5 %"
end

local function bars(r)
  local lines = { string.format("%s (n=%d, band +/-%.3f)", r.kind == "pacf" and "PACF" or "ACF", r.n, r.band) }
  local width = 20
  for k = 1, #r.values do
    local v = r.values[k]
    local len = math.floor(math.abs(v) * width + 0.5)
    local bar = v >= 0 and (string.rep(" ", width) .. "|" .. string.rep("#", len)) or
                (string.rep(" ", width - len) .. string.rep("#", len) .. "|")
    lines[#lines + 1] = string.format("%4d %7.3f %-42s%s", k, v, bar, math.abs(v) > r.band and " *" or "")
  end
  return table.concat(lines, "\n")
end

-- ---- a forecast as a DataFrame ----

-- The first day of each of the h periods of s as "YYYY-MM-DD" (monthly,
-- quarterly, annual series with a start), or nil for the other series.
local function period_days(s, h)
  local f = s.freq
  if not (f == 12 or f == 4 or f == 1) or (s.start[1] == 1 and s.start[2] == 1) then return nil end
  local t0, out = s.start[1] * f + (s.start[2] - 1), { n = h }
  for i = 1, h do
    local t = t0 + i - 1
    local y, p = t // f, t % f
    if y < 1 or y > 9999 then return nil end
    out[i] = string.format("%04d-%02d-01", y, f == 12 and p + 1 or f == 4 and 3 * p + 1 or 1)
  end
  return out
end

-- The time column: dates, else R's time() (year + (period - 1) / freq), else 1..h.
local function time_column(mean, h)
  local days = mean.start and period_days(mean, h)
  if days then return "date", days end
  local out = { n = h }
  for i = 1, h do
    if mean.start then
      local f = mean.freq
      out[i] = mean.start[1] + (mean.start[2] - 1 + i - 1) / f
    else
      out[i] = i
    end
  end
  return mean.start and "time" or "h", out
end

local function values_of(x, h)
  local v, out = x.values or x, {}
  for i = 1, h do out[i] = v[i] end
  return out
end

local function forecast_frame(r)
  local tname, times = time_column(r.mean, r.h)
  local names, columns = { tname, "mean" }, { times, values_of(r.mean, r.h) }
  for _, l in ipairs(r.level) do
    names[#names + 1] = "lo" .. fmt(l, 6); columns[#columns + 1] = values_of(r.lower[l], r.h)
    names[#names + 1] = "hi" .. fmt(l, 6); columns[#columns + 1] = values_of(r.upper[l], r.h)
  end
  local df = mlsh.data.frame(names, columns)
  if tname == "date" then df = df:mutate { date = "as_date(date)" } end
  return df
end
doc(forecast_frame, "Forecast:frame", "fc:frame()",
  "The forecast as a DataFrame, one row per step: date (the first day of the month, quarter or year for a\n" ..
  "monthly, quarterly or annual series with a start; else time, R's time(), or h for a plain vector),\n" ..
  "mean, then lo80, hi80, lo95, hi95 (one pair per level), as forecast's as.data.frame(forecast(...)).\n" ..
  "With lambda the values are back-transformed, as fc.mean.\n" ..
  "Example: fit:forecast(12, {lambda = 0}):frame()")

-- r.verdict: the one-line conclusion of a test, as printed; fc:frame() for a forecast.
Result.__index = function(r, k)
  if k == "verdict" and rawget(r, "pvalue") and rawget(r, "method") then return verdict(r) end
  if k == "frame" and rawget(r, "kind") == "forecast" then return forecast_frame end
end

-- An STL fit: its settings, then the first rows of its components (as R's
-- print of an stl fit, shortened).
local function stl_table(r)
  local n = #r.trend
  local head = string.format("STL decomposition, period %d: s_window %s, t_window %d, l_window %d%s; %d values",
    r.period, r.periodic and "periodic" or tostring(r.win.s), r.win.t, r.win.l,
    r.outer > 0 and string.format(", robust (%d outer passes)", r.outer) or "", n)
  local columns = { common_format(r.seasonal.values or r.seasonal), common_format(r.trend.values or r.trend),
                    common_format(r.remainder.values or r.remainder) }
  local rows, show = {}, math.min(n, 10)
  for i = 1, show do
    rows[i] = { r.trend.time and r.trend:time(i) or tostring(i), columns[1][i], columns[2][i], columns[3][i] }
  end
  local out = head .. "\n" .. tabulate({ "", "seasonal", "trend", "remainder" }, rows, { false, true, true, true })
  if n > show then out = out .. "\n... " .. (n - show) .. " more" end
  return out
end

Result.__tostring = function(r)
  local k = r.kind
  if k == "stl" then return stl_table(r) end
  if k == "acf" or k == "pacf" then return bars(r) end
  if k == "describe" then
    local names = { "n", "missing", "min", "max", "mean", "median", "sd", "cv", "skewness", "kurtosis" }
    local rows = {}
    for _, nm in ipairs(names) do
      local v = r[nm]
      rows[#rows + 1] = { nm, type(v) == "number" and mat.format(v) or fmt(v) }
    end
    return tabulate({ "statistic", "value" }, rows, { false, true })
  end
  if k == "accuracy" then
    return string.format("ME %.4g  RMSE %.4g  MAE %.4g  MAPE %.3f %%  MASE %s  R^2 %.4f  (n=%d)",
      r.me, r.rmse, r.mae, r.mape, fmt(r.mase), r.r2, r.n)
  end
  if k == "forecast" then
    local header, right = { "h", "mean", "se" }, { true, true, true }
    for _, l in ipairs(r.level) do
      header[#header + 1] = "lo " .. fmt(l); header[#header + 1] = "hi " .. fmt(l)
      right[#right + 1] = true; right[#right + 1] = true
    end
    -- one format per column, as R prints the forecast table
    local columns = { common_format(r.mean.values or r.mean), common_format(r.se.values or r.se) }
    for _, l in ipairs(r.level) do
      columns[#columns + 1] = common_format(r.lower[l].values or r.lower[l])
      columns[#columns + 1] = common_format(r.upper[l].values or r.upper[l])
    end
    local rows = {}
    for i = 1, r.h do
      local row = { r.mean.time and r.mean:time(i) or tostring(i) }
      for k, c in ipairs(columns) do row[k + 1] = c[i] end
      rows[i] = row
    end
    return tabulate(header, rows, right, { width = width() })
  end
  local extra = ""
  if r.lags then extra = extra .. string.format(", lags %d", r.lags) end
  if r.df then extra = extra .. string.format(", df %d", r.df) end
  local p = string.format("%.4g", r.pvalue)
  if r.pvalue_bounded then p = (r.statistic > r.critical["1%"]) and "< 0.01" or "> 0.1" end
  return string.format("%s%s: statistic %.4f, p-value %s%s -> %s", r.method,
    r.type and (" (" .. r.type .. ")") or "", r.statistic, p, extra, verdict(r))
end

-- ---- ARIMA fits --------------------------------------------------------------
local Arima = M._Arima
local methods = Arima.__methods

-- Raises "fname: argument 'fit' must be an ARIMA fit (got T)" unless fit is one.
local function check_fit(fname, fit)
  if getmetatable(fit) ~= Arima then
    local mt = getmetatable(fit)
    local kind = type(mt) == "table" and type(mt.__name) == "string" and mt.__name or type(fit)
    error(string.format("%s: argument 'fit' must be an ARIMA fit from ts.arima (got %s)", fname, kind), 0)
  end
end

local function model_name(fit)
  check_fit("ts.model_name", fit)
  local o, s = fit.order, fit.seasonal
  local name = string.format("ARIMA(%d,%d,%d)", o[1], o[2], o[3])
  if s[1] + s[2] + s[3] > 0 then name = name .. string.format("(%d,%d,%d)[%d]", s[1], s[2], s[3], fit.period) end
  if fit.coef.drift then name = name .. " with drift" elseif fit.coef.intercept then name = name .. " with mean" end
  return name
end
M.model_name = doc(model_name, "ts.model_name", "ts.model_name(fit)",
  "The model's name as forecast prints it: \"ARIMA(0,1,1)(0,1,1)[12]\", with \" with mean\" or \" with drift\".\n" ..
  "Example: print(ts.model_name(fit))")

Arima.__tostring = function(fit)
  local lines = { model_name(fit) .. "  method " .. fit.method, "" }
  if #fit.names > 0 then
    local header, r1, r2, right = { "" }, { "coef" }, { "s.e." }, { false }
    for i, nm in ipairs(fit.names) do
      header[i + 1] = nm; right[i + 1] = true
      r1[i + 1] = string.format("%.4f", fit.coef[nm])
      local se = fit.se[nm]
      r2[i + 1] = fit.fixed[nm] and "fixed" or (se == se and string.format("%.4f", se) or "NaN")
    end
    lines[#lines + 1] = tabulate(header, { r1, r2 }, right)
    lines[#lines + 1] = ""
  end
  if fit.method == "CSS" then
    lines[#lines + 1] = string.format("sigma^2 estimated as %.6g:  part log likelihood = %.2f", fit.sigma2, fit.loglik)
  else
    lines[#lines + 1] = string.format("sigma^2 estimated as %.6g:  log likelihood = %.2f,  aic = %.2f", fit.sigma2, fit.loglik, fit.aic)
    lines[#lines + 1] = string.format("AIC=%.2f   AICc=%.2f   BIC=%.2f", fit.aic, fit.aicc, fit.bic)
  end
  if fit.warning then lines[#lines + 1] = "warning: " .. fit.warning end
  return table.concat(lines, "\n")
end

-- Two-sided normal p-value 2 P(Z > |z|).
local function pnorm2(z) return 2 * M.pnorm(math.abs(z), { lower_tail = false }) end

mlsh.declare_options("Arima:summary", { { "print", "bool", true, doc = "false: print nothing and return the text" } })

function methods.summary(fit, opts)
  check_fit("Arima:summary", fit)
  opts = mlsh.check_options("Arima:summary", opts)
  local rows = {}
  for _, nm in ipairs(fit.names) do
    local c, s = fit.coef[nm], fit.se[nm]
    local z = c / s
    rows[#rows + 1] = { nm, string.format("%.6f", c), fit.fixed[nm] and "fixed" or string.format("%.6f", s),
      (s == s) and string.format("%.3f", z) or "NaN", (s == s) and string.format("%.4g", pnorm2(z)) or "NaN" }
  end
  local out = { model_name(fit) .. "  (method " .. fit.method .. ", n = " .. fit.n .. ", used " .. fit.nobs .. ")", "" }
  if #rows > 0 then out[#out + 1] = tabulate({ "", "estimate", "s.e.", "z", "Pr(>|z|)" }, rows, { false, true, true, true, true }) end
  out[#out + 1] = ""
  out[#out + 1] = string.format("sigma^2 %.6g   log-likelihood %.4f", fit.sigma2, fit.loglik)
  out[#out + 1] = string.format("AIC %.4f   AICc %.4f   BIC %.4f", fit.aic, fit.aicc, fit.bic)
  if fit.warning then out[#out + 1] = "warning: " .. fit.warning end
  local text = table.concat(out, "\n")
  if not opts.print then return text end
  print(text)   -- and nothing back: the shell shows the report once
end

function methods.diagnostics(fit)
  check_fit("Arima:diagnostics", fit)
  local res = fit.residuals
  local v = res.values or res
  -- skip the first d + D*s residuals, which carry the diffuse start
  local skip = fit.order[2] + fit.seasonal[2] * fit.period
  local keep = {}
  for i = skip + 1, #v do keep[#keep + 1] = v[i] end
  local x = mat.from(keep)
  local fitdf = fit.narma
  local out = { tests = {} }
  local lines = { "Residual diagnostics for " .. model_name(fit) }
  for _, lag in ipairs({ 10, 20, 30 }) do
    if lag > fitdf and lag < #keep then
      local t = M.ljung_box(x, { lag = lag, fitdf = fitdf })
      out.tests["ljung_box_" .. lag] = t
      lines[#lines + 1] = "  lag " .. lag .. ": " .. tostring(t)
    end
  end
  local jb = M.jarque_bera(x)
  out.tests.jarque_bera = jb
  lines[#lines + 1] = "  " .. tostring(jb)
  local d = M.describe(x)
  out.mean, out.sd = d.mean, d.sd
  lines[#lines + 1] = string.format("  residual mean %.4g (sd %.4g, t = %.2f)", d.mean, d.sd, d.mean / (d.sd / math.sqrt(d.n)))
  out.text = table.concat(lines, "\n")
  print(out.text)
  return out
end

doc(methods.summary, "Arima:summary", "fit:summary([opts])",
  "Prints the coefficient table with standard errors, z values and two-sided normal p-values, sigma^2,\n" ..
  "log-likelihood, AIC, AICc and BIC, as R's coeftest/summary; returns nothing.\nExample: fit:summary()")
doc(methods.diagnostics, "Arima:diagnostics", "fit:diagnostics()",
  "Residual checks: Ljung-Box at lags 10, 20, 30 with fitdf = number of ARMA coefficients, Jarque-Bera,\n" ..
  "and the residual mean; the first d + D*period residuals (diffuse start) are skipped. Prints and returns\n" ..
  "{tests = {ljung_box_10=, ..., jarque_bera=}, mean, sd, text}.\nExample: fit:diagnostics()")
