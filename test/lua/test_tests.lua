-- test/lua/test_tests.lua - stats.t_test, cor_test, chisq_test against R 4.2.2 (Debian 12 r-base-core).
-- Each reference is the R call above it, printed with formatC(v, digits = 17).
-- Data: R's datasets sleep (extra, by group), mtcars (mpg by am), airquality (Ozone, 37 NA).
local T = dofile("test/lua/harness.lua")

local sleep1 = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 }
local sleep2 = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 }
local mpg_auto = { 21.4, 18.7, 18.1, 14.3, 24.4, 22.8, 19.2, 17.8, 16.4, 17.3, 15.2, 10.4, 10.4, 14.7, 21.5, 15.5,
                   15.2, 13.3, 19.2 }
local mpg_manual = { 21, 21, 22.8, 32.4, 30.4, 33.9, 27.3, 26, 30.4, 15.8, 19.7, 15, 21.4 }
local NA = 0 / 0
local ozone = { 41, 36, 12, 18, NA, 28, 23, 19, 8, NA, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, NA, NA, NA,
  23, 45, 115, 37, NA, NA, NA, NA, NA, NA, 29, NA, 71, 39, NA, NA, 23, NA, NA, 21, 37, 20, 12, 13, NA, NA, NA, NA, NA,
  NA, NA, NA, NA, NA, 135, 49, 32, NA, 64, 40, 77, 97, 97, 85, NA, 10, 27, NA, 7, 48, 35, 61, 79, 63, 16, NA, NA, 80,
  108, 20, 52, 82, 50, 64, 59, 39, 9, 16, 78, 35, 66, 122, 89, 110, NA, NA, 44, 28, 65, NA, 22, 59, 23, 31, 44, 21, 9,
  NA, 45, 168, 73, NA, 76, 118, 84, 85, 96, 78, 73, 91, 47, 32, 20, 23, 21, 24, 44, 21, 28, 9, 13, 46, 18, 13, 24, 16,
  13, 23, 36, 7, 14, 30, NA, 14, 18, 20 }
