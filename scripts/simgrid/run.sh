#!/bin/sh
# scripts/simgrid/run.sh [test|bench] - the distributed K-Means iteration
# (kmeans_iter.c) simulated by SimGrid's SMPI on generated star platforms
# (platform.sh: 2 us, 10 GB/s between nodes; node speed = this machine's
# dgemm rate, or SIMGRID_FLOPS), next to dist.cost's Hockney/Rabenseifner
# prediction of the same iteration. SMPI runs the allreduce algorithm the
# model picks (rab_rdb: Rabenseifner, rdb: recursive doubling).
#   test:  4 and 8 hosts, one case (the Lua test's run);
#   bench: 10, 100 and 1000 hosts (SIMGRID_HOSTS), k x p up to 10^4 (make bench).
# Prints one markdown row per run; "skipped" when smpicc/smpirun are missing.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MLSH:=$ROOT/build/mlsh}"
mode=${1:-bench}
if ! command -v smpicc >/dev/null 2>&1 || ! command -v smpirun >/dev/null 2>&1; then
  echo "| simgrid rows | skipped: SimGrid (smpicc, smpirun) missing: apt-get install simgrid libsimgrid-dev | | | | | |"; exit 0
fi
case $mode in
  test) hosts=${SIMGRID_HOSTS:-"4 8"}; cases="100000:10:50"; iters=3 ;;
  bench) hosts=${SIMGRID_HOSTS:-"10 100 1000"}; cases="1000000:10:50 10000:10:50 100000:100:100 10000:100:100"; iters=20 ;;
  *) echo "usage: run.sh [test|bench]" >&2; exit 2 ;;
esac
DIR=$(mktemp -d /tmp/mlsh-simgrid.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
smpicc -O2 -o "$DIR/kmeans_iter" "$ROOT/scripts/simgrid/kmeans_iter.c" 2>"$DIR/cc.log" || { cat "$DIR/cc.log" >&2; exit 1; }
F=${SIMGRID_FLOPS:-$("$MLSH" -e 'print(string.format("%.6g", dist.dgemm_rate()))')}
echo "SimGrid SMPI vs dist.cost: node speed $F flop/s (dgemm), star platform 2 us, 10 GB/s, $iters iterations"
echo "| hosts | rows per node | k x p | algorithm | SimGrid allreduce us | model allreduce us | SimGrid efficiency | model efficiency |"
echo "|---:|---:|---:|---|---:|---:|---:|---:|"
for P in $hosts; do
  sh "$ROOT/scripts/simgrid/platform.sh" "$P" "$F" "$DIR/plat.xml" "$DIR/hosts"
  for c in $cases; do
    n=${c%%:*}; kp=${c#*:}; k=${kp%%:*}; p=${kp#*:}
    model=$("$MLSH" -e "local c = dist.cost{n = $n, k = $k, p = $p, nodes = $P, flops = $F}
      print(c.algorithm, string.format('%.3f %.4f', 1e6 * c.allreduce_s, c.efficiency))")
    alg=$(echo "$model" | cut -f1)
    coll=$([ "$alg" = rabenseifner ] && echo rab_rdb || echo rdb)
    sim=$(smpirun -np "$P" -platform "$DIR/plat.xml" -hostfile "$DIR/hosts" --cfg=smpi/privatization:no \
      --cfg=smpi/simulate-computation:no --cfg=smpi/allreduce:$coll --log=root.thres:warning \
      "$DIR/kmeans_iter" "$n" "$p" "$k" "$iters" 2>"$DIR/run.log" | grep '^hosts') ||
      { echo "simgrid run failed at $P hosts:" >&2; tail -5 "$DIR/run.log" >&2; exit 1; }
    echo "$sim" | awk -v n="$n" -v k="$k" -v p="$p" -v alg="$alg" -v model="$(echo "$model" | cut -f2)" '{
      split(model, m, " ");
      if ($14 != "ok") { print "simgrid: wrong allreduce result" > "/dev/stderr"; exit 1 }
      printf "| %d | %.0e | %d x %d | %s | %.1f | %.1f | %.2f %% | %.2f %% |\n", $2, n, k, p, alg, 1e6 * $10, m[1], 100 * $12, 100 * m[2] }' || exit 1
  done
done
