#!/usr/bin/env bash
# Load report (issue 12): a few minutes of bounded, paced load on the trigger API of the dispatcher, in process with
# the embedded runtime of src/Embedded (durable-task server, state, pub/sub, the flow-runner sample), over loopback.
# The mix: async fires to events of 1, 2 and 3 targets whose flows complete, sync fires, deliberate 4xx (wrong token,
# unknown trigger, bad JSON, oversize body) and bursts to one trigger over its rate (429). Checks that nothing else is
# answered, that every accepted run reaches a final state (read through the run API, then purged as Dapr's workflow
# state retention would), and that memory stays flat (live heap after a full GC and working set, every SAMPLE_S s).
# The ceiling, in the same process and run: a bare endpoint parsing the JSON body, paced the same way, and flat out.
# Release build; logging at Warning. Prints one RESULT line and writes bench/results/<date>-load.md.
# Bounded: DURATION_S x RATE paced requests + (DURATION_S / BURST_EVERY_S) x BURST burst requests.
# Usage: bench/load/run.sh   (DURATION_S=180 RATE=100 C=32 BURST=400 BURST_EVERY_S=20 SAMPLE_S=5 CEILING_N=5000 FLOW_MS=50)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
DURATION_S=${DURATION_S:-180}; RATE=${RATE:-100}; C=${C:-32}; BURST=${BURST:-400}; BURST_EVERY_S=${BURST_EVERY_S:-20}
SAMPLE_S=${SAMPLE_S:-5}; CEILING_N=${CEILING_N:-5000}; FLOW_MS=${FLOW_MS:-50}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build bench/load/LoadBench -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
timeout $((DURATION_S * 3 + 600)) dotnet bench/load/LoadBench/bin/Release/net10.0/Arkonis.Dispatcher.Bench.Load.dll \
  "$DURATION_S" "$RATE" "$C" "$BURST" "$BURST_EVERY_S" "$SAMPLE_S" "$CEILING_N" "$FLOW_MS" >"$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
grep -q '^SUMMARY ' "$work/out.log" || { cat "$work/out.log"; exit 1; }
cp "$work/out.log" "${LOAD_LOG:-/dev/null}" 2>/dev/null || true

CEILING_N=$CEILING_N python3 bench/load/summarise.py "$work/out.log" "$(git rev-parse --short HEAD)" \
  "DURATION_S=$DURATION_S RATE=$RATE C=$C BURST=$BURST BURST_EVERY_S=$BURST_EVERY_S SAMPLE_S=$SAMPLE_S CEILING_N=$CEILING_N FLOW_MS=$FLOW_MS bench/load/run.sh" \
  "$root/bench/results/$(date -u +%Y-%m-%d)-load.md"
