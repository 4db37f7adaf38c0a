#!/bin/sh
# test/gpu/pack.sh - prepare .gpu/ for test/gpu/check.sh on a device machine
# (run HERE, where ../shared and Debian's -dev libraries are). The device
# image has the NVIDIA driver, CUDA 13 + cuBLAS and python3, but maybe none
# of mlsh's runtime libraries, no network and no ../shared, so .gpu/ holds:
#   bin/       the CUDA build: mlsh, gpucheck (the check), test_gpu (C tests) and the
#              CUDA plugin mlsh-cuda.so they load, stripped
#   libs.tar.xz  every shared library they need except the CUDA ones, plus
#              glibc and its loader apart (check.sh uses them only when the
#              binaries do not start on the device's own glibc)
#   mobilenetv2.weights  converted from the TF-slim .npy tensors
#   ref/       embeddings_subset.npy + paths (../shared/reference/flowers)
#   photos/    the 50 reference photos and every STRIDE-th flower photo
#              (a sample of ordinary sizes for the end-to-end throughput)
# Total size is checked against the device tool's 64 MiB (tree + carry).
# Usage: sh test/gpu/pack.sh   (env: MLSH_SHARED, STRIDE=10, JOBS=2, PACK_BUILD=build-gpu)
# It builds in its own folder (build-gpu/, excluded from git locally).
# Then, with the device tool: carry [".gpu"], command "sh test/gpu/check.sh".
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SHARED=${MLSH_SHARED:-$ROOT/../shared}
STRIDE=${STRIDE:-10}
JOBS=${JOBS:-2}
LIMIT_MB=60   # of the tool's 64 MiB, leaving room for the tree's own growth
B=${PACK_BUILD:-build-gpu}   # its own build folder: build/ is shared with concurrent makes
G=.gpu
die() { echo "pack.sh: $*" >&2; exit 1; }

[ -d "$SHARED/reference/flowers" ] || die "$SHARED/reference/flowers not found (set MLSH_SHARED)"
NVCC=$(command -v nvcc 2>/dev/null || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
[ -n "$NVCC" ] || die "nvcc not found: the CUDA build needs the toolkit (/usr/local/cuda)"

# .gpu/ and the build folder stay out of git and out of what the device
# tool sends (info/exclude is local to this clone)
EXCL=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$EXCL")"
for p in /.gpu/ "/$B/"; do grep -qx "$p" "$EXCL" 2>/dev/null || echo "$p" >>"$EXCL"; done

echo "== build (CUDA) in $B/"
# the Makefile keeps no header dependencies for .cu objects: rebuild them so
# that a changed nn.h (struct layouts) cannot leave a stale GPU object
rm -f "$B"/obj/src/*/*.cu.o
hsum() { cat src/*/*.h | cksum; }
H0=$(hsum)
make BUILD="$B" -j"$JOBS" all >/dev/null || die "make failed (run make BUILD=$B to see why)"
make BUILD="$B" -j"$JOBS" "$B/test/test_gpu" >/dev/null || die "make $B/test/test_gpu failed"
make BUILD="$B" -f test/gpu/gpu.mk "$B/gpucheck" >/dev/null || die "building gpucheck failed"
[ -f "$B/mlsh-cuda.so" ] && ldd "$B/mlsh-cuda.so" | grep -q libcudart || die "$B/mlsh-cuda.so (the CUDA plugin) was not built"
# headers edited while this ran (other sessions share the tree) mix struct layouts
[ "$(hsum)" = "$H0" ] || die "headers under src/ changed during the build: run pack.sh again"

rm -rf "$G"
mkdir -p "$G/bin" "$G/ref" "$G/photos"
# the plugin sits next to the programs, where src/nn/gpu.c looks for it
for b in "$B/mlsh" "$B/gpucheck" "$B/test/test_gpu" "$B/mlsh-cuda.so"; do
  cp "$b" "$G/bin/"
  strip --strip-debug "$G/bin/$(basename "$b")"
done

echo "== shared libraries"
# CUDA's own (driver, runtime, cuBLAS) are on the device; glibc goes apart
LIST=$B/gpu-libs.list
for b in $G/bin/*; do ldd "$b"; done | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u >"$LIST.new"
if [ -f $B/gpu-libs.tar.xz ] && cmp -s "$LIST.new" "$LIST" &&
   [ -z "$(find $(cat "$LIST") -newer $B/gpu-libs.tar.xz 2>/dev/null)" ]; then
  echo "(unchanged, reusing $B/gpu-libs.tar.xz)"
else
  STAGE=$(mktemp -d)
  mkdir -p "$STAGE/lib" "$STAGE/glibc"
  while read -r so; do
    name=$(basename "$so")
    case "$name" in
      libcuda.so*|libcudart.so*|libcublas.so*|libcublasLt.so*|linux-vdso*) continue ;;
      ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|libgcc_s.so.*|libstdc++.so.*)
        cp -L "$so" "$STAGE/glibc/$name" ;;
      *) cp -L "$so" "$STAGE/lib/$name" ;;
    esac
  done <"$LIST.new"
  echo "$(ls "$STAGE/lib" | wc -l) libraries, $(ls "$STAGE/glibc" | wc -l) glibc/libstdc++ files;" \
       "$(du -sm "$STAGE" | cut -f1) MiB before xz"
  tar -C "$STAGE" -cf - lib glibc | xz -T"$JOBS" -6 >$B/gpu-libs.tar.xz.tmp
  mv $B/gpu-libs.tar.xz.tmp $B/gpu-libs.tar.xz
  mv "$LIST.new" "$LIST"
  rm -rf "$STAGE"
fi
rm -f "$LIST.new"
cp $B/gpu-libs.tar.xz "$G/libs.tar.xz"

echo "== weights, references, photos"
"$B/gpucheck" convert weights/mobilenetv2.cfg "$SHARED/weights/mobilenet_v2_1.0_224_tfslim_npy" \
  "$G/mobilenetv2.weights" >/dev/null || die "weight conversion failed"
cp "$SHARED/reference/flowers/embeddings_subset.npy" "$SHARED/reference/flowers/embeddings_subset_paths.txt" "$G/ref/"
PH="$SHARED/data/flower_photos"
{
  cat "$SHARED/reference/flowers/embeddings_subset_paths.txt"
  (cd "$PH" && find . -name '*.jpg' | sed 's|^\./||' | LC_ALL=C sort | awk -v s="$STRIDE" 'NR % s == 1')
} | LC_ALL=C sort -u | while read -r rel; do
  [ -n "$rel" ] || continue
  mkdir -p "$G/photos/$(dirname "$rel")"
  cp "$PH/$rel" "$G/photos/$rel"
done
NPH=$(find "$G/photos" -type f | wc -l)
AVG=$(find "$G/photos" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s/NR/1024}')
ALL=$(find "$PH" -name '*.jpg' -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s/NR/1024}')
echo "$NPH photos, average $AVG KiB (whole set: $ALL KiB)"

# what the device tool sends: tracked + untracked-not-ignored files, and .gpu
TREE=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
GPU=$(du -sb "$G" | cut -f1)
TOTAL=$(( (TREE + GPU) / 1048576 ))
echo "== .gpu $(( GPU / 1048576 )) MiB + working tree $(( TREE / 1048576 )) MiB = $TOTAL MiB (limit 64)"
[ "$TOTAL" -le "$LIMIT_MB" ] || die "too big for the device tool: raise STRIDE (now $STRIDE)"
echo "ready. Device tool: carry [\".gpu\"], command \"sh test/gpu/check.sh\", timeout_s 330"
