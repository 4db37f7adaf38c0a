-- lua/mlsh/dist.lua - the Lua side of `dist` (src/lua/ldist.c): values sent
-- between ranks (bcast, allgather), rank-0 printing, a rank's row block of a
-- .npy file (load), a photo list embedded by rows (embed), and the per-iteration cost model of the distributed
-- K-Means (cost).
local M, mlsh = ...
local doc, mat = mlsh.doc, mlsh.mat
local util = require "mlsh.util"

-- ---- values as bytes: nil, booleans, numbers, strings, Matrices, tables of them ----

local encode
local function put(out, v, seen, fname)
  local t = type(v)
  if t == "nil" then out[#out + 1] = "z"
  elseif t == "boolean" then out[#out + 1] = v and "T" or "F"
  elseif math.type(v) == "integer" then out[#out + 1] = string.pack("<c1j", "i", v)
  elseif t == "number" then out[#out + 1] = string.pack("<c1d", "n", v)
  elseif t == "string" then out[#out + 1] = string.pack("<c1s4", "s", v)
  elseif mat.is(v) then
    local r, c, bytes = M._pack(mat.is_mapped(v) and v:copy() or v)
    out[#out + 1] = string.pack("<c1jjs4", "m", r, c, bytes)
  elseif t == "table" then
    if seen[v] then error(fname .. ": a table that contains itself cannot be sent", 0) end
    seen[v] = true
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    out[#out + 1] = string.pack("<c1j", "t", n)
    -- keys in a fixed order, so that every rank decodes the same table
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == "number" or ta == "string" then return a < b end
      if ta == "boolean" then return not a and b end
      return tostring(a) < tostring(b)   -- tables and matrices as keys: any fixed order will do
    end)
    for _, k in ipairs(keys) do put(out, k, seen, fname); put(out, v[k], seen, fname) end
    seen[v] = nil
  else
    error(fname .. ": a " .. t .. " cannot be sent between ranks", 0)
  end
end

encode = function(v, fname)
  local out = {}
  put(out, v, {}, fname)
  return table.concat(out)
end

local function get(s, pos)
  local tag = s:sub(pos, pos)
  pos = pos + 1
  if tag == "z" then return nil, pos
  elseif tag == "T" then return true, pos
  elseif tag == "F" then return false, pos
  elseif tag == "i" then return string.unpack("<j", s, pos)
  elseif tag == "n" then return string.unpack("<d", s, pos)
  elseif tag == "s" then return string.unpack("<s4", s, pos)
  elseif tag == "m" then
    local r, c, bytes, p2 = string.unpack("<jjs4", s, pos)
    return M._unpack(r, c, bytes), p2
  elseif tag == "t" then
    local n
    n, pos = string.unpack("<j", s, pos)
    local t = {}
    for _ = 1, n do
      local k, v
      k, pos = get(s, pos)
      v, pos = get(s, pos)
      t[k] = v
    end
    return t, pos
  end
  error("dist: a damaged message between ranks", 0)
end

local function decode(s) return (get(s, 1)) end

M.bcast = doc(function(v, root)
  root = root or 0
  local s = M._bcast(M.rank() == root and encode(v, "dist.bcast") or nil, root)
  return decode(s)
end, "dist.bcast", "dist.bcast(v [, root])",
  "Rank root's (default 0) value v on every rank: nil, booleans, numbers, strings, Matrices and tables of\n" ..
  "them. Other ranks' v is ignored.\nExample: centers = dist.bcast(centers)")

M.allgather = doc(function(v)
  local parts = M._allgather(encode(v, "dist.allgather"))
  local out = {}
  for r, s in ipairs(parts) do out[r] = decode(s) end
  return out
end, "dist.allgather", "dist.allgather(v)",
  "Every rank's v as an array in rank order (out[1] is rank 0's).\nExample: sizes = dist.allgather(X:rows())")

M.print = doc(function(...)
  if M.rank() == 0 then print(...) end
end, "dist.print", "dist.print(...)", "print on rank 0 only.\nExample: dist.print(km.inertia)")

-- ---- a rank's row block of a .npy file ----

M.block = doc(function(n, rank, size)
  rank, size = rank or M.rank(), size or M.size()
  return n * rank // size + 1, n * (rank + 1) // size
end, "dist.block", "dist.block(n [, rank [, size]])",
  "Rows a..b (1-based, inclusive; b = a - 1 when empty) of n rows that a rank holds: contiguous blocks in rank\n" ..
  "order, sizes differing by at most one.\nExample: a, b = dist.block(1000)")

mlsh.declare_options("dist.load", {
  { "bitwise", "bool", false, doc = "blocks of X:info().block rows reduced in block order: identical bits for any -np" },
  { "block", "int", 0, min = 0, doc = "rows per streamed block (0: about 8 MB of them; the same on every rank)" },
})

-- Rows a..b of n for this rank: contiguous, or whole blocks of B rows in bitwise mode.
local function rows_of(n, opts, B)
  local a, b = M.block(n)
  if opts.bitwise then
    local ba, bb = M.block((n + B - 1) // B)
    a, b = (ba - 1) * B + 1, math.min(bb * B, n)
  end
  return a, b
end

-- A CSV file: every rank parses it and keeps its rows (numeric columns).
local function open_csv(path, opts)
  local ok, df = pcall(mlsh.data.read_csv, path)
  local X = ok and (mat.is(df) and df or df:matrix()) or nil
  return X, (ok and { rows = X:rows(), cols = X:cols(), dtype = "float64" }
                or { error = tostring(df):gsub("^data%.read_csv: ", "") })
end

M.load = doc(function(path, opts)
  if type(path) ~= "string" then error("dist.load: argument 'path' must be a string (got " .. type(path) .. ")", 0) end
  opts = mlsh.check_options("dist.load", opts)
  local csv = path:lower():match("%.csv$") ~= nil
  local ok, whole, info
  if csv then
    whole, info = open_csv(path, opts)
  else
    ok, whole = pcall(mat.mmap, path, { block = opts.block })
    info = ok and whole:info() or { error = tostring(whole):gsub("^mat%.mmap: ", "") }
    if ok then whole:close() end
  end
  -- every rank must map the same array, or none does
  local all = M.allgather({ rows = info.rows, cols = info.cols, dtype = info.dtype, error = info.error })
  for r, o in ipairs(all) do
    if o.error then error(string.format("dist.load: rank %d: %s", r - 1, o.error), 0) end
  end
  for r, o in ipairs(all) do
    if o.rows ~= all[1].rows or o.cols ~= all[1].cols or o.dtype ~= all[1].dtype then
      error(string.format("dist.load: ranks were given different files: rank 0 has %d x %d %s, rank %d has %d x %d %s",
        all[1].rows, all[1].cols, all[1].dtype, r - 1, o.rows, o.cols, o.dtype), 0)
    end
  end
  if csv then
    local B = opts.block > 0 and opts.block or mat._block(mat.zeros(0, info.cols), 0, 0):info().block
    local a, b = rows_of(info.rows, opts, B)
    local rows = b >= a and whole:slice(a, b) or mat.zeros(0, info.cols)
    return mat._block(rows, a - 1, info.rows, { bitwise = opts.bitwise, block = opts.block })
  end
  local a, b = rows_of(info.rows, opts, info.block)
  return mat.mmap(path, { rows = { a, b }, distributed = true, bitwise = opts.bitwise, block = opts.block })
end, "dist.load", "dist.load(path [, opts])",
  "This rank's block of rows of a .npy file (dist.block), memory-mapped, with its global offset\n" ..
  "(a .csv file: every rank parses it and keeps its block of the numeric columns in memory)\n" ..
  "(X:info().first_row). colstats, cov, cor, stats.pca and cluster.kmeans on it combine every rank's block\n" ..
  "(one packed allreduce per K-Means iteration): the same results as one process on the whole file, for any\n" ..
  "number of ranks (random draws are keyed by seed and global row). Every rank must be given the same file.\n" ..
  "bitwise = true gives each rank whole blocks and reduces every block's partial in block order: the results\n" ..
  "are then identical bit for bit for any number of ranks (more bytes per reduction).\n" ..
  "t-SNE, hclust, libsvm and ARIMA stay single-process: run them on a sample or on the centres.\n" ..
  "Example: X = dist.load(\"big.npy\"); km = cluster.kmeans(X, 10, {seed = 1})")

-- ---- a photo list split by rows ----

-- The paths of a text file, one a line (blank lines and # comments left out).
local function list_paths(path, fname)
  local text, err = util.read(path)
  if not text then error(fname .. ": cannot read the list '" .. path .. "': " .. tostring(err), 0) end
  local paths = {}
  for line in text:gmatch("[^\r\n]+") do
    if line:match("%S") and not line:match("^%s*#") then paths[#paths + 1] = line end
  end
  return paths
end

M.embed = doc(function(net, list, opts)
  local fname = "dist.embed"
  if type(net) ~= "userdata" or type(net.embed) ~= "function" then
    error(fname .. ": argument 'net' must be a Net (got " .. type(net) .. ")", 0)
  end
  local paths = type(list) == "string" and list_paths(list, fname) or list
  if type(paths) ~= "table" then
    error(fname .. ": argument 'list' must be an array of paths or the name of a text file of paths (got " .. type(list) .. ")", 0)
  end
  if #paths == 0 then error(fname .. ": the list of images is empty", 0) end
  local a, b = M.block(#paths)
  local mine = table.move(paths, a, b, 1, {})
  local ok, E, skipped = true, nil, nil
  if #mine > 0 then ok, E, skipped = pcall(net.embed, net, mine, opts) end
  -- every rank reaches the gather, failed or not, so that an error is reported instead of a hang
  local parts = M.allgather(ok and { E = E, skipped = skipped, first = a } or { error = tostring(E) })
  for r, p in ipairs(parts) do
    if p.error then error(string.format("%s: rank %d: %s", fname, r - 1, (p.error:gsub("^[%w.:]+embed: ", ""))), 0) end
  end
  local out, skips = nil, {}
  for _, p in ipairs(parts) do
    if p.E then out = out and out:vcat(p.E) or p.E end
    for _, s in ipairs(p.skipped or {}) do
      s.index = s.index + p.first - 1
      skips[#skips + 1] = s
    end
  end
  if opts and opts.on_error == "skip" then return out, skips end
  return out
end, "dist.embed", "dist.embed(net, list [, opts])",
  "Embeds a photo list split by rows over the ranks: list is an array of paths (the same on every rank, e.g.\n" ..
  "image.list's) or a text file of paths, one a line. Rank r embeds its block (dist.block) with net:embed(paths,\n" ..
  "opts) and the blocks are gathered in global order: every rank gets the n x outputs Matrix one process\n" ..
  "computes (with on_error = \"skip\" also the skipped images, their index global). An error on any rank is\n" ..
  "raised on every rank, naming it. Without MPI: net:embed of the whole list.\n" ..
  "Example: E = dist.embed(nn.mobilenetv2(), (image.list(\"flower_photos\")))")

-- ---- the cost model of a distributed K-Means iteration ----

M.dgemm_rate = doc(function(n)
  n = n or 512
  local A, B = mat.randn(n, n, { seed = 1 }), mat.randn(n, n, { seed = 2 })
  local best = math.huge
  for _ = 1, 3 do
    local t0 = mlsh.clock()
    local _ = A:dot(B)
    best = math.min(best, mlsh.clock() - t0)
  end
  return 2 * n ^ 3 / best
end, "dist.dgemm_rate", "dist.dgemm_rate([n])",
  "This machine's measured dgemm rate (flop/s) on n x n matrices (default 512), best of 3.\n" ..
  "Example: dist.cost{n = 1e6, p = 50, k = 10, nodes = 100, flops = dist.dgemm_rate()}")

mlsh.declare_options("dist.cost", {
  { "n", "number", 1e6, min = 1, doc = "rows per node (weak scaling: fixed per node)" },
  { "p", "int", 50, min = 1, doc = "columns" },
  { "k", "int", 10, min = 1, doc = "clusters" },
  { "nodes", "int", 100, min = 1, doc = "processes (one per node)" },
  { "flops", "number", 0, min = 0, doc = "flop/s of a node (0: dist.dgemm_rate() measured here)" },
  { "latency", "number", 2e-6, min = 0, doc = "alpha: seconds per message (Hockney)" },
  { "bandwidth", "number", 10e9, min = 0, min_open = true, doc = "1/beta: bytes per second of a link" },
  { "reduce_rate", "number", 2e9, min = 0, min_open = true, doc = "1/gamma: bytes per second a node combines" },
})

M.cost = doc(function(opts)
  local o = mlsh.check_options("dist.cost", opts)
  local F = o.flops > 0 and o.flops or M.dgemm_rate()
  local P, a, b, g = o.nodes, o.latency, 1 / o.bandwidth, 1 / o.reduce_rate
  local bytes = (o.k * o.p + o.k + 2) * 8        -- the packed sums, counts, changes and inertia
  -- distances by dgemm (2npk), the sums (np) and the nearest-centre scan (nk)
  local compute = (2 * o.n * o.p * o.k + o.n * o.p + o.n * o.k) / F
  local lg = P > 1 and math.ceil(math.log(P, 2)) or 0
  local f = (P - 1) / P
  -- Rabenseifner (reduce-scatter + allgather) for long messages, recursive doubling for short ones
  local raben = 2 * lg * a + 2 * f * bytes * b + f * bytes * g
  local doubling = lg * (a + bytes * b + bytes * g)
  local comm = P > 1 and math.min(raben, doubling) or 0
  return {
    bytes = bytes, compute_s = compute, allreduce_s = comm, iteration_s = compute + comm,
    efficiency = compute / (compute + comm), flops = F,
    algorithm = P == 1 and "none" or (raben < doubling and "rabenseifner" or "recursive doubling"),
  }
end, "dist.cost", "dist.cost([opts])",
  "The predicted time of one distributed K-Means iteration on `nodes` processes of n rows each: compute from\n" ..
  "the flop count and a node's dgemm rate, the one packed allreduce of (k p + k + 2) doubles by the Hockney\n" ..
  "model (latency + bytes / bandwidth, plus the reduction) with Rabenseifner's or recursive doubling, the\n" ..
  "cheaper. Returns bytes (what dist.log() counts per iteration and rank), compute_s, allreduce_s,\n" ..
  "iteration_s and efficiency (weak scaling: compute / (compute + allreduce)).\n" ..
  "Example: dist.cost{n = 1e6, p = 50, k = 10, nodes = 1000}.efficiency")


return M
