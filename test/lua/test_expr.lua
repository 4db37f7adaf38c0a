-- test/lua/test_expr.lua - expressions over typed frames (filter, mutate,
-- summarise) and Column arithmetic, aggregates, string, date and window
-- methods. Reference values come from R 4.2 with dplyr 1.0.10; the R call
-- is next to each value. Data: R's airquality, mtcars, iris, ChickWeight
-- written by write.csv into test/fixtures/r_datasets/ (Chick and Diet as
-- character; mtcars with its row names as `model`).
local T = dofile("test/lua/harness.lua")

-- A small CSV reader into a typed frame (quoted fields, NA as missing).
local function read(name)
  local f = assert(io.open("test/fixtures/r_datasets/" .. name .. ".csv"))
  local names, cols, n = nil, {}, 0
  for line in f:lines() do
    local fields = {}
    for field in (line .. ","):gmatch('("?[^"]-"?),') do fields[#fields + 1] = field end
    if not names then
      names = {}
      for j, v in ipairs(fields) do names[j] = v:gsub('"', ""); cols[j] = {} end
    else
      n = n + 1
      for j, v in ipairs(fields) do
        if v:sub(1, 1) == '"' then cols[j][n] = v:sub(2, -2)
        elseif v ~= "NA" then cols[j][n] = math.tointeger(tonumber(v)) or tonumber(v) or v end
      end
    end
  end
  f:close()
  for j = 1, #cols do cols[j].n = n end
  return data._typed_frame(names, cols)
end

local aq, mt, ir, cw = read("airquality"), read("mtcars"), read("iris"), read("ChickWeight")
local function group(df, ...) return df:group_by(...) end

-- got: a Column or a table; want: an array with nil holes (n set or #).
local function same(got, want, tol, msg)
  if type(got) == "userdata" then got = got:totable() end
  local n = want.n or #want
  for i = 1, n do
    local w, g = want[i], got[i]
    if w == nil then T.ok(g == nil, (msg or "") .. " value " .. i .. " should be NA, got " .. tostring(g))
    elseif type(w) == "number" then T.near(g, w, (tol or 1e-9) * math.max(1, math.abs(w)), (msg or "") .. " value " .. i)
    else T.eq(g, w, (msg or "") .. " value " .. i) end
  end
end

local function slice(t, a, b)
  local o = { n = b - a + 1 }
  for i = a, b do o[i - a + 1] = t[i] end
  return o
end

local function sum(col)
  local t, s = col:totable(), 0
  for i = 1, t.n do s = s + (t[i] or 0) end
  return s
end

T.test("filter on airquality as dplyr::filter (NA drops the row)", function()
  T.eq(aq:filter("Ozone > 50 and Month == 7"):nrow(), 15)   -- nrow(filter(airquality, Ozone > 50 & Month == 7))
  T.eq(aq:filter("is_na(Ozone)"):nrow(), 37)                -- nrow(filter(airquality, is.na(Ozone)))
  T.eq(aq:filter("Solar.R > 200 or Wind < 5"):nrow(), 81)   -- nrow(filter(airquality, Solar.R > 200 | Wind < 5))
  T.eq(aq:filter("not Temp > 80"):nrow(), 85)               -- nrow(filter(airquality, !(Temp > 80)))
  T.eq(aq:filter("Day in {1, 15, 31}"):nrow(), 13)          -- nrow(filter(airquality, Day %in% c(1, 15, 31)))
  T.eq(aq:filter("Ozone < 30"):nrow(), 55)                  -- sum(airquality$Ozone < 30, na.rm = TRUE)
  T.eq(aq:filter("Month == 5", "Day <= 10"):nrow(), 10)     -- several conditions are and-ed
  T.eq(aq:filter(function(d) return d.Temp:gt(90) end):nrow(), 14) -- sum(airquality$Temp > 90)
  -- airquality %>% group_by(Month) %>% filter(Temp > mean(Temp)) %>% nrow()
  T.eq(group(aq, "Month"):filter("Temp > mean(Temp)"):nrow(), 73)
  -- iris %>% group_by(Species) %>% filter(Sepal.Length > mean(Sepal.Length)) %>% nrow()
  T.eq(group(ir, "Species"):filter("Sepal.Length > mean(Sepal.Length)"):nrow(), 68)
  T.eq(mt:filter("cyl == 6 and mpg > 19"):nrow(), 5)        -- nrow(filter(mtcars, cyl == 6 & mpg > 19))
  T.eq(mt:filter("mpg in {21, 22.8}"):nrow(), 4)            -- sum(mtcars$mpg %in% c(21, 22.8))
  T.eq(aq:filter("Ozone in {41, 36, NA}"):nrow(), 40)       -- sum(airquality$Ozone %in% c(41, 36, NA))
  local f = aq:filter("Temp > 95")
  same(f.Temp, {97, 96}, 0)                                 -- airquality$Temp[airquality$Temp > 95]
  -- nrow(filter(airquality, Solar.R >= 300 & Wind != 8 & Temp != 70))
  T.eq(aq:filter("`Solar.R` >= 300 and Wind != 8 and Temp ~= 70"):nrow(), 9)
  T.eq(aq:filter("false"):nrow(), 0)
  T.eq(aq:filter("false"):ncol(), 6)
end)

T.test("Column aggregates on airquality$Ozone as R (na_rm)", function()
  local o = aq.Ozone
  T.eq(o:mean(), nil)                                       -- mean(airquality$Ozone) is NA
  T.near(o:mean{na_rm = true}, 42.1293103448276, 1e-12)     -- mean(airquality$Ozone, na.rm = TRUE)
  T.near(o:median{na_rm = true}, 31.5, 1e-12)               -- median(..., na.rm = TRUE)
  T.near(o:sd{na_rm = true}, 32.987884514434, 1e-12)        -- sd(..., na.rm = TRUE)
  T.near(o:var{na_rm = true}, 1088.20052473763, 1e-9)       -- var(..., na.rm = TRUE)
  T.eq(o:min{na_rm = true}, 1); T.eq(o:max{na_rm = true}, 168)
  T.near(o:quantile(0.25, {na_rm = true}), 18, 1e-12)       -- quantile(airquality$Ozone, 0.25, na.rm = TRUE)
  T.near(o:quantile(0.9, {na_rm = true}), 87, 1e-12)        -- quantile(..., 0.9, na.rm = TRUE)
  T.eq(o:n_distinct(), 68)                                  -- dplyr::n_distinct(airquality$Ozone)
  T.eq(o:n_distinct{na_rm = true}, 67)                      -- n_distinct(..., na.rm = TRUE)
  T.eq(o:sum{na_rm = true}, 4887)                           -- sum(..., na.rm = TRUE)
  T.eq(math.type(o:sum{na_rm = true}), "integer")           -- sum of integers is integer (R)
  T.eq(o:gt(100):any{na_rm = true}, true)                   -- any(airquality$Ozone > 100, na.rm = TRUE)
  T.eq(aq.Temp:gt(50):all(), true)                          -- all(airquality$Temp > 50)
  T.eq(o:gt(200):any(), nil)                                -- any(airquality$Ozone > 200) is NA
  T.eq(o:first(), 41); T.eq(o:last(), 20)
end)

T.test("summarise by Month on airquality as dplyr", function()
  -- airquality %>% group_by(Month) %>% summarise(n = n(), oz = mean(Ozone, na.rm = TRUE), sdt = sd(Temp),
  --   mw = median(Wind), q = quantile(Temp, 0.9), mx = max(Solar.R, na.rm = TRUE), ozna = mean(Ozone))
  local s = group(aq, "Month"):summarise{n = "n()", oz = "mean(Ozone, na_rm = true)", sdt = "sd(Temp)",
    mw = "median(Wind)", q = "quantile(Temp, 0.9)", mx = "max(Solar.R, na.rm = TRUE)", ozna = "mean(Ozone)"}
  T.eq(table.concat(s:names(), ","), "Month,mw,mx,n,oz,ozna,q,sdt")   -- keys, then the items in sorted order
  same(s.Month, {5, 6, 7, 8, 9}, 0)
  same(s.n, {31, 30, 31, 31, 30}, 0)
  same(s.oz, {23.6153846153846, 29.4444444444444, 59.1153846153846, 59.9615384615385, 31.448275862069}, 1e-12)
  same(s.sdt, {6.85487033515791, 6.59858919090625, 4.31551340097311, 6.58525560611351, 8.3556712105797}, 1e-12)
  same(s.mw, {11.5, 9.7, 8.6, 8.6, 10.3}, 1e-12)
  same(s.q, {74, 87.3, 89, 94, 91.1}, 1e-12)
  same(s.mx, {334, 332, 314, 273, 259}, 0)
  same(s.ozna, {nil, nil, nil, nil, nil, n = 5})
  -- ungrouped: one row
  local u = aq:summarise{{"n", "n()"}, {"t", "mean(Temp)"}}
  T.eq(u:nrow(), 1); T.eq(table.concat(u:names(), ","), "n,t")
  same(u.t, {77.8823529411765}, 1e-12)                      -- mean(airquality$Temp)
end)

T.test("summarise by two keys on mtcars and ChickWeight; the result stays grouped by the first", function()
  -- mtcars %>% group_by(cyl, gear) %>% summarise(n = n(), mpg = mean(mpg), sdhp = sd(hp), .groups = "drop")
  local s = group(mt, "cyl", "gear"):summarise{n = "n()", mpg = "mean(mpg)", sdhp = "sd(hp)"}
  same(s.cyl, {4, 4, 4, 6, 6, 6, 8, 8}, 0)
  same(s.gear, {3, 4, 5, 3, 4, 5, 3, 5}, 0)
  same(s.n, {1, 8, 2, 2, 4, 1, 12, 2}, 0)
  same(s.mpg, {21.5, 26.925, 28.2, 19.75, 19.75, 19.7, 15.05, 15.4}, 1e-12)
  same(s.sdhp, {nil, 20.1139610363406, 15.556349186104, 3.53553390593274, 7.50555349946513, nil, 33.35983794743,
    50.2045814642449, n = 8}, 1e-12)
  -- ChickWeight %>% group_by(Diet) %>% summarise(n = n(), w = mean(weight), mt = max(Time), sdw = sd(weight),
  --   nch = n_distinct(Chick))
  local d = group(cw, "Diet"):summarise{n = "n()", w = "mean(weight)", mt = "max(Time)", sdw = "sd(weight)",
    nch = "n_distinct(Chick)"}
  same(d.Diet, {"1", "2", "3", "4"})
  same(d.n, {220, 120, 120, 118}, 0)
  same(d.w, {102.645454545455, 122.616666666667, 142.95, 135.262711864407}, 1e-12)
  same(d.mt, {21, 21, 21, 21}, 0)
  same(d.sdw, {56.656553440336, 71.6074949522278, 86.5417614252693, 68.8287144369592}, 1e-12)
  same(d.nch, {20, 10, 10, 10}, 0)
  -- ChickWeight %>% group_by(Diet, Time) %>% summarise(w = mean(weight)): 48 rows, still grouped by Diet
  local dt = group(cw, "Diet", "Time"):summarise{w = "mean(weight)"}
  T.eq(dt:nrow(), 48)
  same(slice(dt.w:totable(), 1, 3), {41.4, 47.25, 56.4736842105263}, 1e-12)
  T.eq(dt:summarise{k = "n()"}:nrow(), 4)                   -- n_groups(...) == 4
  -- iris %>% group_by(Species) %>% summarise(sl = mean(Sepal.Length), pw = median(Petal.Width),
  --   nd = n_distinct(Sepal.Length), v = var(Petal.Length), q = quantile(Sepal.Width, 0.1))
  local i = group(ir, "Species"):summarise{sl = "mean(Sepal.Length)", pw = "median(Petal.Width)",
    nd = "n_distinct(Sepal.Length)", v = "var(Petal.Length)", q = "quantile(Sepal.Width, 0.1)"}
  same(i.Species, {"setosa", "versicolor", "virginica"})
  same(i.sl, {5.006, 5.936, 6.588}, 1e-12)
  same(i.pw, {0.2, 1.3, 2}, 1e-12)
  same(i.nd, {15, 21, 21}, 0)
  same(i.v, {0.0301591836734694, 0.220816326530612, 0.304587755102041}, 1e-12)
  same(i.q, {3, 2.3, 2.59}, 1e-12)
  -- later items see earlier results, and keys are not shadowed:
  -- mtcars %>% group_by(cyl) %>% summarise(m = mean(mpg), s = sd(mpg), cv = s / m, sc = sum(cyl))
  local cv = group(mt, "cyl"):summarise{{"m", "mean(mpg)"}, {"s", "sd(mpg)"}, {"cv", "s / m"}, {"sc", "sum(cyl)"}}
  same(cv.cv, {0.169137757165483, 0.0736249586644206, 0.169539607713354}, 1e-12)
  same(cv.sc, {44, 42, 112}, 0)
  -- a Lua function per group: the group's largest Temp
  local f = group(aq, "Month"):summarise{top = function(d) return d.Temp:max() end}
  same(f.top, {81, 93, 92, 97, 93}, 0)                      -- tapply(airquality$Temp, airquality$Month, max)
end)

T.test("mutate: arithmetic, R's integer and %% rules, if_else, coalesce", function()
  -- airquality %>% mutate(tc = (Temp - 32) * 5 / 9, md = Month * Day, mdd = Month / Day, om = Ozone %% 7,
  --   onm = (-Ozone) %% 7, ie = if_else(is.na(Ozone), 0L, Ozone), pw = Wind^2)
  local m = aq:mutate{tc = "(Temp - 32) * 5 / 9", md = "Month * Day", mdd = "Month / Day", om = "Ozone % 7",
    onm = "(-Ozone) % 7", ie = "if_else(is_na(Ozone), 0, Ozone)", pw = "Wind^2", co = "coalesce(Ozone, 0)"}
  T.near(sum(m.tc), 3900, 1e-9)
  same(slice(m.tc:totable(), 1, 5), {19.4444444444444, 22.2222222222222, 23.3333333333333, 16.6666666666667,
    13.3333333333333}, 1e-12)
  T.eq(m.md:type(), "integer"); T.eq(sum(m.md), 16895)
  T.eq(m.mdd:type(), "double"); same(slice(m.mdd:totable(), 1, 3), {5, 2.5, 1.66666666666667}, 1e-12)
  T.eq(sum(m.om), 316)
  same(slice(m.onm:totable(), 1, 6), {1, 6, 2, 3, nil, 0, n = 6}, 0)
  T.eq(m.ie:type(), "integer"); T.eq(sum(m.ie), 4887)
  T.eq(sum(m.co), 4887)                                     -- sum(coalesce(airquality$Ozone, 0L))
  T.near(sum(m.pw), 17056.83, 1e-9)
  -- later items see earlier ones; pairs keep their order
  local p = aq:mutate{{"a", "Temp * 2"}, {"b", "a + 1"}}
  T.eq(p:col("b"):first(), 135)
  -- a Lua function over Columns, and a constant
  local z = mt:mutate{r = function(d) return d.hp / d.wt end, one = "1"}
  T.near(z.r:first(), 110 / 2.62, 1e-12); T.eq(z.one:type(), "integer"); T.eq(z.one:sum(), 32)
  local zc = mt:mutate{hp2 = mt.hp * 2}
  T.eq(zc.hp2:first(), 220)
  -- R: c(7L %/% 2L, (-7L) %% 3L, 7L %% -3L)[2:3] is 2, -2; c(5.5 %% 2, -5.5 %% 2) is 1.5, 0.5; 5 %% 0 is NaN
  local k = data._typed_frame({"x"}, {{1}})
  local r = k:mutate{a = "-7 % 3", b = "7 % -3", c = "5.5 % 2", d = "-5.5 % 2", e = "5 % 0", f = "5.0 % 0"}
  T.eq(r.a:first(), 2); T.eq(r.b:first(), -2); T.eq(r.c:first(), 1.5); T.eq(r.d:first(), 0.5)
  T.eq(r.e:first(), nil)                                    -- integer %% 0 is NA
  -- c(7L %/% 2L, -7L %/% 2L, 7L %/% -2L, 7.5 %/% 2, -7.5 %/% 2) is 3 -4 -4 3 -4; 1L %/% 0L is NA
  local idiv = k:mutate{a = "7 // 2", b = "-7 // 2", c = "7 // -2", d = "7.5 // 2", e = "-7.5 // 2", f = "1 // 0"}
  T.eq(idiv.a:first(), 3); T.eq(idiv.b:first(), -4); T.eq(idiv.c:first(), -4); T.eq(idiv.a:type(), "integer")
  T.eq(idiv.d:first(), 3.0); T.eq(idiv.e:first(), -4.0); T.eq(idiv.f:first(), nil)
  -- airquality$Day %/% 7: the week of the month
  T.eq(sum(aq:mutate{w = "Day // 7"}.w), 282)                -- sum(airquality$Day %/% 7)
  same(slice((aq.Day // 7):totable(), 1, 8), {0, 0, 0, 0, 0, 0, 1, 1}, 0)
  T.ok(r.f:first() ~= r.f:first())                          -- double %% 0 is NaN
  -- NA^0 and 1^NA are 1 in R; NA and FALSE is FALSE, NA or TRUE is TRUE
  local q = k:mutate{a = "NA^0", b = "1^NA", c = "NA and false", d = "NA and true", e = "NA or true", f = "NA or false"}
  T.eq(q.a:first(), 1.0); T.eq(q.b:first(), 1.0)
  T.eq(q.c:first(), false); T.eq(q.d:first(), nil); T.eq(q.e:first(), true); T.eq(q.f:first(), nil)
  -- integer overflow is NA (R warns and gives NA)
  local big = k:mutate{o = "9223372036854775807 + x", m = "-(-9223372036854775807 - 1)"}
  T.eq(big.o:first(), nil); T.eq(big.m:first(), nil)
end)

T.test("math functions on mtcars as R", function()
  local m = mt:mutate{l = "log(mpg)", s = "sqrt(hp)", r = "round(mpg / 3, 2)", w = "wt^2", e = "exp(wt)",
    l10 = "log10(disp)", fl = "floor(qsec)", ce = "ceiling(qsec)", lb = "log(hp, 2)", ab = "abs(-cyl)"}
  T.near(sum(m.l), 94.6404604019908, 1e-12)                 -- sum(log(mtcars$mpg))
  T.near(sum(m.s), 377.56975610059, 1e-12)                  -- sum(sqrt(mtcars$hp))
  same(slice(m.r:totable(), 1, 6), {7, 7, 7.6, 7.13, 6.23, 6.03}, 0)   -- round(mtcars$mpg[1:6] / 3, 2)
  T.near(sum(m.w), 360.90107, 1e-12)                        -- sum(mtcars$wt^2)
  same(slice(m.e:totable(), 1, 2), {13.7357235850779, 17.7254241214616}, 1e-12)
  same(slice(m.l10:totable(), 1, 2), {2.20411998265593, 2.20411998265593}, 1e-12)
  same(slice(m.fl:totable(), 1, 3), {16, 17, 18}, 0); same(slice(m.ce:totable(), 1, 3), {17, 18, 19}, 0)
  T.near(m.lb:first(), 6.78135971352466, 1e-12)             -- log(110, 2)
  T.eq(m.ab:type(), "integer"); T.eq(m.ab:first(), 6)
  -- x <- mtcars$drat[1] / 5; sin(x), cos(x), ... (R)
  local want = {sin = 0.70327941920041, cos = 0.710913538012277, tan = 0.989261536876605, asin = 0.894665817234235,
    acos = 0.676130509560661, atan = 0.662426293833151, sinh = 0.861533127096489, cosh = 1.31993913840171,
    tanh = 0.65270670596199, log2 = -0.358453970912476, expm1 = 1.1814722654982, sqrt = 0.883176086632785}
  for name, v in pairs(want) do
    T.near(mt:mutate{y = name .. "(drat / 5)"}.y:first(), v, 1e-14, name)
    local c = mt.drat / 5
    T.near(c[name](c):first(), v, 1e-14, "Column:" .. name)
  end
  -- as.logical(c("TRUE", "false", "T", "x", "0"))
  same(data._typed_frame({"s"}, {{"TRUE", "false", "T", "x", "0"}}).s:as_logical(), {true, false, true, nil, nil, n = 5})
  -- R 4: c(round(0.15, 1), round(2.675, 2), round(-0.5), round(2.5), round(1234.5678, -2))
  local k = data._typed_frame({"x"}, {{1}}):mutate{a = "round(0.15, 1)", b = "round(2.675, 2)", c = "round(-0.5)",
    d = "round(2.5)", e = "round(1234.5678, -2)"}
  T.eq(k.a:first(), 0.1); T.eq(k.b:first(), 2.67); T.eq(k.c:first(), 0); T.eq(k.d:first(), 2); T.eq(k.e:first(), 1200)
end)

T.test("window functions, per group inside a grouped frame, as dplyr", function()
  -- airquality %>% mutate(cs = cumsum(Temp), lg = lag(Temp), ld = lead(Temp, 2))
  local m = aq:mutate{cs = "cumsum(Temp)", lg = "lag(Temp)", ld = "lead(Temp, 2)", lz = "lag(Temp, 1, 0)"}
  T.eq(m.cs:last(), 11916)
  same(slice(m.lg:totable(), 1, 3), {nil, 67, 72, n = 3}, 0)
  same(slice(m.ld:totable(), 151, 153), {68, nil, nil, n = 3}, 0)
  T.eq(m.lz:first(), 0)
  -- airquality %>% group_by(Month) %>% mutate(z = Temp - mean(Temp), lgm = lag(Temp), rn = row_number(),
  --   cso = cumsum(Ozone), cmn = cummean(Temp))
  local g = group(aq, "Month"):mutate{z = "Temp - mean(Temp)", lgm = "lag(Temp)", rn = "row_number()",
    cso = "cumsum(Ozone)", cmn = "cummean(Temp)"}
  same(slice(g.z:totable(), 30, 33), {13.4516129032258, 10.4516129032258, -1.09999999999999, -5.09999999999999}, 1e-9)
  local ss = 0
  for _, v in ipairs(g.z:totable()) do ss = ss + v * v end
  T.near(ss, 6556.75483870968, 1e-9)
  T.eq(g.lgm:is_na():sum(), 5)
  same(slice(g.lgm:totable(), 31, 33), {79, nil, 78, n = 3}, 0)
  T.eq(sum(g.rn), 2418); same(slice(g.rn:totable(), 31, 32), {31, 1}, 0)
  same(slice(g.cso:totable(), 1, 6), {41, 77, 89, 107, nil, nil, n = 6}, 0)
  same(slice(g.cmn:totable(), 1, 3), {67, 69.5, 71}, 1e-12)
  same(slice(g.cmn:totable(), 32, 33), {78, 76}, 1e-12)
  -- rank(airquality$Ozone, na.last = "keep"), min_rank, dense_rank, percent_rank, row_number
  local r = aq:mutate{r = "rank(Ozone)", mr = "min_rank(Ozone)", dr = "dense_rank(Ozone)", pr = "percent_rank(Ozone)",
    rn = "row_number(Ozone)", md = "min_rank(desc(Temp))"}
  same(slice(r.r:totable(), 1, 8), {72, 65.5, 15.5, 30.5, nil, 53, 45.5, 33, n = 8}, 0)
  same(slice(r.mr:totable(), 1, 8), {72, 65, 15, 29, nil, 52, 43, 33, n = 8}, 0)
  same(slice(r.dr:totable(), 1, 8), {32, 28, 9, 13, nil, 21, 18, 14, n = 8}, 0)
  same(slice(r.pr:totable(), 1, 4), {0.617391304347826, 0.556521739130435, 0.121739130434783, 0.243478260869565}, 1e-12)
  same(slice(r.rn:totable(), 1, 8), {72, 65, 15, 29, nil, 52, 43, 33, n = 8}, 0)
  same(slice(r.md:totable(), 1, 5), {129, 115, 106, 141, 153}, 0)   -- min_rank(desc(airquality$Temp))[1:5]
  -- ChickWeight %>% group_by(Chick) %>% mutate(gain = weight - lag(weight), cmw = cummean(weight),
  --   rk = min_rank(desc(weight)))
  local c = group(cw, "Chick"):mutate{gain = "weight - lag(weight)", cmw = "cummean(weight)", rk = "min_rank(desc(weight))"}
  T.eq(c.gain:sum{na_rm = true}, 8216); T.eq(c.gain:is_na():sum(), 50)
  same(slice(c.gain:totable(), 1, 4), {nil, 9, 8, 5, n = 4}, 0)
  same(slice(c.cmw:totable(), 1, 3), {42, 46.5, 50.6666666666667}, 1e-12)
  same(slice(c.rk:totable(), 1, 4), {12, 11, 10, 9}, 0)
  -- x <- airquality$Wind[1:6]: cummax(x), cummin(x), cumprod(x), lead(x, 1, default = 0)
  local w = aq:filter("Month == 5 and Day <= 6"):mutate{mx = "cummax(Wind)", mn = "cummin(Wind)", pr = "cumprod(Wind)",
    ld = "lead(Wind, 1, 0)", sg = "sign(Wind - 10)", tr = "trunc(-Wind)", lp = "log1p(Wind)"}
  same(w.mx, {7.4, 8, 12.6, 12.6, 14.3, 14.9}, 1e-12); same(w.mn, {7.4, 7.4, 7.4, 7.4, 7.4, 7.4}, 1e-12)
  same(w.pr, {7.4, 59.2, 745.92, 8578.08, 122666.544, 1827731.5056}, 1e-12)
  same(w.ld, {8, 12.6, 11.5, 14.3, 14.9, 0}, 1e-12); same(w.sg, {-1, -1, 1, 1, 1, 1}, 0)
  same(w.tr, {-7, -8, -12, -11, -14, -14}, 0); same(slice(w.lp:totable(), 1, 2), {2.12823170584927, 2.19722457733622}, 1e-12)
  -- mtcars %>% group_by(am) %>% mutate(r = rank(mpg), c = cummax(hp)): r[1:4], c[1:6]
  local a = group(mt, "am"):mutate{r = "rank(mpg)", c = "cummax(hp)"}
  same(slice(a.r:totable(), 1, 4), {4.5, 4.5, 7, 16}, 0); same(slice(a.c:totable(), 1, 6), {110, 110, 110, 110, 175, 175}, 0)
  -- percent_rank(c(3, 1, 2, 2, NA)), dense_rank(c("b", "a", "c", "a")), as.integer(c(-2.7, 3.9)), as.numeric("3.25")
  local v = data._typed_frame({"x", "s", "d", "t"}, {{3, 1, 2, 2, nil, n = 5}, {"b", "a", "c", "a", nil, n = 5},
    {-2.7, 3.9, 0, 1, 2}, {"1", "x", "2.5", "", "7"}})
  same(v:mutate{p = "percent_rank(x)"}.p, {1, 0, 1 / 3, 1 / 3, nil, n = 5}, 1e-12)
  same(slice(v:mutate{r = "dense_rank(s)"}.r:totable(), 1, 4), {2, 1, 3, 1}, 0)
  same(slice(v.d:as_integer():totable(), 1, 2), {-2, 3}, 0)
  same(v.t:as_double(), {1, nil, 2.5, nil, 7, n = 5}, 0)   -- as.numeric(c("1", "x", "2.5", "", "7")): NA for x and ""
  T.eq(v.x:as_string():first(), "3"); T.eq(v.d:as_string():first(), "-2.7")
  -- Column methods on the same kernels
  same(slice(aq.Temp:cumsum():totable(), 1, 3), {67, 139, 213}, 0)
  same(slice(aq.Ozone:rank():totable(), 1, 3), {72, 65.5, 15.5}, 0)
end)

T.test("string functions on iris$Species as R", function()
  local m = ir:mutate{u = "upper(Species)", n = "nchar(Species)", s = "substr(Species, 1, 3)",
    r = "replace(Species, 'a', 'A')", p = "paste(Species, Sepal.Length, sep = '_')", p0 = "paste0(Species, NA)"}
  T.eq(m.u:first(), "SETOSA")                               -- toupper("setosa")
  T.eq(sum(m.n), 1250)                                      -- sum(nchar(as.character(iris$Species)))
  same({m.s:totable()[1], m.s:totable()[51], m.s:totable()[101]}, {"set", "ver", "vir"})   -- substr(.., 1, 3)
  T.eq(m.r:first(), "setosA")                               -- gsub("a", "A", "setosa", fixed = TRUE)
  T.eq(m.p:first(), "setosa_5.1")                           -- paste("setosa", 5.1, sep = "_")
  T.eq(m.p0:first(), "setosaNA")                            -- paste0("setosa", NA)
  T.eq(ir:filter("contains(Species, 'ers')"):nrow(), 50)    -- sum(grepl("ers", Species, fixed = TRUE))
  T.eq(ir:filter("starts_with(Species, 'vi')"):nrow(), 50)  -- sum(startsWith(Species, "vi"))
  T.eq(ir:filter("ends_with(Species, 'a')"):nrow(), 100)    -- sum(endsWith(Species, "a"))
  local t = data._typed_frame({"s"}, {{"  a b ", "Été", nil, n = 3}})
  local k = t:mutate{tr = "trim(s)", lo = "lower(s)", nc = "nchar(s)"}
  same(k.tr, {"a b", "Été", nil, n = 3}); same(k.lo, {"  a b ", "Été", nil, n = 3})
  same(k.nc, {6, 3, nil, n = 3}, 0)                         -- nchar counts characters: nchar("Été") == 3
  T.eq(ir.Species:upper():first(), "SETOSA")
  T.eq((ir.Species .. "!"):first(), "setosa!")
  T.eq(ir.Species:contains("osa"):sum(), 50)
end)

T.test("date functions and date arithmetic as R", function()
  -- d <- as.Date(paste("1973", airquality$Month, airquality$Day, sep = "-"))
  local m = aq:mutate{{"d", "as_date(paste('1973', Month, Day, sep = '-'))"}, {"wd", "weekday(d)"},
    {"wk", "week(d)"}, {"yd", "yday(d)"}, {"iw", "isoweek(d)"}, {"d30", "d + 30"}, {"m30", "month(d30)"},
    {"diff", "d - as_date('1973-05-01')"}, {"q", "quarter(d)"}, {"y", "year(d)"}, {"dd", "day(d)"}}
  T.eq(m.d:type(), "date")
  same(slice(m.wd:totable(), 1, 7), {2, 3, 4, 5, 6, 7, 1}, 0)   -- as.integer(format(d, "%u"))[1:7]
  same(slice(m.wk:totable(), 150, 153), {39, 39, 39, 39}, 0)    -- (as.POSIXlt(d)$yday %/% 7 + 1)[150:153]
  T.eq(m.yd:last(), 273)                                     -- as.POSIXlt(d)$yday[153] + 1
  local iw = m.iw:totable()
  same({iw[1], iw[60], iw[153]}, {18, 26, 39}, 0)            -- as.integer(format(d, "%V"))[c(1, 60, 153)]
  T.eq(m.d30:type(), "date"); T.eq(m.d30:first(), 1246)      -- as.numeric(d + 30)[1]
  same({m.m30:first(), m.m30:last()}, {5, 10}, 0)            -- as.integer(format(d + 30, "%m"))[c(1, 153)]
  T.eq(m.diff:type(), "double"); T.eq(m.diff:last(), 152)    -- as.numeric(d[153] - as.Date("1973-05-01"))
  same({m.q:first(), m.q:last()}, {2, 3}, 0)                 -- quarters(d)[c(1, 153)]: "Q2" "Q3"
  T.eq(m.y:first(), 1973); T.eq(m.dd:last(), 30)
  T.eq(m:filter("weekday(d) >= 6"):nrow(), 44)               -- sum(as.integer(format(d, "%u")) >= 6)
  T.eq(m:filter("d >= '1973-09-01'"):nrow(), 30)             -- a date compares with ISO text
  T.eq(m:filter("d in {'1973-05-01', '1973-06-01'}"):nrow(), 2)
  T.eq(m.d:as_string():first(), "1973-05-01")
  -- datetimes: as.POSIXct("2020-01-31 13:45:30.5", tz = "UTC"): hour 13, minute 45, second 30.5
  local t = data._typed_frame({"s"}, {{"2020-01-31 13:45:30.5", "2020-02-29T00:00:00Z"}})
  local k = t:mutate{{"t", "as_datetime(s)"}, {"h", "hour(t)"}, {"mi", "minute(t)"}, {"se", "second(t)"},
    {"dy", "as_date(t)"}, {"wd", "weekday(t)"}, {"later", "t + 3600"}, {"gap", "t - lag(t)"}}
  T.eq(k.t:type(), "datetime"); T.eq(k.t:first(), 1580478330.5)   -- as.numeric(as.POSIXct(..., tz = "UTC"))
  same(k.h, {13, 0}, 0); same(k.mi, {45, 0}, 0); same(k.se, {30.5, 0}, 0)
  same(k.dy, {18292, 18321}, 0)                              -- as.numeric(as.Date(c("2020-01-31", "2020-02-29")))
  same(k.wd, {5, 6}, 0)                                      -- Friday, Saturday
  T.eq(k.later:as_string():first(), "2020-01-31 14:45:30")
  same(k.gap, {nil, 2456069.5, n = 2}, 1e-12)                -- difftime(t2, t1, units = "secs")
  T.raises(function() t:mutate{x = "as_date('2020-13-01')"} end, "'2020-13-01' is not a date")
end)

T.test("Column operators and comparisons with NA propagation", function()
  local d = data._typed_frame({"a", "b", "s"}, {{1, 2, nil, 4, n = 4}, {1.5, 2.5, 3.5, nil, n = 4}, {"x", "y", "x", nil, n = 4}})
  same(d.a + d.b, {2.5, 4.5, nil, nil, n = 4}); T.eq((d.a + d.b):type(), "double")
  same(d.a + 1, {2, 3, nil, 5, n = 4}, 0); T.eq((d.a + 1):type(), "integer")
  same(1 - d.a, {0, -1, nil, -3, n = 4}, 0)
  same(d.a * d.a, {1, 4, nil, 16, n = 4}, 0)
  same(d.a / 2, {0.5, 1, nil, 2, n = 4}); T.eq((d.a / 2):type(), "double")
  same(d.a ^ 2, {1, 4, nil, 16, n = 4}); same(-d.a, {-1, -2, nil, -4, n = 4}, 0)
  same(d.a % 3, {1, 2, nil, 1, n = 4}, 0)
  same(d.a:gt(1), {false, true, nil, true, n = 4}); same(d.s:eq("x"), {true, false, true, nil, n = 4})
  same(d.a:le(d.b), {true, true, nil, nil, n = 4}); same(d.s:ne("x"), {false, true, false, nil, n = 4})
  same(d.a:gt(1) & d.s:eq("x"), {false, false, nil, nil, n = 4})
  same(d.a:gt(1) | d.s:eq("x"), {true, true, true, true, n = 4})
  same(~d.a:gt(1), {true, false, nil, false, n = 4})
  same(d.a:is_na(), {false, false, true, false, n = 4})
  same(d.a:gt(1):if_else("big", "small"), {"small", "big", nil, "big", n = 4})
  same(d.a:coalesce(0), {1, 2, 0, 4, n = 4}, 0)
  T.raises(function() return d.a + d.s end, "type mismatch")
  T.raises(function() return d.a:lt(d.s) end, "compares values of one kind")
  T.raises(function() return d.a + data._typed_frame({"z"}, {{1, 2}}).z end, "columns of 4 and 2 values")
  T.raises(function() return d.a + {} end, "must be a Column, a number")
end)

T.test("errors: syntax with a caret, type mismatch naming the column, unknown names", function()
  local e = T.raises(function() aq:filter("Ozone > ") end, "syntax error at position 9")
  T.ok(e:find("Ozone > \n", 1, true) and e:find("\n          ^", 1, true), e)
  T.raises(function() aq:filter("Ozone >> 3") end, "syntax error at position 8")
  T.raises(function() aq:filter("(Ozone > 3") end, "expected ')'")
  T.raises(function() aq:filter("'open") end, "unfinished string")
  T.raises(function() aq:filter("Ozone $ 3") end, "unexpected character")
  T.raises(function() aq:filter("Ozone in 3") end, "expected a set {...} after 'in'")
  T.raises(function() aq:filter(string.rep("(", 300) .. "1" .. string.rep(")", 300)) end, "nested too deeply")
  T.raises(function() aq:filter(string.rep("1 + ", 1100) .. "1") end, "expression too long")
  T.raises(function() ir:mutate{x = "Species + 1"} end,
    "type mismatch in 'Species + 1': '+' needs numbers (or a date and days), got column 'Species' (string) and '1' (integer)")
  T.raises(function() aq:filter("Ozon > 3") end, "unknown column 'Ozon' (did you mean 'Ozone'?)")
  T.raises(function() aq:filter("meen(Ozone) > 3") end, "unknown function 'meen' (did you mean 'mean'")
  T.raises(function() aq:filter("Ozone + 1") end, "condition 'Ozone + 1' is integer, not logical")
  T.raises(function() aq:summarise{x = "Ozone * 2"} end, "gives one value per row, not one per group")
  T.raises(function() aq:mutate{x = "mean(Ozone, na_rm = 1)"} end, "argument 'na_rm' must be true or false")
  T.raises(function() aq:mutate{x = "mean(Ozone, foo = true)"} end, "mean() has no argument 'foo'")
  T.raises(function() aq:mutate{x = "quantile(Ozone)"} end, "argument 'p' is missing")
  T.raises(function() aq:mutate{x = "round(Ozone, 1, 2)"} end, "takes at most 2 arguments")
  T.raises(function() aq:mutate{x = "upper(Ozone)"} end, "upper(): argument 'x' must be text")
  T.raises(function() aq:mutate{x = 3} end, "must be an expression string, a Column or a function")
  T.raises(function() aq:mutate{x = function() return {} end} end, "must return a Column or a value")
  T.raises(function() aq:filter() end, "needs at least one condition")
  T.raises(function() aq:mutate{{"a", "1"}, b = "2"} end, "not both")
  T.raises(function() aq:mutate{{"a"}} end, "item 1 must be a {name, expression} pair")
  -- the frame is unchanged after an error
  T.eq(aq:ncol(), 6); T.eq(aq:nrow(), 153)
end)

T.test("empty frames: every verb works on 0 rows", function()
  local e = aq:filter("false")
  T.eq(e:mutate{x = "Ozone + 1", r = "rank(Temp)", l = "lag(Temp)"}:nrow(), 0)
  local s = e:summarise{n = "n()", m = "mean(Temp)"}
  T.eq(s:nrow(), 1); T.eq(s.n:first(), 0)                   -- dplyr: summarise(n = n()) on 0 rows is one row, 0
  T.ok(s.m:first() ~= s.m:first())                          -- mean(integer(0)) is NaN
  T.eq(group(e, "Month"):summarise{n = "n()"}:nrow(), 0)   -- no groups, no rows
  T.eq(e.Temp:sum(), 0)
end)

-- Each allocation of a session of the verbs fails in turn (Lua's allocator, then the core's): an
-- error each time, never a crash or a leak (make asan), and the session works right after.
local function each_failure(count, fail, session)
  local want = session()
  local before = count()
  session()
  local total = count() - before
  local errors = 0
  for n = 1, total do
    collectgarbage()
    fail(n)
    local ok, err = pcall(session)
    fail(0)
    if not ok then
      errors = errors + 1
      err = tostring(err)
      T.ok(err:find("not enough memory", 1, true) or err:find("^[%w_.:]+: "), "N=" .. n .. ": " .. err)
    end
  end
  T.ok(errors > 0, "no allocation failure was seen")
  T.eq(session(), want)
end

local small = aq:filter("Day <= 4")
local function verbs_session()
  local g = small:group_by("Month")
  local m = g:mutate{z = "Temp - mean(Temp)", f = function(d) return d.Wind * 2 end, l = "lag(Ozone)"}
  local s = g:summarise{n = "n()", w = function(d) return d.Wind:max() end, q = "quantile(Temp, 0.5)"}
  local f = m:filter("z > 0 or is_na(l)", function(d) return d.Day:le(3) end)
  local c = (small.Temp + 1) * 2 .. "x"
  pcall(small.filter, small, "Temp >")
  return f:nrow() + s:nrow() + #c + small.Ozone:mean{na_rm = true} + #small.Month:paste(small.Day, {sep = "/"})
end

T.test("allocation failures inside filter, mutate, summarise and Column methods", function()
  if not mlsh._fail_lua_alloc or not mlsh._fail_alloc then T.skip("no allocator hooks") end
  each_failure(function() return mlsh._fail_lua_alloc(0) end, function(n) mlsh._fail_lua_alloc(n) end, verbs_session)
  each_failure(mlsh._alloc_count, mlsh._fail_alloc, verbs_session)
end)

T.test("Ctrl-C inside a verb: an 'interrupted' error, the frame unchanged, then it works", function()
  if not mlsh._interrupt then T.skip("no interrupt hook") end
  mlsh._interrupt()
  T.raises(function() aq:mutate{x = "Temp * 2"} end, "interrupted")
  mlsh._interrupt()
  T.raises(function() return aq.Temp + 1 end, "interrupted")
  T.eq(aq:ncol(), 6)
  T.eq(aq:mutate{x = "Temp * 2"}.x:first(), 134)
end)

T.test("cor(x, y) per group as R's cor, NA pairs as R", function()
  -- mtcars %>% group_by(cyl) %>% summarise(r = cor(mpg, wt)): -0.713184826200852 -0.681549815164342 -0.650358006405789
  local r = mt:group_by("cyl"):summarise{ { "r", "cor(mpg, wt)" }, { "r2", "cor(mpg, wt)^2" } }
  local ref = { -0.713184826200852, -0.681549815164342, -0.650358006405789 }
  for i = 1, 3 do
    T.near(r.r[i], ref[i], 1e-13)
    T.near(r.r2[i], ref[i] ^ 2, 1e-13)
  end
  T.near(mt:summarise{ r = "cor(mpg, wt)" }.r[1], -0.867659376517228, 1e-13)   -- cor(mtcars$mpg, mtcars$wt)
  -- cor(airquality$Ozone, airquality$Temp): NA; use = "complete.obs": 0.698360342150932
  local a = aq:summarise{ { "a", "cor(Ozone, Temp)" }, { "b", "cor(Ozone, Temp, na_rm = true)" } }
  T.eq(a.a[1], nil)
  T.near(a.b[1], 0.698360342150932, 1e-13)
  T.eq(mt:slice(1, 1):summarise{ r = "cor(mpg, wt)" }.r[1], nil)           -- one pair: NA
  T.raises(function() mt:summarise{ r = "cor(mpg, model)" } end, "cor")
end)

T.test("cor of integer columns per group: one exact pass, as R", function()
  -- sapply(split(aq, aq$Month), function(d) cor(d$Ozone, d$Solar.R, use = "complete.obs"))
  local ref = { 0.242863541191012, 0.717752773978808, 0.429325852516212, 0.529682744912348, 0.180372984674714 }
  local g = aq:group_by("Month")
  local r = g:summarise{ { "r", "cor(Ozone, Solar.R, na_rm = true)" }, { "na", "cor(Ozone, Solar.R)" } }
  for i = 1, 5 do T.near(r.r[i], ref[i], 1e-14); T.eq(r.na[i], nil, "an NA pair gives NA") end
  -- sapply(split(aq, aq$Month), function(d) cor(d$Temp, d$Day))
  ref = { 0.0919904482157200, -0.2614845132409190, -0.0985460115744348, 0.1302737014609557, -0.7085621670056111 }
  r = g:summarise{ r = "cor(Temp, Day)" }
  for i = 1, 5 do T.near(r.r[i], ref[i], 1e-14) end
  -- too large for exact integer sums: the general path, cor(aq$Temp * 1e9, aq$Day) = -0.130593175159278
  T.near(aq:mutate{ big = "Temp * 1000000000" }:summarise{ r = "cor(big, Day)" }.r[1], -0.130593175159278, 1e-13)
  T.eq(aq:mutate{ c = "Day * 0" }:group_by("Month"):summarise{ r = "cor(c, Day)" }.r[1], nil, "a constant side: NA")
end)

T.done()
