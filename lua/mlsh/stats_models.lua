-- lua/mlsh/stats_models.lua - stats.lm and stats.glm on top of the C core
-- (stats._lm, stats._glm): fitted models with R's methods (summary, anova,
-- predict, confint) printed as R's summary.lm / summary.glm / anova, and
-- broom's tidy / glance for scripts.
local M, mlsh = ...
local mat, doc = mlsh.mat, mlsh.doc

local EPS = 2.220446049250313e-16

-- ---- R's number formats ----------------------------------------------------

local function fmt(x, digits) return mat.format(x, { digits = digits }) end

local function round(x, d)
  if x ~= x or x == math.huge or x == -math.huge then return x end
  local s = 10 ^ d
  return math.floor(x * s + 0.5) / s
end

local function finite(x) return x == x and x ~= math.huge and x ~= -math.huge end

-- formatC(x, digits = 4): "%5.4g", NaN as R writes it
local function formatc4(x) return x ~= x and "  NaN" or string.format("%5.4g", x) end

-- format.pval(pv, digits, eps = .Machine$double.eps) on an array (NaN -> "NA").
local function format_pval(pv, digits)
  local out, fixed, sci, small = {}, {}, {}, {}
  for i, p in ipairs(pv) do
    if p ~= p then out[i] = "NaN"
    elseif p < EPS then small[#small + 1] = i
    elseif p > 0 and (math.floor(math.log(p, 10)) >= -3 or (math.floor(math.log(p, 10)) == -4 and digits > 1)) then
      fixed[#fixed + 1] = i
    else sci[#sci + 1] = i end
  end
  local nc = 0
  for _, group in ipairs { fixed, sci } do
    if #group > 0 then
      local vals = {}
      for k, i in ipairs(group) do vals[k] = pv[i] end
      local cells = fmt(vals, digits)
      for k, i in ipairs(group) do out[i] = cells[k]; nc = math.max(nc, #cells[k]) end
    end
  end
  if #small > 0 then
    local d = math.max(1, digits - 2)
    local sep
    if #fixed + #sci > 0 then
      if d > 1 and d + 6 > nc then d = math.max(1, nc - 7) end
      sep = (d == 1 and nc <= 6) and "" or " "
    else
      sep = d == 1 and "" or " "
    end
    for _, i in ipairs(small) do out[i] = "<" .. sep .. fmt(EPS, d) end
  end
  return out
end

local function stars(p)
  if p ~= p then return "" end
  if p < 0.001 then return "***" elseif p < 0.01 then return "**" elseif p < 0.05 then return "*"
  elseif p < 0.1 then return "." end
  return " "
end

local function pad_left(s, w) return string.rep(" ", w - #s) .. s end
local function pad_right(s, w) return s .. string.rep(" ", w - #s) end

-- print.default of a character matrix: row names left, cells right-aligned.
local function char_matrix(rownames, header, cells)
  local rw = 0
  for _, r in ipairs(rownames) do rw = math.max(rw, #r) end
  local widths = {}
  for j, h in ipairs(header) do
    widths[j] = #h
    for i = 1, #rownames do widths[j] = math.max(widths[j], #cells[i][j]) end
  end
  local lines = {}
  local h = { string.rep(" ", rw) }
  for j, name in ipairs(header) do h[#h + 1] = pad_left(name, widths[j]) end
  lines[1] = table.concat(h, " ")
  for i, r in ipairs(rownames) do
    local row = { pad_right(r, rw) }
    for j = 1, #header do row[#row + 1] = pad_left(cells[i][j], widths[j]) end
    lines[#lines + 1] = table.concat(row, " ")
  end
  return lines
end

-- R's printCoefmat(digits = 4, signif.stars = TRUE) of a coefficient table.
local function coefmat(names, est, se, stat, pv, stat_name, p_name)
  local digits, dig_tst = 4, 3
  local amin
  for i = 1, #est do
    for _, v in ipairs { est[i], se[i] } do
      local a = math.abs(v)
      if finite(a) and a ~= 0 then amin = math.min(amin or a, a) end
    end
  end
  local digmin = amin and 1 + math.floor(math.log(amin, 10)) or 1
  local dec = math.max(1, digits - digmin)
  local cs, ok = {}, {}
  for i = 1, #est do
    if est[i] == est[i] then ok[#ok + 1] = i; cs[#cs + 1] = round(est[i], dec); cs[#cs + 1] = round(se[i], dec) end
  end
  local cells_cs = #cs > 0 and fmt(cs, digits) or {}
  local ts = {}
  for k, i in ipairs(ok) do ts[k] = round(stat[i], dig_tst) end
  local cells_t = #ts > 0 and fmt(ts, digits) or {}
  local okp = {}
  for k, i in ipairs(ok) do okp[k] = pv[i] end
  local cells_p = format_pval(okp, dig_tst)
  -- R shows the stars (and their legend) only when some p-value is below 0.1
  local rows, at, sw, any = {}, {}, 0, false
  for k, i in ipairs(ok) do at[i] = k; sw = math.max(sw, #stars(pv[i])); any = any or pv[i] < 0.1 end
  for i = 1, #est do
    local k = at[i]
    if k then
      local e, s = cells_cs[2 * k - 1], cells_cs[2 * k]
      -- a non-zero value shown as zero gets digits - 1 significant digits instead
      if tonumber(e) == 0 and est[i] ~= 0 then e = fmt(est[i], digits - 1) end
      if tonumber(s) == 0 and se[i] ~= 0 then s = fmt(se[i], digits - 1) end
      rows[i] = { e, s, cells_t[k], cells_p[k], any and pad_right(stars(pv[i]), sw) or nil }
    else
      rows[i] = { "NA", "NA", "NA", "NA", any and string.rep(" ", sw) or nil }
    end
  end
  local lines = char_matrix(names, { "Estimate", "Std. Error", stat_name, p_name, any and "" or nil }, rows)
  if not any then return lines end
  lines[#lines + 1] = "---"
  lines[#lines + 1] = "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 \u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1"
  return lines
end

-- zapsmall(x, digits)
local function zapsmall(x, digits)
  local mx = 0
  for _, v in ipairs(x) do if finite(v) then mx = math.max(mx, math.abs(v)) end end
  -- R 4.2: round(x, digits - log10(mx)), a fractional digits rounded to the nearest integer
  local d = mx > 0 and math.max(0, math.floor(digits - math.log(mx, 10) + 0.5)) or digits
  local out = {}
  for i, v in ipairs(x) do out[i] = round(v, d) end
  return out
end

-- print.default of a named numeric vector (one common width, print.gap).
local function named_vector(names, values, digits, gap)
  local cells = fmt(values, digits)
  local w = 0
  for i = 1, #names do w = math.max(w, #names[i], #cells[i]) end
  local sep = string.rep(" ", gap)
  local a, b = {}, {}
  for i = 1, #names do a[i] = pad_left(names[i], w); b[i] = pad_left(cells[i], w) end
  return table.concat(a, sep) .. sep, table.concat(b, sep) .. sep
end

local QNAMES = { "Min", "1Q", "Median", "3Q", "Max" }

-- Quantiles of the residuals, or (all) every residual named by its row.
local function residual_lines(r, digits, gap, all)
  local x = r:totable()
  if type(x[1]) == "table" then for i = 1, #x do x[i] = x[i][1] end end
  local names = QNAMES
  if all then names = {}; for i = 1, #x do names[i] = tostring(i) end
  else x = stats.quantile(r, { 0, 0.25, 0.5, 0.75, 1 }) end
  return named_vector(names, zapsmall(x, digits + 1), digits, gap)
end

-- ---- Models ------------------------------------------------------------------

-- A Lua-table DataFrame (data.lua's, whose columns are Matrices or arrays)
-- becomes a typed frame; NaN in a numeric column is NA.
local function typed(df)
  if type(df) ~= "table" or rawget(df, "_cols") == nil then return df end
  local cols = {}
  for j, c in ipairs(df._cols) do
    local t = { n = df._nrow }
    if mat.is(c) then
      for i = 1, df._nrow do local v = c[i]; if v == v then t[i] = v end end
    else
      for i = 1, df._nrow do t[i] = c[i] end
    end
    cols[j] = t
  end
  return data._typed_frame(df.names, cols)
end


local LinearModel = { __name = "LinearModel" }
local GLM = { __name = "GLM" }
local Summary = { __name = "ModelSummary" }
Summary.__index = Summary
local Anova = { __name = "AnovaTable" }
Anova.__index = Anova

-- Lazy fields: hat values, Cook's distances, standardised residuals.
local function lazy(class)
  return function(self, k)
    local m = class.methods[k]
    if m then return m end
    if k == "hatvalues" or k == "cooks_distance" or k == "std_residuals" then
      local h, c, s = M._model_influence(rawget(self, "_model"))
      rawset(self, "hatvalues", h); rawset(self, "cooks_distance", c); rawset(self, "std_residuals", s)
      return rawget(self, k)
    end
  end
end
LinearModel.methods, GLM.methods = {}, {}
LinearModel.__index, GLM.__index = lazy(LinearModel), lazy(GLM)

-- R's deparse(width.cutoff = 60): after a binary operator or a comma, a
-- line longer than 60 characters is broken and continued with 4 spaces.
local function deparse_wrap(text)
  local lines, cur = {}, ""
  local i = 1
  while i <= #text do
    local a, b = text:find("[%+%-%*,] ", i)
    if not a then cur = cur .. text:sub(i); break end
    cur = cur .. text:sub(i, b)
    i = b + 1
    if #cur > 60 then lines[#lines + 1] = cur; cur = "    " end
  end
  lines[#lines + 1] = cur
  return table.concat(lines, "\n")
end

local function call_text(self)
  if self.family then
    return deparse_wrap(string.format("glm(formula = %s, family = %s%s, data = data)", self.formula,
      self.family, self.link ~= self.canonical and string.format("(link = \"%s\")", self.link) or ""))
  end
  return deparse_wrap(string.format("lm(formula = %s, data = data)", self.formula))
end

-- print.default of a named character vector: one common width, print.gap 2,
-- as many entries a line as fit in R's width of 80.
local function named_cells(names, cells)
  local w = 0
  for i = 1, #names do w = math.max(w, #names[i], #cells[i]) end
  local per = math.max(1, 80 // (w + 2))
  local out = {}
  for first = 1, #names, per do
    local a, b = {}, {}
    for i = first, math.min(#names, first + per - 1) do a[#a + 1] = pad_left(names[i], w); b[#b + 1] = pad_left(cells[i], w) end
    out[#out + 1] = table.concat(a, "  ") .. "  "
    out[#out + 1] = table.concat(b, "  ") .. "  "
  end
  return out
end

-- print.lm / print.glm: the call and the coefficients by format(digits = 4).
local function coef_lines(self)
  local out = self.family and { "", "Call:  " .. call_text(self), "" } or { "", "Call:", call_text(self), "" }
  out[#out + 1] = "Coefficients:"
  local okv = {}
  for _, v in ipairs(self.coefficients) do if v == v then okv[#okv + 1] = v end end
  local f, k, cells = #okv > 0 and fmt(okv, 4) or {}, 0, {}
  for i, v in ipairs(self.coefficients) do
    if v == v then k = k + 1; cells[i] = f[k] else cells[i] = "NA" end
  end
  for _, l in ipairs(named_cells(self.names, cells)) do out[#out + 1] = l end
  out[#out + 1] = ""
  if self.family then
    local sig = function(x) return fmt(tonumber(string.format("%.4g", x)), 7) end
    out[#out + 1] = string.format("Degrees of Freedom: %s Total (i.e. Null);  %s Residual", fmt(self.df_null, 7),
      fmt(self.df_residual, 7))
    if self.n_omitted > 0 then
      out[#out + 1] = string.format("  (%d observation%s deleted due to missingness)", self.n_omitted, self.n_omitted > 1 and "s" or "")
    end
    out[#out + 1] = "Null Deviance:\t    " .. sig(self.null_deviance) .. " "
    out[#out + 1] = "Residual Deviance: " .. sig(self.deviance) .. " \tAIC: " .. sig(self.AIC)
  end
  return out
end

function LinearModel.__tostring(self) return table.concat(coef_lines(self), "\n") .. "\n" end
GLM.__tostring = LinearModel.__tostring

local function aliased_count(self)
  local k = 0
  for _, v in ipairs(self.coefficients) do if v ~= v then k = k + 1 end end
  return k
end

local function coefficients_header(self)
  local na = aliased_count(self)
  if na == 0 then return "Coefficients:" end
  return string.format("Coefficients: (%d not defined because of singularities)", na)
end

local function lm_summary_text(s)
  local f = s.fit
  local out = { "", "Call:", call_text(f), "" }
  local rdf = f.df_residual
  local resid = f.residuals
  if f.weights then resid = resid * f.weights ^ 0.5 end
  local weighted = false
  if f.weights then
    local lo, hi = f.weights:min(), f.weights:max()
    weighted = lo ~= hi
  end
  out[#out + 1] = (weighted and "Weighted " or "") .. "Residuals:"
  if rdf > 5 then
    local a, b = residual_lines(resid, 4, 1)
    out[#out + 1] = a; out[#out + 1] = b
  elseif rdf == 0 then
    out[#out + 1] = string.format("ALL %d residuals are 0: no residual degrees of freedom!", f.nobs)
  else
    local a, b = residual_lines(resid, 4, 1, true)
    out[#out + 1] = a; out[#out + 1] = b
  end
  out[#out + 1] = ""
  if #f.names == 0 then
    out[#out + 1] = "No Coefficients"
  else
    out[#out + 1] = coefficients_header(f)
    for _, l in ipairs(coefmat(f.names, f.coefficients, f.std_error, f.statistic, f.p_value, "t value", "Pr(>|t|)")) do
      out[#out + 1] = l
    end
  end
  out[#out + 1] = ""
  out[#out + 1] = string.format("Residual standard error: %s on %s degrees of freedom", fmt(f.sigma, 4), fmt(rdf, 7))
  if f.n_omitted > 0 then
    out[#out + 1] = string.format("  (%d observation%s deleted due to missingness)", f.n_omitted, f.n_omitted > 1 and "s" or "")
  end
  if f.numdf == f.numdf then
    out[#out + 1] = string.format("Multiple R-squared:  %s,\tAdjusted R-squared:  %s ", formatc4(f.r_squared),
      formatc4(f.adj_r_squared))
    local pv = f.f_p_value == f.f_p_value and format_pval({ f.f_p_value }, 4)[1] or "NA"
    out[#out + 1] = string.format("F-statistic: %s on %s and %s DF,  p-value: %s", formatc4(f.fstatistic),
      fmt(f.numdf, 7), fmt(f.dendf, 7), pv)
  end
  out[#out + 1] = ""
  return table.concat(out, "\n") .. "\n"
end

local function glm_summary_text(s)
  local f = s.fit
  local out = { "", "Call:", call_text(f), "", "Deviance Residuals: " }
  local a, b = residual_lines(f.residuals, 4, 2, f.df_residual <= 5)
  out[#out + 1] = a; out[#out + 1] = b
  out[#out + 1] = ""
  out[#out + 1] = coefficients_header(f)
  local z = (f.family == "binomial" or f.family == "poisson")
  for _, l in ipairs(coefmat(f.names, f.coefficients, f.std_error, f.statistic, f.p_value,
    z and "z value" or "t value", z and "Pr(>|z|)" or "Pr(>|t|)")) do
    out[#out + 1] = l
  end
  out[#out + 1] = ""
  out[#out + 1] = string.format("(Dispersion parameter for %s family taken to be %s)", f.family, fmt(f.dispersion, 7))
  out[#out + 1] = ""
  local dev = fmt({ f.null_deviance, f.deviance }, 5)
  local dfs = fmt({ f.df_null, f.df_residual }, 7)
  out[#out + 1] = string.format("    Null deviance: %s  on %s  degrees of freedom", dev[1], dfs[1])
  out[#out + 1] = string.format("Residual deviance: %s  on %s  degrees of freedom", dev[2], dfs[2])
  if f.n_omitted > 0 then
    out[#out + 1] = string.format("  (%d observation%s deleted due to missingness)", f.n_omitted, f.n_omitted > 1 and "s" or "")
  end
  out[#out + 1] = "AIC: " .. fmt(f.AIC, 5)
  out[#out + 1] = ""
  out[#out + 1] = "Number of Fisher Scoring iterations: " .. f.iter
  out[#out + 1] = ""
  return table.concat(out, "\n") .. "\n"
end

function Summary.__tostring(s) return s.fit.family and glm_summary_text(s) or lm_summary_text(s) end

local function summary(self)
  return setmetatable({ fit = self, coefficients = self:tidy(), r_squared = self.r_squared,
    adj_r_squared = self.adj_r_squared, sigma = self.sigma, fstatistic = self.fstatistic,
    dispersion = self.dispersion }, Summary)
end
LinearModel.methods.summary, GLM.methods.summary = summary, summary

local function tidy(self) return M._model_tidy(self._model) end
LinearModel.methods.tidy, GLM.methods.tidy = tidy, tidy

-- ---- anova ---------------------------------------------------------------------

local function anova_cells(values, digits)
  local ok = {}
  for _, v in ipairs(values) do if v == v then ok[#ok + 1] = v end end
  local f = #ok > 0 and fmt(ok, digits) or {}
  local out, k = {}, 0
  for i, v in ipairs(values) do
    if v == v then k = k + 1; out[i] = f[k] else out[i] = "" end
  end
  return out
end

-- print.anova: Df columns by format(digits = 5), other columns zapsmall'ed
-- to 5 digits first, test statistics rounded to 4 decimals, p-values by
-- format.pval(digits = 4), stars; NA cells blank.
local function anova_column(values, kind)
  local ok, at = {}, {}
  for i, v in ipairs(values) do
    if v == v then
      ok[#ok + 1] = kind == "tst" and round(v, 4) or v
      at[i] = #ok
    end
  end
  if kind == "zap" then ok = zapsmall(ok, 5) end
  local f = #ok == 0 and {} or kind == "p" and format_pval(ok, 4) or fmt(ok, 5)
  local out = {}
  for i = 1, #values do out[i] = at[i] and f[at[i]] or "" end
  return out
end

function Anova.__tostring(a)
  local cols, sw = {}, 0
  for j, key in ipairs(a.columns) do cols[j] = anova_column(a[key], a.kinds[j]) end
  local pv = a.p_column and a[a.p_column]
  local any = false
  for i = 1, pv and #a.terms or 0 do sw = math.max(sw, #stars(pv[i])); any = any or pv[i] < 0.1 end
  if not any then pv = nil end
  local rows = {}
  for i = 1, #a.terms do
    rows[i] = {}
    for j = 1, #a.columns do rows[i][j] = cols[j][i] end
    if pv then rows[i][#a.columns + 1] = pad_right(stars(pv[i]), sw) end
  end
  local header = {}
  for j, h in ipairs(a.headers) do header[j] = h end
  if pv then header[#header + 1] = "" end
  local lines = { a.heading }
  for _, l in ipairs(char_matrix(a.terms, header, rows)) do lines[#lines + 1] = l end
  if not pv then return table.concat(lines, "\n") .. "\n" end
  lines[#lines + 1] = "---"
  lines[#lines + 1] = "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 \u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1"
  return table.concat(lines, "\n") .. "\n"
end

function LinearModel.methods.anova(self)
  local t = M._lm_anova(self._model)
  t.heading = "Analysis of Variance Table\n\nResponse: " .. self.response
  t.columns = { "df", "sum_sq", "mean_sq", "F", "p_value" }
  t.headers = { "Df", "Sum Sq", "Mean Sq", "F value", "Pr(>F)" }
  t.kinds = { "df", "zap", "zap", "tst", "p" }
  t.p_column = "p_value"
  return setmetatable(t, Anova)
end

-- anova(fit1, fit2, ...) for nested models of one kind.
local function compare(fits)
  local glm = fits[1].family ~= nil
  local t = { terms = {}, res_df = {}, rss = {}, df = {}, sum_sq = {}, F = {}, p_value = {} }
  for _, f in ipairs(fits) do
    if (f.family ~= nil) ~= glm then error("stats.anova: models must all be lm or all be glm fits", 0) end
    if f.nobs ~= fits[1].nobs then error("stats.anova: models were not all fitted to the same number of observations", 0) end
  end
  local big = fits[#fits]
  local scale = glm and big.dispersion or big.rss / big.df_residual
  local lines = {}
  for i, f in ipairs(fits) do
    t.terms[i] = tostring(i)
    lines[#lines + 1] = string.format("Model %d: %s", i, f.formula)
    t.res_df[i] = f.df_residual
    t.rss[i] = glm and f.deviance or f.rss
    if i == 1 then
      t.df[i], t.sum_sq[i], t.F[i], t.p_value[i] = 0 / 0, 0 / 0, 0 / 0, 0 / 0
    else
      t.df[i] = t.res_df[i - 1] - t.res_df[i]
      t.sum_sq[i] = t.rss[i - 1] - t.rss[i]
      if glm then
        t.F[i] = 0 / 0
        if big.dispersion == 1 then t.p_value[i] = stats.pchisq(t.sum_sq[i] / scale, t.df[i], { lower_tail = false })
        else
          t.F[i] = t.sum_sq[i] / t.df[i] / scale
          t.p_value[i] = stats.pf(t.F[i], t.df[i], big.df_residual, { lower_tail = false })
        end
      else
        t.F[i] = t.sum_sq[i] / t.df[i] / scale
        t.p_value[i] = stats.pf(t.F[i], math.abs(t.df[i]), big.df_residual, { lower_tail = false })
      end
    end
  end
  if glm then
    t.heading = "Analysis of Deviance Table\n\n" .. table.concat(lines, "\n")
    t.columns = { "res_df", "rss", "df", "sum_sq" }
    t.headers = { "Resid. Df", "Resid. Dev", "Df", "Deviance" }
    t.kinds = { "df", "zap", "df", "zap", "p" }
    if big.dispersion == 1 then t.columns[5] = "p_value"; t.headers[5] = "Pr(>Chi)"
    else
      t.columns[5] = "F"; t.headers[5] = "F"; t.columns[6] = "p_value"; t.headers[6] = "Pr(>F)"
      t.kinds[5], t.kinds[6] = "tst", "p"
    end
  else
    t.heading = "Analysis of Variance Table\n\n" .. table.concat(lines, "\n")
    t.columns = { "res_df", "rss", "df", "sum_sq", "F", "p_value" }
    t.headers = { "Res.Df", "RSS", "Df", "Sum of Sq", "F", "Pr(>F)" }
    t.kinds = { "df", "zap", "df", "zap", "tst", "p" }
  end
  t.p_column = "p_value"
  return setmetatable(t, Anova)
end

mlsh.declare_options("GLM:anova", {
  { "test", "string", "Chisq or F", doc = "\"Chisq\" (binomial, Poisson), \"F\" (estimated dispersion) or \"none\" (R 4.2's default)" },
})

-- R's anova.glm: the terms added one by one, on the rows of the fit.
function GLM.methods.anova(self, opts)
  mlsh.check_options("GLM:anova", opts)
  local fixed = self.dispersion_fixed
  local test = opts and opts.test or (fixed and "Chisq" or "F")
  if test ~= "Chisq" and test ~= "F" and test ~= "none" then
    error("GLM:anova: option 'test' must be \"Chisq\", \"F\" or \"none\" (got \"" .. tostring(test) .. "\")", 0)
  end
  local seq = M._glm_sequential(self._model)
  local t = { terms = { "NULL" }, df = { 0 / 0 }, dev = { 0 / 0 }, res_df = { self.df_null }, res_dev = { self.null_deviance },
    F = { 0 / 0 }, p_value = { 0 / 0 } }
  for k, label in ipairs(self.term_labels) do
    local i = k + 1
    t.terms[i] = label
    t.res_df[i], t.res_dev[i] = seq.df_residual[k], seq.deviance[k]
    t.df[i], t.dev[i] = t.res_df[i - 1] - t.res_df[i], t.res_dev[i - 1] - t.res_dev[i]
    if test == "Chisq" then
      t.p_value[i] = stats.pchisq(t.dev[i] / self.dispersion, t.df[i], { lower_tail = false })
    elseif test == "F" then
      t.F[i] = t.dev[i] / t.df[i] / self.dispersion
      t.p_value[i] = stats.pf(t.F[i], t.df[i], self.df_residual, { lower_tail = false })
    end
  end
  t.heading = string.format("Analysis of Deviance Table\n\nModel: %s, link: %s\n\nResponse: %s\n\n" ..
    "Terms added sequentially (first to last)\n\n", self.family, self.link, self.response)
  t.columns = { "df", "dev", "res_df", "res_dev" }
  t.headers = { "Df", "Deviance", "Resid. Df", "Resid. Dev" }
  t.kinds = { "df", "zap", "df", "zap" }
  if test == "F" then
    t.columns[5], t.headers[5], t.kinds[5] = "F", "F", "tst"
    t.columns[6], t.headers[6], t.kinds[6] = "p_value", "Pr(>F)", "p"
  elseif test == "Chisq" then
    t.columns[5], t.headers[5], t.kinds[5] = "p_value", "Pr(>Chi)", "p"
  end
  t.p_column = test ~= "none" and "p_value" or nil
  return setmetatable(t, Anova)
end

M.anova = doc(function(...)
  local fits = { ... }
  for i, f in ipairs(fits) do
    local mt = getmetatable(f)
    if mt ~= LinearModel and mt ~= GLM then
      error(string.format("stats.anova: argument %d must be a fit of stats.lm or stats.glm", i), 0)
    end
  end
  if #fits == 0 then error("stats.anova: give one or more fitted models", 0) end
  if #fits == 1 then
    return fits[1]:anova()
  end
  return compare(fits)
end, "stats.anova", "stats.anova(fit [, fit2, ...])",
  "One linear model: its sequential analysis of variance table (as fit:anova(), R's anova.lm); one GLM: its\n" ..
  "analysis of deviance, terms added one by one (GLM:anova{test = \"Chisq\" | \"F\" | \"none\"}, R's anova.glm; the\n" ..
  "test defaults to Chisq for binomial and Poisson, F otherwise, as R >= 4.4; \"none\" is R 4.2's table). Several nested\n" ..
  "models fitted to the same rows: R's anova(fit1, fit2, ...): residual df and RSS (deviance for GLMs) of each,\n" ..
  "the F test of each step for lm (scaled by the largest model's residual variance), the chi-squared test for\n" ..
  "binomial and Poisson GLMs, the F test for GLMs with an estimated dispersion. Returns a table that prints as R.\n" ..
  "Example: stats.anova(stats.lm(df, \"mpg ~ wt\"), stats.lm(df, \"mpg ~ wt + hp\")).p_value[2]")

LinearModel.methods.anova = LinearModel.methods.anova

-- ---- predict, confint, glance -------------------------------------------------

mlsh.declare_options("LinearModel:predict", {
  { "interval", "string", "none", doc = "\"none\", \"confidence\" or \"prediction\" (lm)" },
  { "level", "number", 0.95, doc = "confidence level of the interval" },
  { "type", "string", "link", doc = "GLM: \"link\" (the linear predictor) or \"response\" (the mean)" },
  { "se_fit", "bool", false, doc = "also return the standard errors of the fits" },
})

local function predict(self, newdata, opts)
  if opts == nil and type(newdata) == "table" and getmetatable(newdata) == nil then newdata, opts = nil, newdata end
  mlsh.check_options("LinearModel:predict", opts)
  opts = opts or {}
  local interval, level, kind = opts.interval or "none", opts.level or 0.95, opts.type or "link"
  if interval ~= "none" and interval ~= "confidence" and interval ~= "prediction" then
    error("LinearModel:predict: option 'interval' must be \"none\", \"confidence\" or \"prediction\" (got \"" .. interval .. "\")", 0)
  end
  if kind ~= "link" and kind ~= "response" then
    error("LinearModel:predict: option 'type' must be \"link\" or \"response\" (got \"" .. kind .. "\")", 0)
  end
  if not (level > 0 and level < 1) then error("LinearModel:predict: option 'level' must be in (0, 1)", 0) end
  local fit, se, mu, semu = M._model_predict(self._model, newdata and typed(newdata))
  if self.family then
    if interval ~= "none" then error("GLM:predict: intervals are for linear models (use se_fit = true)", 0) end
    local s = math.sqrt(self.dispersion)
    if kind == "response" then fit, se = mu, semu end
    if opts.se_fit then return fit, se * s end
    return fit
  end
  se = se * self.sigma
  if interval == "none" then
    if opts.se_fit then return fit, se end
    return fit
  end
  local q = stats.qt(1 - (1 - level) / 2, self.df_residual)
  local width = interval == "confidence" and se or (se * se + self.sigma * self.sigma) ^ 0.5
  local out = fit:hcat(fit - width * q):hcat(fit + width * q)
  if opts.se_fit then return out, se end
  return out
end
LinearModel.methods.predict, GLM.methods.predict = predict, predict

local function confint(self, level)
  level = level or 0.95
  if type(level) ~= "number" or not (level > 0 and level < 1) then
    error("LinearModel:confint: argument 'level' must be a number in (0, 1)", 0)
  end
  local a = (1 - level) / 2
  local q
  if self.family and (self.family == "binomial" or self.family == "poisson") then q = stats.qnorm(1 - a)
  elseif self.family then q = stats.qnorm(1 - a)
  else q = stats.qt(1 - a, self.df_residual) end
  local lo, hi = {}, {}
  for i, b in ipairs(self.coefficients) do
    if b == b then lo[i] = b - q * self.std_error[i]; hi[i] = b + q * self.std_error[i] end
  end
  local pct = function(p) return mat.format(100 * p, { digits = 3 }) .. " %" end
  local names = { "term", pct(a), pct(1 - a) }
  local terms = {}
  for i, n in ipairs(self.names) do terms[i] = n end
  local n = #self.names
  return data._typed_frame(names, { { n = n, table.unpack(terms) }, { n = n, table.unpack(lo, 1, n) },
    { n = n, table.unpack(hi, 1, n) } })
end
LinearModel.methods.confint, GLM.methods.confint = confint, confint

function LinearModel.methods.glance(self)
  return { r_squared = self.r_squared, adj_r_squared = self.adj_r_squared, sigma = self.sigma,
    statistic = self.fstatistic, p_value = self.f_p_value, df = self.numdf, df_residual = self.df_residual,
    logLik = self.logLik, AIC = self.AIC, BIC = self.BIC, deviance = self.rss, nobs = self.nobs }
end

function GLM.methods.glance(self)
  return { null_deviance = self.null_deviance, df_null = self.df_null, logLik = self.logLik, AIC = self.AIC,
    BIC = self.BIC, deviance = self.deviance, df_residual = self.df_residual, nobs = self.nobs }
end

-- ---- Constructors ---------------------------------------------------------------

local function check_formula(fname, df, formula)
  if type(formula) ~= "string" then
    error(string.format("%s: argument 'formula' must be a string such as \"y ~ x1 + x2\" (got %s)", fname, type(formula)), 0)
  end
end

M.lm = doc(function(df, formula, opts)
  check_formula("stats.lm", df, formula)
  local model, fit = M._lm(typed(df), formula, opts)
  fit._model, fit.formula = model, formula
  fit.deviance = fit.rss
  return setmetatable(fit, LinearModel)
end, "stats.lm", "stats.lm(data, formula [, opts])",
  "Linear model as R's lm: data a DataFrame, formula R's syntax (\"y ~ x1 + log(x2) + g + x1:x2\": intercept and\n" ..
  "-1, `.` for every other column, string and categorical columns as treatment contrasts with the first level as\n" ..
  "baseline, factor(x), `:` and `*`, I(x^2), poly(x, k) orthogonal as R's, log/exp/sqrt/abs and arithmetic inside\n" ..
  "terms; ordered factors and ordered(x) get R's polynomial contrasts .L .Q .C). Rows with an NA in a variable used are\n" ..
  "omitted and counted (n_omitted). Solved by a QR factorisation\n" ..
  "with R's rule for aliased columns: a rank-deficient design gives NaN (NA) coefficients as R's lm does.\n" ..
  "Returns a LinearModel: coefficients, names (R's column names: \"(Intercept)\", \"cyl6\", \"wt:hp\"), std_error,\n" ..
  "statistic, p_value, residuals, fitted, hatvalues, cooks_distance, std_residuals (Matrices), sigma,\n" ..
  "r_squared, adj_r_squared, fstatistic, df_residual, logLik, AIC, BIC, rank, nobs; methods summary() (prints as\n" ..
  "R's summary.lm), anova(), predict(newdata, {interval, level}), confint(level), tidy() (a DataFrame as\n" ..
  "broom's tidy), glance() (a table as broom's glance), augment(df) (broom's per-row columns; data_rows: the\n" ..
  "data row of each observation).\n" ..
  "Example: stats.lm(df, \"mpg ~ wt + hp\"):summary()")

M.glm = doc(function(df, formula, opts)
  check_formula("stats.glm", df, formula)
  local model, fit = M._glm(typed(df), formula, opts)
  fit._model, fit.formula = model, formula
  fit.canonical = ({ binomial = "logit", poisson = "log", gaussian = "identity", Gamma = "inverse" })[fit.family]
  fit.dispersion_fixed = fit.family == "binomial" or fit.family == "poisson"
  local k = fit.rank + ((fit.family == "gaussian" or fit.family == "Gamma") and 1 or 0)
  fit.logLik = k - fit.AIC / 2
  local nobs = 0
  for _, w in ipairs(fit.prior_weights:totable()) do if (type(w) == "table" and w[1] or w) ~= 0 then nobs = nobs + 1 end end
  fit.nobs = nobs
  fit.BIC = -2 * fit.logLik + math.log(nobs) * k
  local nw = #fit.warnings
  if nw == 1 then io.stderr:write("Warning message:\n" .. fit.warnings[1] .. " \n")
  elseif nw > 1 then
    io.stderr:write("Warning messages:\n")
    for i, w in ipairs(fit.warnings) do io.stderr:write(i .. ": " .. w .. " \n") end
  end
  return setmetatable(fit, GLM)
end, "stats.glm", "stats.glm(data, formula [, opts])",
  "Generalised linear model as R's glm, by IRLS step for step as R's glm.fit (same starting values, convergence\n" ..
  "test, step halving): family \"binomial\" (links logit, probit, cloglog, log; the response 0/1, logical, a\n" ..
  "categorical column whose first level is failure, or cbind(successes, failures)), \"poisson\" (log, identity,\n" ..
  "sqrt), \"gaussian\" (identity, log, inverse), \"Gamma\" (inverse, identity, log). Formulas as stats.lm.\n" ..
  "Returns a GLM: coefficients, names, std_error, statistic (z for binomial and Poisson, else t), p_value,\n" ..
  "deviance, null_deviance, AIC, BIC, logLik, dispersion, df_residual, df_null, iter, converged, warnings (R's\n" ..
  "texts, also written to stderr: \"glm.fit: fitted probabilities numerically 0 or 1 occurred\"), fitted (means),\n" ..
  "linear_predictors, residuals (deviance residuals), hatvalues, cooks_distance; methods summary() (prints as\n" ..
  "R's summary.glm), predict(newdata, {type = \"link\" | \"response\", se_fit}), confint(level) (Wald), tidy(), glance(), augment(df).\n" ..
  "Example: stats.glm(df, \"am ~ wt + hp\", {family = \"binomial\"}):summary()")

-- The per-observation fields as frame columns at their data rows (broom's augment).
local function augment(self, df)
  local fname = self.family and "GLM:augment" or "LinearModel:augment"
  local function col(name, m)
    local v = {}
    for i = 1, self.nobs do v[i] = m:get(i, 1) end
    return { name = name, values = v }
  end
  if getmetatable(df) == mlsh.data.DataFrame and df:nrow() ~= self.nobs + self.n_omitted then
    error(string.format("%s: argument 'df' has %d rows but the model was fitted on %d: give its data", fname,
      df:nrow(), self.nobs + self.n_omitted), 0)
  end
  local specs = { col(".fitted", self.family and self.linear_predictors or self.fitted), col(".resid", self.residuals),
    col(".hat", self.hatvalues), col(".cooksd", self.cooks_distance), col(".std.resid", self.std_residuals) }
  return mlsh.data._augment(fname, df, self.nobs, specs, self.data_rows)
end
LinearModel.methods.augment, GLM.methods.augment = augment, augment
doc(augment, "LinearModel:augment", "fit:augment(df)",
  "df (the data the model was fitted on) with broom's augment columns: .fitted (for a GLM the linear predictor,\n" ..
  "as broom's default), .resid (deviance residuals for a GLM), .hat, .cooksd, .std.resid. Rows the fit omitted\n" ..
  "for NA get NA (R's na.exclude), so the rows line up with df's; predictions on new data: fit:predict(newdata).\n" ..
  "Example: stats.lm(mtcars, \"mpg ~ wt\"):augment(mtcars):arrange(\"desc(.cooksd)\")")

M.LinearModel, M.GLM = LinearModel, GLM
