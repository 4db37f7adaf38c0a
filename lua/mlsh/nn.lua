-- lua/mlsh/nn.lua - the Lua side of the nn module: net:summary() and
-- finding the project's MobileNetV2 (cfg + converted weights) and data.
local M, mlsh = ...
local doc = mlsh.doc

local NetMT = debug.getregistry()["mlsh.Net"]
local methods = NetMT and NetMT.__methods

local util = require "mlsh.util"
local exists, isdir = util.exists, util.isdir

-- Folders searched for data and weights, in order: MLSH_DATA, the project
-- root, and ../shared beside it (where the tests find the shared data).
local function roots()
  local r = {}
  local env = os.getenv("MLSH_DATA")
  if env and env ~= "" then r[#r + 1] = env end
  if mlsh.root then
    r[#r + 1] = mlsh.root
    r[#r + 1] = mlsh.root .. "/../shared"
  end
  r[#r + 1] = "."
  return r
end

local function fmt_int(n)
  local s = tostring(math.floor(n))
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

mlsh.declare_options("Net:summary", {
  { "profile", "bool", false, doc = "add each layer's time per image and share, measured since net:profile(true)" },
})

-- net:summary{profile=false}: one line per layer and the totals.
local function summary(net, opts)
  opts = mlsh.check_options("Net:summary", opts)
  local layers, info = net:layers(), net:info()
  local prof = opts.profile
  local total_t = 0
  if prof then for _, l in ipairs(layers) do total_t = total_t + (l.seconds or 0) end end
  local out = {}
  local head = string.format("%3s  %-11s %-26s %-16s %10s %9s", "#", "type", "name", "output c x h x w", "params", "MMACs")
  if prof then head = head .. string.format(" %9s %6s", "ms/img", "%") end
  out[1] = head
  local tp, tm = 0, 0
  for _, l in ipairs(layers) do
    local o = l.output
    local kind = l.type
    if l.type == "conv" then
      kind = (l.groups > 1 and l.groups == l.input[1]) and "dwconv" or "conv"
      kind = kind .. l.size .. "x" .. l.size .. (l.stride > 1 and "/" .. l.stride or "")
    end
    local line = string.format("%3d  %-11s %-26s %-16s %10s %9.2f", l.index, kind, l.name ~= "" and l.name or "-",
      string.format("%d x %d x %d", o[1], o[2], o[3]), fmt_int(l.params), l.mmacs)
    if prof then
      local s = l.seconds or 0
      line = line .. string.format(" %9.3f %5.1f%%", info.images > 0 and s * 1e3 / info.images or 0,
        total_t > 0 and 100 * s / total_t or 0)
    end
    out[#out + 1] = line
    tp, tm = tp + l.params, tm + l.mmacs
  end
  out[#out + 1] = string.format("total: %s parameters, %.1f M multiply-adds (%.0f MFLOPs) per image; input %dx%dx%d, %d outputs; %d threads",
    fmt_int(tp), tm, 2 * tm, info.input[3], info.input[2], info.input[1], info.outputs, info.threads)
  if prof then
    if info.images > 0 and total_t > 0 then
      out[#out + 1] = string.format("profile: %d images, %.2f ms of layer time per image (summed over threads)",
        info.images, total_t * 1e3 / info.images)
    else
      out[#out + 1] = "profile: no images timed yet (net:profile(true), then forward or embed)"
    end
  end
  return table.concat(out, "\n")
end

if methods then
  methods.summary = doc(summary, "Net:summary", "net:summary([opts])",
    "A table of the layers: type (dwconv for depthwise), Keras name, output shape, parameters and millions of "
    .. "multiply-adds, with totals.\nReturns: a string.\nExample: print(nn.mobilenetv2():summary())")
end

-- nn.datapath(name): the first existing <root>/<name>, <root>/data/<name> or
-- <root>/datasets/<name> over MLSH_DATA, the project and ../shared.
function M.datapath(name)
  if type(name) ~= "string" then error("nn.datapath: argument 'name' must be a string (got " .. type(name) .. ")", 0) end
  for _, r in ipairs(roots()) do
    for _, sub in ipairs({ "", "data/", "datasets/", "weights/" }) do
      local p = r .. "/" .. sub .. name
      if exists(p) or isdir(p) then return p end
    end
  end
  return nil
end
M.datapath = doc(M.datapath, "nn.datapath", "nn.datapath(name)",
  "Find data or weights by name under MLSH_DATA, the project root and ../shared (trying <root>/<name>, "
  .. "data/<name>, datasets/<name> and weights/<name>).\nReturns: the path, or nil.\n"
  .. "Example: photos = nn.datapath(\"flower_photos\")")

local KERAS_NOTOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
local KERAS_TOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
local SLIM_NPY = "mobilenet_v2_1.0_224_tfslim_npy"

-- Where converted weights go: weights/ in the project when writable, else /tmp.
local function weights_out(file)
  local dir = mlsh.root and (mlsh.root .. "/weights") or "weights"
  local f = io.open(dir .. "/.write_probe", "wb")
  if f then f:close() os.remove(dir .. "/.write_probe") return dir .. "/" .. file end
  return (os.getenv("TMPDIR") or "/tmp") .. "/" .. file
end

-- nn.mobilenetv2{top=false, ...}: every other option goes to nn.load.
mlsh.declare_options("nn.mobilenetv2", {
  { "top", "bool", false, doc = "Keras' 1000-class classifier instead of the 1280-d embedding" },
}, "nn.load")

function M.mobilenetv2(opts)
  opts = mlsh.check_options("nn.mobilenetv2", opts)
  local base = opts.top and "mobilenetv2-classifier" or "mobilenetv2"
  local cfg = M.datapath(base .. ".cfg")
  if not cfg then error("nn.mobilenetv2: weights/" .. base .. ".cfg not found (is mlsh installed completely?)", 0) end
  local w = M.datapath(base .. ".weights")
  if not w then   -- convert from what is present: Keras .h5, else the TF-slim .npy folder
    local src = M.datapath(opts.top and KERAS_TOP or KERAS_NOTOP) or (not opts.top and M.datapath(SLIM_NPY))
    if not src then
      error("nn.mobilenetv2: no weights found: run scripts/fetch-weights.sh (downloads Keras' " ..
        (opts.top and KERAS_TOP or KERAS_NOTOP) .. " and converts it), or set MLSH_DATA to a folder holding weights/" ..
        SLIM_NPY, 0)
    end
    w = weights_out(base .. ".weights")
    io.stderr:write("nn.mobilenetv2: converting " .. src .. " -> " .. w .. "\n")
    M.convert(cfg, src, w)
  end
  opts.top = nil
  return M.load(cfg, w, opts)
end
M.mobilenetv2 = doc(M.mobilenetv2, "nn.mobilenetv2", "nn.mobilenetv2([opts])",
  "Load MobileNetV2 1.0/224 (weights/mobilenetv2.cfg) with ImageNet weights. Its output is the 1280-d "
  .. "global-average embedding of Conv_1. Converted weights are looked up in weights/ (and MLSH_DATA, "
  .. "../shared); when missing they are converted once from Keras' .h5 or the TF-slim .npy folder found "
  .. "there. Takes every nn.load option (device=\"cuda\" runs it on the GPU).\nReturns: a Net.\n"
  .. "Example: X = nn.mobilenetv2():embed(image.list(nn.datapath(\"flower_photos\")))")
