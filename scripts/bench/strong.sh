#!/bin/sh
# scripts/bench/strong.sh - mlsh beside the strongest peer of each job
# (../shared/bench/peers README, "Strong peers"): K-Means against faiss
# (bs02, bs03), KNN against faiss IndexFlatIP (gs01), the random forest
# against ranger (gs02), SARIMA / ARIMA(2,1,2) against forecast::Arima
# (fs01, fs03, fs04), auto.arima stepwise against forecast (fs02) and the
# full grid (stepwise = FALSE) timed here by Rscript, as the harness has no
# such job. Runs with BENCH=strong or in the whole `make bench`. mlsh times
# each operation inside one process (REPS runs, median wall clock, data
# loading not counted; the short ARIMA fits are repeated K times per run).
. "$(dirname "$0")/lib/common.sh"
peer_run '^(bs02_km_faiss_n10_it50|bs03_km_faiss_n10_it25|gs01_cls_knn_faiss|gs02_cls_rf_R_ranger|fs0[1-4]_.*)$'
LUA=$(mktemp /tmp/mlsh-bench-strong.XXXXXX) || exit 1
trap 'rm -f "$LUA" "$LUA.R"' EXIT
cat > "$LUA" <<'LUAEOF'
local job, reps, D = os.getenv("ST_JOB"), tonumber(os.getenv("REPS") or "3"), os.getenv("PEERDATA") .. "/"
local now, K = mlsh.clock, 1
local op, quality
local function air()
  local df = data.read_csv(os.getenv("PEERS") .. "/airpassengers.csv")
  return ts.log(ts.series(df:col("passengers"), { start = { 1949, 1 }, freq = 12 }))
end
if job == "km10" then
  local X = mat.read_raw(D .. "kmeans_100000x50.f64", 100000, 50)
  local y = mat.read_raw(D .. "kmeans_labels_100000.i32", 100000, 1, { dtype = "i32" }):totable()
  op = function() return cluster.kmeans(X, 10, { nstart = 10, seed = 42 }) end
  quality = function(km) return string.format("inertia %.1f, ARI %.4f", km.inertia, cluster.ari(y, km.labels)) end
