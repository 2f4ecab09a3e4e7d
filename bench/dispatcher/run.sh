#!/usr/bin/env bash
# Dispatcher benchmark: accepted async fires/s and acceptance latency, and the latency sync mode adds on top of
# the flow's own time. Starts everything itself (Release build; the dispatcher in process with the embedded runtime
# of src/Embedded: durable-task server, Dapr runtime API, sample flow runner; logging at Warning), measures a bare minimal-API ceiling the same
# way in the same run, prints one RESULT line and writes bench/results/<date>-dispatcher.md.
# Usage: bench/dispatcher/run.sh   (needs hey: apt-get install -y hey)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
command -v hey >/dev/null || { echo "hey is required: apt-get install -y hey" >&2; exit 1; }

ASYNC_N=${ASYNC_N:-10000}; ASYNC_C=${ASYNC_C:-32}
SYNC_N=${SYNC_N:-400}; SYNC_C=${SYNC_C:-16}; FLOW_MS=${FLOW_MS:-200}
RUNS=${RUNS:-3}

work=$(mktemp -d)
host_pid=""
cleanup() {
  exec 3>&- 2>/dev/null || true   # end of stdin: the host stops by itself
  if [ -n "$host_pid" ]; then
    for _ in $(seq 1 50); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$host_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build bench/dispatcher/BenchHost -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
mkfifo "$work/stdin"
dotnet bench/dispatcher/BenchHost/bin/Release/net10.0/Arkonis.Dispatcher.BenchHost.dll "$FLOW_MS" <"$work/stdin" >"$work/host.log" 2>&1 &
host_pid=$!
exec 3>"$work/stdin"   # keeps the host's stdin open until this script ends
for _ in $(seq 1 300); do grep -q '^READY' "$work/host.log" && break; sleep 0.1; done
grep -q '^READY' "$work/host.log" || { cat "$work/host.log"; exit 1; }
read -r public ceiling < <(sed -n 's/^READY public=\([0-9]*\) ceiling=\([0-9]*\).*/\1 \2/p' "$work/host.log")

fire="http://127.0.0.1:$public/triggers/default/bench/fire"
auth="Authorization: Bearer bench-token"
body='{"topic":"bench","n":1}'

# hey -o csv: one line per request (response-time, ..., status-code, offset); summarised by summarise.py.
load() { # name url n c body extra-header...
  local name=$1 url=$2 n=$3 c=$4 data=$5; shift 5
  hey -n "$n" -c "$c" -m POST -T application/json -d "$data" "$@" -o csv "$url" >"$work/$name.csv"
}

echo "warming up..." >&2
load warm-ceiling "http://127.0.0.1:$ceiling/ceiling" 2000 "$ASYNC_C" "$body"
load warm-async "$fire" 200 "$ASYNC_C" "$body" -H "$auth"
load warm-sync "$fire?mode=sync&timeout=30s" 200 "$SYNC_C" "{\"_delayMs\":$FLOW_MS}" -H "$auth"

# Sync first: thousands of accepted async runs leave work behind that a sync call would queue behind.
for i in $(seq 1 "$RUNS"); do
  echo "sync run $i/$RUNS..." >&2
  load "sync-$i" "$fire?mode=sync&timeout=30s" "$SYNC_N" "$SYNC_C" "{\"_delayMs\":$FLOW_MS}" -H "$auth"
done
for i in $(seq 1 "$RUNS"); do
  echo "async run $i/$RUNS..." >&2
  load "ceiling-$i" "http://127.0.0.1:$ceiling/ceiling" "$ASYNC_N" "$ASYNC_C" "$body"
  load "async-$i" "$fire" "$ASYNC_N" "$ASYNC_C" "$body" -H "$auth"
done

rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$host_pid/status")
commit=$(git rev-parse --short HEAD)
python3 bench/dispatcher/summarise.py "$work" "$RUNS" "$FLOW_MS" "$rss_kb" "$commit" "$ASYNC_C" "$SYNC_C" \
  "ASYNC_N=$ASYNC_N ASYNC_C=$ASYNC_C SYNC_N=$SYNC_N SYNC_C=$SYNC_C FLOW_MS=$FLOW_MS RUNS=$RUNS bench/dispatcher/run.sh" \
  "$root/bench/results/$(date -u +%Y-%m-%d)-dispatcher.md"
