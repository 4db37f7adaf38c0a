#!/bin/sh
# scripts/bench/ts.sh - ARIMA rows of `make bench`: the SARIMA airline fit
# and ARIMA(2,1,2) on the harness's 10,000-point series, against the peer
# jobs f01-f06 (R stats::arima, statsmodels SARIMAX/ARIMA) run just before.
# mlsh is timed per fit as (wall(K+1 fits) - wall(1 fit)) / K in one process
# each, so start-up and data loading are not counted; median of REPS runs.
. "$(dirname "$0")/lib/common.sh"
peer_run '^f0[1-6]'
LUA=$(mktemp /tmp/mlsh-bench-ts.XXXXXX) || exit 1
trap 'rm -f "$LUA" "$LUA.out"' EXIT
cat > "$LUA" <<'LUAEOF'
local job, reps = os.getenv("TS_JOB"), tonumber(os.getenv("TS_REPS"))
local fit
if job == "air" then
  local df = data.read_csv(os.getenv("PEERS") .. "/airpassengers.csv")
  local y = ts.log(ts.series(df:col("passengers"), { start = { 1949, 1 }, freq = 12 }))
  for _ = 1, reps do fit = ts.arima(y, { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, method = "ML" }) end
else
  local x = mat.read_raw(os.getenv("PEERDATA") .. "/arima212_10000.f64", 10000, 1, { dtype = "f64" })
  for _ = 1, reps do fit = ts.arima(x, { order = { 2, 1, 2 }, method = job }) end
end
print(string.format("%.4f", fit.loglik))
LUAEOF
now() { date +%s.%N; }
# per_fit JOB K: seconds per fit, median over REPS runs
per_fit() {
  i=0; ts=""
  while [ $i -lt "${REPS:-3}" ]; do
    a=$(now); TS_JOB=$1 TS_REPS=1 "$MLSH" "$LUA" > "$LUA.out" 2>&1; b=$(now)
    TS_JOB=$1 TS_REPS=$(($2 + 1)) "$MLSH" "$LUA" > "$LUA.out" 2>&1; c=$(now)
    ts="$ts $(awk -v a="$a" -v b="$b" -v c="$c" -v k="$2" 'BEGIN { printf "%.5f", ((c - b) - (b - a)) / k }')"
    i=$((i + 1))
  done
  echo $ts | tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
row() {  # task, mlsh s, mlsh loglik, peer id
  ps=$(peer_field "$4" median_s); pl=$(peer_field "$4" quality | sed -n "s/.*'loglik': \([-0-9.e]*\).*/\1/p")
  [ -z "$pl" ] && pl=$(/usr/bin/python3 -c "import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d['quality']['loglik'])" "$PEER_OUT/raw/$4.json" 2>/dev/null)
  printf '| %s | %s | %s | %s | %s | loglik %s vs %s |\n' "$1" "$2" "$(peer_field "$4" peer)" "${ps:-n/a}" "$(ratio "$ps" "$2")" "$3" "${pl:-n/a}"
}
export PEERS PEERDATA
t=$(per_fit air 40); ll=$(TS_JOB=air TS_REPS=1 "$MLSH" "$LUA" 2>&1 | tail -1)
row "f. SARIMA airline (0,1,1)(0,1,1)12 ML, n=144" "$t" "$ll" f01_air_R_arima_ML
row "f. SARIMA airline (0,1,1)(0,1,1)12 ML, n=144" "$t" "$ll" f02_air_statsmodels
t=$(per_fit ML 8); ll=$(TS_JOB=ML TS_REPS=1 "$MLSH" "$LUA" 2>&1 | tail -1)
row "f. ARIMA(2,1,2) ML, n=10000" "$t" "$ll" f03_arima212_R_ML
t2=$(per_fit CSS-ML 8); ll2=$(TS_JOB=CSS-ML TS_REPS=1 "$MLSH" "$LUA" 2>&1 | tail -1)
row "f. ARIMA(2,1,2) CSS-ML, n=10000" "$t2" "$ll2" f04_arima212_R_CSSML
row "f. ARIMA(2,1,2) CSS-ML, n=10000" "$t2" "$ll2" f05_arima212_sm_sarimax
row "f. ARIMA(2,1,2) CSS-ML, n=10000" "$t2" "$ll2" f06_arima212_sm_arima
