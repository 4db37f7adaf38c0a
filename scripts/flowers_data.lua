-- scripts/flowers_data.lua - the data side of scripts/flowers.lua: finding
-- the photos and the MobileNetV2 weights, listing photos by class (with
-- warnings for files that are not usable images), embedding them with
-- skipping of unreadable files, and the embedding cache (.npy + manifest,
-- reused only when the file list and the weights checksum both match).
--
--   local FD = dofile(<this folder> .. "/flowers_data.lua")
--   local photos = FD.find_photos(dir_or_nil)
--   local list = FD.list_photos(photos)          -- {paths=, classes=, skipped=, ...}
local mlsh = require "mlsh"
local util = require "mlsh.util"
local nn, image = mlsh.nn, mlsh.image
local fmt = string.format

local M = {}

M.CACHE_VERSION = "mlsh-flowers-cache 1"
local SLIM_NPY = "mobilenet_v2_1.0_224_tfslim_npy"
local KERAS_NOTOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"

-- Errors raised here are plain messages (no position): the script prints them.
local function fail(msg, ...) error(fmt(msg, ...), 0) end
M.fail = fail

-- Wall-clock seconds: mlsh.clock (monotonic) when the build has it, else
-- /proc/uptime, else os.time().
function M.now()
  if mlsh.clock then return mlsh.clock() end
  local f = io.open("/proc/uptime", "r")
  if f then
    local t = f:read("n")
    f:close()
    if t then return t end
  end
  return os.time()
end

