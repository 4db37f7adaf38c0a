#!/bin/sh
# scripts/bench_csv.sh [N] - CSV rows of `make bench`: data.read_csv and
# DataFrame:write_csv against data.table::fread and fwrite on the same
# db-benchmark groupby table G1 (N rows, default 1e7: ~0.5 GB), in one run.
# The table comes from the shared harness's generator
# (../shared/bench/peers/dbbench/gen.py); both sides use every core (fread
# and fwrite with setDTthreads(0)); median of REPS (3) in-process timings,
# each after one untimed read so that the file is in the page cache.
# Quality: rows, columns and the sum of v3 on both sides.
set -u
N=${1:-${CSV_N:-1e7}}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${MLSH_SHARED:=$ROOT/../shared}"
: "${MLSH:=$ROOT/build/mlsh}"
DBB="$MLSH_SHARED/bench/peers/dbbench"
PEERDATA=${PEERDATA:-/tmp/peerdata}
READER=${READER:-data.read_csv}
[ -f "$DBB/gen.py" ] || { echo "bench_csv: $DBB not found (skipping)"; exit 0; }
[ -x /usr/bin/Rscript ] || { echo "bench_csv: Rscript missing: apt-get install r-base-core r-cran-data.table"; exit 1; }
mkdir -p "$PEERDATA/dbbench"
CSV=$(/usr/bin/python3 "$DBB/gen.py" --names --task groupby "$PEERDATA/dbbench" "$N" | tr ' ' '\n' | sed -n 's/^G1=//p')
[ -n "$CSV" ] || { echo "bench_csv: gen.py --names gave no G1 file"; exit 1; }
[ -f "$CSV" ] || /usr/bin/python3 "$DBB/gen.py" --task groupby "$PEERDATA/dbbench" "$N" >/dev/null || exit 1
OUT=$(mktemp -d /tmp/mlsh-bench-csv.XXXXXX) || exit 1
trap 'rm -rf "$OUT"' EXIT
REPS=${REPS:-3}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "n/a" }'; }

cat > "$OUT/mlsh.lua" <<LUAEOF
local path, out, reps = "$CSV", "$OUT/mlsh.csv", $REPS
local read = $READER
local df = read(path)
local tr, tw = {}, {}
for r = 1, reps do
  local t = mlsh.clock(); df = read(path); tr[r] = mlsh.clock() - t
  t = mlsh.clock(); df:write_csv(out); tw[r] = mlsh.clock() - t
end
local s = 0
local v = df:col("v3"):totable()
for i = 1, df:nrow() do s = s + (v[i] or 0) end
print("read " .. table.concat(tr, " "))
print("write " .. table.concat(tw, " "))
print(string.format("quality %d %d %.6f", df:nrow(), df:ncol(), s))
LUAEOF
cat > "$OUT/dt.R" <<REOF
suppressMessages(library(data.table)); setDTthreads(0)
path <- "$CSV"; out <- "$OUT/dt.csv"; reps <- $REPS
x <- fread(path, showProgress = FALSE)
tr <- tw <- numeric(reps)
for (r in seq_len(reps)) {
  t <- Sys.time(); x <- fread(path, showProgress = FALSE); tr[r] <- as.numeric(Sys.time() - t, units = "secs")
  t <- Sys.time(); fwrite(x, out, showProgress = FALSE); tw[r] <- as.numeric(Sys.time() - t, units = "secs")
}
cat("read", tr, "\n"); cat("write", tw, "\n")
cat(sprintf("quality %d %d %.6f\n", nrow(x), ncol(x), sum(x\$v3, na.rm = TRUE)))
REOF
"$MLSH" "$OUT/mlsh.lua" > "$OUT/mlsh.out" 2>&1 || { echo "bench_csv: mlsh failed:"; tail -5 "$OUT/mlsh.out"; exit 1; }
/usr/bin/Rscript "$OUT/dt.R" > "$OUT/dt.out" 2>&1 || { echo "bench_csv: Rscript failed:"; tail -5 "$OUT/dt.out"; exit 1; }
field() { sed -n "s/^$1 //p" "$2"; }
mr=$(field read "$OUT/mlsh.out" | median | xargs printf "%.4f"); mw=$(field write "$OUT/mlsh.out" | median | xargs printf "%.4f")
dr=$(field read "$OUT/dt.out" | median); dw=$(field write "$OUT/dt.out" | median)
mq=$(field quality "$OUT/mlsh.out"); dq=$(field quality "$OUT/dt.out")
rows=$(echo "$mq" | cut -d' ' -f1)
printf '| csv. read G1 (%s rows) | %s | data.table::fread | %s | %s | rows cols sum(v3): %s vs %s |\n' "$rows" "$mr" "$dr" "$(ratio "$dr" "$mr")" "$mq" "$dq"
printf '| csv. write G1 (%s rows) | %s | data.table::fwrite | %s | %s | |\n' "$rows" "$mw" "$dw" "$(ratio "$dw" "$mw")"
