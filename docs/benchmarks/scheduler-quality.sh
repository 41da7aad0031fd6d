#!/usr/bin/env bash
# Runs every policy on the same trace slices and prints the quality table of docs/benchmarks/scheduler.md.
# usage: docs/benchmarks/scheduler-quality.sh [TRACES_DIR]   (after ./mvnw -Dfrontend.skip=true -DskipTests package)
# The simulation is deterministic: the numbers only change when the scheduler does. wall_s depends on the machine.
set -euo pipefail
TRACES=${1:-../shared/traces}
JAR=${JAR:-target/vaniila.jar}
POLICIES="fifo fifo-backfill fairshare-backfill las"

row() { # name, then simulate arguments
  local name=$1; shift
  for p in $POLICIES; do
    line=$(java -jar "$JAR" simulate "$@" --policy "$p")
    field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$p" "$(field completed)" \
      "$(field rejected)" "$(field avg_jct_s)" "$(field avg_wait_s)" "$(field gpu_allocation)" \
      "$(field waiting_allocation)" "$(field fragmentation)" "$(field preemptions)" "$(field wall_s)"
  done
}

echo '| slice | policy | completed | rejected | avg JCT s | avg wait s | GPU allocation | allocation while jobs wait |'\
' fragmentation | preemptions | wall s |'
echo '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
row "Tiresias 60 jobs, 2x4 v100" --trace "$TRACES/tiresias-60-jobs.csv" --format tiresias --nodes 2x4:v100-16g
row "Tiresias 60 jobs, 1x4 v100" --trace "$TRACES/tiresias-60-jobs.csv" --format tiresias --nodes 1x4:v100-16g
row "Philly 10-02 00-06h, catie" --trace "$TRACES/philly-digest.csv" --format philly --cluster catie \
  --from 2017-10-02T00:00:00 --to 2017-10-02T06:00:00
row "Philly 10-01..10-03, catie" --trace "$TRACES/philly-digest.csv" --format philly --cluster catie \
  --from 2017-10-01 --to 2017-10-03
row "Philly 10-02 00-03h, 4x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 4x8:v100-16g \
  --from 2017-10-02T00:00:00 --to 2017-10-02T03:00:00
row "Philly 10-02 (1 day), 8x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 8x8:v100-16g \
  --from 2017-10-02 --to 2017-10-03
row "Philly 10-05 (1 day), 8x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 8x8:v100-16g \
  --from 2017-10-05 --to 2017-10-06
# Three more 1-day slices on 8x8, first run on 2026-11-27 as held-out checks of a rule search (none was tuned on them).
row "Philly 10-08 (1 day), 8x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 8x8:v100-16g \
  --from 2017-10-08 --to 2017-10-09
row "Philly 10-12 (1 day), 8x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 8x8:v100-16g \
  --from 2017-10-12 --to 2017-10-13
row "Philly 10-20 (1 day), 8x8 v100" --trace "$TRACES/philly-digest.csv" --format philly --nodes 8x8:v100-16g \
  --from 2017-10-20 --to 2017-10-21
row "Philly 10-02..10-09 (1 week), 64x8 v100" --trace "$TRACES/philly-digest.csv" --format philly \
  --nodes 64x8:v100-16g --from 2017-10-02 --to 2017-10-09
row "Philly whole (82,247 jobs), 250x8 v100" --trace "$TRACES/philly-digest.csv" --format philly \
  --nodes 250x8:v100-16g
