#!/bin/sh
# test/gpu/check.sh - the GPU check of issue 9, one script for the device
# machine (prepare .gpu/ first with test/gpu/pack.sh, then carry ".gpu").
#   1. unpack the bundled libraries; run the binaries on the device's own
#      glibc, or through the bundled loader when they do not start there
#   2. test_gpu: every layer kind GPU vs CPU, the embedding pipeline, device
#      selection (C unit tests)
#   3. test/lua/test_gpu.lua through mlsh: nn.load{device=...} from Lua
#   4. gpucheck: MobileNetV2 GPU vs CPU vs PyTorch on the 50 reference
#      photos, forward img/s at batch 32/128/256, end-to-end photos/s, TF32
# Results: $OUT/gpu_check.txt (default build/gpu-check/); the last line
# printed is the one-line summary. Exit 0 when everything that ran passed
# (without a device: the CPU parts, and a note that no device was found).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
START=$(date +%s)
G=$ROOT/.gpu
OUT=${OUT:-$ROOT/build/gpu-check}
mkdir -p "$OUT" || exit 1
R=$OUT/gpu_check.txt
: >"$R"
log() { echo "$*" | tee -a "$R"; }
fail() { log "gpu_check: FAIL: $*"; exit 1; }

[ -f "$G/libs.tar.xz" ] && [ -x "$G/bin/gpucheck" ] || fail ".gpu/ is missing or incomplete: run sh test/gpu/pack.sh where ../shared is, and carry .gpu"

# 1. libraries, unpacked outside the tree (so that .gpu/ stays small enough to carry)
X=$(mktemp -d "${TMPDIR:-/tmp}/mlsh-gpu.XXXXXX") || fail "no temporary folder"
trap 'rm -rf "$X"' EXIT
if command -v xz >/dev/null 2>&1; then
  tar -C "$X" -xJf "$G/libs.tar.xz" || fail "cannot unpack .gpu/libs.tar.xz"
else
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$G/libs.tar.xz" "$X" ||
    fail "cannot unpack .gpu/libs.tar.xz (no xz, and python3 failed)"
fi
CUDALIB=
for d in ${CUDA_HOME:+$CUDA_HOME/lib64} /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 \
         /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu /usr/lib64; do
  if [ -e "$d/libcublas.so.13" ]; then CUDALIB=$d; break; fi
done
if [ -z "$CUDALIB" ]; then   # elsewhere: the loader cache, or a search of the usual roots
  f=$(ldconfig -p 2>/dev/null | awk '/libcublas\.so\.13 / {print $NF; exit}')
  [ -n "$f" ] || f=$(find /usr/local /opt /usr/lib -maxdepth 6 -name 'libcublas.so.13' 2>/dev/null | head -1)
  if [ -n "$f" ]; then CUDALIB=$(dirname "$f"); else log "note: libcublas.so.13 not found; relying on the loader's search path"; fi
fi
export LD_LIBRARY_PATH="$X/lib${CUDALIB:+:$CUDALIB}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MLSH_ROOT="$ROOT"
RUN=
"$G/bin/gpucheck" >/dev/null 2>&1
STARTS=$?
[ -n "$MLSH_BUNDLED_GLIBC" ] && STARTS=1   # to test the fallback
if [ $STARTS -ne 2 ]; then   # 2 = usage: the binary starts
  why=$("$G/bin/gpucheck" 2>&1 | head -2 | tr '\n' ' ')
  log "note: the binaries do not start on this system's libraries ($why); using the bundled glibc"
  SYS=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib64:/lib64
  RUN="$X/glibc/ld-linux-x86-64.so.2 --library-path $X/lib:$X/glibc${CUDALIB:+:$CUDALIB}:$SYS"
  $RUN "$G/bin/gpucheck" >/dev/null 2>&1
  [ $? -eq 2 ] || fail "gpucheck does not start: $($RUN "$G/bin/gpucheck" 2>&1 | head -3 | tr '\n' ' ')"
fi
TO=
command -v timeout >/dev/null 2>&1 && TO=timeout
limit() { s=$1; shift; if [ -n "$TO" ]; then timeout "$s" "$@"; else "$@"; fi; }

{
  echo "== machine"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"
  echo "CPU cores: $(nproc 2>/dev/null || echo '?'); glibc: $(ldd --version 2>/dev/null | head -1); runner: ${RUN:-system loader}"
} | tee -a "$R"

# 2. C unit tests of the backend
log "== test_gpu (C: layers GPU vs CPU, embedding pipeline, device selection)"
limit 60 $RUN "$G/bin/test_gpu" >"$OUT/test_gpu.txt" 2>&1
T_RC=$?
tee -a "$R" <"$OUT/test_gpu.txt"
T_LINE=$(grep -E '^[0-9]+ passed' "$OUT/test_gpu.txt" | tail -1)

# 3. Lua: nn.load{device=...}
L_LINE="not run"; L_RC=0
if [ -f test/lua/test_gpu.lua ]; then
  log "== test/lua/test_gpu.lua (through mlsh)"
  limit 60 $RUN "$G/bin/mlsh" test/lua/test_gpu.lua >"$OUT/test_gpu_lua.txt" 2>&1 </dev/null
  L_RC=$?
  tee -a "$R" <"$OUT/test_gpu_lua.txt"
  L_LINE=$(grep -E '^[0-9]+ passed' "$OUT/test_gpu_lua.txt" | tail -1)
fi

# 4. MobileNetV2: accuracy and throughput
log "== gpucheck (MobileNetV2 1.0/224)"
limit 150 $RUN "$G/bin/gpucheck" run weights/mobilenetv2.cfg "$G/mobilenetv2.weights" "$G/ref" "$G/photos" \
  "$OUT/gpucheck_report.txt" >"$OUT/gpucheck.txt" 2>&1
C_RC=$?
grep -v '^gpu_check:' "$OUT/gpucheck.txt" | tee -a "$R"
C_LINE=$(grep '^gpu_check:' "$OUT/gpucheck.txt" | tail -1)
[ -n "$C_LINE" ] || C_LINE="gpu_check: FAIL: gpucheck stopped (exit $C_RC) before its summary"

RC=0
[ "$T_RC" -eq 0 ] && [ "$L_RC" -eq 0 ] && [ "$C_RC" -eq 0 ] || RC=1
log "($(( $(date +%s) - START )) s; exit codes: test_gpu $T_RC, lua $L_RC, gpucheck $C_RC)"
log "$C_LINE | test_gpu: ${T_LINE:-no result} | lua: ${L_LINE:-no result}"
exit $RC
