#!/usr/bin/env bash
# Cron replicas benchmark: three replicas sharing one state store, EVENTS (default 20000) cron ArkEvents due at one
# minute boundary. Prints one RESULT line and writes bench/results/<date>-cron-replicas.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
events="${EVENTS:-20000}"
dotnet build bench/cron -c Release -nologo -v quiet >/dev/null
out=$(mktemp)
timeout 600 dotnet bench/cron/bin/Release/net10.0/Arkonis.Bench.Cron.dll replicas "$events" | tee "$out"
date_tag=$(date -u +%Y-%m-%d)
file="bench/results/${date_tag}-cron-replicas.md"
{
  echo "# Cron replicas benchmark, ${date_tag}"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB memory, $(uname -sr); shared with other builds"
  echo "- commit: $(git rev-parse --short HEAD)$(git diff --quiet -- src bench/cron || echo ' (+ local changes)')"
  echo "- command: bench/cron/run-replicas.sh (EVENTS=${events}), Release"
  echo "- method: see bench/cron/Replicas.cs. Each replica is the real CronEvaluator/CronTicker/ConcurrencyGate over its own"
  echo "  catalog; the launcher makes WorkflowRunLauncher's calls (GetWorkflowState, then ScheduleNewWorkflow) against a model"
  echo "  of daprd's workflow actors over one shared store (turn-based actor per run id; a missing state is read from the"
  echo "  store on every query, an existing one is cached after its first load: dapr"
  echo "  pkg/actors/targets/workflow/orchestrator/state.go; a create is one transactional write); the cron watermark is one"
  echo "  read and one ETag write per tick per replica. Replicas tick 0.10, 0.43 and 0.77 s after the boundary (each daprd's"
  echo "  @every 1s has its own phase). RTT: each daprd call and each store operation waits that long (Task.Delay); 0 shows"
  echo "  the dispatcher's own cost. No daprd, no Redis: counts are exact for the model, times are the model's."
  echo
  cat "$out"
} > "$file"
rm -f "$out"
echo "wrote $file"
