-- test/mpi/embed.lua LIST NET - run by test/lua/test_dist.lua under mpirun -np 1..4 (and without it):
-- dist.embed of the photos named in the text file LIST with NET ("mobilenetv2", or a darknet .cfg
-- without weights); rank 0 prints the rows, the columns and every value's exact bits.
local list, which = arg[1], arg[2]
local net = which == "mobilenetv2" and nn.mobilenetv2 { threads = 1 } or nn.load(which, nil, { threads = 1 })
local E = dist.embed(net, list)
local bits = {}
for i = 1, E:rows() do for j = 1, E:cols() do bits[#bits + 1] = string.format("%a", E:get(i, j)) end end
dist.print("shape " .. E:rows() .. "x" .. E:cols())
dist.print("bits " .. table.concat(bits, ","))
