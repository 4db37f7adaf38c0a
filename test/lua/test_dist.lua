-- test/lua/test_dist.lua - the dist module and the distributed kernels under OpenMPI: test/mpi/*.lua
-- run by `mpirun -np 1..4 --oversubscribe` (shared-memory transport only, each under `timeout`) give
-- the same K-Means labels and iterations (also when clusters are empty at the first pass), the same
-- PCA within 1e-10 as one process on the whole file, and the collective bytes the cost model predicts. References: the in-memory functions (cluster.kmeans
-- Lloyd from the same centres, stats.pca) on the same data, themselves tested against R/scikit-learn.
-- Skips, saying so, when OpenMPI (mpirun, build/mlsh-mpi.so) is missing.
local T = dofile("test/lua/harness.lua")
local MLSH = T.mlsh()
local PLUGIN = MLSH:gsub("mlsh$", "mlsh-mpi.so")
local ENV = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OPENBLAS_NUM_THREADS=1 "
-- Under `make asan` the ranks keep the memory checks but not the leak check: OpenMPI's own
-- components (dlopen'ed, unloaded at MPI_Finalize) leave allocations LeakSanitizer can neither
-- symbolize nor suppress. The same kernels are leak-checked on one process by test_mmap.
if os.getenv("MLSH_SANITIZED") then ENV = ENV .. "ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 " end
local have_mpi = T.sh("command -v mpirun") ~= "" and io.open(PLUGIN) ~= nil

local function mpirun(np, script, args, env)
  return T.sh(ENV .. (env or "") .. " timeout 120 mpirun -np " .. np .. " --oversubscribe --bind-to none " ..
    MLSH .. " " .. script .. " " .. (args or ""))
end

local function results(text)
  local r = {}
  for k, v in text:gmatch("([%w_]+) ([^\n]*)") do r[k] = v end
  return r
end

-- 997 rows around 4 centres: blocks of unequal sizes at every -np
local X = mat.randn(997, 5, { seed = 4 })
for i = 1, 997 do local c = i % 4 for j = 1, 5 do X:set(i, j, X:get(i, j) + 4 * ((c + j) % 3)) end end
local PATH = T.tmpname(".npy")
X:save(PATH)

T.test("without MPI dist is rank 0 of 1", function()
  T.eq(dist.rank(), 0)
  T.eq(dist.size(), 1)
  T.eq(dist.active(), false)
  T.eq(dist.allreduce(3), 3)
  T.eq(dist.bcast({ a = { 1, "x" } }).a[2], "x")
  T.eq(dist.allgather(7)[1], 7)
  local a, b = dist.block(10, 2, 3)
  T.eq(a, 7); T.eq(b, 10)
  T.raises(function() dist.allreduce(1, "avg") end, "argument 'op'")
  T.raises(function() dist.bcast(print) end, "dist.bcast: a function cannot be sent between ranks")
  local t = {}; t.self = t
  T.raises(function() dist.allgather(t) end, "dist.allgather: a table that contains itself")
end)

T.test("the cost model: Hockney terms with Rabenseifner's allreduce, by hand", function()
  local one = dist.cost { n = 1e5, p = 50, k = 10, nodes = 1, flops = 1e10 }
  T.eq(one.bytes, (10 * 50 + 10 + 2) * 8)
  T.near(one.compute_s, (2 * 1e5 * 50 * 10 + 1e5 * 50 + 1e5 * 10) / 1e10, 1e-15)
  T.eq(one.allreduce_s, 0)
  T.eq(one.efficiency, 1)
  local c = dist.cost { n = 1e5, p = 50, k = 10, nodes = 100, flops = 1e10 }
  -- 2 log2(P) alpha + 2 (P-1)/P m beta + (P-1)/P m gamma, ceil(log2 100) = 7
  local raben = 2 * 7 * 2e-6 + 2 * 0.99 * 4096 / 10e9 + 0.99 * 4096 / 2e9
  T.near(c.allreduce_s, raben, 1e-15)
  T.eq(c.algorithm, "rabenseifner")
  T.near(c.efficiency, one.compute_s / (one.compute_s + raben), 1e-12)
  T.ok(dist.cost { n = 10, p = 2, k = 2, nodes = 8, flops = 1e10 }.algorithm == "recursive doubling")
end)

T.test("a plain run does not load MPI", function()
  local out = T.sh(MLSH .. " -e 'print(dist.active())' ; grep -c libmpi /proc/self/maps")
  T.ok(out:find("false", 1, true), out)
  local maps = T.sh(MLSH .. [[ -e 'for l in io.lines("/proc/self/maps") do if l:find("libmpi") then print("LOADED") break end end']])
  T.ok(not maps:find("LOADED", 1, true), "libmpi is mapped in a plain run")
end)

if not have_mpi then
  T.test("OpenMPI", function() T.skip("OpenMPI missing (mpirun or " .. PLUGIN .. "): 'make deps' installs it") end)
  T.done()
  return
end

local single = results(T.sh(MLSH .. " test/mpi/fit.lua " .. PATH))

T.test("one process agrees with the in-memory functions", function()
  local p = stats.pca(X, { ncomp = 3 })
  for k = 1, 3 do T.near(tonumber(single["eig" .. k]), p.eigenvalues[k], 1e-10) end
  for k = 1, 3 do T.near(tonumber(single["tsqr_eig" .. k]), p.eigenvalues[k], 1e-10) end
  T.near(tonumber(single.tsqr_load11), p.loadings:get(1, 1), 1e-10)
  local km = cluster.kmeans(X, 3, { init = X:slice(1, 3), algorithm = "lloyd" })
  T.eq(tonumber(single.given_iters), km.iters)
  T.eq(single.given_labels, table.concat(km.labels, ","))
  T.eq(single.n, "997")
  local par = cluster.kmeans(X, 4, { init = "k-means||", seed = 5, algorithm = "lloyd" })
  T.eq(single.par_labels, table.concat(par.labels, ","))
  T.eq(tonumber(single.par_iters), par.iters)
  -- two centres far from every row: empty clusters relocated as in memory (Lloyd and Hamerly)
  local E0 = X:slice(1, 3):vcat(mat.from { { 1e3, 1e3, 1e3, 1e3, 1e3 }, { -1e3, -1e3, -1e3, -1e3, -1e3 } })
  for _, algo in ipairs { "lloyd", "hamerly" } do
    local e = cluster.kmeans(X, 5, { init = E0, algorithm = algo })
    T.eq(single.empty_labels, table.concat(e.labels, ","), algo)
    T.eq(tonumber(single.empty_iters), e.iters, algo)
    T.rel(tonumber(single.empty_inertia), e.inertia, 1e-10)
  end
end)

for np = 1, 4 do
  T.test("mpirun -np " .. np .. ": same labels, iterations, PCA; bytes as the model", function()
    local text, code = mpirun(np, "test/mpi/fit.lua", PATH)
    T.eq(code, 0, text)
    local r = results(text)
    for _, k in ipairs { "n", "iters", "labels", "given_iters", "given_labels", "knn", "par_iters", "par_labels",
                         "empty_iters", "empty_labels" } do
      T.eq(r[k], single[k], k .. " at -np " .. np)
    end
    for k = 1, 3 do T.near(tonumber(r["eig" .. k]), tonumber(single["eig" .. k]), 1e-10) end
    T.near(tonumber(r.load11), tonumber(single.load11), 1e-10)
    for k = 1, 3 do T.near(tonumber(r["tsqr_eig" .. k]), tonumber(single["tsqr_eig" .. k]), 1e-10) end
    T.near(tonumber(r.tsqr_load11), tonumber(single.tsqr_load11), 1e-10)
    T.rel(tonumber(r.par_center11), tonumber(single.par_center11), 1e-12)
    T.rel(tonumber(r.inertia), tonumber(single.inertia), 1e-12)
    T.rel(tonumber(r.empty_inertia), tonumber(single.empty_inertia), 1e-12)
    -- one packed allreduce of k*p sums, k counts, changes and inertia per pass (iters + 1 passes)
    local iters, k, p = tonumber(r.iters), 4, 5
    T.eq(tonumber(r.allreduce_calls), iters + 1)
    T.eq(tonumber(r.allreduce_bytes), (iters + 1) * (k * p + k + 2) * 8)
  end)
end

T.test("cluster.elbow on dist.load data at -np 1..3: the in-memory sweep", function()
  -- reference: cluster.elbow of the whole file in memory with the streamed fit (Lloyd, one start),
  -- the same seed, init and 400-row silhouette sample
  for _, run in ipairs { { "k-means||" }, { "k-means++" }, { "k-means||", "bitwise" } } do
    local init = run[1]
    local ref = cluster.elbow(X, { kmin = 2, kmax = 5, init = init, seed = 6, silhouette = 400, algorithm = "lloyd", nstart = 1 })
    for np = 1, 3 do
      local text, code = mpirun(np, "test/mpi/elbow.lua", PATH .. " '" .. init .. "' " .. (run[2] or ""))
      T.eq(code, 0, text)
      local r = results(text)
      local what = init .. (run[2] and " bitwise" or "") .. " at -np " .. np
      for _, key in ipairs { "inertia", "silhouette", "calinski_harabasz", "davies_bouldin" } do
        local t = 0
        for v in (r[key] or ""):gmatch("[^,]+") do t = t + 1; T.rel(tonumber(v), ref[key][t], 1e-9, key .. " " .. what) end
        T.eq(t, 4, key .. " " .. what)
      end
      T.eq(tonumber(r.knee), ref.best.knee, what)
      T.eq(tonumber(r.best_silhouette), ref.best.silhouette, what)
      T.eq(tonumber(r.silhouette_rows), 400, what)
      T.eq(r.ranks_agree, "true", what)
    end
  end
end)

T.test("ring KNN: queries and training rows spread over -np 1..4, ties by global row", function()
  -- integer points on a small grid: many exact ties. Reference: brute force here, sorted by
  -- (distance, row).
  local G = mat.randn(150, 2, { seed = 8 })
  for i = 1, 150 do for j = 1, 2 do G:set(i, j, math.floor(G:get(i, j) * 1.5 + 0.5)) end end
  local gpath = T.tmpname(".npy")
  G:save(gpath)
  local k, want, wantd = 6, {}, {}
  for i = 1, 150 do
    local c = {}
    for r = 1, 150 do
      local dx, dy = G:get(i, 1) - G:get(r, 1), G:get(i, 2) - G:get(r, 2)
      c[r] = { d = dx * dx + dy * dy, r = r }
    end
    table.sort(c, function(a, b) return a.d < b.d or (a.d == b.d and a.r < b.r) end)
    local idx, ds = {}, {}
    for j = 1, k do idx[j] = tostring(c[j].r); ds[j] = math.sqrt(c[j].d) end
    want[i], wantd[i] = table.concat(idx, ","), ds
  end
  for np = 1, 4 do
    local text, code = mpirun(np, "test/mpi/knn.lua", gpath .. " " .. k)
    T.eq(code, 0, text)
    local r = results(text)
    T.eq(r.ring, table.concat(want, ";"), "neighbours at -np " .. np)
    T.eq(tonumber(r.shifts), np - 1, "one shift per step")
    local i = 0
    for row in (r.ringd or ""):gmatch("[^;]+") do
      i = i + 1
      local j = 0
      for v in row:gmatch("[^,]+") do j = j + 1; T.near(tonumber(v), wantd[i][j], 1e-12) end
    end
    T.eq(i, 150)
  end
  os.remove(gpath)
end)

T.test("ring KNN at -np 3 with 2 search threads a rank: the one-process search, bit for bit", function()
  -- the block held is searched on worker threads while the next one travels (the main thread waits
  -- for it); uneven blocks (2999 rows), several query slices. Reference: X:knn on one process.
  local R = mat.randn(2999, 8, { seed = 12 })
  local rpath = T.tmpname(".npy")
  R:save(rpath)
  local k = 4
  local I, D = mat.mmap(rpath):knn(R, k)
  local want, wantd = {}, {}
  for i = 1, I:rows() do
    local r, d = {}, {}
    for j = 1, k do r[j] = string.format("%d", I:get(i, j)); d[j] = string.format("%.17g", D:get(i, j)) end
    want[i], wantd[i] = table.concat(r, ","), table.concat(d, ",")
  end
  local text, code = mpirun(3, "test/mpi/knn.lua", rpath .. " " .. k, "MLSH_THREADS=6")
  T.eq(code, 0, text)
  local r = results(text)
  T.eq(r.ring, table.concat(want, ";"), "neighbours at -np 3")
  T.eq(r.ringd, table.concat(wantd, ";"), "distances at -np 3")
  T.eq(tonumber(r.shifts), 2, "one shift per step")
  os.remove(rpath)
end)

T.test("random forest over ranks: the one-process forest's predictions, bit for bit, at -np 1..4", function()
  -- reference: the same script without mpirun (learn.forest grows every tree itself), itself tested
  -- against scikit-learn in test_learn
  for _, trees in ipairs { 7, 3 } do
    local ref = results(T.sh(MLSH .. " test/mpi/forest.lua " .. trees))
    T.ok(ref.proba and #ref.proba > 1000, "the single-process run printed its probabilities")
    for np = 1, 4 do
      local text, code = mpirun(np, "test/mpi/forest.lua", tostring(trees))
      T.eq(code, 0, text)
      local r = results(text)
      T.eq(r.proba, ref.proba, trees .. " trees at -np " .. np)
      T.eq(r.predict, ref.predict)
      local a, b = {}, {}
      for v in r.imp:gmatch("%S+") do a[#a + 1] = tonumber(v) end
      for v in ref.imp:gmatch("%S+") do b[#b + 1] = tonumber(v) end
      for j = 1, 4 do T.near(a[j], b[j], 1e-15) end
    end
  end
  local text, code = mpirun(2, "test/mpi/forest.lua", "7 other")
  T.ok(code ~= 0 and code ~= 124, "status " .. tostring(code))
  T.ok(text:find("rank 1 was given other training rows than rank 0 (150 x 4)", 1, true), text)
end)

T.test("dist.embed: a photo list split by rows, gathered into the one-process matrix, -np 1..4", function()
  local photos = T.shared("data/flower_photos")
  if not photos then T.skip("../shared/data/flower_photos is absent") end
  -- two photos of each of four classes; reference: net:embed of the whole list in one process
  local paths, classes = image.list(photos)
  local pick, seen = {}, {}
  for i, c in ipairs(classes) do
    seen[c] = (seen[c] or 0) + 1
    if seen[c] <= 2 and #pick < 8 then pick[#pick + 1] = paths[i] end
  end
  local list = T.tmpfile("# photos\n" .. table.concat(pick, "\n") .. "\n", ".txt")
  local cfg = T.tmpfile("[net]\nwidth=16\nheight=16\nchannels=3\n\n[avgpool]\n", ".cfg")
  local nets = { cfg }
  local ok = pcall(nn.mobilenetv2)
  if ok then nets[2] = "mobilenetv2" end
  for _, which in ipairs(nets) do
    local net = which == cfg and nn.load(cfg, nil, { threads = 1 }) or nn.mobilenetv2 { threads = 1 }
    local want = net:embed(pick)
    local ref = results(T.sh(MLSH .. " test/mpi/embed.lua " .. list .. " " .. which))
    T.eq(ref.shape, want:rows() .. "x" .. want:cols())
    local bits = {}
    for i = 1, want:rows() do for j = 1, want:cols() do bits[#bits + 1] = string.format("%a", want:get(i, j)) end end
    T.eq(ref.bits, table.concat(bits, ","), which .. " without mpirun")
    for np = 1, 4 do
      local text, code = mpirun(np, "test/mpi/embed.lua", list .. " " .. which)
      T.eq(code, 0, text)
      local r = results(text)
      T.eq(r.shape, ref.shape)
      T.eq(r.bits, ref.bits, which .. " at -np " .. np)
    end
  end
  T.raises(function() dist.embed(nn.load(cfg), {}) end, "dist.embed: the list of images is empty")
  T.raises(function() dist.embed(nn.load(cfg), 3) end, "dist.embed: argument 'list' must be an array of paths")
  T.raises(function() dist.embed(nn.load(cfg), "/nonexistent.txt") end, "dist.embed: cannot read the list '/nonexistent.txt'")
  T.raises(function() dist.embed(nn.load(cfg), { "/nonexistent.jpg" }) end, "dist.embed: rank 0:")
  if not ok then T.skip("MobileNetV2 weights are absent: checked with a pooling net only") end
end)

T.test("bitwise mode: identical bits for -np 1..4", function()
  -- the same BLAS threads as the ranks (LAPACK rounds differently with more)
  local ref = results(T.sh(ENV .. MLSH .. " test/mpi/fit.lua " .. PATH .. " bitwise"))
  T.eq(ref.labels, single.labels)
  for np = 1, 4 do
    local text, code = mpirun(np, "test/mpi/fit.lua", PATH .. " bitwise")
    T.eq(code, 0, text)
    local r = results(text)
    for _, k in ipairs { "mean1", "cov12", "eig1", "eig2", "eig3", "load11", "iters", "inertia", "labels", "given_labels",
                         "empty_iters", "empty_labels", "empty_inertia" } do
      T.eq(r[k], ref[k], k .. " at -np " .. np)
    end
  end
end)

T.test("dist.load of a CSV file at -np 3 (iris: R colMeans, prcomp)", function()
  local text, code = mpirun(3, "test/mpi/csv.lua", "datasets/iris.csv")
  T.eq(code, 0, text)
  local r = results(text)
  T.eq(r.n, "150")
  local mean = { 5.843333, 3.057333, 3.758000, 1.199333 }
  for j = 1, 4 do T.near(tonumber(r["mean" .. j]), mean[j], 1e-6) end
  T.near(tonumber(r.eig1), 2.918498, 1e-6)
  local km = cluster.kmeans(data.read_csv("datasets/iris.csv"):matrix(), 3, { algorithm = "lloyd",
    init = mat.from { { 5.0, 3.4, 1.5, 0.2 }, { 5.9, 2.8, 4.4, 1.4 }, { 6.9, 3.1, 5.8, 2.1 } } })
  T.eq(r.sizes, table.concat(km.sizes, ","))
end)

T.test("an error on one rank ends the run naming it", function()
  local text, code = mpirun(3, "test/mpi/fail.lua", "error")
  T.ok(code ~= 0 and code ~= 124, "status " .. tostring(code))
  T.ok(text:find("boom on rank one", 1, true), text)
  T.ok(text:find("rank 1 of 3 failed", 1, true), text)
end)

T.test("a crash on one rank ends the run", function()
  local text, code = mpirun(2, "test/mpi/fail.lua", "crash")
  T.ok(code ~= 0 and code ~= 124, "status " .. tostring(code) .. ": " .. text)
  T.ok(not text:find("finished", 1, true), text)
end)

T.test("ranks given different files", function()
  local other = T.tmpname(".npy")
  mat.zeros(4, 2):save(other)
  local text, code = mpirun(2, "test/mpi/fail.lua", "files " .. PATH .. " " .. other)
  T.ok(code ~= 0 and code ~= 124, "status " .. tostring(code))
  T.ok(text:find("ranks were given different files: rank 0 has 997 x 5 float64, rank 1 has 4 x 2 float64", 1, true), text)
  os.remove(other)
end)

T.test("a collective skipped by one rank: the check mode stops instead of hanging", function()
  local text, code = mpirun(2, "test/mpi/fail.lua", "skip", "MLSH_DIST_CHECK=1 MLSH_DIST_TIMEOUT=10")
  T.ok(code ~= 0 and code ~= 124, "status " .. tostring(code) .. ": " .. text)
  T.ok(text:find("does not match the other ranks'", 1, true), text)
end)

T.test("mpirun mlsh --mpi-repl: rank 0 reads, every rank runs, errors name their rank", function()
  local input = T.tmpfile("x = dist.rank() + 1\ndist.allreduce(x)\nif dist.rank() == 2 then error('bad on two') end\n" ..
    "for i = 1, 2 do\n  print('line', i)\nend\n#dist.allgather(x)\n", ".txt")
  local text, code = T.sh(ENV .. " timeout 60 mpirun -np 3 --oversubscribe --bind-to none " .. MLSH .. " --mpi-repl < " .. input)
  T.eq(code, 0, text)
  T.ok(text:find("\n6\n", 1, true), text)
  T.ok(text:find("mlsh: rank 2: stdin:1: bad on two", 1, true), text)
  local _, lines = text:gsub("line\t1", "")
  T.eq(lines, 1, "only rank 0 prints: " .. text)
  T.ok(text:find("\n3\n", 1, true), "the session went on after the error: " .. text)
  os.remove(input)
end)

os.remove(PATH)
T.done()
