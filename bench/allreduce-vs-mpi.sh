#!/usr/bin/env bash
# allreduce-vs-mpi.sh - Vaniila's ring all-reduce against Open MPI's MPI_Allreduce (tcp-ring
# variant of ../shared/bench/mpi-allreduce) on loopback, interleaved in the same time window
# because the machine is shared and noisy: compare the ratios, not the absolute numbers.
# Needs: apt-get install -y openmpi-bin libopenmpi-dev; a JDK 17.
# Usage: bench/allreduce-vs-mpi.sh [ranks...]      (default: 2 4)
# Env:   REPS (3), SIZES ("1048576 16777216 67108864"), BENCH_ITERS_SCALE (1)
# Output: target/bench/allreduce-<timestamp>/{results.csv,summary.txt,ratios.txt}
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MPI_SRC=${MPI_SRC:-$ROOT/../../shared/bench/mpi-allreduce}
[ -d "$MPI_SRC" ] || MPI_SRC=/work/shared/bench/mpi-allreduce
OUT=target/bench/allreduce-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
mpicc -O2 -o "$OUT/allreduce_bench" "$MPI_SRC/allreduce_bench.c"
./mvnw -q -B -o -Dfrontend.skip=true test-compile
./mvnw -q -B -o dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test > /dev/null
CP="target/test-classes:target/classes:$(cat "$OUT/cp.txt")"
RANKS=${*:-2 4}
SIZES=${SIZES:-"1048576 16777216 67108864"}
REPS=${REPS:-3}
export BENCH_ITERS_SCALE=${BENCH_ITERS_SCALE:-1}
echo "label,ranks,bytes,iters,time_us,min_us,algbw_GBps,busbw_GBps,ok,rep,load1" > "$OUT/results.csv"
{ uname -a; nproc; lscpu | grep -E 'Model name|^CPU\(s\)'; ompi_info --version | head -1; java -version 2>&1 | head -1; } > "$OUT/machine.txt"
for rep in $(seq 1 "$REPS"); do
  for np in $RANKS; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "== rep=$rep np=$np mpi tcp-ring load1=$load"
    BENCH_LABEL=mpi-tcp-ring mpirun -np "$np" --allow-run-as-root --oversubscribe --bind-to none --mca pml ob1 \
      --mca btl self,tcp --mca btl_tcp_if_include lo \
      --mca coll_tuned_use_dynamic_rules 1 --mca coll_tuned_allreduce_algorithm 4 \
      -x BENCH_LABEL -x BENCH_ITERS_SCALE "$OUT/allreduce_bench" $SIZES 2> "$OUT/last.err" | tee -a "$OUT/mpi-np$np.txt"
    grep '^CSV,' "$OUT/last.err" | cut -d, -f2- | sed "s/\$/,$rep,$load/" >> "$OUT/results.csv"
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "== rep=$rep np=$np vaniila java-ring load1=$load"
    BENCH_LABEL=vaniila-java-ring java -cp "$CP" fr.catie.vaniila.training.collective.AllReduceBench "$np" $SIZES \
      2> "$OUT/last.err" | tee -a "$OUT/java-np$np.txt"
    grep '^CSV,' "$OUT/last.err" | cut -d, -f2- | sed "s/\$/,$rep,$load/" >> "$OUT/results.csv"
  done
done
python3 "$MPI_SRC/summarize.py" "$OUT/results.csv" | tee "$OUT/summary.txt"
python3 - "$OUT/results.csv" <<'PY' | tee "$OUT/ratios.txt"
import csv, statistics, sys
from collections import defaultdict
g = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1])):
    g[(r['label'], int(r['ranks']), int(r['bytes']))].append(r)
print("ranks MiB  java/mpi busbw (median)  java/mpi time (median)  java/mpi busbw per rep (same window)")
for (lab, n, b) in sorted(k for k in g if k[0] == 'vaniila-java-ring'):
    j = g[(lab, n, b)]; m = g.get(('mpi-tcp-ring', n, b), [])
    if not m: continue
    tj = statistics.median(float(r['time_us']) for r in j); tm = statistics.median(float(r['time_us']) for r in m)
    per = [float(mj['time_us']) and float(mm['time_us']) / float(mj['time_us']) for mj, mm in zip(j, m)]
    print(f"{n:>5} {b>>20:>3}  {tm/tj:>23.2f}  {tj/tm:>22.2f}  " + " ".join(f"{p:.2f}" for p in per))
PY
echo "results in $OUT"
