#!/usr/bin/env bash
# training-strategies.sh - samples/s, communication share and test accuracy of each strategy and
# rank count on this machine: real rank processes of the train role on the built-in digits set.
# Usage: bench/training-strategies.sh [ranks...]        (default: 1 2 4)
# Env:   STRATEGIES ("sync async decentralized local-sgd"), EPOCHS (10), MODEL (mlp), REPS (1)
# Output: target/bench/strategies-<timestamp>/{results.csv,summary.txt}; each run's job directory beside them.
# samples_per_s and comm_share are means over the end-of-epoch progress lines of epochs 2..EPOCHS
# (the first epoch includes JIT warm-up).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench/strategies-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
./mvnw -q -B -o -Dfrontend.skip=true compile
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=runtime > /dev/null
CP="$(pwd)/target/classes:$(cat "$OUT/cp.txt")"
RANKS=${*:-1 2 4}
STRATEGIES=${STRATEGIES:-"sync async decentralized local-sgd"}
EPOCHS=${EPOCHS:-10}
MODEL=${MODEL:-mlp}
REPS=${REPS:-1}
echo "strategy,ranks,rep,samples_per_s,comm_share,staleness,test_accuracy,seconds,load1" > "$OUT/results.csv"
for rep in $(seq 1 "$REPS"); do
for n in $RANKS; do
  for s in $STRATEGIES; do
    job="$OUT/$s-$n-$rep"; mkdir -p "$job"
    port=$((20000 + RANDOM % 20000))
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    for r in $(seq 0 $((n - 1))); do
      (cd "$job" && MASTER_ADDR=127.0.0.1 MASTER_PORT=$port WORLD_SIZE=$n RANK=$r LOCAL_WORLD_SIZE=$n \
        java -cp "$CP" fr.catie.vaniila.Vaniila train --dataset digits --model "$MODEL" --epochs "$EPOCHS" \
        --strategy "$s" --log-every 100000 > "rank$r.out" 2> "rank$r.err") &
    done
    wait
    end=$(date +%s.%N)
    python3 - "$job/metrics.jsonl" "$s" "$n" "$rep" "$(echo "$end - $start" | bc)" "$load" >> "$OUT/results.csv" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
prog = [l for l in lines if 'samples_per_s' in l and l['epoch'] > 1.0001]
acc = [l['test_accuracy'] for l in lines if 'test_accuracy' in l]
mean = lambda k: sum(l[k] for l in prog) / len(prog)
print(f"{sys.argv[2]},{sys.argv[3]},{sys.argv[4]},{mean('samples_per_s'):.0f},{mean('comm_share'):.3f},"
      f"{mean('staleness'):.2f},{acc[-1]:.4f},{float(sys.argv[5]):.1f},{sys.argv[6]}")
PY
    tail -1 "$OUT/results.csv"
  done
done
done
python3 - "$OUT/results.csv" <<'PY' | tee "$OUT/summary.txt"
import csv, statistics, sys
from collections import defaultdict
g = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    g[(r['strategy'], int(r['ranks']))].append(r)
base = {s: statistics.median(float(r['samples_per_s']) for r in rs) for (s, n), rs in g.items() if n == 1}
print(f"{'strategy':14} {'ranks':>5} {'samples/s':>10} {'vs 1 rank':>9} {'comm share':>10} {'staleness':>9} {'test acc':>8}")
for (s, n), rs in sorted(g.items()):
    sps = statistics.median(float(r['samples_per_s']) for r in rs)
    rel = f"{sps / base[s]:.2f}x" if s in base else "-"
    print(f"{s:14} {n:>5} {sps:>10.0f} {rel:>9} {statistics.median(float(r['comm_share']) for r in rs):>10.3f} "
          f"{statistics.median(float(r['staleness']) for r in rs):>9.2f} {statistics.median(float(r['test_accuracy']) for r in rs):>8.4f}")
PY
echo "results in $OUT"
