-- lua/mlsh/stats_tests.lua - the classical tests on top of the C core
-- (stats._t_test): vector-like arguments in, a result that prints as R's
-- htest out (print.htest's layout and number formats).
local M, mlsh = ...
local mat, doc = mlsh.mat, mlsh.doc
local vector = require("mlsh.vec")

local HTest = { __name = "HTest" }
HTest.__index = HTest

-- R's format.pval(p, digits = 4): "< 2.2e-16" below the machine epsilon.
local function format_pval(p)
  if p ~= p then return "= NA" end
  if p < 2.220446e-16 then return "< 2.2e-16" end
  return "= " .. mat.format(p, { digits = 4 })
end

-- print.htest: statistic and parameter to digits - 2 = 5 significant digits.
local function short(v) return mat.format(v, { digits = 5 }) end

local HYPOTHESIS = { ["two.sided"] = "not equal to", less = "less than", greater = "greater than" }

function HTest.__tostring(r)
  local out = { "", "\t" .. r.method, "", "data:  " .. r.data_name }
  local line = {}
  if r.statistic_name then line[1] = r.statistic_name .. " = " .. short(r.statistic) end
  if r.parameter_name then line[#line + 1] = r.parameter_name .. " = " .. short(r.parameter) end
  line[#line + 1] = "p-value " .. format_pval(r.p_value)
  out[#out + 1] = table.concat(line, ", ")
  if r.null_name then
    out[#out + 1] = string.format("alternative hypothesis: true %s is %s %s", r.null_name, HYPOTHESIS[r.alternative],
      mat.format(r.null_value))
  elseif r.alternative_text then
    out[#out + 1] = "alternative hypothesis: " .. r.alternative_text
  end
  if r.conf_int[1] == r.conf_int[1] then
    out[#out + 1] = string.format("%s percent confidence interval:", mat.format(100 * r.conf_level))
    out[#out + 1] = " " .. table.concat(mat.format(r.conf_int), " ")
  end
  if #r.estimate == 0 then return table.concat(out, "\n") .. "\n" end
  out[#out + 1] = "sample estimates:"
  local cells, w = mat.format(r.estimate), 0   -- one common format, as R prints a named vector
  for k = 1, #r.estimate do w = math.max(w, #r.estimate_names[k], #cells[k]) end
  local names, values = {}, {}
  for k = 1, #r.estimate do
    names[k] = string.rep(" ", w - #r.estimate_names[k]) .. r.estimate_names[k]
    values[k] = string.rep(" ", w - #cells[k]) .. cells[k]
  end
  out[#out + 1] = table.concat(names, " ") .. " "
  out[#out + 1] = table.concat(values, " ") .. " "
  return table.concat(out, "\n") .. "\n"
end

M.HTest = HTest

local function is_column(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name == "Column"
end
M._is_column = is_column

-- A numeric argument: a typed frame's Column goes to C as it is (NA as NaN there).
local function nums(v, fname, arg)
  if is_column(v) then return v end
  return vector.numbers(v, fname, arg)
end
M._nums = nums
local function is_vec(v) return is_column(v) or vector.is_vector(v) end

M.t_test = doc(function(x, y, opts)
  if opts == nil and y ~= nil and not is_vec(y) then y, opts = nil, y end
  mlsh.check_options("stats.t_test", opts)
  local xs = nums(x, "stats.t_test", "x")
  local ys = y ~= nil and nums(y, "stats.t_test", "y") or nil
  local r = M._t_test(xs, ys, opts)
  r.statistic_name, r.parameter_name = "t", "df"
  if r.method == "Paired t-test" then
    r.null_name, r.estimate_names = "mean difference", { "mean difference" }
  elseif ys then
    r.null_name, r.estimate_names = "difference in means", { "mean of x", "mean of y" }
  else
    r.null_name, r.estimate_names = "mean", { "mean of x" }
  end
  r.data_name = ys and "x and y" or "x"
  return setmetatable(r, HTest)
end, "stats.t_test", "stats.t_test(x [, y] [, opts])",
  "Student's t test as R's t.test: one sample (x), two samples (Welch's by default; var_equal = true\n" ..
  "pools the variances), or paired (paired = true: a one-sample test on x - y over complete pairs).\n" ..
  "x and y: arrays, Matrix columns, series or frame Columns; NaN (NA) values are dropped, as R drops NA.\n" ..
  "p-values and intervals from R's own t distribution (nmath). Returns an HTest that prints as R's htest,\n" ..
  "with fields statistic (t), parameter (df), p_value, conf_int {lo, hi}, conf_level, estimate (array),\n" ..
  "estimate_names, null_value, stderr, method, alternative, nx, ny.\n" ..
  "Example: stats.t_test({0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}).p_value  --> 0.2176")

M.cor_test = doc(function(x, y, opts)
  mlsh.check_options("stats.cor_test", opts)
  local r = M._cor_test(nums(x, "stats.cor_test", "x"), nums(y, "stats.cor_test", "y"), opts)
  local method = opts and opts.method or "pearson"
  if method == "pearson" then
    r.statistic_name, r.parameter_name, r.null_name, r.estimate_names = "t", "df", "correlation", { "cor" }
  elseif method == "kendall" then
    r.statistic_name = r.exact and "T" or "z"
    r.null_name, r.estimate_names = "tau", { "tau" }
  else
    r.statistic_name, r.null_name, r.estimate_names = "S", "rho", { "rho" }
  end
  r.data_name = "x and y"
  return setmetatable(r, HTest)
end, "stats.cor_test", "stats.cor_test(x, y [, opts])",
  "Correlation tests as R's cor.test. method = \"pearson\" (default): t = r sqrt(n - 2) / sqrt(1 - r^2) on n - 2\n" ..
  "df, the interval by Fisher's z (when n > 3). \"kendall\": tau-b; exact p (T, the concordant pairs) for\n" ..
  "n < 50 without ties, else z with R's tie-corrected variance. \"spearman\": rho; S = (n^3 - n)(1 - rho) / 6,\n" ..
  "exact p by AS 89 for n <= 1290 without ties, else the t approximation. Ties where exact is asked: the\n" ..
  "approximation and a `warning` field, as R warns. Pairs with a NaN (NA) are dropped. x, y: arrays, Matrix\n" ..
  "columns, series or frame Columns. Returns an HTest (fields as stats.t_test's; estimate[1] is r, tau or rho).\n" ..
  "Example: stats.cor_test({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}).estimate[1]  --> 0.8")

-- Two label vectors -> the counts table (levels sorted, as R's factor()).
local function crosstab(x, y, fname)
  fname = fname or "stats.chisq_test"
  if #x ~= #y then error(fname .. ": 'x' and 'y' must have the same length", 0) end
  local function levels(v)
    local seen, out = {}, {}
    for i = 1, #v do local a = v[i]; if a ~= nil and a == a and not seen[a] then seen[a] = true; out[#out + 1] = a end end
    table.sort(out, function(a, b) if type(a) == type(b) then return a < b end return type(a) == "number" end)
    local idx = {}
    for k, a in ipairs(out) do idx[a] = k end
    return out, idx
  end
  local lx, ix = levels(x)
  local ly, iy = levels(y)
  if #lx < 2 or #ly < 2 then error(fname .. ": 'x' and 'y' must have at least 2 levels", 0) end
  local t = mat.zeros(#lx, #ly)
  for i = 1, #x do
    local a, b = ix[x[i]], iy[y[i]]
    if a and b then t:set(a, b, t:get(a, b) + 1) end
  end
  return t, lx, ly
end

local function as_list(v)
  if mat.is(v) then return v:totable() end
  if is_column(v) then
    local t = v:totable()
    for i = 1, #v do if t[i] == nil then t[i] = 0 / 0 end end
    return t
  end
  return v
end

-- A table of counts from x (Matrix or nested array), or the cross-table of two label vectors.
local function count_table(x, y, fname)
  if y ~= nil then return (crosstab(as_list(x), as_list(y), fname)), "x and y" end
  if mat.is(x) then return x, "x" end
  if type(x) == "table" and type(x[1]) == "table" then return mat.from(x), "x" end
  return nil
end

M.chisq_test = doc(function(x, y, opts)
  if opts == nil and y ~= nil and (type(y) ~= "table" or (y[1] == nil and not mat.is(y))) then y, opts = nil, y end
  mlsh.check_options("stats.chisq_test", opts)
  local t, name = count_table(x, y, "stats.chisq_test")
  if not t then t, name = mat.from { vector.numbers(x, "stats.chisq_test", "x") }, "x" end
  local r = M._chisq_test(t, opts)
  r.statistic_name, r.parameter_name, r.estimate, r.data_name, r.observed = "X-squared", "df", {}, name, t
  return setmetatable(r, HTest)
end, "stats.chisq_test", "stats.chisq_test(x [, y] [, opts])",
  "Pearson's chi-squared test as R's chisq.test. x a Matrix (or nested array) of counts: the test of\n" ..
  "independence on (r - 1)(c - 1) df, with Yates' continuity correction on a 2 x 2 table (correct = false\n" ..
  "turns it off); x a vector of counts: goodness of fit to p (equal probabilities by default); x and y two\n" ..
  "vectors of labels (numbers or strings): the test on their cross-table (levels sorted, NA pairs dropped).\n" ..
  "Returns an HTest with statistic (X-squared), parameter (df), p_value, method, observed and expected\n" ..
  "(Matrices), and small_expected = true when an expected count is below 5 (where R warns that the\n" ..
  "approximation may be incorrect).\n" ..
  "Example: stats.chisq_test({{12, 5}, {7, 9}}).p_value  --> 0.2276")

M.wilcox_test = doc(function(x, y, opts)
  local fname = "stats.wilcox_test"
  if opts == nil and y ~= nil and not is_vec(y) then y, opts = nil, y end
  mlsh.check_options(fname, opts)
  local ys = y ~= nil and nums(y, fname, "y") or nil
  local r = M._wilcox_test(nums(x, fname, "x"), ys, opts)
  local two = ys and not (opts and opts.paired)
  r.statistic_name = two and "W" or "V"
  r.null_name = ys and "location shift" or "location"
  r.estimate_names = { two and "difference in location" or "(pseudo)median" }
  r.data_name = ys and "x and y" or "x"
  return setmetatable(r, HTest)
end, "stats.wilcox_test", "stats.wilcox_test(x [, y] [, opts])",
  "Wilcoxon's tests as R's wilcox.test: the signed rank test of x (or of x - y with paired = true) about mu,\n" ..
  "or the rank sum (Mann-Whitney) test of x against y. Exact p-values (R's psignrank, pwilcox) when each\n" ..
  "sample has fewer than 50 values and there are no ties (nor zeroes), else the normal approximation with\n" ..
  "R's tie correction and continuity correction (correct = false drops it); asking exact with ties gives the\n" ..
  "approximation and a `warning` field, as R warns. conf_int = true adds the interval and the (pseudo)median\n" ..
  "or difference in location (Hodges-Lehmann): order statistics of the Walsh averages or differences when\n" ..
  "exact, else R's root search on the normal statistic. NaN (NA) values are dropped. Returns an HTest with\n" ..
  "statistic (V or W), p_value, conf_int, estimate, method, alternative.\n" ..
  "Example: stats.wilcox_test({1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30}, {0.878, 0.647, 0.598,\n" ..
  "  2.05, 1.06, 1.29, 1.06, 3.14, 1.29}, {paired = true, alternative = \"greater\"}).p_value  --> 0.01953")

M.shapiro_test = doc(function(x)
  local r = M._shapiro_test(nums(x, "stats.shapiro_test", "x"))
  r.statistic_name, r.estimate, r.data_name = "W", {}, "x"
  return setmetatable(r, HTest)
end, "stats.shapiro_test", "stats.shapiro_test(x)",
  "The Shapiro-Wilk test of normality as R's shapiro.test: Royston's (1995) algorithm (R's swilk.c), for\n" ..
  "3 to 5000 values; NaN (NA) values are dropped. Returns an HTest with statistic (W), p_value, method.\n" ..
  "Example: stats.shapiro_test({2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1}).statistic")

local KS_ALTERNATIVE = {
  one = { ["two.sided"] = "two-sided", less = "the CDF of x lies below the null hypothesis",
          greater = "the CDF of x lies above the null hypothesis" },
  two = { ["two.sided"] = "two-sided", less = "the CDF of x lies below that of y",
          greater = "the CDF of x lies above that of y" } }

M.ks_test = doc(function(x, y, ...)
  local fname = "stats.ks_test"
  local rest, params, opts = table.pack(...), {}, nil
  for i = 1, rest.n do
    local v = rest[i]
    if type(v) == "number" and type(y) == "string" then params[#params + 1] = v
    elseif i == rest.n and type(v) ~= "number" then opts = v
    else error(fname .. ": argument " .. (i + 2) .. " must be a parameter (a number) of the distribution 'y', or the options table", 0) end
  end
  mlsh.check_options(fname, opts)
  if y == nil then error(fname .. ": argument 'y' is missing: a sample, or a distribution's name (\"pnorm\")", 0) end
  local r = M._ks_test(nums(x, fname, "x"), type(y) == "string" and y or nums(y, fname, "y"), params, opts)
  local alt = KS_ALTERNATIVE[type(y) == "string" and "one" or "two"]
  r.statistic_name = ({ ["two.sided"] = "D", greater = "D^+", less = "D^-" })[r.alternative]
  r.alternative_text, r.estimate = alt[r.alternative], {}
  r.data_name = type(y) == "string" and "x" or "x and y"
  return setmetatable(r, HTest)
end, "stats.ks_test", "stats.ks_test(x, y [, par...] [, opts])",
  "The Kolmogorov-Smirnov test as R 4.2's ks.test. y a distribution's name (\"pnorm\", \"pexp\", \"punif\",\n" ..
  "\"pgamma\"... with or without the p) followed by its parameters in R's order (missing ones take R's\n" ..
  "defaults): the one-sample test, exact (Marsaglia-Tsang-Wang; one-sided: Birnbaum-Tingey) for n < 100 without\n" ..
  "ties, else the limiting distribution. y a sample: the two-sample test, exact when nx ny < 10000 (R's\n" ..
  "psmirnov: ties and one-sided alternatives included). alternative less / greater compare the CDF of x with\n" ..
  "the null's (or y's). NaN (NA) values are dropped; ties give a `warning` field as R warns. Returns an HTest with statistic (D, D^+ or D^-),\n" ..
  "p_value, exact, method, alternative.\n" ..
  "Example: stats.ks_test({0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64}, \"pnorm\").p_value")

M.fisher_test = doc(function(x, y, opts)
  local fname = "stats.fisher_test"
  if opts == nil and y ~= nil and (type(y) ~= "table" or (y[1] == nil and not mat.is(y))) and not is_column(y) then
    y, opts = nil, y
  end
  mlsh.check_options(fname, opts)
  local t, name = count_table(x, y, fname)
  if not t then error(fname .. ": argument 'x' must be a table of counts (a Matrix or nested array) or, with 'y', labels", 0) end
  local r = M._fisher_test(t, opts)
  r.data_name, r.observed = name, t
  if r.method:find("simulated") then
    r.method = r.method .. "\n\t (based on " .. math.tointeger((opts and opts.B) or 2000) .. " replicates)"
  end
  if #r.estimate == 1 then
    r.null_name, r.estimate_names = "odds ratio", { "odds ratio" }
  else
    r.alternative_text = "two.sided"
  end
  return setmetatable(r, HTest)
end, "stats.fisher_test", "stats.fisher_test(x [, y] [, opts])",
  "Fisher's exact test for count data as R's fisher.test. x a table of counts (a Matrix or nested array) or x\n" ..
  "and y two label vectors (their cross-table). 2 x 2: the p-value for the alternative about the odds ratio\n" ..
  "(or, 1 under the null), the conditional maximum likelihood estimate of the odds ratio and its interval.\n" ..
  "r x c: the two-sided p-value, the total probability of the tables with the same margins no more probable\n" ..
  "than the observed one (as R's FEXACT), by enumerating them with FEXACT's pruning of whole subtrees (an\n" ..
  "error past max_tables steps, a few seconds), or by simulation (simulate_p_value = true, B tables, seeded).\n" ..
  "Returns an HTest with p_value, conf_int, estimate (odds ratio), method, alternative, observed.\n" ..
  "Example: stats.fisher_test({{3, 1}, {1, 3}}, {alternative = \"greater\"}).p_value  --> 0.2429")

local function kind(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__name or nil
end

-- ---- analysis of variance (stats._aov, stats._tukey) ----

-- The values of a grouping vector (NA as nil) and its levels in R's order:
-- a categorical Column's own levels, else the sorted distinct values.
local function factor(g, n, fname, arg, given)
  local values, levels = nil, given
  if kind(g) == "Column" then
    values = g:totable()
    if g:type() == "categorical" and not levels then levels = g:levels() end
  elseif mat.is(g) then values = g:totable()
  elseif type(g) == "table" then values = g
  else error(string.format("%s: argument '%s' must be an array of labels or a Column (got %s)", fname, arg, type(g)), 0) end
  local len = kind(g) == "Column" and #g or #values
  if len ~= n then error(string.format("%s: argument '%s' has %d values, 'y' has %d", fname, arg, len, n), 0) end
  if not levels then
    local seen = {}
    levels = {}
    for i = 1, n do
      local v = values[i]
      if v ~= nil and v == v and not seen[v] then
        if type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean" then
          error(string.format("%s: argument '%s' has a %s at %d, not a label", fname, arg, type(v), i), 0)
        end
        seen[v] = true; levels[#levels + 1] = v
      end
    end
    table.sort(levels, function(a, b)
      if type(a) == type(b) and type(a) ~= "boolean" then return a < b end
      return tostring(a) < tostring(b)
    end)
  end
  local code = {}
  for k, l in ipairs(levels) do code[l] = k end
  local out = {}
  for i = 1, n do out[i] = values[i] ~= nil and code[values[i]] or false end
  local names = {}
  for k, l in ipairs(levels) do names[k] = tostring(l) end
  return out, names
end

local AOV = { __name = "AOV" }
AOV.__index = AOV

-- R's zapsmall(x, digits): round to digits - log10(max |x|) places (R rounds the places).
local function zapsmall(x, digits)
  local mx = 0
  for _, v in ipairs(x) do if v == v then mx = math.max(mx, math.abs(v)) end end
  local d = mx > 0 and math.max(0, math.floor(digits - math.log(mx, 10) + 0.5)) or digits
  local out, f = {}, 10 ^ d
  for i, v in ipairs(x) do out[i] = math.floor(v * f + 0.5) / f end
  return out
end

-- R's format.pval(pv, digits = 3) as printCoefmat calls it.
local function format_pvals(pv, digits)
  local fix, sci, r = {}, {}, {}
  for i, p in ipairs(pv) do
    if p >= 2.220446049250313e-16 then
      local e = math.floor(math.log(p > 0 and p or 1e-50, 10))
      if e >= -3 or (e == -4 and digits > 1) then fix[#fix + 1] = i else sci[#sci + 1] = i end
    end
  end
  local nc = 0
  for _, set in ipairs { fix, sci } do
    if #set > 0 then
      local vals = {}
      for k, i in ipairs(set) do vals[k] = pv[i] end
      local cells = mat.format(vals, { digits = digits })
      for k, i in ipairs(set) do r[i] = cells[k]; nc = math.max(nc, #cells[k]) end
    end
  end
  local d = math.max(1, digits - 2)
  if nc > 0 and d > 1 and d + 6 > nc then d = math.max(1, nc - 7) end
  local sep = (d == 1 and (nc == 0 or nc <= 6)) and "" or " "
  for i = 1, #pv do if not r[i] then r[i] = "<" .. sep .. mat.format(2.220446049250313e-16, { digits = d }) end end
  return r
end

local function stars(p)
  if p ~= p then return "" end
  return p < 0.001 and "***" or p < 0.01 and "**" or p < 0.05 and "*" or p < 0.1 and "." or " "
end

local function pad(s, w, left)
  if left then return s .. string.rep(" ", w - #s) end
  return string.rep(" ", w - #s) .. s
end

-- print.default of a character matrix: row names left, columns right-aligned.
local function print_matrix(rownames, header, cols, namewidth)
  local w0 = namewidth or 0
  for _, s in ipairs(rownames) do w0 = math.max(w0, #s) end
  local widths = {}
  for j, h in ipairs(header) do
    widths[j] = #h
    for _, s in ipairs(cols[j]) do widths[j] = math.max(widths[j], #s) end
  end
  local lines = {}
  local head = { string.rep(" ", w0) }
  for j, h in ipairs(header) do head[#head + 1] = pad(h, widths[j]) end
  lines[1] = table.concat(head, " ")
  for i, name in ipairs(rownames) do
    local row = { pad(name, w0, true) }
    for j = 1, #header do row[#row + 1] = pad(cols[j][i], widths[j]) end
    lines[#lines + 1] = table.concat(row, " ")
  end
  return lines
end

function AOV.__tostring(fit)
  local names, df, ss, ms, F, p = {}, {}, {}, {}, {}, {}
  for t = 1, #fit.terms do   -- R leaves out a term that is wholly aliased (0 df)
    if fit.df[t] > 0 then
      local k = #names + 1
      names[k], df[k], ss[k], ms[k], F[k], p[k] = fit.terms[t], fit.df[t], fit.ss[t], fit.ms[t], fit.F[t], fit.p[t]
    end
  end
  local k = #names + 1
  names[k], df[k], ss[k], ms[k] = "Residuals", fit.df_resid, fit.ss_resid, fit.ms_resid
  local dfc = {}
  for i, v in ipairs(df) do dfc[i] = tostring(math.tointeger(v) or v) end
  local ssc, msc = mat.format(zapsmall(ss, 4), { digits = 4 }), mat.format(zapsmall(ms, 4), { digits = 4 })
  local Fr = {}
  for i, v in ipairs(F) do Fr[i] = v == v and math.floor(v * 1000 + 0.5) / 1000 or v end
  local Fc, pc, sc = {}, {}, {}
  local okF, okp = {}, {}
  for i = 1, #F do if F[i] == F[i] then okF[#okF + 1] = Fr[i] end end
  for i = 1, #p do if p[i] == p[i] then okp[#okp + 1] = p[i] end end
  local fcells, pcells = #okF > 0 and mat.format(okF, { digits = 4 }) or {}, format_pvals(okp, 3)
  local a, b, any_star = 0, 0, false
  for i = 1, k do
    if F[i] == F[i] and i < k then a = a + 1; Fc[i] = fcells[a] else Fc[i] = "" end
    if p[i] == p[i] and i < k then b = b + 1; pc[i] = pcells[b]; any_star = any_star or p[i] < 0.1 else pc[i] = "" end
    sc[i] = i < k and stars(p[i]) or ""
  end
  local header, cols = { "Df", "Sum Sq", "Mean Sq", "F value", "Pr(>F)" }, { dfc, ssc, msc, Fc, pc }
  if any_star then
    local w = 0
    for _, s in ipairs(sc) do w = math.max(w, #s) end
    for i = 1, k do sc[i] = pad(sc[i], w, true) end
    header[6], cols[6] = "", sc
  end
  local lines = print_matrix(names, header, cols, 11)
  if any_star then
    lines[#lines + 1] = "---"
    lines[#lines + 1] = "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 " ..
      "\u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1"
  end
  if fit.na_dropped > 0 then lines[#lines + 1] = fit.na_dropped .. " observation" .. (fit.na_dropped > 1 and "s" or "") ..
    " deleted due to missingness" end
  return table.concat(lines, "\n")
end

mlsh.declare_options("stats.aov", {
  { "interaction", "bool", false, doc = "two factors: add their interaction g1:g2" },
  { "names", "table", doc = "the factors' names in the table (default: group, or g1 and g2)" },
  { "levels", "table", doc = "each factor's levels in order, as R's factor(x, levels) (others become NA)" },
})

M.aov = doc(function(y, g1, g2, opts)
  local fname = "stats.aov"
  if opts == nil and g2 ~= nil and kind(g2) ~= "Column" and not mat.is(g2) and not (type(g2) == "table" and g2[1] ~= nil) then
    g2, opts = nil, g2
  end
  opts = mlsh.check_options(fname, opts) or {}
  local ys = kind(y) == "Column" and y:totable() or vector.numbers(y, fname, "y")
  local n = kind(y) == "Column" and #y or #ys
  local given = opts.levels or {}
  if opts.levels and type(given[1]) ~= "table" then error(fname .. ": option 'levels' must be an array of level arrays, one per factor", 0) end
  local a, la = factor(g1, n, fname, "g1", given[1])
  local b, lb
  if g2 ~= nil then b, lb = factor(g2, n, fname, "g2", given[2]) end
  local yy, aa, bb, dropped = {}, {}, b and {} or nil, 0
  for i = 1, n do
    local v = ys[i]
    if type(v) ~= "number" and v ~= nil then error(string.format("%s: argument 'y' has a %s at %d, not a number", fname, type(v), i), 0) end
    if v == nil or v ~= v or not a[i] or (b and not b[i]) then dropped = dropped + 1
    else yy[#yy + 1] = v; aa[#aa + 1] = a[i]; if b then bb[#bb + 1] = b[i] end end
  end
  if #yy == 0 then error(fname .. ": no complete observations", 0) end
  local names = opts.names or {}
  local n1, n2 = names[1] or (b and "g1" or "group"), names[2] or "g2"
  local r = M._aov(yy, aa, #la, bb, lb and #lb or nil, opts.interaction and true or false)
  r.terms = { n1 }
  if b then r.terms[2] = n2; if opts.interaction then r.terms[3] = n1 .. ":" .. n2 end end
  r.y, r.codes, r.levels, r.na_dropped, r.nobs = yy, { aa, bb }, { la, lb }, dropped, #yy
  return setmetatable(r, AOV)
end, "stats.aov", "stats.aov(y, g1 [, g2] [, opts])",
  "Analysis of variance as R's summary(aov(y ~ g1)) or aov(y ~ g1 + g2) (interaction = true: y ~ g1 * g2):\n" ..
  "sequential (type I) sums of squares, terms in that order, aliased columns dropped as R's QR does. y: numbers\n" ..
  "(array, Matrix column or frame Column); g1, g2: labels (strings or integers) or Columns, their levels in\n" ..
  "R's factor order (a categorical Column's own levels, else sorted; levels = {{...}, {...}} sets them).\n" ..
  "Rows with an NA anywhere are dropped and counted. Returns an AOV that prints as R's table, with fields terms,\n" ..
  "df, ss, ms, F, p (one per term), df_resid, ss_resid, ms_resid, na_dropped; stats.tukey_hsd(fit) follows.\n" ..
  "Example: print(stats.aov({4.2, 5.1, 4.8, 6.0, 6.3, 5.9}, {\"a\", \"a\", \"a\", \"b\", \"b\", \"b\"}))")

local Tukey = { __name = "TukeyHSD" }
Tukey.__index = Tukey

function Tukey.__tostring(t)
  local out = { "  Tukey multiple comparisons of means",
    "    " .. mat.format(100 * t.conf_level, { digits = 2 }) .. "% family-wise confidence level", "" }
  for _, term in ipairs(t.terms) do
    local res = t[term]
    out[#out + 1] = "$" .. term
    local cols = { {}, {}, {}, {} }
    for i, row in ipairs(res.rows) do
      for c = 1, 3 do cols[c][i] = row[c] end
      cols[4][i] = math.floor(row[4] * 1e7 + 0.5) / 1e7   -- print.TukeyHSD rounds p adj to 7 places
    end
    for c = 1, 4 do cols[c] = mat.format(cols[c], { digits = 7 }) end
    for _, line in ipairs(print_matrix(res.names, { "diff", "lwr", "upr", "p adj" }, cols)) do out[#out + 1] = line end
    out[#out + 1] = ""
  end
  return table.concat(out, "\n")
end

-- Is every cell of the two factors' table the same size (R's balanced design)?
local function balanced(a, b, ka, kb)
  local count = {}
  for i = 1, #a do local k = (a[i] - 1) * kb + b[i]; count[k] = (count[k] or 0) + 1 end
  for k = 1, ka * kb do if count[k] ~= count[1] then return false end end
  return true
end

mlsh.declare_options("stats.tukey_hsd", {
  { "conf_level", "number", 0.95, min = 0, max = 1, min_open = true, max_open = true, doc = "family-wise confidence level" },
})

M.tukey_hsd = doc(function(fit, opts)
  local fname = "stats.tukey_hsd"
  if getmetatable(fit) ~= AOV then error(fname .. ": argument 'fit' must be a stats.aov result", 0) end
  opts = mlsh.check_options(fname, opts) or {}
  local level = opts.conf_level or 0.95
  local a, b = fit.codes[1], fit.codes[2]
  if b and not balanced(a, b, #fit.levels[1], #fit.levels[2]) then
    error(fname .. ": a two-way fit needs a balanced design (the same count in every cell), as R's means table", 0)
  end
  local out = setmetatable({ terms = {}, conf_level = level }, Tukey)
  for f = 1, b and 2 or 1 do
    local codes, levels = fit.codes[f], fit.levels[f]
    local sum, count = {}, {}
    for k = 1, #levels do sum[k], count[k] = 0, 0 end
    for i, c in ipairs(codes) do sum[c] = sum[c] + fit.y[i]; count[c] = count[c] + 1 end
    for k = 1, #levels do
      if count[k] == 0 then error(fname .. ": level '" .. levels[k] .. "' has no observations", 0) end
      sum[k] = sum[k] / count[k]
    end
    local rows = M._tukey(sum, count, fit.ms_resid, fit.df_resid, level)
    local names = {}
    for j = 1, #levels do for i = j + 1, #levels do names[#names + 1] = levels[i] .. "-" .. levels[j] end end
    local term = fit.terms[f]
    out.terms[#out.terms + 1] = term
    out[term] = { names = names, rows = rows }
  end
  return out
end, "stats.tukey_hsd", "stats.tukey_hsd(fit [, opts])",
  "Tukey's honest significant differences as R's TukeyHSD on a stats.aov fit: for each factor (the main\n" ..
  "effects; a two-way fit must be balanced), every difference of level means with its family-wise interval\n" ..
  "(R's qtukey) and adjusted p-value (R's ptukey), on the fit's residual mean square and df. Returns a\n" ..
  "TukeyHSD that prints as R's; result[term] = {names = {\"b-a\", ...}, rows = {{diff, lwr, upr, p_adj}, ...}}.\n" ..
  "Example: print(stats.tukey_hsd(stats.aov({4.2, 5.1, 4.8, 6.0, 6.3, 5.9, 5.0, 5.2, 4.9}, {1, 1, 1, 2, 2, 2, 3, 3, 3})))")
