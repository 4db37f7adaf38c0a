-- test/lua/test_tests.lua - stats.t_test against R 4.2.2 (Debian 12 r-base-core).
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

T.done()