local mpg = {}
for _, v in ipairs(mpg_auto) do mpg[#mpg + 1] = v end
for _, v in ipairs(mpg_manual) do mpg[#mpg + 1] = v end

local function check(r, want, label)
  T.rel(r.statistic, want.t, 1e-12, label .. " t")
  T.rel(r.parameter, want.df, 1e-12, label .. " df")
  T.rel(r.p_value, want.p, 1e-10, label .. " p")
  for k, v in ipairs { want.lo, want.hi } do
    if math.abs(v) == math.huge then T.eq(r.conf_int[k], v, label .. " interval")
    else T.rel(r.conf_int[k], v, 1e-12, label .. " interval") end
  end
  for k = 1, #want.est do T.rel(r.estimate[k], want.est[k], 1e-14, label .. " estimate") end
end

T.test("t tests equal R's t.test", function()
  -- R: t.test(sleep$extra[1:10], sleep$extra[11:20])
  check(stats.t_test(sleep1, sleep2), { t = -1.8608134674868531, df = 17.776473516178498, p = 0.079394140187358173,
    lo = -3.3654832307117104, hi = 0.20548323071171018, est = { 0.75, 2.3300000000000001 } }, "Welch")
  -- R: t.test(sleep$extra[1:10], sleep$extra[11:20], paired = TRUE)
  check(stats.t_test(sleep1, sleep2, { paired = true }), { t = -4.0621276833820366, df = 9, p = 0.0028328901973842702,
    lo = -2.4598857632769824, hi = -0.70011423672301754, est = { -1.5800000000000001 } }, "paired")
  -- R: t.test(sleep$extra[1:10], sleep$extra[11:20], var.equal = TRUE)
  check(stats.t_test(sleep1, sleep2, { var_equal = true }), { t = -1.8608134674868528, df = 18, p = 0.079186714215938175,
    lo = -3.3638740322875984, hi = 0.20387403228759859, est = { 0.75, 2.3300000000000001 } }, "pooled")
  -- R: t.test(mtcars$mpg[mtcars$am == 0], mtcars$mpg[mtcars$am == 1], alternative = "less", conf.level = 0.9)
  check(stats.t_test(mpg_auto, mpg_manual, { alternative = "less", conf_level = 0.9 }), { t = -3.7671231451449252,
    df = 18.332251638400461, p = 0.00068681916653551419, lo = -math.huge, hi = -4.6880942772018503,
    est = { 17.147368421052633, 24.392307692307693 } }, "less")
  -- R: t.test(mtcars$mpg, mu = 20, alternative = "greater")
  check(stats.t_test(mpg, { mu = 20, alternative = "greater" }), { t = 0.085060035681333551, df = 31,
    p = 0.46638032045469485, lo = 18.28417866550901, hi = math.huge, est = { 20.090624999999999 } }, "greater")
  -- R: t.test(airquality$Ozone, mu = 40): NA dropped (116 of 153 used)
  local r = stats.t_test(ozone, { mu = 40 })
  check(r, { t = 0.6952059703868354, df = 115, p = 0.48832860050190685, lo = 36.062397562076093,
    hi = 48.196223127579088, est = { 42.129310344827587 } }, "NA dropped")
  T.eq(r.nx, 116)
  T.eq(stats.t_test(mat.from { sleep1 }:t(), mat.from { sleep2 }:t()).statistic, stats.t_test(sleep1, sleep2).statistic)
end)

T.test("prints as R's htest", function()
  -- R: print(t.test(sleep$extra[1:10], sleep$extra[11:20]))
  T.eq(tostring(stats.t_test(sleep1, sleep2)), table.concat({ "", "\tWelch Two Sample t-test", "", "data:  x and y",
    "t = -1.8608, df = 17.776, p-value = 0.07939",
    "alternative hypothesis: true difference in means is not equal to 0", "95 percent confidence interval:",
    " -3.3654832  0.2054832", "sample estimates:", "mean of x mean of y ", "     0.75      2.33 ", "" }, "\n"))
end)

T.test("bad input", function()
  T.raises(function() stats.t_test({ 1 }) end, "stats.t_test: not enough 'x' observations")
  T.raises(function() stats.t_test({ 2, 2, 2 }) end, "stats.t_test: data are essentially constant")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { paired = true }) end, "stats.t_test: 'y' is missing for paired test")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { 1, 2 }, { paired = true }) end, "paired samples differ in length (3 and 2)")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { 4 }) end, "stats.t_test: not enough 'y' observations")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { alternative = "both" }) end, "stats.t_test: option 'alternative'")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { conf_level = 1 }) end, "stats.t_test: 'conf_level' must be in (0, 1)")
  T.raises(function() stats.t_test({ 1, 2, 3 }, { tails = 2 }) end, "stats.t_test: unknown option 'tails'")
  T.raises(function() stats.t_test("abc") end, "stats.t_test")
  T.raises(function() stats.t_test({}) end, "stats.t_test: argument 'x' is an empty array")
end)

