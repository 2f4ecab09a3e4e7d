#!/usr/bin/env bash
# Admission benchmark: loads the admission service (Release, plain HTTP on loopback, logging Warning) and a bare
# ASP.NET Core endpoint that parses the AdmissionReview and answers a fixed one (the ceiling), with the same
# mix of valid and invalid ArkEvent AdmissionReviews, at concurrency 1, 16 and 64; three runs each, medians.
# Prints one RESULT line and writes bench/results/<date>-admission.md.
#   N=20000 RUNS=3 CONCURRENCY="1 16 64" bench/admission/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
N=${N:-20000}
RUNS=${RUNS:-3}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
ADMISSION_PORT=${ADMISSION_PORT:-18443}
CEILING_PORT=${CEILING_PORT:-18444}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v hey >/dev/null; then
  # A fresh machine has no package lists yet; sudo only where we are not root already (containers have no sudo).
  apt=(apt-get); [ "$(id -u)" -eq 0 ] || apt=(sudo -n apt-get)
  "${apt[@]}" install -y hey >/dev/null 2>&1 || { "${apt[@]}" update >/dev/null && "${apt[@]}" install -y hey >/dev/null; }
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

echo "building Release ..." >&2
dotnet publish src/Admission/Arkonis.Admission.csproj -c Release -o "$work/admission" >/dev/null
dotnet publish bench/admission/Ceiling/Arkonis.Bench.AdmissionCeiling.csproj -c Release -o "$work/ceiling" >/dev/null
python3 bench/admission/make-reviews.py "$root" "$work/reviews" >&2
bodies=("$work"/reviews/*.json)

# Same runtime settings for both: workstation GC and the gen0 budget of deploy/admission/deployment.yaml, Warning logs.
gen0=$(grep -A1 'name: DOTNET_GCgen0size' deploy/admission/deployment.yaml | sed -n 's/.*value: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p')
[ -n "$gen0" ] || { echo "no DOTNET_GCgen0size in deploy/admission/deployment.yaml" >&2; exit 1; }
export DOTNET_gcServer=0 DOTNET_GCgen0size=$gen0 Logging__LogLevel__Default=Warning ASPNETCORE_ENVIRONMENT=Production
Admission__Tls__Enabled=false Admission__ListenAddress=127.0.0.1 Admission__Port=$ADMISSION_PORT \
  dotnet "$work/admission/Arkonis.Admission.dll" >"$work/admission.log" 2>&1 &
admission_pid=$!; pids+=("$admission_pid")
ASPNETCORE_URLS=http://127.0.0.1:$CEILING_PORT dotnet "$work/ceiling/Arkonis.Bench.AdmissionCeiling.dll" >"$work/ceiling.log" 2>&1 &
ceiling_pid=$!; pids+=("$ceiling_pid")

wait_up() {
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null -H 'Content-Type: application/json' --data-binary @"${bodies[0]}" "$1"; then return 0; fi
    sleep 0.1
  done
  echo "service at $1 did not come up" >&2; cat "$work"/*.log >&2; exit 1
}
admission_url=http://127.0.0.1:$ADMISSION_PORT/validate-arkevent
ceiling_url=http://127.0.0.1:$CEILING_PORT/validate-arkevent
wait_up "$admission_url"; wait_up "$ceiling_url"

# One measurement: the bodies share the load (one hey per body, together at concurrency c; one after the
# other at c=1), all response times merged.
measure() { # url c n tag
  local url=$1 c=$2 n=$3 tag=$4 k=${#bodies[@]} csvs=() start end
  start=$(date +%s.%N)
  if [ "$c" -ge "$k" ]; then
    local i=0 hey_pids=()
    for b in "${bodies[@]}"; do
      hey -n $((n / k)) -c $((c / k)) -m POST -T application/json -D "$b" -o csv "$url" >"$work/$tag.$i.csv" &
      hey_pids+=("$!"); csvs+=("$work/$tag.$i.csv"); i=$((i + 1))
    done
    wait "${hey_pids[@]}"
  else
    local i=0
    for b in "${bodies[@]}"; do
      hey -n $((n / k)) -c "$c" -m POST -T application/json -D "$b" -o csv "$url" >"$work/$tag.$i.csv"
      csvs+=("$work/$tag.$i.csv"); i=$((i + 1))
    done
  fi
  end=$(date +%s.%N)
  python3 bench/admission/merge-hey.py "$(echo "$end - $start" | bc -l)" "${csvs[@]}"
}

echo "warming up ..." >&2
measure "$admission_url" 16 8000 warm-a >/dev/null
measure "$ceiling_url" 16 8000 warm-c >/dev/null

results="$work/results.jsonl"
for run in $(seq 1 "$RUNS"); do
  for c in $CONCURRENCY; do
    for target in ceiling admission; do
      url=$ceiling_url; [ "$target" = admission ] && url=$admission_url
      line=$(measure "$url" "$c" "$N" "$target-$c-$run")
      echo "{\"target\":\"$target\",\"c\":$c,\"run\":$run,\"m\":$line}" >>"$results"
      echo "run $run c=$c $target: $line" >&2
    done
  done
done

# The service's own view: its request-duration histogram (handler time, without the client and the socket).
curl -fsS "http://127.0.0.1:$ADMISSION_PORT/metrics" >"$work/metrics.txt"

rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
admission_rss=$(rss_kb "$admission_pid"); ceiling_rss=$(rss_kb "$ceiling_pid")

mkdir -p bench/results
date_tag=$(date -u +%Y-%m-%d)
report=bench/results/$date_tag-admission.md
python3 - "$results" "$admission_rss" "$ceiling_rss" "$report" "$N" "$RUNS" "$CONCURRENCY" "$work/metrics.txt" "$gen0" <<'PY'
import json, re, statistics, subprocess, sys, platform, os
path, a_rss, c_rss, report, n, runs, conc, metrics, gen0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9]
buckets = {}
for line in open(metrics):
    m = re.match(r'arkevent_admission_request_duration_seconds_bucket\{operation="validate",result="\w+",le="([^"]+)"\} (\S+)', line)
    if m:
        buckets[m.group(1)] = buckets.get(m.group(1), 0) + float(m.group(2))
share = lambda le: 100 * buckets.get(le, 0) / buckets["+Inf"]
server_side = f"{share('0.001'):.2f} % of all validate requests (warm-up included) took at most 1 ms inside the service, {share('0.005'):.2f} % at most 5 ms"
rows = [json.loads(l) for l in open(path)]
def med(target, c, key):
    return statistics.median(r["m"][key] for r in rows if r["target"] == target and r["c"] == c)
levels = sorted({r["c"] for r in rows})
errors = sum(r["m"]["errors"] for r in rows if r["target"] == "admission")
mem_total = next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")) 
commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"]).decode().strip()
result = []
table = ["| concurrency | admission req/s | ceiling req/s | ratio | admission p50 ms | admission p99 ms | ceiling p99 ms | p99 ratio | errors |",
         "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for c in levels:
    a_rps, c_rps = med("admission", c, "rps"), med("ceiling", c, "rps")
    a_p50, a_p99, c_p99 = med("admission", c, "p50"), med("admission", c, "p99"), med("ceiling", c, "p99")
    err = sum(r["m"]["errors"] for r in rows if r["target"] == "admission" and r["c"] == c)
    table.append(f"| {c} | {a_rps:,.0f} | {c_rps:,.0f} | {a_rps / c_rps:.2f} | {a_p50:.2f} | {a_p99:.2f} | {c_p99:.2f} | {a_p99 / c_p99:.2f} | {err} |")
    result += [f"c{c}_rps={a_rps:.0f}", f"c{c}_rps_ratio={a_rps / c_rps:.2f}", f"c{c}_p50_ms={a_p50:.2f}", f"c{c}_p99_ms={a_p99:.2f}", f"c{c}_p99_ratio={a_p99 / c_p99:.2f}"]
result += [f"rss_mb={a_rss / 1024:.0f}", f"ceiling_rss_mb={c_rss / 1024:.0f}", f"errors={errors}", f"server_le_1ms_pct={share('0.001'):.2f}"]
top = max(levels)
top_p99, top_ratio = med("admission", top, "p99"), med("admission", top, "p99") / med("ceiling", top, "p99")
rps_ok = all(med("admission", c, "rps") >= 0.5 * med("ceiling", c, "rps") for c in levels)
mem_ok = a_rss / 1024 < 100
c_top_p99 = med("ceiling", top, "p99")
p99_verdict = ("met" if top_p99 < 5 else
               f"NOT met: the issue states no latency ratio to the ceiling (BENCHMARKS.md would accept one), so the absolute 5 ms stands"
               + (f", and the bare ceiling itself takes {c_top_p99:.1f} ms here" if c_top_p99 >= 5 else ""))
verdict = f"p99 at c{top} under 5 ms: {top_p99:.1f} ms, {top_ratio:.2f}x the ceiling's p99 in the same run, {p99_verdict}; throughput at least half of the ceiling at every level: {'met' if rps_ok else 'NOT met'}; peak RSS under 100 MB: {'met' if mem_ok else 'NOT met'} ({a_rss / 1024:.0f} MB, ceiling {c_rss / 1024:.0f} MB)"
with open(report, "w") as f:
    f.write(f"""# Admission webhook benchmark ({report.split('/')[-1][:10]})

Command: `N={n} RUNS={runs} CONCURRENCY="{conc}" bench/admission/run.sh` at commit `{commit}`.
Machine: {os.cpu_count()} cores, {int(mem_total) // 1024} MiB RAM, {platform.platform()}; load generator `hey` on the same cores, over loopback.

Load: a mix of four kube-apiserver-shaped AdmissionReviews (`POST /validate-arkevent`) built from deploy/examples:
two valid (webhook, cron with time zone) and two invalid (bad cron; unknown type + bad concurrencyPolicy); one `hey`
per body running together (one after the other at concurrency 1), {n} requests per measurement, median of {runs} runs,
after a warm-up. Both services: Release, workstation GC with the Deployment's gen0 budget ({gen0}), logging at Warning; the
admission service also with the settings of its own runtimeconfig (tiered PGO off, see src/Admission/Arkonis.Admission.csproj),
the ceiling with the runtime's defaults. The ceiling (`bench/admission/Ceiling`) parses the body with JsonDocument, echoes
the uid and answers a fixed AdmissionReview.

{chr(10).join(table)}

Peak resident memory (VmHWM): admission {a_rss / 1024:.0f} MB, ceiling {c_rss / 1024:.0f} MB.

Server side (the service's own `arkevent_admission_request_duration_seconds` histogram): {server_side}. The
client-side percentiles above also hold `hey`, the sockets and the scheduler of a shared 2-core machine.

Targets (issue 2): {verdict}.

`RESULT {' '.join(result)}`
""")
print("RESULT " + " ".join(result))
PY
echo "wrote $report" >&2
