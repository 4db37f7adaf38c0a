-- test/lua/test_frame.lua - DataFrame verbs and printing against R (4.2, dplyr 1.0, tidyr 1.2) on
-- airquality, mtcars, iris and ChickWeight (datasets/*.csv, written from R with write.csv and
-- read back in R with read.csv: the R calls are next to each value).
local T = dofile("test/lua/harness.lua")

local air = data.read_csv("datasets/airquality.csv")
local mt = data.read_csv("datasets/mtcars.csv")
local iris = data.read_csv("datasets/iris.csv")
local cw = data.read_csv("datasets/ChickWeight.csv")

local function values(col, n)
  local t = col:totable()
  local out = {}
  for i = 1, n or t.n do
    local v = t[i]
    out[i] = v == nil and "NA" or type(v) == "number" and string.format("%.10g", v) or tostring(v)
  end
  return table.concat(out, " ")
end

T.test("types from the file: integer, double, string and date columns", function()
  T.eq(table.concat(air:names(), " "), "Ozone Solar.R Wind Temp Month Day Date")
  -- R: sapply(read.csv("datasets/airquality.csv"), class): integer integer numeric integer integer integer
  local want = { "integer", "integer", "double", "integer", "integer", "integer", "date" }
  for j, name in ipairs(air:names()) do T.eq(air:col(name):type(), want[j], name) end
  T.eq(air.Date[1], 1216)                     -- R: as.numeric(as.Date("1973-05-01"))
  T.eq(air.Ozone[5], nil)                     -- R: airquality$Ozone[5] is NA
  T.eq(#air, 153)
end)

T.test("arrange: several keys, desc(), stable, NA last", function()
  -- R: x <- mtcars %>% arrange(cyl, desc(mpg)); head(x$model, 3); tail(x$model, 1)
  local x = mt:arrange("cyl", "desc(mpg)")
  T.eq(values(x.model, 3), "Toyota Corolla Fiat 128 Honda Civic")
  T.eq(x.model[32], "Lincoln Continental")
  -- R: x <- airquality %>% arrange(Ozone): 1 4 6 ... NA; x$Day[1] 21, x$Month[1] 5
  x = air:arrange("Ozone")
  T.eq(values(x.Ozone, 3), "1 4 6"); T.eq(x.Ozone[153], nil); T.eq(x.Day[1], 21); T.eq(x.Month[1], 5)
  -- R: arrange(airquality, desc(Ozone)): 168 135 122 ... NA (NA last in both directions)
  x = air:arrange("desc(Ozone)")
  T.eq(values(x.Ozone, 3), "168 135 122"); T.eq(x.Ozone[153], nil)
  -- stable: rows with equal keys keep their order (R's order is stable)
  x = air:arrange("Month")
  T.eq(values(x.Day, 3), "1 2 3")
  T.eq(air:arrange():nrow(), 153)
end)

T.test("select: names, -name, a:c, Lua patterns; rename", function()
  -- R: names(iris %>% select(starts_with("petal"))), select(sepal_width:petal_width), select(-model, -mpg)
  T.eq(table.concat(iris:select("^petal"):names(), " "), "petal_length petal_width")
  T.eq(table.concat(iris:select("sepal_width:petal_width"):names(), " "), "sepal_width petal_length petal_width")
  T.eq(table.concat(mt:select("-model", "-mpg"):names(), " "), "cyl disp hp drat wt qsec vs am gear carb")
  T.eq(table.concat(iris:select("species", "%_width$"):names(), " "), "species sepal_width petal_width")
  T.eq(table.concat(iris:select{ "species" }:names(), " "), "species")
  local r = iris:rename{ sl = "sepal_length" }
  T.eq(r:names()[1], "sl"); T.eq(r:names()[5], "species"); T.eq(r.sl[1], 5.1)
  T.eq(iris:rename("species", "sp"):names()[5], "sp")
  -- group keys stay selected, as dplyr
  T.eq(table.concat(mt:group_by("cyl"):select("mpg"):names(), " "), "cyl mpg")
end)

T.test("count, table, distinct, group_by", function()
  -- R: as.data.frame(mtcars %>% count(cyl, gear))
  local c = mt:count("cyl", "gear")
  T.eq(values(c.cyl), "4 4 4 6 6 6 8 8"); T.eq(values(c.gear), "3 4 5 3 4 5 3 5"); T.eq(values(c.n), "1 8 2 2 4 1 12 2")
  T.eq(c.n:type(), "integer")
  -- R: (airquality %>% count(Month))$n
  T.eq(values(air:count("Month").n), "31 30 31 31 30")
  T.eq(values(mt:count("cyl", { sort = true }).cyl), "8 4 6")   -- R: count(mtcars, cyl, sort = TRUE)
  T.eq(values(mt:count({ "cyl" }, { name = "cars" }).cars), "11 7 14")
  T.eq(mt:count().n[1], 32)
  T.eq(values(mt:table("cyl").n), "11 7 14")                      -- R: table(mtcars$cyl)
  -- R: as.data.frame(mtcars %>% distinct(cyl, gear)): first appearances in row order
  local d = mt:distinct("cyl", "gear")
  T.eq(values(d.cyl), "6 4 6 8 4 4 8 6"); T.eq(values(d.gear), "4 4 3 3 3 5 5 5")
  T.eq(d:ncol(), 2)
  T.eq(mt:distinct():nrow(), 32)
  -- R: n_groups(group_by(ChickWeight, Diet)), n_groups(group_by(ChickWeight, Chick)); count(cw, Diet)$n
  local g = cw:group_by("Diet")
  T.eq(g:n_groups(), 4); T.eq(cw:group_by("Chick"):n_groups(), 50)
  T.eq(table.concat(g:group_keys(), ","), "Diet"); T.eq(#g:ungroup():group_keys(), 0)
  T.eq(values(g:count().n), "220 120 120 118")
  -- R: ChickWeight %>% group_by(Diet) %>% count(Time) %>% head(2): Diet 1, Time 0 2, n 20 20
  local gt = g:count("Time")
  T.eq(table.concat(gt:names(), " "), "Diet Time n"); T.eq(values(gt:head(2).n), "20 20")
  -- R: names(ChickWeight %>% group_by(Diet) %>% distinct(Time)); nrow(...) 48 (12 times x 4 diets)
  local gd = g:distinct("Time")
  T.eq(table.concat(gd:names(), " "), "Time Diet"); T.eq(gd:nrow(), 48)
  local parts = g:group_split()
  T.eq(#parts, 4); T.eq(parts[4]:nrow(), 118); T.eq(parts[1].Diet[1], 1)
  T.ok(tostring(g):find("# Groups:   Diet [4]", 1, true), tostring(g))
end)

T.test("crosstab with margins: R's addmargins(table(mtcars$cyl, mtcars$gear))", function()
  local x = mt:crosstab("cyl", "gear", { margins = true })
  T.eq(table.concat(x:names(), " "), "cyl 3 4 5 Total")
  T.eq(values(x.cyl), "4 6 8 Total")
  T.eq(values(x:col("3")), "1 2 12 15"); T.eq(values(x:col("4")), "8 4 0 12")
  T.eq(values(x:col("5")), "2 1 2 5"); T.eq(values(x.Total), "11 7 14 32")
  T.eq(values(mt:crosstab("cyl", "gear"):col("4")), "8 4 0")
end)

T.test("slice, head, tail, sample (seeded)", function()
  T.eq(values(air:tail(3).Day), "28 29 30"); T.eq(air:tail(3).Month[3], 9)   -- R: tail(airquality$Day, 3)
  T.eq(values(air:head(2).Ozone), "41 36")
  T.eq(values(air:slice(3, 5).Ozone), "12 18 NA")
  T.eq(values(air:slice{ 5, 1 }.Ozone), "NA 41")
  T.eq(air:head(1000):nrow(), 153); T.eq(air:head(0):nrow(), 0)
  local s1, s2 = air:sample(10, { seed = 7 }), air:sample(10, { seed = 7 })
  T.eq(values(s1.Day), values(s2.Day), "same seed, same rows")
  T.ok(values(air:sample(10, { seed = 8 }).Day) ~= values(s1.Day), "another seed, other rows")
  local seen = {}
  for _, d in ipairs(air:sample({ seed = 1 }):arrange("Month", "Day").Date:totable()) do seen[#seen + 1] = d end
  T.eq(#seen, 153, "a permutation without replacement")
  T.eq(air:sample(500, { seed = 1, replace = true }):nrow(), 500)
  T.raises(function() air:sample(154, { seed = 1 }) end, "without replace = true")
  T.ok(values(air:sample(5, { seed = 2 }).Day) ~= values(air:head(5).Day), "not the first rows")
  -- grouped: n rows from each group (dplyr's slice_sample), groups in key order
  local gs = air:group_by("Month"):sample(2, { seed = 3 })
  T.eq(values(gs.Month), "5 5 6 6 7 7 8 8 9 9")
  T.eq(air:group_by("Month"):sample({ seed = 3 }):nrow(), 153)
  T.raises(function() air:group_by("Month"):sample(31, { seed = 1 }) end, "cannot take 31 rows out of 30")
end)

T.test("drop_na, fill_na, replace_na as tidyr", function()
  -- R: nrow(drop_na(airquality)), nrow(drop_na(airquality, Ozone)), nrow(drop_na(airquality, Ozone, Solar.R))
  T.eq(air:drop_na():nrow(), 111); T.eq(air:drop_na("Ozone"):nrow(), 116); T.eq(air:drop_na("Ozone", "Solar.R"):nrow(), 111)
  -- R: head((airquality %>% fill(Ozone))$Ozone, 12); .direction = "up"
  T.eq(values(air:fill_na("Ozone").Ozone, 12), "41 36 12 18 18 28 23 19 8 8 7 16")
  T.eq(values(air:fill_na("Ozone", { direction = "up" }).Ozone, 12), "41 36 12 18 28 28 23 19 8 7 7 16")
  -- R: x <- airquality %>% group_by(Month) %>% fill(Ozone, .direction = "up"); x$Ozone[150:153]; sum(is.na(x$Ozone))
  local f = air:group_by("Month"):fill_na("Ozone", { direction = "up" })
  T.eq(values(f.Ozone:totable() and f:slice(150, 153).Ozone), "14 14 18 20")
  T.eq(f.Ozone:totable().n - #f:drop_na("Ozone").Ozone:totable(), 10)
  -- R: x <- replace_na(airquality, list(Ozone = 0)); sum(x$Ozone) 4887
  local r = air:replace_na{ Ozone = 0 }
  T.eq(r:matrix{ "Ozone" }:sum(), 4887); T.eq(r:drop_na("Ozone"):nrow(), 153)
  T.eq(air:drop_na("Ozone"):nrow(), 116, "the frame itself is unchanged")
  T.raises(function() air:replace_na{ Ozone = 1.5 } end, "column 'Ozone' is integer")
  T.raises(function() air:replace_na{ Ozon = 0 } end, "unknown column 'Ozon'")
end)

T.test("cut as R's cut", function()
  local function counts(c)
    local t = data.frame({ "c" }, { c }):count("c")
    local out = {}
    for i = 1, t:nrow() do if t.c[i] ~= nil then out[#out + 1] = tostring(t.n[i]) end end
    return table.concat(out, " ")
  end
  -- R: c3 <- cut(airquality$Temp, 3); levels(c3); table(c3)
  local c3 = air.Temp:cut(3)
  T.eq(table.concat(c3:levels(), " "), "(56,69.7] (69.7,83.3] (83.3,97]"); T.eq(counts(c3), "32 77 44")
  T.eq(c3:type(), "categorical")
  -- R: cut(airquality$Temp, c(50, 70, 80, 100))
  local c4 = air.Temp:cut({ 50, 70, 80, 100 })
  T.eq(table.concat(c4:levels(), " "), "(50,70] (70,80] (80,100]"); T.eq(counts(c4), "33 52 68")
  -- R: cut(airquality$Temp, c(56, 70, 80, 97), right = FALSE): 32 48 72, one NA (97)
  local c5 = air.Temp:cut({ 56, 70, 80, 97 }, { right = false })
  T.eq(table.concat(c5:levels(), " "), "[56,70) [70,80) [80,97)"); T.eq(counts(c5), "32 48 72")
  -- R: cut(airquality$Temp, c(56, 70, 80, 97), include.lowest = TRUE)
  local c6 = air.Temp:cut({ 56, 70, 80, 97 }, { include_lowest = true })
  T.eq(table.concat(c6:levels(), " "), "[56,70] (70,80] (80,97]"); T.eq(counts(c6), "33 52 68")
  -- R: levels(cut(airquality$Wind, 4))
  T.eq(table.concat(air.Wind:cut(4):levels(), " "), "(1.68,6.45] (6.45,11.2] (11.2,15.9] (15.9,20.7]")
  T.eq(air.Temp:cut({ 0, 80, 200 }, { labels = { "mild", "hot" } }):levels()[2], "hot")
  T.raises(function() air.Temp:cut({ 3, 1 }) end, "Column:cut: breaks must increase")
  T.raises(function() iris.species:cut(3) end, "not numeric")
end)

T.test("df:cut as a verb, in place or into a new column", function()
  -- R: table(cut(airquality$Temp, c(50, 70, 80, 100))): 33 52 68
  local b = air:cut("Temp", { 50, 70, 80, 100 }, { into = "band" })
  T.eq(b:col("band"):type(), "categorical"); T.eq(b:col("Temp"):type(), "integer", "Temp kept")
  T.eq(table.concat(b:count("band").n:totable(), " "), "33 52 68")
  T.eq(air:cut("Temp", 3):col("Temp"):type(), "categorical", "in place")
  T.eq(#air:cut("Temp", 3):names(), 7)
  T.raises(function() air:cut("Temp", { 3, 1 }) end, "DataFrame:cut: breaks must increase")
  T.raises(function() air:cut("Tmp", 3) end, "DataFrame:cut: unknown column 'Tmp'")
  T.raises(function() air:cut("Temp", 3, { width = 2 }) end, "DataFrame:cut: unknown option 'width'")
end)

T.test("the names pandas and base R use: sort, unique, dropna, merge, aggregate", function()
  -- R: x <- mtcars[order(mtcars$cyl, -mtcars$mpg), ]; head(x$model, 3)
  T.eq(values(mt:sort("cyl", "desc(mpg)").model, 3), "Toyota Corolla Fiat 128 Honda Civic")
  T.eq(mt:unique("cyl", "gear"):nrow(), 8)                 -- R: nrow(unique(mtcars[c("cyl", "gear")]))
  T.eq(air:dropna():nrow(), 111)                           -- R: nrow(na.omit(airquality))
  -- R: aggregate(mpg ~ cyl, data = mtcars, FUN = mean): 26.6636363636 19.7428571429 15.1
  T.eq(values(mt:group_by("cyl"):aggregate { m = "mean(mpg)" }.m), "26.66363636 19.74285714 15.1")
  -- R: nrow(merge(mtcars, data.frame(cyl = c(4, 6), label = c("four", "six")), by = "cyl")): 18
  local lab = data.frame({ "cyl", "label" }, { { 4, 6 }, { "four", "six" } })
  T.eq(mt:merge(lab, { on = "cyl" }):nrow(), 18)
  T.eq(mt:merge(lab, { on = "cyl", how = "left" }):nrow(), 32)
  T.raises(function() mt:sort("nope") end, "DataFrame:sort: unknown column 'nope'")
  T.raises(function() mt:merge(lab, { on = "nope" }) end, "DataFrame:merge:")
end)

-- dplyr's band_members / band_instruments / band_instruments2
local members = data.frame({ "name", "band" }, { { "Mick", "John", "Paul" }, { "Stones", "Beatles", "Beatles" } })
local plays = data.frame({ "name", "plays" }, { { "John", "Paul", "Keith" }, { "guitar", "bass", "guitar" } })
local plays2 = data.frame({ "artist", "plays" }, { { "John", "Paul", "Keith" }, { "guitar", "bass", "guitar" } })

T.test("join: the six kinds as dplyr on band_members and band_instruments", function()
  local j = members:join(plays, { on = "name" })   -- R: inner_join(band_members, band_instruments, by = "name")
  T.eq(values(j.name), "John Paul"); T.eq(values(j.plays), "guitar bass")
  j = members:join(plays, { on = "name", how = "left" })
  T.eq(values(j.name), "Mick John Paul"); T.eq(values(j.plays), "NA guitar bass")
  j = members:join(plays, { on = "name", how = "right" })
  T.eq(values(j.name), "John Paul Keith"); T.eq(values(j.band), "Beatles Beatles NA")
  j = members:join(plays, { how = "full" })         -- on: the common names
  T.eq(values(j.name), "Mick John Paul Keith"); T.eq(values(j.band), "Stones Beatles Beatles NA")
  T.eq(values(j.plays), "NA guitar bass guitar")
  T.eq(table.concat(j:names(), " "), "name band plays")
  j = members:join(plays, { on = "name", how = "semi" })
  T.eq(values(j.name), "John Paul"); T.eq(j:ncol(), 2)
  T.eq(values(members:join(plays, { on = "name", how = "anti" }).name), "Mick")
  -- R: full_join(band_members, band_instruments2, by = c(name = "artist"))
  j = members:join(plays2, { on = { name = "artist" }, how = "full" })
  T.eq(values(j.name), "Mick John Paul Keith"); T.eq(table.concat(j:names(), " "), "name band plays")
end)

T.test("join: NA keys, suffixes, several keys, type errors", function()
  local d1 = data.frame({ "k", "v" }, { { 1, nil, 2, n = 3 }, { "a", "b", "c" } })
  local d2 = data.frame({ "k", "w" }, { { nil, 2, n = 2 }, { "x", "y" } })
  -- R: left_join(d1, d2, by = "k"): w = NA x y; na_matches = "never": NA NA y
  T.eq(values(d1:join(d2, { how = "left" }).w), "NA x y")
  T.eq(values(d1:join(d2, { how = "left", na_matches = "never" }).w), "NA NA y")
  -- R: inner_join(tibble(id = 1:2, v = c(10, 20)), tibble(id = 1:2, v = c(1, 2)), by = "id"): id v.x v.y
  local s1 = data.frame({ "id", "v" }, { { 1, 2 }, { 10.0, 20.0 } })
  local s2 = data.frame({ "id", "v" }, { { 1, 2 }, { 1.0, 2.0 } })
  T.eq(table.concat(s1:join(s2, { on = "id" }):names(), " "), "id v.x v.y")
  T.eq(table.concat(s1:join(s2, { on = "id", suffix = { "_l", "_r" } }):names(), " "), "id v_l v_r")
  -- two keys: ChickWeight with itself on Chick and Time gives every row once
  local j = cw:join(cw:select("Chick", "Time", "weight"):rename{ w2 = "weight" }, { on = { "Chick", "Time" } })
  T.eq(j:nrow(), 578); T.eq(j:matrix{ "weight" }:sum(), j:matrix{ "w2" }:sum())
  T.raises(function() s1:join(members, { on = { id = "name" } }) end,
    "DataFrame:join: key 'id' is integer on the left and 'name' is string on the right")
  T.raises(function() s1:join(s2, { on = "nope" }) end, "unknown column 'nope'")
  -- a factor key against a string key matches by text, as R's merge of factor and character:
  -- merge(data.frame(k = factor(c("a","b","c")), x = 1:3), data.frame(k = c("b","c","d"), y = c(20L,30L,40L)), all = TRUE)
  local fa = data.frame({ "k", "x" }, { data.column({ "a", "b", "c" }, "categorical", { "a", "b", "c" }), { 1, 2, 3 } })
  local fb = data.frame({ "k", "y" }, { { "b", "c", "d" }, { 20, 30, 40 } })
  T.eq(table.concat(fa:join(fb, { on = "k" }).y:totable(), " "), "20 30")
  local full = fa:join(fb, { on = "k", how = "full" })
  T.eq(full:nrow(), 4); T.eq(full.k[4], "d"); T.eq(full.x[4], nil); T.eq(full.y[1], nil)
  T.raises(function() members:join(data.frame({ "x" }, { { 1 } })) end, "no column name in common")
  T.raises(function() s1:join(s2, { how = "outer" }) end, "option 'how' must be one of")
end)

T.test("bind_rows, bind_cols, pivot_longer, pivot_wider", function()
  -- R: bind_rows(mtcars[1:2, c("model", "mpg")], mtcars[3, c("model", "cyl")]): mpg 21 21 NA, cyl NA NA 4
  local b = mt:slice(1, 2):select("model", "mpg"):bind_rows(mt:slice(3, 3):select("model", "cyl"))
  T.eq(values(b.mpg), "21 21 NA"); T.eq(values(b.cyl), "NA NA 4"); T.eq(b.model[3], "Datsun 710")
  T.eq(air:bind_rows(air, air):nrow(), 459)
  T.eq(air:bind_rows({ air }):nrow(), 306)
  local mixed = data.frame({ "x" }, { { 1, 2 } }):bind_rows(data.frame({ "x" }, { { 0.5 } }))
  T.eq(mixed.x:type(), "double")
  T.raises(function() air:bind_rows(data.frame({ "Ozone" }, { { "high" } })) end, "column 'Ozone' is integer in one part and string in another")
  local c = air:select("Ozone"):bind_cols(air:select("Temp"))
  T.eq(table.concat(c:names(), " "), "Ozone Temp")
  T.raises(function() air:bind_cols(air) end, "column 'Ozone' is in two of the frames")
  -- R: mtcars[1:2, c("model", "mpg", "cyl")] %>% pivot_longer(c(mpg, cyl))
  local long = mt:slice(1, 2):select("model", "mpg", "cyl"):pivot_longer("mpg", "cyl")
  T.eq(values(long.model), "Mazda RX4 Mazda RX4 Mazda RX4 Wag Mazda RX4 Wag")
  T.eq(values(long.name), "mpg cyl mpg cyl"); T.eq(values(long.value), "21 6 21 6")
  local wide = long:pivot_wider{ names_from = "name", values_from = "value" }
  T.eq(table.concat(wide:names(), " "), "model mpg cyl"); T.eq(wide.cyl[2], 6.0)
  -- R: ChickWeight %>% filter(Chick %in% 1:2) %>% select(Chick, Time, weight) %>% pivot_wider(names_from = Time, values_from = weight)
  local w = cw:slice(1, 24):select("Chick", "Time", "weight"):pivot_wider{ names_from = "Time", values_from = "weight" }
  T.eq(table.concat(w:names(), " "), "Chick 0 2 4 6 8 10 12 14 16 18 20 21")
  T.eq(values(w:col("21")), "205 215"); T.eq(values(w:col("0")), "42 40")
  T.eq(iris:pivot_longer("-species", { names_to = "measure" }):nrow(), 600)
  T.raises(function() long:bind_rows(long):pivot_wider{ names_from = "name", values_from = "value" } end, "same keys")
end)

T.test("describe by group as R's tapply", function()
  -- R: tapply(airquality$Temp, airquality$Month, mean); tapply(airquality$Ozone, airquality$Month, sd, na.rm = TRUE)
  local d = air:select("Month", "Temp", "Ozone"):group_by("Month"):describe()
  local mean_temp = { 65.54839, 79.1, 83.90323, 83.96774, 76.9 }
  local sd_oz = { 22.22445, 18.2079, 31.63584, 39.68121, 24.14182 }
  local n_oz = { 26, 9, 26, 26, 29 }   -- R: summarise(n = sum(!is.na(Ozone)))
  T.eq(#d.groups, 5)
  for g = 1, 5 do
    T.near(d.groups[g].numeric[1].mean, mean_temp[g], 1e-5)
    T.near(d.groups[g].numeric[2].sd, sd_oz[g], 1e-5)
    T.eq(d.groups[g].numeric[2].n, n_oz[g])
  end
  T.near(d.groups[3].numeric[2].q1, 36.25, 1e-12)   -- R: quantile(Ozone[Month == 7], 0.25, na.rm = TRUE)
  T.ok(tostring(d):find("## Month = 9", 1, true))
end)

T.test("printing as tibble: R's print(as_tibble(read.csv(\"datasets/mtcars.csv\")[-1]))", function()
  local want = {
    "     mpg   cyl  disp    hp  drat    wt  qsec    vs    am  gear  carb",
    "   <dbl> <int> <dbl> <int> <dbl> <dbl> <dbl> <int> <int> <int> <int>",
    " 1  21       6  160    110  3.9   2.62  16.5     0     1     4     4",
    " 2  21       6  160    110  3.9   2.88  17.0     0     1     4     4",
    " 3  22.8     4  108     93  3.85  2.32  18.6     1     1     4     1",
    " 4  21.4     6  258    110  3.08  3.22  19.4     1     0     3     1",
    " 8  24.4     4  147.    62  3.69  3.19  20       1     0     4     2",
  }
  local old = os.getenv("COLUMNS")
  local text = tostring(mt:select("-model"))
  local lines = {}
  for l in text:gmatch("[^\n]+") do lines[#lines + 1] = l end
  T.eq(lines[1], "# A DataFrame: 32 × 11")
  for k = 1, 6 do T.eq(lines[k + 1], want[k]) end
  T.eq(lines[11], want[7])
  T.eq(lines[#lines], "# ℹ 22 more rows")
  -- R: print(as_tibble(airquality), n = 3): NA shown, dates, a 0-row and a 0-column frame
  text = tostring(air:slice(4, 6))
  T.ok(text:find("\n2    NA      NA  14.3    56     5     5 1973-05-05", 1, true), text)
  T.ok(tostring(air:head(0)):find("# A DataFrame: 0 × 7", 1, true))
  T.ok(tostring(air:select("-Ozone:Date")):find("# A DataFrame: 153 × 0", 1, true))
  local s = data.frame({ "s", "f" }, { { "a", nil, n = 2 }, data.column({ "lo", nil, n = 2 }, "categorical", { "lo", "hi" }) })
  T.ok(tostring(s):find("1 a     lo   \n", 1, true) or tostring(s):find("1 a     lo", 1, true), tostring(s))
  T.ok(tostring(s):find("2 <NA>  <NA>", 1, true), tostring(s))
  T.ok(tostring(air.Ozone):find("# A Column: 153 <int>", 1, true))
  local g = air:glimpse()
  T.ok(g:find("Rows: 153\nColumns: 7\n", 1, true) and g:find("$ Ozone   <int> 41, 36, 12, 18, NA, 28", 1, true), g)
end)

T.test("every verb on 0-row and 0-column frames", function()
  local empty = air:head(0)
  local none = air:select("-Ozone:Date")
  for _, f in ipairs({ empty, none }) do
    T.eq(f:arrange():nrow(), f:nrow())
    T.eq(f:distinct():nrow(), f:nrow() > 0 and 1 or 0)
    T.eq(f:count():nrow(), 1)
    T.eq(f:drop_na():nrow(), f:nrow())
    T.eq(f:head(3):nrow(), math.min(3, f:nrow()))
    T.eq(f:tail(3):nrow(), math.min(3, f:nrow()))
    T.eq(f:sample({ seed = 1 }):nrow(), f:nrow())
    T.eq(f:bind_rows(f):nrow(), 2 * f:nrow())
    T.ok(tostring(f):find("# A DataFrame", 1, true))
    T.ok(f:glimpse():find("Rows: ", 1, true))
  end
  T.eq(empty:count("Month"):nrow(), 0)
  T.eq(empty:group_by("Month"):n_groups(), 0)
  T.eq(empty:join(air, { on = "Month" }):nrow(), 0)
  T.eq(empty:pivot_longer("Ozone", "Temp"):nrow(), 0)
  T.eq(empty:fill_na("Ozone"):nrow(), 0)
  T.eq(empty:replace_na{ Ozone = 0 }:nrow(), 0)
  T.eq(empty.Temp:cut({ 0, 100 }):type(), "categorical")
  T.eq(data.frame({}, {}):nrow(), 0)
end)

T.test("bad input: close names, the frame unchanged", function()
  T.raises(function() air:select("Ozon") end, "DataFrame:select: unknown column 'Ozon' (did you mean 'Ozone'")
  T.raises(function() air:arrange("desc(Tmp)") end, "DataFrame:arrange: unknown column 'Tmp' (did you mean 'Temp'")
  T.raises(function() air:group_by("Mnth") end, "did you mean 'Month'")
  T.raises(function() air:count("dya") end, "DataFrame:count: unknown column 'dya'")
  T.raises(function() air:distinct(3) end, "column name 1 must be a string")
  T.raises(function() air:slice(0, 3) end, "outside 1..153")
  T.raises(function() air:rename{ Temp = "Ozone" } end, "two columns would be named 'Temp'")
  T.raises(function() air:select("[") end, "neither a column nor a valid Lua pattern")
  T.raises(function() data.frame({ "a" }, { { 1, "x" } }) end, "data.frame: column 1, row 2: a string among double values")
  T.raises(function() data.frame({ "a", "a" }, { { 1 }, { 2 } }) end, "already exists")
  T.raises(function() mt:matrix{ "model" } end, "column 'model' is string, not numeric")
  T.eq(air:ncol(), 7); T.eq(air:nrow(), 153); T.eq(#air:group_keys(), 0)
end)

T.test("frames as data and labels: learn, stats, plot", function()
  -- a classifier takes string labels from a Column and answers in them
  local X = iris:matrix()
  local m = learn.knn { k = 5 }:fit(X, iris.species)
  local p = m:predict(X)
  T.eq(p[1], "setosa"); T.eq(p[150], "virginica")
  local codes, names = learn.encode(iris.species)
  T.eq(codes[51], 2); T.eq(names[3], "virginica")
  -- a factor's classes are its levels in order (R's factor codes)
  local f = data.column(iris.species:totable(), "categorical", { "virginica", "setosa", "versicolor" })
  local c2, n2 = learn.encode(f)
  T.eq(c2[1], 2); T.eq(n2[1], "virginica")
  -- frames with NA as data: na = "omit" drops the rows (R's na.omit: 111 complete rows)
  local km = cluster.kmeans(air:select("Ozone", "Solar.R", "Wind", "Temp"), 2, { seed = 1, na = "omit" })
  T.eq(#km.labels, 111)
  T.raises(function() cluster.kmeans(air:select("Ozone", "Temp"), 2, { seed = 1 }) end, "cluster.kmeans")
  T.near(stats.quantile(air.Temp)[3], 79, 1e-12)   -- R: quantile(airquality$Temp)[3]
  -- charts: NA skipped and counted, a frame's columns by name, colour by a column
  local h = plot.hist(air.Ozone, { width = 60, height = 12 }):render { width = 60, height = 12 }
  T.ok(h:find("37 NA left out", 1, true), h)
  local s = plot.scatter(air, "Temp", "Ozone", { color = "Month", width = 60, height = 14 })
  local text = s:render { width = 60, height = 14 }
  T.ok(text:find("37 rows with NA left out", 1, true) and text:find("5", 1, true), text)
  T.raises(function() plot.hist(iris.species) end, "not numbers")
end)

T.done()
