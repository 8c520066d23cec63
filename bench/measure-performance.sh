#!/bin/sh
# Every figure of docs/performance.md, in one run (about 7 minutes on 2 cores), against a stack
# started with:
#   kbalign up --port 4222 --ops-port 9101 --monitor-port 8222 --no-prometheus
#   kbalign ingest $DATA/scifact/corpus.jsonl --collection scifact
# Usage: bench/measure-performance.sh [OUT_DIR]   (from the repository root; default docs/performance)
# Environment: NATS_URL (nats://127.0.0.1:4222), OPS_PORT (9101), MONITOR_PORT (8222),
# DATA (../shared/data), RATE (100), DURATION (10), SWEEP_STEP (50), SWEEP_MAX (1000).
set -eu
OUT=${1:-docs/performance}
NATS_URL=${NATS_URL:-nats://127.0.0.1:4222}
OPS_PORT=${OPS_PORT:-9101}
MONITOR_PORT=${MONITOR_PORT:-8222}
DATA=$(cd "${DATA:-../shared/data}" && pwd)
RATE=${RATE:-100}
DURATION=${DURATION:-10}
SWEEP_STEP=${SWEEP_STEP:-50}
SWEEP_MAX=${SWEEP_MAX:-1000}
KBALIGN="node cli/dist/main.js"
COMMON="--collection scifact --queries $DATA/scifact/queries.jsonl --topn 5 --out $OUT"
RESOURCES="--metrics http://127.0.0.1:$OPS_PORT/metrics --metrics http://127.0.0.1:$((OPS_PORT + 1))/metrics --metrics http://127.0.0.1:$((OPS_PORT + 2))/metrics --nats-monitor http://127.0.0.1:$MONITOR_PORT"
IN_PROCESS="--in-process --corpus $DATA/scifact/corpus.jsonl"

uptime
# 0. warm the stack's code and memos (the questions twice, closed loop): the figures are of a warm stack
$KBALIGN bench --collection scifact --queries "$DATA/scifact/queries.jsonl" --topn 5 --requests 2218 --concurrency 8 --nats "$NATS_URL" --out "${TMPDIR:-/tmp}/kbalign-warmup" > /dev/null
# 1. the user's load: RATE queries/s, open loop, over NATS and in process
$KBALIGN bench $COMMON --rate "$RATE" --duration "$DURATION" --warmup 200 --timeout 5000 --nats "$NATS_URL" $RESOURCES --label "nats-${RATE}qps"
$KBALIGN bench $COMMON --rate "$RATE" --duration "$DURATION" --warmup 200 --timeout 5000 $IN_PROCESS --label "in-process-${RATE}qps"
# 2. capacity at p99 < 100 ms and errors < 0.1%: the sweep, over NATS and in process
$KBALIGN bench $COMMON --sweep --rate "$SWEEP_STEP" --rate-step "$SWEEP_STEP" --max-rate "$SWEEP_MAX" --duration 5 --warmup 100 --timeout 2000 --nats "$NATS_URL" $RESOURCES --label nats-sweep
$KBALIGN bench $COMMON --sweep --rate "$SWEEP_STEP" --rate-step "$SWEEP_STEP" --max-rate "$SWEEP_MAX" --duration 5 --warmup 100 --timeout 2000 $IN_PROCESS --label in-process-sweep
# 3. twice that capacity over NATS: the excess refused at once (OVERLOADED), the admitted keep their latency
CAPACITY=$(node -e 'const fs=require("fs"),p=require("path"),d=process.argv[1];const f=fs.readdirSync(d).filter(n=>n.endsWith("-nats-sweep.json")).sort().pop();console.log(JSON.parse(fs.readFileSync(p.join(d,f))).sweep.highestPassingRate||0)' "$OUT")
if [ "$CAPACITY" -gt 0 ]; then
  $KBALIGN bench $COMMON --rate "$((CAPACITY * 2))" --duration "$DURATION" --warmup 0 --timeout 5000 --nats "$NATS_URL" $RESOURCES --label "nats-overload-$((CAPACITY * 2))qps"
fi
# 4. LangChain.js vs the library vs NATS, one NATS hop; 5. where an in-process query's CPU goes
# A closed loop holds its own concurrency (16 in flight): the orchestrator's limit is fixed at 64 for
# it (runtime config), so the latency-keeping admission does not refuse the loop's own queries, then
# handed back to the adaptive limit.
$KBALIGN config set query.maxInFlight 64 --nats "$NATS_URL" > /dev/null
cd bench
npm run --silent compare -- --data "$DATA" --nats "$NATS_URL" --seconds 8 \
  --metrics "http://127.0.0.1:$OPS_PORT/metrics" --metrics "http://127.0.0.1:$((OPS_PORT + 1))/metrics" --metrics "http://127.0.0.1:$((OPS_PORT + 2))/metrics" \
  --nats-monitor "http://127.0.0.1:$MONITOR_PORT"
(cd .. && $KBALIGN config rollback --nats "$NATS_URL" > /dev/null)
npm run --silent profile -- --data "$DATA" --queries 600 | tee results/profile-pipeline.md
uptime
