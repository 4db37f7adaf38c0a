#!/bin/sh
# scripts/bench/nn.sh - CNN rows of `make bench`: MobileNetV2 1.0/224 forward
# at batch 32, batch 1 (2 threads) and batch 1 (1 thread) against the peer
# jobs i01-i03 (PyTorch mobilenet_v2, float32) and the strong peer jobs
# is01-is03 (onnxruntime-node 1.30, CPU EP, real ImageNet weights; skipped by
# the harness without node/onnxruntime-node) run just before; then the
# flowers pipeline (decode + resize + forward of all 3,670 photos).
# mlsh runs its default engine (XNNPACK for MobileNetV2: net:info().engine).
# mlsh times the forward calls inside one process (net:info().seconds, the
# wall clock around the forward calls), median of REPS timings, like the peer.
. "$(dirname "$0")/lib/common.sh"
peer_run '^i0[1-3]'
peer_run '^is0[1-3]'
LUA=$(mktemp /tmp/mlsh-bench-nn.XXXXXX) || exit 1
trap 'rm -f "$LUA"' EXIT
cat > "$LUA" <<'LUAEOF'
local job, reps = os.getenv("NN_JOB"), tonumber(os.getenv("REPS") or "3")
local threads = tonumber(os.getenv("NN_THREADS") or "2")
local net = nn.mobilenetv2 { threads = threads }
if job == "flowers" then
  local dir = nn.datapath("flower_photos")
  if not dir then print("n/a n/a") return end
  local paths = image.list(dir)
  net:profile(false)
  local X = net:embed(paths, { batch = 32, progress = false })
  local info = net:info()
  print(string.format("%.3f %d %.1f", info.seconds, X:rows(), X:rows() / info.seconds))
  return
end
local batch, iters = tonumber(os.getenv("NN_BATCH")), tonumber(os.getenv("NN_ITERS"))
local x = mat.rand(batch, 3 * 224 * 224, { seed = 42 }) * 2 - 1
for _ = 1, (batch == 1 and 5 or 1) do net:forward(x) end   -- warm-up, as the peer
local ts = {}
for r = 1, reps do
  net:profile(false)
  for _ = 1, iters do net:forward(x) end
  ts[r] = net:info().seconds
end
table.sort(ts)
local med = ts[(reps + 1) // 2]
print(string.format("%.4f %.2f", med, batch * iters / ts[1]))
LUAEOF
export PEERS PEERDATA
run() { NN_JOB=$1 NN_BATCH=$2 NN_ITERS=$3 NN_THREADS=$4 "$MLSH" "$LUA" 2>/dev/null | tail -1; }
row() {  # task, mlsh s, mlsh img/s, peer id
  ps=$(peer_field "$4" median_s); pi=$(/usr/bin/python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d['quality']['images_per_s_best'])" "$PEER_OUT/raw/$4.json" 2>/dev/null)
  printf '| %s | %s | %s | %s | %s | %s img/s vs %s img/s (best) |\n' "$1" "${2:-n/a}" "$(peer_field "$4" peer)" "${ps:-n/a}" "$(ratio "$ps" "$2")" "${3:-n/a}" "${pi:-n/a}"
}
set -- $(run fwd 32 1 2); b32="$1 $2"; row "i. MobileNetV2 forward, batch 32, 2 threads (s per batch)" "$1" "$2" i02_mnv2_b32
set -- $(run fwd 1 20 2); b1="$1 $2"; row "i. MobileNetV2 forward, batch 1 x 20, 2 threads" "$1" "$2" i01_mnv2_b1
set -- $(run fwd 1 20 1); b1t="$1 $2"; row "i. MobileNetV2 forward, batch 1 x 20, 1 thread" "$1" "$2" i03_mnv2_b1_1thread
# the same mlsh timings against ONNX Runtime (one mlsh run per task: the rows differ only by peer)
set -- $b32; row "i. MobileNetV2 forward, batch 32, 2 threads vs ONNX Runtime" "$1" "$2" is02_mnv2_onnx_b32
set -- $b1; row "i. MobileNetV2 forward, batch 1 x 20, 2 threads vs ONNX Runtime" "$1" "$2" is01_mnv2_onnx_b1
set -- $b1t; row "i. MobileNetV2 forward, batch 1 x 20, 1 thread vs ONNX Runtime" "$1" "$2" is03_mnv2_onnx_b1_1thread
set -- $(run flowers 0 0 2)
printf '| %s | %s | %s | %s | %s | %s |\n' "i. flowers: decode+resize+MobileNetV2, all photos" "${1:-n/a}" "(none)" "" "" "${2:-?} images, ${3:-?} img/s (target: <= 60 s)"
