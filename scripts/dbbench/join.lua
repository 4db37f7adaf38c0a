-- scripts/dbbench/join.lua X.csv SMALL.csv MEDIUM.csv BIG.csv - the
-- db-benchmark join questions q1..q5 answered by mlsh (see common.lua).
local here = (arg and arg[0] or ""):match("(.*/)") or "./"
local B = dofile(here .. "common.lua")
assert(#arg == 4, "usage: mlsh scripts/dbbench/join.lua X.csv SMALL.csv MEDIUM.csv BIG.csv")

local frames, secs = {}, {}
for i = 1, 4 do
  local t0 = mlsh.clock()
  frames[i] = data.read_csv(arg[i])
  secs[i] = mlsh.clock() - t0
end
local x, small, medium, big = frames[1], frames[2], frames[3], frames[4]
local base = B.base("join", B.stem(arg[1]), x:nrow())
B.emit_read(base, "data.read_csv", secs, { B.stem(arg[1]), B.stem(arg[2]), B.stem(arg[3]), B.stem(arg[4]) }, frames)

B.ask(base, "q1", "small inner on int", function() return x:join(small, { on = "id1", how = "inner" }) end, { "v1", "v2" })
B.ask(base, "q2", "medium inner on int", function() return x:join(medium, { on = "id2", how = "inner" }) end, { "v1", "v2" })
B.ask(base, "q3", "medium outer on int", function() return x:join(medium, { on = "id2", how = "left" }) end, { "v1", "v2" })
B.ask(base, "q4", "medium inner on factor", function() return x:join(medium, { on = "id5", how = "inner" }) end, { "v1", "v2" })
B.ask(base, "q5", "big inner on int", function() return x:join(big, { on = "id3", how = "inner" }) end, { "v1", "v2" })
