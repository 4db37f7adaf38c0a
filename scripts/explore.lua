-- scripts/explore.lua - a worked session on a real table with dates, categories and missing
-- values: New York's air quality, May to September 1973 (R's airquality, datasets/airquality.csv),
-- from reading to grouped summaries, a join, charts and a model.
--   build/mlsh scripts/explore.lua          (COLUMNS=100 build/mlsh ... for wider tables)
local root = mlsh.root or "."

local function section(title) print(("\n== %s %s"):format(title, ("="):rep(math.max(3, 72 - #title)))) end

section("Reading: the types come from the values")
local air = data.read_csv(root .. "/datasets/airquality.csv")
print(air)
print(air:glimpse())

section("Missing values: where they are, and what dropping them costs")
print(air:describe())
print(("complete rows: %d of %d; rows with Ozone: %d"):format(air:drop_na():nrow(), air:nrow(), air:drop_na("Ozone"):nrow()))

section("The hottest days and the highest ozone (arrange, NA last)")
print(air:arrange("desc(Temp)", "Date"):select("Date", "Temp", "Ozone", "Wind"):head(5))
print(air:arrange("desc(Ozone)"):select("Date:Date", "Ozone", "Temp"):head(3))

section("Temperature bands (cut, as R's cut) by month")
local months = data.frame({ "Month", "month_name" },
  { { 5, 6, 7, 8, 9 }, { "May", "June", "July", "August", "September" } })
local banded = air:cut("Temp", { 50, 70, 80, 100 }, { into = "band", labels = { "cool", "warm", "hot" } })
local named = banded:join(months, { on = "Month", how = "left" })
print(named:crosstab("month_name", "band", { margins = true }))
print(named:count("band", { sort = true }))

section("Grouped summaries: describe per month")
print(air:select("Month", "Ozone", "Temp", "Wind"):group_by("Month"):describe())
print(named:group_by("Month", "month_name"):summarise {
  { "days", "n()" }, { "mean_ozone", "mean(Ozone, na_rm = true)" }, { "hot_days", "sum(Temp > 85)" },
  { "r_temp_ozone", "cor(Temp, Ozone, na_rm = true)" } })

section("Expressions: filter and mutate, column by column in C")
print(air:filter("Temp > 90 and not is_na(Ozone)"):select("Date", "Temp", "Ozone"))
print(air:mutate { { "TempC", "round((Temp - 32) * 5 / 9, 1)" }, { "weekday", "weekday(Date)" },
  { "ozone_vs_month", "Ozone - mean(Ozone, na_rm = true)" } }:select("Date", "TempC", "weekday", "ozone_vs_month"):head(4))

section("Filling the gaps: last observation carried forward, within each month")
local filled = air:group_by("Month"):fill_na("Ozone", "Solar.R"):ungroup()
print(filled:select("Date", "Ozone", "Solar.R"):slice(3, 8))
print(("NA left in Ozone after filling: %d"):format(filled:nrow() - filled:drop_na("Ozone"):nrow()))

section("Long and wide: one row per day and measure")
local long = air:select("Date", "Ozone", "Temp"):pivot_longer("Ozone", "Temp", { names_to = "measure" })
print(long:head(4))
print(long:pivot_wider { names_from = "measure", values_from = "value" }:head(3))

section("Charts")
print(plot.hist(air.Ozone, { title = "Ozone (ppb)", width = 70, height = 14 }))
print(plot.scatter(air, "Temp", "Ozone", { color = "Month", title = "Ozone against temperature, by month", width = 70, height = 18 }))

section("A linear model with a formula (as R's lm): ozone on sun, wind and temperature")
local fit = stats.lm(air, "Ozone ~ Solar.R + Wind + Temp")
print(fit:summary())
-- fit:augment(df): broom's per-row columns beside the data; the rows lm omitted for NA get NA
print(fit:augment(air):arrange("desc(.cooksd)"):select("Date", "Ozone", ".fitted", ".resid", ".cooksd"):head(5))

section("Clusters as a column: k-means on the weather, rows with NA kept as NA")
local weather = air:select("Date", "Ozone", "Solar.R", "Wind", "Temp")
local km = cluster.kmeans(weather, 3, { na = "omit", nstart = 10, seed = 1 })
local clustered = km:augment(weather)   -- a .cluster factor; NA where a measure is missing
print(clustered:group_by(".cluster"):summarise { { "days", "n()" }, { "ozone", "mean(Ozone)" }, { "temp", "mean(Temp)" } })

section("A model: is it a hot day? (random forest on the complete rows)")
local complete = banded:drop_na("Ozone", "Solar.R")
local X = complete:matrix { "Ozone", "Solar.R", "Wind" }
local Xtr, Xte, ytr, yte = learn.split(X, complete.band:totable(), { test = 0.3, seed = 1973 })
local forest = learn.forest { trees = 200, seed = 1 }:fit(Xtr, ytr)
print(learn.report(learn.metrics(yte, forest:predict(Xte))))
-- model:augment(df): .pred (a factor over the classes) and .pred_<class> probabilities, row by row
print(forest:augment(banded, { cols = { "Ozone", "Solar.R", "Wind" } }):select("Date", "band", "^%.pred"):head(5))

section("A forecast as a frame: the airline model on AirPassengers, with dates")
local ap = data.read_csv(root .. "/datasets/AirPassengers.csv")
local y = ts.series(ap:col("passengers"), { start = { 1949, 1 }, freq = 12 })
local airline = ts.arima(ts.log(y), { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 } })
print(airline:forecast(12, { lambda = 0 }):frame():head(6))