-- ---- cor_test and chisq_test; references printed by R 4.2.2 as above ----
local mtcars = {
  mpg = { 21, 21, 22.800000000000001, 21.399999999999999, 18.699999999999999, 18.100000000000001, 14.300000000000001, 24.399999999999999, 22.800000000000001, 19.199999999999999, 17.800000000000001, 16.399999999999999, 17.300000000000001, 15.199999999999999, 10.4, 10.4, 14.699999999999999, 32.399999999999999, 30.399999999999999, 33.899999999999999, 21.5, 15.5, 15.199999999999999, 13.300000000000001, 19.199999999999999, 27.300000000000001, 26, 30.399999999999999, 15.800000000000001, 19.699999999999999, 15, 21.399999999999999 },
  wt = { 2.6200000000000001, 2.875, 2.3199999999999998, 3.2149999999999999, 3.4399999999999999, 3.46, 3.5699999999999998, 3.1899999999999999, 3.1499999999999999, 3.4399999999999999, 3.4399999999999999, 4.0700000000000003, 3.73, 3.7799999999999998, 5.25, 5.4240000000000004, 5.3449999999999998, 2.2000000000000002, 1.615, 1.835, 2.4649999999999999, 3.52, 3.4350000000000001, 3.8399999999999999, 3.8450000000000002, 1.9350000000000001, 2.1400000000000001, 1.5129999999999999, 3.1699999999999999, 2.77, 3.5699999999999998, 2.7799999999999998 },
  qsec = { 16.460000000000001, 17.02, 18.609999999999999, 19.440000000000001, 17.02, 20.219999999999999, 15.84, 20, 22.899999999999999, 18.300000000000001, 18.899999999999999, 17.399999999999999, 17.600000000000001, 18, 17.98, 17.82, 17.420000000000002, 19.469999999999999, 18.52, 19.899999999999999, 20.010000000000002, 16.870000000000001, 17.300000000000001, 15.41, 17.050000000000001, 18.899999999999999, 16.699999999999999, 16.899999999999999, 14.5, 15.5, 14.6, 18.600000000000001 },
  am = { 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1 },
  vs = { 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1 },
  cyl = { 6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4 },
  gear = { 4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4 },
}
local temp = { 67, 72, 74, 62, 56, 66, 65, 59, 61, 69, 74, 69, 66, 68, 58, 64, 66, 57, 68, 62, 59, 73, 61, 61, 57, 58, 57, 67, 81, 79, 76, 78, 74, 67, 84, 85, 79, 82, 87, 90, 87, 93, 92, 82, 80, 79, 77, 72, 65, 73, 76, 77, 76, 76, 76, 75, 78, 73, 80, 77, 83, 84, 85, 81, 84, 83, 83, 88, 92, 92, 89, 82, 73, 81, 91, 80, 81, 82, 84, 87, 85, 74, 81, 82, 86, 85, 82, 86, 88, 86, 83, 81, 81, 81, 82, 86, 85, 87, 89, 90, 90, 92, 86, 86, 82, 80, 79, 77, 79, 76, 78, 78, 77, 72, 75, 79, 81, 86, 88, 97, 94, 96, 94, 91, 92, 93, 93, 87, 84, 80, 78, 75, 73, 81, 76, 77, 71, 71, 78, 67, 76, 68, 82, 64, 71, 81, 69, 63, 70, 77, 75, 76, 68 }

local function check_h(r, w, label)
  T.rel(r.statistic, w.stat, 1e-12, label .. " statistic")
  T.rel(r.parameter, w.df, 1e-14, label .. " df")
  T.rel(r.p_value, w.p, 1e-10, label .. " p")
  for k = 1, #w.ci do
    if math.abs(w.ci[k]) == 1 and math.abs(r.conf_int[k]) == 1 then T.eq(r.conf_int[k], w.ci[k], label)
    else T.rel(r.conf_int[k], w.ci[k], 1e-12, label .. " interval") end
  end
  for k = 1, #w.est do T.rel(r.estimate[k], w.est[k], 1e-13, label .. " estimate") end
end

T.test("cor_test equals R's cor.test (Pearson)", function()
  -- R: cor.test(mtcars$mpg, mtcars$wt)
  local w0 = { stat = -9.559044146972111, df = 30, p = 1.2939587013505163e-10, ci = { -0.93382641328499416, -0.74408719646011279 }, est = { -0.8676593765172278 } }
  check_h(stats.cor_test(mtcars.mpg, mtcars.wt), w0, "mpg ~ wt")
  -- R: cor.test(airquality$Ozone, airquality$Temp, alternative = "greater", conf.level = 0.9)
  local w1 = { stat = 10.417724180987497, df = 114, p = 1.4659482962389388e-18, ci = { 0.63127586998495921, 1 }, est = { 0.6983603421509319 } }
  check_h(stats.cor_test(ozone, temp, { alternative = "greater", conf_level = 0.9 }), w1, "Ozone ~ Temp, NA pairs dropped")
  -- R: cor.test(mtcars$mpg, mtcars$qsec, alternative = "less")
  local w2 = { stat = 2.5252132592408545, df = 30, p = 0.99145900575174017, ci = { -1, 0.63606496356024156 }, est = { 0.41868403392177828 } }
  check_h(stats.cor_test(mtcars.mpg, mtcars.qsec, { alternative = "less" }), w2, "mpg ~ qsec less")
end)

