#!/bin/sh
# scripts/bench/cluster.sh - PCA / K-Means / elbow / silhouette / Ward rows of
# `make bench`, against the peer jobs a02, b01, b03, b11, c01, d01, d04 (scikit-learn,
# SciPy) and the strong peers as01 (numpy centred X'X + eigh), as02 (faiss PCAMatrix,
# float32), ds03 (fastcluster linkage_vector) run just before on the same files. mlsh times each operation inside one
# process (REPS runs, median of wall-clock, data loading not counted).
. "$(dirname "$0")/lib/common.sh"
peer_run '^(a02_pca_sklearn_full_k10|b01_km_sklearn_lloyd_n1|b03_km_sklearn_lloyd_n10|b11_elbow_sklearn|c01_sil_sklearn|d01_ward5k_scipy|d04_ward20k_scipy|as01_pca_numpy_cov_eigh_k10|as02_pca_faiss_k10|ds03_ward20k_fastcluster_py_vec)$'
LUA=$(mktemp /tmp/mlsh-bench-cluster.XXXXXX) || exit 1
trap 'rm -f "$LUA" "$LUA.out" "$LUA.time"' EXIT
cat > "$LUA" <<'LUAEOF'
local job, reps, D = os.getenv("CL_JOB"), tonumber(os.getenv("REPS") or "3"), os.getenv("PEERDATA") .. "/"
local now = mlsh.clock
local op, quality
if job == "pca" then
  local X = mat.read_raw(D .. "pca_100000x100.f64", 100000, 100)
  op = function() return stats.pca(X, { ncomp = 10, scale = false }) end
  quality = function(p) local s = 0 for k = 1, 10 do s = s + p.explained[k] end
    return string.format("EVR sum %.6f (PC1 %.6f), %s", s, p.explained[1], p.method) end
elseif job == "km1" or job == "km10" then
  local X = mat.read_raw(D .. "kmeans_100000x50.f64", 100000, 50)
  local y = mat.read_raw(D .. "kmeans_labels_100000.i32", 100000, 1, { dtype = "i32" }):totable()
  op = function() return cluster.kmeans(X, 10, { nstart = job == "km1" and 1 or 10, seed = 42 }) end
  quality = function(km) return string.format("inertia %.1f, iter %d, ARI %.4f", km.inertia, km.iters, cluster.ari(y, km.labels)) end
elseif job == "elbow" then
  local X = mat.read_raw(D .. "elbow_20000x20.f64", 20000, 20)
  op = function() return cluster.elbow(X, { kmin = 2, kmax = 10, nstart = 10, seed = 42, silhouette = false }) end
  quality = function(e) return string.format("inertia k=5/6/7: %.0f / %.0f / %.0f", e.inertia[4], e.inertia[5], e.inertia[6]) end
elseif job == "sil" then
  local X = mat.read_raw(D .. "sil_10000x50.f64", 10000, 50)
  local y = mat.read_raw(D .. "sil_labels_10000.i32", 10000, 1, { dtype = "i32" }):totable()
  for i = 1, #y do y[i] = math.tointeger(y[i]) end
  op = function() return cluster.silhouette(X, y) end
  quality = function(s) return string.format("mean silhouette %.6f", s.mean) end
else
  local n = tonumber(job:match("ward(%d+)"))
  local X = mat.read_raw(D .. "ward_" .. n .. "x20.f64", n, 20)
  op = function() return cluster.hclust(X, { method = "ward" }) end
  quality = function(h) return string.format("top merge %.4f", h.height[n - 1]) end
end
local ts, r = {}, nil
for i = 1, reps do local t0 = now(); r = op(); ts[i] = now() - t0 end
table.sort(ts)
print(string.format("%.4f\t%s", ts[(#ts + 1) // 2], quality(r)))
LUAEOF
export PEERDATA
# mlsh JOB -> "median_s<TAB>quality" (and the peak RSS in $LUA.time)
mlsh_job() { CL_JOB=$1 /usr/bin/time -v -o "$LUA.time" "$MLSH" "$LUA" 2>&1 | tail -1; }
rss_mb() { awk -F: '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$LUA.time"; }
peer_rss_mb() { awk -F: '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$PEER_OUT/raw/$1.time" 2>/dev/null; }
row() {  # task, "median<TAB>quality", peer id, extra note
  t=$(echo "$2" | cut -f1); q=$(echo "$2" | cut -f2)
  ps=$(peer_field "$3" median_s)
  pq=$(peer_field "$3" quality | tr -d '{}' | cut -c1-60)
  printf '| %s | %s | %s | %s | %s | %s vs %s%s |\n' "$1" "$t" "$(peer_field "$3" peer)" "${ps:-n/a}" "$(ratio "$ps" "$t")" "$q" "${pq:-n/a}" "$4"
}
r=$(mlsh_job pca); row "a. PCA 100000x100 -> 10 (auto: gram32, ssyrk blocks into a double Gram + dsyevr)" "$r" a02_pca_sklearn_full_k10
row "a. PCA 100000x100 -> 10, strong peer numpy cov+eigh" "$r" as01_pca_numpy_cov_eigh_k10
row "a. PCA 100000x100 -> 10, strong peer faiss PCAMatrix" "$r" as02_pca_faiss_k10
r=$(mlsh_job km1); row "b. K-Means 100000x50 k=10 nstart=1" "$r" b01_km_sklearn_lloyd_n1
r=$(mlsh_job km10); row "b. K-Means 100000x50 k=10 nstart=10" "$r" b03_km_sklearn_lloyd_n10
r=$(mlsh_job elbow); row "b. Elbow k=2..10 nstart=10, 20000x20 (inertia only)" "$r" b11_elbow_sklearn
r=$(mlsh_job sil); m=$(rss_mb); row "c. Silhouette 10000x50 k=10" "$r" c01_sil_sklearn "; peak RSS mlsh ${m} MB vs $(peer_rss_mb c01_sil_sklearn) MB"
r=$(mlsh_job ward5000); row "d. Ward 5000x20" "$r" d01_ward5k_scipy
r=$(mlsh_job ward20000); row "d. Ward 20000x20" "$r" d04_ward20k_scipy
row "d. Ward 20000x20, strong peer fastcluster linkage_vector" "$r" ds03_ward20k_fastcluster_py_vec
