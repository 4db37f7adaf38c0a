#!/bin/sh
# scripts/bench/bigfile.sh - the 20 GB run of a mapped .npy (not part of a
# plain `make bench`: it runs only with BIG=1, e.g. `BIG=1 make bench` or
# `BIG=1 sh scripts/bench/bigfile.sh`). It makes BIG_ROWS (default 50 M) x
# 50 float64 rows around 10 centres with scripts/make_big_npy.py in
# BIG_DIR (default /tmp), the centres BIG_SPREAD (default 0.3) apart in
# units of the noise so that the clusters overlap and Lloyd runs all 20
# iterations (well-separated centres converge in two), plus its every-100th-row subset, both deleted at
# the end, measures the disk's sequential read with dd, then runs mapped
# K-Means (k = 10 from the first 10 rows, 20 Lloyd iterations) and PCA
# (10 components) under /usr/bin/time -v, each from a cold page cache when
# it can be dropped (root), and reports the time per pass over the file,
# its MB/s against dd's, the peak resident set (goal: under 2 GB, a pass at
# 70 % of dd or more; BIG_JOBS="km" or "pca" runs one), and the inertia and eigenvalues of the mapped run on
# the subset against the in-memory run on the same rows.
[ "${BIG:-0}" = 1 ] || { echo "| bigfile rows | skipped: set BIG=1 for the 20 GB mapped run | | | | |"; exit 0; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MLSH:=$ROOT/build/mlsh}" "${BIG_ROWS:=50000000}" "${BIG_DIR:=/tmp}" "${BIG_SPREAD:=0.3}"
COLS=50
NPY=$BIG_DIR/mlsh-big-$$.npy SUB=$BIG_DIR/mlsh-big-$$.sub.npy LUA=$(mktemp /tmp/mlsh-big.XXXXXX) LOG=$(mktemp /tmp/mlsh-big.XXXXXX)
trap 'rm -f "$NPY" "$SUB" "$LUA" "$LOG"' EXIT INT TERM
bytes=$((BIG_ROWS * COLS * 8))
free_kb=$(df -Pk "$BIG_DIR" | awk 'NR == 2 { print $4 }')
[ $((bytes / 1024 * 102 / 100)) -lt "$free_kb" ] || { echo "bigfile: $BIG_DIR has ${free_kb} KB free, the file needs $((bytes / 1024)) KB" >&2; exit 1; }
/usr/bin/python3 "$ROOT/scripts/make_big_npy.py" "$NPY" "$BIG_ROWS" "$COLS" --every 100 --spread "$BIG_SPREAD" || exit 1
cold() {   # drop the page cache; without root, say what the numbers then mean
  if sync && (echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then echo "cold"; return; fi
  avail=$(awk '/^MemAvailable/ { print $2 * 1024 }' /proc/meminfo)
  [ "$bytes" -gt "$avail" ] && echo "not dropped, file larger than memory" || echo "warm: page cache not dropped (not root)"
}
cache=$(cold)
ddline=$(dd if="$NPY" of=/dev/null bs=16M 2>&1 | tail -1)
dd_mbs=$(echo "$ddline" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $(i + 1) ~ /s,$/) s = $i } END { printf "%.1f", '"$bytes"' / s / 1e6 }')
cat > "$LUA" <<'LUAEOF'
local job, path, sub = arg[1], arg[2], arg[3]
local X = mat.mmap(path)
local C0 = X:slice(1, 10)
local t0 = mlsh.clock()
if job == "km" then
  local km = cluster.kmeans(X, 10, { init = C0, max_iter = 20, tol = 0 })
  -- passes: the column means, the iterations, the final labels and inertia
  print(string.format("seconds %.3f passes %d iters %d inertia %.6e", mlsh.clock() - t0, km.iters + 2, km.iters, km.inertia))
  local S = mat.mmap(sub)
  local a = cluster.kmeans(S, 10, { init = S:slice(1, 10), max_iter = 20, tol = 0 })
  local b = cluster.kmeans(S:copy(), 10, { init = S:slice(1, 10), max_iter = 20, tol = 0, algorithm = "lloyd", nstart = 1 })
  print(string.format("subset_diff %.3g", math.abs(a.inertia - b.inertia) / b.inertia))
else
  local p = stats.pca(X, { ncomp = 10, scale = false })
  print(string.format("seconds %.3f passes 1 eig1 %.6e", mlsh.clock() - t0, p.eigenvalues[1]))
  local S = mat.mmap(sub)
  local a, b = stats.pca(S, { ncomp = 10, scale = false }), stats.pca(S:copy(), { ncomp = 10, scale = false })
  local d = 0
  for k = 1, 10 do d = math.max(d, math.abs(a.eigenvalues[k] - b.eigenvalues[k]) / b.eigenvalues[1]) end
  print(string.format("subset_diff %.3g", d))
end
LUAEOF
field() { echo "$1" | tr ' ' '\n' | grep -A1 "^$2\$" | tail -1; }
echo "bigfile: $BIG_ROWS x $COLS float64 ($((bytes / 1000000)) MB), dd $dd_mbs MB/s ($cache)"
for job in ${BIG_JOBS:-km pca}; do
  cache=$(cold)
  OPENBLAS_NUM_THREADS=1 /usr/bin/time -v "$MLSH" "$LUA" "$job" "$NPY" "$SUB" >"$LOG.out" 2>"$LOG" || { cat "$LOG" >&2; exit 1; }
  out=$(tr '\n' ' ' < "$LOG.out"); rm -f "$LOG.out"
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$LOG")
  s=$(field "$out" seconds); passes=$(field "$out" passes)
  awk -v job="$job" -v s="$s" -v n="$passes" -v b="$bytes" -v dd="$dd_mbs" -v rss="$rss" -v rows="$BIG_ROWS" \
    -v it="$(field "$out" iters)" -v d="$(field "$out" subset_diff)" -v cache="$cache" 'BEGIN {
    name = job == "km" ? sprintf("mapped K-Means k=10, %d it.", it) : "mapped PCA 10 comp.";
    mbs = b / (s / n) / 1e6;
    printf "| %s %dx50 | %.2f s (%d pass(es), %.2f s each) | dd %s MB/s | %.0f MB/s | %.0f %% of dd | peak RSS %s MB, subset mapped vs in memory %s (%s) |\n",
      name, rows, s, n, s / n, dd, mbs, 100 * mbs / dd, rss, d, cache }'
done
