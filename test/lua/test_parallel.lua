-- test/lua/test_parallel.lua - mlsh.parallel_map (forked workers, as R's
-- parallel::mclapply) and the workers option of cross-validation: results
-- in order and equal to a run in-process, values that survive the trip,
-- errors that name the item, and Ctrl-C.
local T = dofile("test/lua/harness.lua")

T.test("results come back in order, equal to an in-process run", function()
  local f = function(i) local s = 0 for k = 1, 1000 * i do s = s + k % 7 end return s end
  local par, seq = mlsh.parallel_map(9, f, { workers = 3 }), mlsh.parallel_map(9, f, { workers = 1 })
  T.eq(#par, 9)
  for i = 1, 9 do T.eq(par[i], seq[i]) end
  local up = mlsh.parallel_map({ "a", "b", "c" }, function(s) return s:upper() end, { workers = 2 })
  T.eq(table.concat(up, ","), "A,B,C")
  T.eq(#mlsh.parallel_map(0, print), 0)
end)

T.test("values survive the trip: numbers, strings, nested tables, Matrices", function()
  local r = mlsh.parallel_map(2, function(i)
    return { int = (1 << 53) + i, float = 0.1 * i, str = "a\0b" .. i, yes = true, no = false,
             nested = { { i }, m = mat.eye(3) * i }, [i + 10] = "key" }
  end, { workers = 2 })
  T.eq(math.type(r[2].int), "integer")
  T.eq(r[2].int, (1 << 53) + 2)
  T.eq(r[1].float, 0.1)
  T.eq(r[2].str, "a\0b2")
  T.ok(r[1].yes == true and r[1].no == false)
  T.eq(r[2].nested[1][1], 2)
  T.ok(mat.is(r[2].nested.m))
  T.eq(r[2].nested.m:get(3, 3), 2)
  T.eq(r[1][11], "key")
  local holes = mlsh.parallel_map(3, function(i) if i ~= 2 then return i end end, { workers = 3 })
  T.ok(holes[1] == 1 and holes[2] == nil and holes[3] == 3)
end)

T.test("errors name the function and the item", function()
  T.raises(function() mlsh.parallel_map(3, function(i) if i == 2 then error("boom") end return i end, { workers = 2 }) end,
    "mlsh.parallel_map: item 2: ")
  T.raises(function() mlsh.parallel_map(3, function(i) if i == 3 then error("boom") end return i end, { workers = 1 }) end,
    "mlsh.parallel_map: item 3: ")
  T.raises(function() mlsh.parallel_map(2, function() return print end, { workers = 2 }) end,
    "mlsh.parallel_map: item 1: its result holds a function")
  T.raises(function() mlsh.parallel_map(2, print, { bogus = 1 }) end, "unknown option 'bogus'")
  T.raises(function() mlsh.parallel_map(2, print, { workers = 0 }) end, "'workers' must be a positive integer (got 0)")
  T.raises(function() mlsh.parallel_map("x", print) end, "argument 'items' must be a count or an array")
  T.raises(function() mlsh.parallel_map(-1, print) end, "argument 'items'")
  T.raises(function() mlsh.parallel_map(2, nil) end, "mlsh.parallel_map: argument 'fn' must be a function (got nil)")
end)

T.test("a worker sees the session and the session is unchanged after", function()
  local X = mat.randn(50, 4, { seed = 3 })
  local sums = mlsh.parallel_map(4, function(j) X:set(1, 1, 99) return X:col(j):sum() end, { workers = 2 })
  T.ok(X:get(1, 1) ~= 99, "a worker's writes stay in the worker")
  T.near(sums[2], X:col(2):sum(), 1e-12)
  T.eq(mlsh.cores() >= 1, true)
end)

T.test("OpenBLAS runs kernels the CPU's features allow, never the generic fallback", function()
  local core = mlsh.blas_core()
  T.eq(type(core), "string")
  local f = io.open("/proc/cpuinfo")
  local info = f and f:read("a") or ""
  if f then f:close() end
  local flags = info:match("\nflags%s*:([^\n]*)") or ""
  local has = function(x) return (" " .. flags .. " "):find(" " .. x .. " ", 1, true) ~= nil end
  if not (has("avx2") and has("fma")) then
    print("  skip: this CPU has no AVX2/FMA, any OpenBLAS kernel set may be right")
    return
  end
  local generic = { Prescott = 1, Core2 = 1, Penryn = 1, Dunnington = 1, Nehalem = 1, Atom = 1 }
  T.ok(not generic[core], "OpenBLAS runs its generic " .. core .. " kernels on an AVX2 CPU")
end)

T.test("worker threads block Ctrl-C: it reaches the thread that runs Lua", function()
  local f = io.open("/proc/self/stat")
  if not f then T.skip("no /proc") end
  local pid = f:read("a"):match("^(%d+)")
  f:close()
  stats.tsne(mat.randn(300, 4, { seed = 2 }), { iters = 20, threads = 2 })   -- leaves the team's helpers alive
  local p = io.popen("ls /proc/" .. pid .. "/task")
  local workers = 0
  for tid in p:lines() do
    local c = io.open("/proc/" .. pid .. "/task/" .. tid .. "/comm")
    local name = c and c:read("l") or ""
    if c then c:close() end
    if name:find("^mlsh%-") then
      local st = io.open("/proc/" .. pid .. "/task/" .. tid .. "/status"):read("a")
      local blocked = tonumber(st:match("SigBlk:%s*(%x+)"), 16)
      T.ok(blocked and blocked & 2 ~= 0, name .. " (thread " .. tid .. ") does not block SIGINT")
      workers = workers + 1
    end
  end
  p:close()
  T.ok(workers >= 1, "a helper thread of the parallel calls is alive after them")
end)

T.test("Ctrl-C while workers run stops them", function()
  mlsh._interrupt()
  T.raises(function() mlsh.parallel_map(2, function() while true do end end, { workers = 2 }) end, "interrupted")
  T.eq(mlsh.parallel_map(2, function(i) return i end, { workers = 2 })[2], 2)
end)

T.test("cross-validation and grid search with workers equal the serial run", function()
  local X = mat.randn(120, 5, { seed = 11 })
  local y = {}
  for i = 1, 120 do y[i] = (X:get(i, 1) + X:get(i, 2) > 0) and 1 or 2 end
  local make = function(p) return learn.svm { C = p.C } end
  local g1 = learn.grid_search(make, { C = { 0.5, 5 } }, X, y, { k = 4, seed = 1 })
  local g2 = learn.grid_search(make, { C = { 0.5, 5 } }, X, y, { k = 4, seed = 1, workers = 2 })
  for j = 1, 2 do
    for f = 1, 4 do T.eq(g1.results[j].scores[f], g2.results[j].scores[f]) end
  end
  T.eq(g1.best_params.C, g2.best_params.C)
  local cv = learn.cross_validate(function() return learn.knn { k = 3 } end, X, y, { k = 4, workers = 2 })
  T.eq(#cv.scores, 4)
  T.raises(function() learn.cross_validate(function() return learn.knn { k = 3 } end, X, y, { workers = 0 }) end,
    "learn.cross_validate: option 'workers' must be a positive integer")
  T.raises(function() learn.cross_validate(function() return 1 end, X, y, { workers = 2 }) end,
    "learn.cross_validate: the factory must return a model")
end)

T.done()
