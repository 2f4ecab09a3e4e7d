#!/usr/bin/env bash
# Flood benchmark (issue 12, "tried as an attacker would"): unauthenticated POSTs, each to a new random trigger
# name, over loopback. Measures secret-store reads per request (the embedded Dapr runtime counts them), the answers
# with and without the default per-client limit, and the latency of a wrong token for a known trigger against an
# unknown name (interleaved, concurrency 1: median and p99). The ceiling, in the same process and run: a bare
# minimal-API endpoint answering the same fixed 401 problem. Release build; logging at Warning (Arkonis at Error).
# Prints one RESULT line and writes bench/results/<date>-flood.md. Bounded: RUNS x (3 x FLOOD_N + 4 x TIMING_N) requests.
# Usage: bench/flood/run.sh   (FLOOD_N=20000 C=16 TIMING_N=5000 RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
FLOOD_N=${FLOOD_N:-20000}; C=${C:-16}; TIMING_N=${TIMING_N:-5000}; RUNS=${RUNS:-3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build bench/flood/FloodBench -c Release -v q -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
timeout 900 dotnet bench/flood/FloodBench/bin/Release/net10.0/Arkonis.Dispatcher.Bench.Flood.dll \
  "$FLOOD_N" "$C" "$TIMING_N" "$RUNS" >"$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
grep -q '^RUN ' "$work/out.log" || { cat "$work/out.log"; exit 1; }

python3 bench/flood/summarise.py "$work/out.log" "$(git rev-parse --short HEAD)" \
  "FLOOD_N=$FLOOD_N C=$C TIMING_N=$TIMING_N RUNS=$RUNS bench/flood/run.sh" \
  "$root/bench/results/$(date -u +%Y-%m-%d)-flood.md"