-- CPU seconds of this process and its finished children (libsvm pairs may
-- run in child processes), all threads: /proc/self/stat, else os.clock().
function M.cpu()
  local f = io.open("/proc/self/stat", "r")
  if f then
    local line = f:read("l")
    f:close()
    local t = {}
    for w in (line or ""):match("%)%s*(.*)$"):gmatch("%S+") do t[#t + 1] = w end
    local u, s, cu, cs = tonumber(t[12]), tonumber(t[13]), tonumber(t[14]), tonumber(t[15])
    if u and s and cu and cs then return (u + s + cu + cs) / 100 end   -- USER_HZ is 100 on Linux
  end
  return os.clock()
end

local exists, isdir, filesize = util.exists, util.isdir, util.filesize

-- ---- where things are ----

-- The flower_photos folder: dir (itself or dir/flower_photos) when given, else
-- MLSH_DATA/flower_photos, datasets/flower_photos, ../shared/data/flower_photos
-- (nn.datapath's search). Returns the path or raises a message saying how to
-- get the photos.
function M.find_photos(dir)
  if dir then
    if isdir(dir .. "/flower_photos") then return dir .. "/flower_photos" end
    if isdir(dir) then return dir end
    fail("--data %s: no such folder", dir)
  end
  local p = nn.datapath("flower_photos")
  if p and isdir(p) then return p end
  fail("no flower photos found (looked in $MLSH_DATA/flower_photos, datasets/flower_photos and "
    .. "../shared/data/flower_photos): run scripts/fetch-flowers.sh, set MLSH_DATA, or pass --data DIR")
end

-- The network cfg and weights file. file: the --weights argument (must exist).
-- Without it: weights/mobilenetv2.weights (or under MLSH_DATA, ../shared); when
-- absent but Keras' .h5 or the TF-slim .npy folder is found, they are converted
-- once into weights/ with nn.convert. Returns cfg, weights.
function M.find_weights(file)
  local cfg = nn.datapath("mobilenetv2.cfg")
  if not cfg then fail("weights/mobilenetv2.cfg not found (is the mlsh checkout complete?)") end
  if file then
    if isdir(file) or not exists(file) then
      fail("--weights %s: no such file (a darknet .weights file for weights/mobilenetv2.cfg; "
        .. "scripts/fetch-weights.sh makes one)", file)
    end
    return cfg, file
  end
  local w = nn.datapath("mobilenetv2.weights")
  if w then return cfg, w end
  local src = nn.datapath(KERAS_NOTOP) or nn.datapath(SLIM_NPY)
  if not src then
    fail("MobileNetV2 weights not found (weights/mobilenetv2.weights): run scripts/fetch-weights.sh, "
      .. "or set MLSH_DATA to a folder holding weights/%s, or pass --weights FILE", SLIM_NPY)
  end
  w = (mlsh.root or ".") .. "/weights/mobilenetv2.weights"
  io.stderr:write(fmt("flowers: converting %s -> %s\n", src, w))
  nn.convert(cfg, src, w)
  return cfg, w
end

-- A 64-bit FNV-style checksum of a file's bytes (8 at a time), as 16 hex digits.
function M.checksum(path)
  local f = io.open(path, "rb")
  if not f then fail("cannot read '%s'", path) end
  local h, P, unpack = -3750763034362895579, 1099511628211, string.unpack
  local n = 0
  while true do
    local b = f:read(1 << 20)
    if not b then break end
    n = n + #b
    local last = #b - (#b % 8)
    for i = 1, last - 63, 64 do
      local a1, a2, a3, a4, a5, a6, a7, a8 = unpack("<i8i8i8i8i8i8i8i8", b, i)
      h = (h ~ a1) * P; h = (h ~ a2) * P; h = (h ~ a3) * P; h = (h ~ a4) * P
      h = (h ~ a5) * P; h = (h ~ a6) * P; h = (h ~ a7) * P; h = (h ~ a8) * P
    end
    for i = last - (last % 64) + 1, #b do h = (h ~ b:byte(i)) * P end
  end
  f:close()
  return fmt("%016x-%d", h, n)
end

-- ---- listing ----

-- The photos under dir by class folder, sorted (image.list's order).
-- Returns {dir=, paths=, classes=, skipped = {{path=, why=}, ...}} where
-- skipped lists files in class folders that are not image files and images
-- outside any class folder; each is warned about on stderr.
function M.list_photos(dir)
  local paths, classes, others = image.list(dir)
  local list = { dir = dir, paths = {}, classes = {}, skipped = {} }
  for i, p in ipairs(paths) do
    if classes[i] == "" then
      list.skipped[#list.skipped + 1] = { path = p, why = "not in a class folder" }
    else
      list.paths[#list.paths + 1], list.classes[#list.classes + 1] = p, classes[i]
    end
  end
  for _, p in ipairs(others) do list.skipped[#list.skipped + 1] = { path = p, why = "not an image file" } end
  return list
end

-- Counts per class: names (sorted) and counts (same order).
function M.class_counts(classes)
  local count, names = {}, {}
  for _, c in ipairs(classes) do
    if not count[c] then count[c] = 0; names[#names + 1] = c end
    count[c] = count[c] + 1
  end
  table.sort(names)
  local counts = {}
  for i, c in ipairs(names) do counts[i] = count[c] end
  return names, counts
end

-- ---- embedding ----

-- Embed paths with net:embed in chunks, skipping files that fail to decode:
-- net:embed stops at the first unreadable image with an error naming it, so
-- that file is recorded and its chunk rerun without it. Shows a progress bar
-- (rate and ETA) on a terminal. Returns the n x 1280 Matrix of the kept
-- photos, the kept indices (into paths) and the skipped {path=, why=}.
function M.embed(net, paths, opts)
  opts = opts or {}
  local chunk = opts.chunk or 128
  local tty = opts.progress ~= false and mlsh.plot and mlsh.plot._term and select(3, mlsh.plot._term()) == true
  local kept, skipped, blocks = {}, {}, {}
  local t0, done, n = M.now(), 0, #paths
  local function progress()
    if not tty then return end
    local el = M.now() - t0
    local rate = el > 0 and done / el or 0
    local w = 30
    local fill = math.floor(w * done / n)
    io.stderr:write(fmt("\r[%s%s] %d/%d  %.1f img/s  ETA %.0fs   ", ("#"):rep(fill), ("."):rep(w - fill), done, n,
      rate, rate > 0 and (n - done) / rate or 0))
  end
  progress()
  local i = 1
  while i <= n do
    local idx = {}
    for k = i, math.min(n, i + chunk - 1) do idx[#idx + 1] = k end
    while #idx > 0 do
      local sub = {}
      for k, j in ipairs(idx) do sub[k] = paths[j] end
      local ok, r = pcall(net.embed, net, sub, { progress = false })
      if ok then
        blocks[#blocks + 1] = r
        for _, j in ipairs(idx) do kept[#kept + 1] = j end
        break
      end
      local bad
      for k, p in ipairs(sub) do
        if tostring(r):find("'" .. p .. "'", 1, true) then bad = k break end   -- errors quote the path
      end
      if not bad then
        if tty then io.stderr:write("\n") end
        error(r, 0)   -- not a file's fault (interrupted, out of memory): stop
      end
      local why = tostring(r):gsub("^.-'" .. sub[bad]:gsub("%p", "%%%0") .. "':%s*", "")
      skipped[#skipped + 1] = { path = sub[bad], why = why }
      if tty then io.stderr:write("\n") end
      io.stderr:write(fmt("flowers: warning: skipped %s: %s\n", sub[bad], why))
      table.remove(idx, bad)
      done = done + 1
    end
    done = done + #idx
    progress()
    i = i + chunk
  end
  if tty then io.stderr:write("\r" .. (" "):rep(78) .. "\r") end
  if #blocks == 0 then fail("no photo could be read") end
  while #blocks > 1 do   -- join the chunks pairwise (each row copied log2(chunks) times)
    local joined = {}
    for k = 1, #blocks, 2 do joined[#joined + 1] = blocks[k + 1] and blocks[k]:vcat(blocks[k + 1]) or blocks[k] end
    blocks = joined
  end
  return blocks[1], kept, skipped
end

-- ---- cache ----

-- The manifest text: version, weights (and cfg) checksum, then one line per candidate
-- photo ("keep" or "skip", size, path relative to the photo folder).
local function manifest_text(list, weights_sum, status)
  local out = { M.CACHE_VERSION, "weights " .. weights_sum, "photos " .. #list.paths }
  for i, p in ipairs(list.paths) do
    local rel = p:sub(#list.dir + 2)
    out[#out + 1] = fmt("%s\t%s\t%s", status[i] or "keep", tostring(filesize(p) or -1), rel)
  end
  return table.concat(out, "\n") .. "\n"
end

-- Cache files for a photo folder: <cache>/flowers_embeddings.npy and
-- <cache>/flowers_manifest.txt.
function M.cache_paths(cache_dir)
  return cache_dir .. "/flowers_embeddings.npy", cache_dir .. "/flowers_manifest.txt"
end

-- Try the cache. Returns X, kept, skipped when the manifest matches the photo
-- list (names and sizes) and the weights checksum, else nil and the reason.
function M.cache_load(cache_dir, list, weights_sum)
  local npy, man = M.cache_paths(cache_dir)
  local f = io.open(man, "rb")
  if not f then return nil, "no cache yet" end
  local text = f:read("a")
  f:close()
  local lines = {}
  for l in text:gmatch("[^\n]+") do lines[#lines + 1] = l end
  if lines[1] ~= M.CACHE_VERSION then return nil, "cache from another version" end
  if lines[2] ~= "weights " .. weights_sum then return nil, "the weights or the network cfg changed" end
  -- compare the listing with statuses stripped
  local status = {}
  for i = 4, #lines do status[i - 3] = lines[i]:match("^(%a+)\t") end
  if manifest_text(list, weights_sum, status) ~= text then return nil, "the photo files changed" end
  local ok, X = pcall(mlsh.mat.load, npy)
  local kept, skipped = {}, {}
  for i, s in ipairs(status) do
    if s == "keep" then kept[#kept + 1] = i else skipped[#skipped + 1] = { path = list.paths[i], why = "unreadable (cached)" } end
  end
  if not ok then return nil, "the cached embeddings cannot be read" end
  if X:rows() ~= #kept then return nil, "the cached embeddings do not match the manifest" end
  return X, kept, skipped
end

-- Write the cache: the embeddings (Matrix:save is atomic), then the manifest
-- (temp + rename), so a manifest never describes a half-written .npy.
function M.cache_save(cache_dir, list, weights_sum, X, kept)
  util.mkdir(cache_dir)
  local npy, man = M.cache_paths(cache_dir)
  os.remove(man)   -- an interrupted save leaves no manifest, hence no stale hit
  X:save(npy, { dtype = "float32" })
  local status = {}
  for i = 1, #list.paths do status[i] = "skip" end
  for _, j in ipairs(kept) do status[j] = "keep" end
  util.write_atomic(man, manifest_text(list, weights_sum, status))
  return npy, man
end

return M