T.test("chisq_test equals R's chisq.test", function()
  -- R: chisq.test(rbind(c(762, 327, 468), c(484, 239, 477))) (R's help: Agresti 2007, party by gender)
  local w3 = { stat = 30.070149095754672, df = 2, p = 2.9535891832117569e-07, ci = {  }, est = {  } }
  local r = stats.chisq_test({ { 762, 327, 468 }, { 484, 239, 477 } })
  check_h(r, w3, "party by gender")
  -- R: chisq.test(...)$expected, column by column
  local e = { 703.67138193688788, 542.32861806311212, 319.64526659412405, 246.35473340587595, 533.68335146898801, 411.31664853101199 }
  for j = 1, 3 do for i = 1, 2 do T.rel(r.expected:get(i, j), e[(j - 1) * 2 + i], 1e-13, "expected") end end
  T.eq(r.small_expected, false)
  T.eq(r.method, "Pearson's Chi-squared test")
  -- R: chisq.test(table(mtcars$am, mtcars$vs))
  local w4 = { stat = 0.34753550543024225, df = 1, p = 0.55551154701314953, ci = {  }, est = {  } }
  local t = stats.chisq_test(mtcars.am, mtcars.vs)
  check_h(t, w4, "am x vs, Yates")
  T.eq(t.method, "Pearson's Chi-squared test with Yates' continuity correction")
  -- R: chisq.test(table(mtcars$am, mtcars$vs), correct = FALSE)
  local w5 = { stat = 0.90688259109311742, df = 1, p = 0.34094291427438084, ci = {  }, est = {  } }
  check_h(stats.chisq_test(mtcars.am, mtcars.vs, { correct = false }), w5, "am x vs")
  -- R: suppressWarnings(chisq.test(mtcars$cyl, mtcars$gear)) (labels)
  local w6 = { stat = 18.036363636363635, df = 4, p = 0.0012140660337851576, ci = {  }, est = {  } }
  local cg = stats.chisq_test(mtcars.cyl, mtcars.gear)
  check_h(cg, w6, "cyl x gear")
  T.eq(cg.small_expected, true)
  -- R: chisq.test(c(89, 37, 30, 28, 2), p = c(40, 20, 20, 15, 5) / 100) (R's help example)
  local w7 = { stat = 9.9901433691756267, df = 4, p = 0.040594043344781221, ci = {  }, est = {  } }
  check_h(stats.chisq_test({ 89, 37, 30, 28, 2 }, { p = { 0.40, 0.20, 0.20, 0.15, 0.05 } }), w7, "given p")
  -- R: chisq.test(InsectSprays counts by spray: tapply(count, spray, sum))
  local w8 = { stat = 280.92982456140351, df = 5, p = 1.2566337414419521e-58, ci = {  }, est = {  } }
  check_h(stats.chisq_test({ 174, 184, 25, 59, 42, 200 }), w8, "equal p")
  local s = { "a", "b", "a", "a", "b", "c", "c", "a" }
  T.eq(stats.chisq_test(s, { "x", "y", "x", "y", "y", "x", "x", "y" }).statistic, 4)  -- R: 4 (string labels)
end)

T.test("cor_test and chisq_test: bad input", function()
  T.raises(function() stats.cor_test({ 1, 2 }, { 2, 1 }) end, "stats.cor_test: not enough finite observations (2 pairs)")
  T.raises(function() stats.cor_test({ 1, 2, 3 }, { 2, 1 }) end, "stats.cor_test: 'x' and 'y' must have the same length (3 and 2)")
  T.raises(function() stats.cor_test({ 1, 2, 3 }, { 2, 1, 4 }, { alternative = "up" }) end, "stats.cor_test: option 'alternative'")
  T.raises(function() stats.chisq_test({ { 1, -2 }, { 3, 4 } }) end, "stats.chisq_test: all entries of 'x' must be nonnegative and finite")
  T.raises(function() stats.chisq_test({ 0, 0 }) end, "stats.chisq_test: at least one entry of 'x' must be positive")
  T.raises(function() stats.chisq_test({ 5 }) end, "stats.chisq_test: 'x' must at least have 2 elements")
  T.raises(function() stats.chisq_test({ 1, 2 }, { p = { 0.5, 0.6 } }) end, "stats.chisq_test: probabilities must sum to 1")
  T.raises(function() stats.chisq_test({ 1, 2 }, { p = { 1 } }) end, "'x' and 'p' must have the same number of elements")
  T.raises(function() stats.chisq_test({ "a", "a" }, { "x", "y" }) end, "stats.chisq_test: 'x' and 'y' must have at least 2 levels")
end)

T.done()
