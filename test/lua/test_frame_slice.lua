-- test/lua/test_frame_slice.lua - slice_max / slice_min against dplyr 1.0.10 (R 4.2) on mtcars and
-- airquality (datasets/*.csv read with read.csv; the R call is next to each value, with
-- suppressMessages(library(dplyr)); air$i <- seq_len(nrow(air)) numbering the rows).
local T = dofile("test/lua/harness.lua")

local mt = data.read_csv("datasets/mtcars.csv")
local air = data.read_csv("datasets/airquality.csv")

-- The 1-based rows of the answer, as numbered in the frame it came from.
local function rows(df, name)
  local t = df:col(name):totable()
  local out = {}
  for i = 1, t.n do out[i] = string.format("%d", t[i]) end
  return table.concat(out, " ")
end

local mti = mt:mutate { { "i", "row_number()" } }
local airi = air:mutate { { "i", "row_number()" } }

T.test("slice_max per group: largest first, ties kept (with_ties = TRUE)", function()
  -- mt %>% group_by(cyl) %>% slice_max(mpg, n = 2): match(model, mt$model) 20 18 4 1 2 25 5
  local a = mti:group_by("cyl"):slice_max("mpg", 2)
  T.eq(rows(a, "i"), "20 18 4 1 2 25 5")
  T.eq(table.concat(a:group_keys(), " "), "cyl", "the groups are kept")
  -- air %>% group_by(Month) %>% slice_max(Ozone, n = 3): d$i
  T.eq(rows(airi:group_by("Month"):slice_max("Ozone", 3), "i"), "30 29 1 40 41 48 62 86 69 70 117 99 121 124 127 125")
  -- air %>% slice_max(Temp, n = 5): 7 rows, 97 tied twice at the end
  T.eq(rows(airi:slice_max("Temp", 5), "i"), "120 122 121 123 42 126 127")
end)

T.test("slice_min: smallest first; with_ties = false gives n rows, missing values last", function()
  -- mt %>% group_by(cyl) %>% slice_min(carb, n = 1)
  T.eq(rows(mti:group_by("cyl"):slice_min("carb"), "i"), "3 18 20 21 26 4 6 5 22 23 25")
  -- mt %>% group_by(cyl) %>% slice_min(carb, n = 1, with_ties = FALSE)
  T.eq(rows(mti:group_by("cyl"):slice_min("carb", 1, { with_ties = false }), "i"), "3 4 5")
  -- air %>% group_by(Month) %>% slice_min(Ozone, n = 40, with_ties = FALSE): all 153 rows, NA last
  local e = airi:group_by("Month"):slice_min("Ozone", 40, { with_ties = false })
  T.eq(e:nrow(), 153)
  T.eq(rows(e:head(32), "i"), "21 23 18 11 9 13 20 22 3 14 16 12 4 15 8 7 28 6 19 24 17 2 31 1 29 30 5 10 25 26 27 50")
  T.eq(rows(e:tail(8), "i"), "134 139 128 126 125 127 124 150")
  -- air %>% group_by(Month) %>% slice_min(Ozone, n = 40): 116 rows (the NA rows never come)
  T.eq(airi:group_by("Month"):slice_min("Ozone", 40):nrow(), 116)
end)

T.test("slice_max: n = 0, and bad input named", function()
  T.eq(mt:slice_max("mpg", 0):nrow(), 0)
  T.eq(mt:slice_max("mpg"):nrow(), 1)
  T.raises(function() mt:slice_max("model", 2) end, "DataFrame:slice_max: the order column must hold numbers")
  T.raises(function() mt:slice_min("nope", 2) end, "unknown column")
  T.raises(function() mt:slice_max("mpg", -1) end, "argument 'n' must be a non-negative integer")
  T.raises(function() mt:slice_max("mpg", 2, { ties = true }) end, "ties")
end)

T.test("an error names the outer verb once", function()
  T.raises(function() mt:crosstab("nope", "gear") end, "DataFrame:crosstab: unknown column 'nope'")
  local ok, msg = pcall(function() return mt:crosstab("nope", "gear") end)
  T.ok(not ok and not msg:find("DataFrame:count"), "not the inner verb's name too")
end)

T.done()
