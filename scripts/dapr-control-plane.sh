#!/usr/bin/env bash
# Starts and stops Dapr's placement and scheduler services for `dapr run -f .` (workflows need both;
# `dapr init --slim` installs them in ~/.dapr/bin but does not start them).
#
#   scripts/dapr-control-plane.sh start    # both in the background; logs and pids in .dapr/control-plane/
#   scripts/dapr-control-plane.sh status
#   scripts/dapr-control-plane.sh stop
#
# Both binaries default to health port 8080 and metrics port 9090 (dapr/dapr cmd/placement/options/options.go,
# cmd/scheduler/options/options.go: --healthz-port 8080; pkg/metrics/options.go: --metrics-port 9090), so started
# side by side with defaults the second exits with "address already in use". This script gives each its own ports,
# the scheduler an explicit data directory under .dapr/ (its default, ./data, lands wherever it is started) and
# --override-broadcast-host-port localhost:<port>, as the Dapr CLI does for its own scheduler
# (dapr/cli pkg/standalone/standalone.go). daprd finds them on their default ports, 50005 and 50006.
#
# Settings (environment): DAPR_BIN (default ~/.dapr/bin), HEALTH_TIMEOUT seconds to wait for /healthz (default 30;
# 0 skips the wait).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${DAPR_BIN:-$HOME/.dapr/bin}"
state="$root/.dapr/control-plane"
health_timeout="${HEALTH_TIMEOUT:-30}"

placement_port=50005
placement_healthz_port=58080
placement_metrics_port=59090
scheduler_port=50006
scheduler_healthz_port=58081
scheduler_metrics_port=59091
scheduler_data_dir="$root/.dapr/scheduler"

placement_args=(
  --port "$placement_port"
  --healthz-port "$placement_healthz_port"
  --metrics-port "$placement_metrics_port"
)
scheduler_args=(
  --port "$scheduler_port"
  --healthz-port "$scheduler_healthz_port"
  --metrics-port "$scheduler_metrics_port"
  --etcd-data-dir "$scheduler_data_dir"
  --override-broadcast-host-port "localhost:$scheduler_port"
)

running() { # name -> 0 when its recorded pid is alive
  local pid_file="$state/$1.pid"
  [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

wait_healthy() { # name healthz-port
  local name="$1" port="$2" waited=0
  while (( waited < health_timeout )); do
    if ! running "$name"; then
      echo "$name exited; the end of $state/$name.log:" >&2
      tail -n 20 "$state/$name.log" >&2 || true
      return 1
    fi
    if command -v curl >/dev/null && curl -fsS -o /dev/null "http://localhost:$port/healthz"; then
      echo "$name healthy (http://localhost:$port/healthz)"
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
  done
  if (( health_timeout > 0 )); then
    echo "$name did not answer http://localhost:$port/healthz within ${health_timeout}s; see $state/$name.log" >&2
    return 1
  fi
  running "$name" || { echo "$name exited; see $state/$name.log" >&2; return 1; }
}

start_one() { # name args...
  local name="$1"; shift
  if running "$name"; then
    echo "$name already running (pid $(cat "$state/$name.pid"))"
    return 0
  fi
  if [[ ! -x "$bin/$name" ]]; then
    echo "$bin/$name not found: install the runtime first (dapr init --slim --runtime-version 1.19.0), or set DAPR_BIN" >&2
    return 1
  fi
  nohup "$bin/$name" "$@" >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
  echo "$name started (pid $!, log $state/$name.log): $bin/$name $*"
}

stop_one() { # name
  local name="$1" pid_file="$state/$1.pid"
  if ! running "$name"; then
    rm -f "$pid_file"
    echo "$name not running"
    return 0
  fi
  local pid
  pid="$(cat "$pid_file")"
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
  fi
  rm -f "$pid_file"
  echo "$name stopped (pid $pid)"
}

case "${1:-}" in
  start)
    mkdir -p "$state" "$scheduler_data_dir"
    start_one placement "${placement_args[@]}"
    start_one scheduler "${scheduler_args[@]}"
    wait_healthy placement "$placement_healthz_port"
    wait_healthy scheduler "$scheduler_healthz_port"
    ;;
  stop)
    stop_one scheduler
    stop_one placement
    ;;
  status)
    for name in placement scheduler; do
      if running "$name"; then echo "$name running (pid $(cat "$state/$name.pid"))"; else echo "$name not running"; fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
