-- scripts/dbbench/groupby.lua G1.csv - the db-benchmark groupby questions
-- q1..q10 answered by mlsh, one JSON record per question (see common.lua).
local here = (arg and arg[0] or ""):match("(.*/)") or "./"
local B = dofile(here .. "common.lua")
local src = assert(arg[1], "usage: mlsh scripts/dbbench/groupby.lua G1.csv")

local t0 = mlsh.clock()
local x = data.read_csv(src)
local base = B.base("groupby", B.stem(src), x:nrow())
B.emit_read(base, "data.read_csv", { mlsh.clock() - t0 }, { "read_csv" }, { x })

local function by(...) return x:group_by(...) end

B.ask(base, "q1", "sum v1 by id1", function() return by("id1"):summarise { { "v1", "sum(v1, na_rm = true)" } } end, { "v1" })
B.ask(base, "q2", "sum v1 by id1:id2", function() return by("id1", "id2"):summarise { { "v1", "sum(v1, na_rm = true)" } } end, { "v1" })
B.ask(base, "q3", "sum v1 mean v3 by id3", function()
  return by("id3"):summarise { { "v1", "sum(v1, na_rm = true)" }, { "v3", "mean(v3, na_rm = true)" } }
end, { "v1", "v3" })
B.ask(base, "q4", "mean v1:v3 by id4", function()
  return by("id4"):summarise { { "v1", "mean(v1, na_rm = true)" }, { "v2", "mean(v2, na_rm = true)" }, { "v3", "mean(v3, na_rm = true)" } }
end, { "v1", "v2", "v3" })
B.ask(base, "q5", "sum v1:v3 by id6", function()
  return by("id6"):summarise { { "v1", "sum(v1, na_rm = true)" }, { "v2", "sum(v2, na_rm = true)" }, { "v3", "sum(v3, na_rm = true)" } }
end, { "v1", "v2", "v3" })
B.ask(base, "q6", "median v3 sd v3 by id4 id5", function()
  return by("id4", "id5"):summarise { { "median_v3", "median(v3, na_rm = true)" }, { "sd_v3", "sd(v3, na_rm = true)" } }
end, { "median_v3", "sd_v3" })
B.ask(base, "q7", "max v1 - min v2 by id3", function()
  return by("id3"):summarise { { "range_v1_v2", "max(v1, na_rm = true) - min(v2, na_rm = true)" } }
end, { "range_v1_v2" })
B.ask(base, "q8", "largest two v3 by id6", function()
  return by("id6"):slice_max("v3", 2):ungroup():select("id6", "v3"):rename("v3", "largest2_v3")
end, { "largest2_v3" })
B.ask(base, "q9", "regression v1 v2 by id2 id4", function()
  return by("id2", "id4"):summarise { { "r2", "cor(v1, v2)^2" } }
end, { "r2" })
B.ask(base, "q10", "sum v3 count by id1:id6", function()
  return by("id1", "id2", "id3", "id4", "id5", "id6"):summarise { { "v3", "sum(v3, na_rm = true)" }, { "count", "n()" } }
end, { "v3", "count" })