elseif job == "knn" or job == "rf" then
  local Xtr, Xte, ytr, yte = loadfile(os.getenv("BENCH_LIB") .. "/emb_split.lua")(D)
  local make = job == "knn" and function() return learn.knn { k = 5, metric = "cosine" } end
    or function() return learn.forest { trees = 100, max_depth = 20, seed = 42 } end
  op = function() return make():fit(Xtr, ytr):predict(Xte) end
  quality = function(p) local ok = 0 for i = 1, #p do if p[i] == yte[i] then ok = ok + 1 end end
    return string.format("acc %.6f", ok / #p) end
elseif job == "air" then
  local y = air()
  K = 20
  op = function() return ts.arima(y, { order = { 0, 1, 1 }, seasonal = { 0, 1, 1 }, method = "ML" }) end
  quality = function(f) return string.format("loglik %.4f", f.loglik) end
elseif job == "ML" or job == "CSS-ML" then
  local x = mat.read_raw(D .. "arima212_10000.f64", 10000, 1, { dtype = "f64" })
  K = 3
  op = function() return ts.arima(x, { order = { 2, 1, 2 }, method = job }) end
  quality = function(f) return string.format("loglik %.4f", f.loglik) end
else
  local y = air()
  K = job == "auto" and 5 or 1
  op = function() return ts.auto_arima(y, { stepwise = job == "auto", trace = false }) end
  quality = function(f) local o, s = f.order, f.seasonal
    return string.format("ARIMA(%d,%d,%d)(%d,%d,%d)[%d] AICc %.4f", o[1], o[2], o[3], s[1], s[2], s[3], f.period, f.aicc) end
end
local ts_, r = {}, nil
for i = 1, reps do local t0 = now() for _ = 1, K do r = op() end ts_[i] = (now() - t0) / K end
table.sort(ts_)
print(string.format("%.5f\t%s", ts_[(#ts_ + 1) // 2], quality(r)))
LUAEOF
# the full-grid auto.arima peer: forecast's defaults but stepwise = FALSE
cat > "$LUA.R" <<'REOF'
suppressMessages(library(forecast))
ap <- read.csv(file.path(Sys.getenv("PEERS"), "airpassengers.csv"))
y <- ts(log(ap$passengers), start = c(1949, 1), frequency = 12)
reps <- as.integer(Sys.getenv("REPS", "3")); t <- numeric(reps)
for (i in seq_len(reps)) { t0 <- proc.time()[["elapsed"]]; f <- auto.arima(y, stepwise = FALSE); t[i] <- proc.time()[["elapsed"]] - t0 }
cat(sprintf("%.4f\t%s AICc %.4f\tR %s forecast %s auto.arima(log AirPassengers, stepwise = FALSE)\n", median(t),
            as.character(f), f$aicc, getRversion(), packageVersion("forecast")))
REOF
export PEERS PEERDATA
mlsh_job() { ST_JOB=$1 "$MLSH" "$LUA" 2>&1 | tail -1; }
# quality_of ID KEY: one entry of the peer's quality record
quality_of() { /usr/bin/python3 -c "import json,sys; q=json.loads(open(sys.argv[1]).readline())['quality']; print(sys.argv[2], q[sys.argv[2]])" "$PEER_OUT/raw/$1.json" "$2" 2>/dev/null; }
row() {  # task, "median<TAB>quality", peer id, extra note, quality key of the peer (default: its whole record)
  t=$(echo "$2" | cut -f1); q=$(echo "$2" | cut -f2)
  ps=$(peer_field "$3" median_s)
  if [ -n "$5" ]; then pq=$(quality_of "$3" "$5"); else pq=$(peer_field "$3" quality | tr -d "{}'\"" | cut -c1-70); fi
  printf '| %s | %s | %s | %s | %s | %s vs %s%s |\n' "$1" "$t" "$(peer_field "$3" peer)" "${ps:-n/a}" "$(ratio "$ps" "$t")" "$q" "${pq:-n/a}" "$4"
}
# The machine's arithmetic limit: cores x FMA units x SIMD lanes x 2 flops x
# clock. lscpu gives the cores, the widest vector flags and (under KVM often
# only) BogoMIPS = 2 x the TSC clock; FMA units per core are not reported:
# FMA_UNITS (default 2, as on Xeon Scalable parts) says how many.
peak_gflops() {  # lanes of fp64 per FMA -> GFLOP/s
  lscpu | awk -v lanes="$1" -v units="${FMA_UNITS:-2}" -F: '
    /^Core\(s\) per socket/ { c = $2 } /^Socket\(s\)/ { s = $2 }
    /^CPU max MHz/ { mhz = $2 } /^BogoMIPS/ { bogo = $2 }
    END { if (!mhz) mhz = bogo / 2; printf "%.0f", c * s * units * lanes * 2 * mhz / 1000 }'
}
lanes=2; grep -qw avx2 /proc/cpuinfo && lanes=4; grep -qw avx512f /proc/cpuinfo && lanes=8
p64=$(peak_gflops $lanes); p32=$(peak_gflops $((2 * lanes)))
r=$(mlsh_job km10)
row "b. K-Means 100000x50 k=10 nstart=10" "$r" bs02_km_faiss_n10_it50
row "b. K-Means 100000x50 k=10 nstart=10" "$r" bs03_km_faiss_n10_it25
r=$(mlsh_job knn); t=$(echo "$r" | cut -f1)
# the cosine scores are one 734 x 2936 x 1280 product: 2 m n k flops
gf=$(awk -v t="$t" 'BEGIN { if (t > 0) printf "%.1f", 2 * 734 * 2936 * 1280 / t / 1e9; else print "n/a" }')
row "g. KNN k=5 cosine, fit+predict 2936/734 x 1280" "$r" gs01_cls_knn_faiss \
  "; mlsh $gf GFLOP/s of the product, machine limit ${p64} fp64 / ${p32} fp32 (lscpu, FMA_UNITS=${FMA_UNITS:-2})"
r=$(mlsh_job rf); row "g. Random forest 100 trees depth 20, fit+predict" "$r" gs02_cls_rf_R_ranger
r=$(mlsh_job air); row "f. SARIMA airline (0,1,1)(0,1,1)12 ML, n=144" "$r" fs01_air_forecast_Arima_ML "" loglik
r=$(mlsh_job ML); row "f. ARIMA(2,1,2) ML, n=10000" "$r" fs03_arima212_forecast_ML "" loglik
r=$(mlsh_job CSS-ML); row "f. ARIMA(2,1,2) CSS-ML, n=10000" "$r" fs04_arima212_forecast_CSSML "" loglik
r=$(mlsh_job auto); row "f. auto.arima log AirPassengers, stepwise" "$r" fs02_air_forecast_autoarima ", $(quality_of fs02_air_forecast_autoarima aicc)" model
r=$(mlsh_job grid); t=$(echo "$r" | cut -f1); q=$(echo "$r" | cut -f2)
pr=$(/usr/bin/Rscript "$LUA.R" 2>/dev/null | tail -1); ps=$(echo "$pr" | cut -f1)
printf '| %s | %s | %s | %s | %s | %s vs %s |\n' "f. auto.arima log AirPassengers, full grid (stepwise = false)" "$t" \
  "$(echo "$pr" | cut -f3)" "${ps:-n/a}" "$(ratio "$ps" "$t")" "$q" "$(echo "$pr" | cut -f2)"
