-- test/mpi/fail.lua MODE - faults for test/lua/test_dist.lua, each under
-- timeout: "error" (rank 1 raises), "crash" (rank 1 is killed by a signal),
-- "files" (ranks given different files), "skip" (rank 1 skips a
-- collective; run with MLSH_DIST_CHECK=1). None may hang.
local mode = arg[1]
if mode == "error" then
  if dist.rank() == 1 then error("boom on rank one") end
  dist.barrier()
elseif mode == "crash" then
  if dist.rank() == 1 then os.execute("kill -KILL " .. io.open("/proc/self/stat"):read("l"):match("^%d+") ) end
  dist.barrier()
  dist.barrier()
elseif mode == "files" then
  local X = dist.load(dist.rank() == 1 and arg[3] or arg[2])
elseif mode == "skip" then
  if dist.rank() ~= 1 then dist.allreduce(1) end
  dist.barrier()
end
print("finished " .. dist.rank())
