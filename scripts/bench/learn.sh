#!/bin/sh
# scripts/bench/learn.sh - classifier and t-SNE rows of `make bench`, against
# the peer jobs g01-g03 (scikit-learn KNN / SVC / random forest on the emb_*
# embeddings, same split indices, StandardScaler fitted on train) and e01-e02
# (scikit-learn Barnes-Hut t-SNE), with t-SNE's strongest peer Rtsne (es01,
# es02: Barnes-Hut C++ on 2 threads), run just before on the same files. mlsh
# times each operation inside one process (REPS runs, median wall clock,
# data loading and scaling not counted, as the peers).
. "$(dirname "$0")/lib/common.sh"
# LEARN_JOBS picks a subset (default: all five).
JOBS=${LEARN_JOBS:-knn svc rf tsne3670 tsne10000}
want() { case " $JOBS " in *" $1 "*) return 0 ;; esac; return 1; }
pat=""
want knn && pat="$pat|g01_cls_knn_cosine"
want svc && pat="$pat|g02_cls_svc_rbf"
want rf && pat="$pat|g03_cls_rf"
want tsne3670 && pat="$pat|e01_tsne3670_sklearn|es01_tsne3670_Rtsne"
want tsne10000 && pat="$pat|e02_tsne10k_sklearn|es02_tsne10k_Rtsne"
peer_run "^(${pat#|})$"
LUA=$(mktemp /tmp/mlsh-bench-learn.XXXXXX) || exit 1
trap 'rm -f "$LUA" "$LUA.time"' EXIT
cat > "$LUA" <<'LUAEOF'
local job, reps, D = os.getenv("LJ_JOB"), tonumber(os.getenv("REPS") or "3"), os.getenv("PEERDATA") .. "/"
local now = mlsh.clock or function() local f = io.popen("date +%s.%N"); local t = tonumber(f:read("l")); f:close(); return t end
local t0 = now(); local overhead = now() - t0      -- the clock's own cost, subtracted below
local op, quality
if job:match("^tsne") then
  local n = tonumber(job:match("tsne(%d+)"))
  local X = mat.read_raw(D .. "tsne_" .. n .. "x50.f64", n, 50)
  op = function() return { stats.tsne(X, { seed = 42, verbose = false }) } end
  quality = function(r)
    local q = string.format("KL %.4f (%s)", r[2].kl, r[2].method)
    if n <= 5000 then q = q .. string.format(", trustworthiness(5) %.4f", stats.trustworthiness(X, r[1], { k = 5 })) end
    return q
  end
else
  local Xtr, Xte, ytr, yte = loadfile(os.getenv("BENCH_LIB") .. "/emb_split.lua")(D)
  local make = ({
    knn = function() return learn.knn { k = 5, metric = "cosine" } end,
    svc = function() return learn.svm { kernel = "rbf", C = 10 } end,
    rf = function() return learn.forest { trees = 100, max_depth = 20, seed = 42 } end,
  })[job]
  op = function() local m = make():fit(Xtr, ytr); return m:predict(Xte) end
  quality = function(p) local ok = 0 for i = 1, #p do if p[i] == yte[i] then ok = ok + 1 end end
    return string.format("acc %.6f", ok / #p) end
end
local ts, r = {}, nil
-- every repetition cold: the SVM's row-product cache would serve repeats
for i = 1, reps do if learn.clear_cache then learn.clear_cache() end local a = now(); r = op(); ts[i] = math.max(now() - a - overhead, 1e-6) end
table.sort(ts)
print(string.format("%.4f\t%s", ts[(#ts + 1) // 2], quality(r)))
LUAEOF
export PEERDATA
mlsh_job() { LJ_JOB=$1 /usr/bin/time -v -o "$LUA.time" "$MLSH" "$LUA" 2>&1 | tail -1; }
row() {  # task, "median<TAB>quality", peer id
  t=$(echo "$2" | cut -f1); q=$(echo "$2" | cut -f2)
  ps=$(peer_field "$3" median_s)
  pq=$(peer_field "$3" quality | tr -d "{}'\"" | cut -c1-70)
  printf '| %s | %s | %s | %s | %s | %s vs %s |\n' "$1" "$t" "$(peer_field "$3" peer)" "${ps:-n/a}" "$(ratio "$ps" "$t")" "$q" "${pq:-n/a}"
}
want knn && r=$(mlsh_job knn) && row "g. KNN k=5 cosine, fit+predict 2936/734 x 1280" "$r" g01_cls_knn_cosine
want svc && r=$(mlsh_job svc) && row "g. SVC rbf C=10 gamma=scale, fit+predict" "$r" g02_cls_svc_rbf
want rf && r=$(mlsh_job rf) && row "g. Random forest 100 trees depth 20, fit+predict" "$r" g03_cls_rf
if want tsne3670 && r=$(mlsh_job tsne3670); then
  row "e. t-SNE 3670x50 perplexity 30, 1000 iterations" "$r" e01_tsne3670_sklearn
  row "e. t-SNE 3670x50, strongest peer" "$r" es01_tsne3670_Rtsne
fi
if want tsne10000 && r=$(mlsh_job tsne10000); then
  row "e. t-SNE 10000x50 perplexity 30, 1000 iterations" "$r" e02_tsne10k_sklearn
  row "e. t-SNE 10000x50, strongest peer" "$r" es02_tsne10k_Rtsne
fi
