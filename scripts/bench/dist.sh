#!/bin/sh
# scripts/bench/dist.sh - distributed rows of `make bench` (run by
# scripts/bench.sh like every scripts/bench/*.sh): K-Means (k = 10 from the
# first 10 rows, 20 Lloyd iterations) and PCA (10 components, covariance) on
# one .npy under mpirun -np 1 and -np 2 (shared memory), and the mpi4py +
# numpy SPMD peer (scripts/bench/mpi4py_peer.py) at -np 2 and the
# dask.distributed peer (scripts/bench/dask_peer.py, a 2-worker LocalCluster)
# on the same file. Every rank and worker runs one thread (MLSH_THREADS=1,
# OPENBLAS_NUM_THREADS=1), so -np 2 vs -np 1 measures scaling over processes,
# not over threads (a plain -np 1 mlsh would use both cores by itself).
# Each side times the fit inside its processes (median of REPS, the slowest
# rank, loading not counted). DIST_ROWS (default 1000000) x 50 rows of the
# peer harness's K-Means data, or random data when it is absent. Then the
# SimGrid run of the K-Means iteration on 100 simulated hosts
# (scripts/simgrid/run.sh) when smpicc is installed.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MLSH:=$ROOT/build/mlsh}" "${REPS:=3}" "${DIST_ROWS:=1000000}"
if ! command -v mpirun >/dev/null 2>&1 || [ ! -f "$(dirname "$MLSH")/mlsh-mpi.so" ]; then
  echo "| dist rows | skipped: OpenMPI (mpirun, mlsh-mpi.so) missing ('make deps', then make) | | | | |"; exit 0
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader OPENBLAS_NUM_THREADS=1 MLSH_THREADS=1
NPY=$(mktemp /tmp/mlsh-bench-dist.XXXXXX).npy
LUA=$(mktemp /tmp/mlsh-bench-dist.XXXXXX)
trap 'rm -f "$NPY" "${NPY%.npy}" "$LUA"' EXIT
RAW="${PEERDATA:-/tmp/peerdata}/kmeans_100000x50.f64"
"$MLSH" -e "
local n = $DIST_ROWS
local f = io.open('$RAW', 'rb')
local X
if f then f:close(); X = mat.read_raw('$RAW', 100000, 50)
else X = mat.randn(100000, 50, {seed = 1}) end
-- repeat the 100000 rows (shifted) up to n rows
local parts, m = {}, 0
while m < n do local r = math.min(100000, n - m); parts[#parts + 1] = X:slice(1, r) + (#parts * 0.01); m = m + r end
local Y = parts[1]
for i = 2, #parts do Y = Y:vcat(parts[i]) end
Y:save('$NPY')" || exit 1
cat > "$LUA" <<'LUAEOF'
local job, path, reps = arg[1], arg[2], tonumber(arg[3])
local X = dist.load(path)
local C0 = mat.mmap(path):slice(1, 10)
local op, quality
if job == "km" then
  op = function() return cluster.kmeans(X, 10, { init = C0, max_iter = 20, tol = 0 }) end
  quality = function(km) return string.format("inertia %.1f, iter %d", km.inertia, km.iters) end
else
  op = function() return stats.pca(X, { ncomp = 10, scale = false }) end
  quality = function(p) local s = 0 for k = 1, 10 do s = s + p.explained[k] end return string.format("EVR sum %.6f", s) end
end
local ts, r = {}, nil
for i = 1, reps do
  dist.barrier()
  local t0 = mlsh.clock()
  r = op()
  ts[i] = dist.allreduce(mlsh.clock() - t0, "max")
end
table.sort(ts)
dist.print(string.format("%.4f\t%s", ts[(#ts + 1) // 2], quality(r)))
LUAEOF
run_mlsh() { timeout 600 mpirun -np "$1" --oversubscribe --bind-to none "$MLSH" "$LUA" "$2" "$NPY" "$REPS" 2>/dev/null | tail -1; }
run_peer() { timeout 600 mpirun -np "$1" --oversubscribe --bind-to none /usr/bin/python3 "$ROOT/scripts/bench/mpi4py_peer.py" "$2" "$NPY" "$REPS" 2>/dev/null | tail -1; }
run_dask() { timeout 900 /usr/bin/python3 "$ROOT/scripts/bench/dask_peer.py" "$1" "$NPY" "$REPS" 2>/dev/null | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }
for job in km pca; do
  name=$([ $job = km ] && echo "K-Means k=10, 20 iterations" || echo "PCA 10 components (covariance)")
  m1=$(run_mlsh 1 $job); m2=$(run_mlsh 2 $job)
  t1=$(echo "$m1" | cut -f1); t2=$(echo "$m2" | cut -f1)
  printf '| dist. %s %sx50, mlsh -np 2 vs -np 1 | %s | mlsh -np 1 | %s | %s | %s vs %s |\n' "$name" "$DIST_ROWS" "$t2" "$t1" \
    "$(ratio "$t1" "$t2")" "$(echo "$m2" | cut -f2)" "$(echo "$m1" | cut -f2)"
  if /usr/bin/python3 -c "import mpi4py, numpy" 2>/dev/null; then
    pr=$(run_peer 2 $job); tp=$(echo "$pr" | cut -f1)
    printf '| dist. %s %sx50 at -np 2 | %s | mpi4py+numpy SPMD | %s | %s | %s vs %s |\n' "$name" "$DIST_ROWS" "$t2" "$tp" \
      "$(ratio "$tp" "$t2")" "$(echo "$m2" | cut -f2)" "$(echo "$pr" | cut -f2)"
  else
    echo "| dist. $name | $t2 | mpi4py+numpy | skipped: python3-mpi4py missing | | |"
  fi
  if /usr/bin/python3 -c "import dask.distributed" 2>/dev/null; then
    dr=$(run_dask $job); td=$(echo "$dr" | cut -f1)
    printf '| dist. %s %sx50, mlsh -np 2 vs dask | %s | dask.distributed LocalCluster 2x1 | %s | %s | %s vs %s |\n' "$name" "$DIST_ROWS" \
      "$t2" "$td" "$(ratio "$td" "$t2")" "$(echo "$m2" | cut -f2)" "$(echo "$dr" | cut -f2)"
  else
    echo "| dist. $name | $t2 | dask | skipped: python3-distributed missing | | |"
  fi
done
sh "$ROOT/scripts/simgrid/run.sh" bench
