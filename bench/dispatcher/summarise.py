"""Summarises the hey CSV files of bench/dispatcher/run.sh: medians of the runs, ratios to the ceiling."""
import csv, os, statistics, subprocess, sys

work, runs, flow_ms, rss_kb, commit, async_c, sync_c, command, out = sys.argv[1:10]
runs, flow_s = int(runs), int(flow_ms) / 1000.0


def read(name):
    rows = list(csv.DictReader(open(os.path.join(work, name + ".csv"))))
    times = sorted(float(r["response-time"]) for r in rows)
    end = max(float(r["offset"]) + float(r["response-time"]) for r in rows)
    codes = {}
    for r in rows:
        codes[r["status-code"]] = codes.get(r["status-code"], 0) + 1
    pct = lambda p: times[min(len(times) - 1, int(round(p / 100.0 * len(times))) - 1)]
    return {"n": len(rows), "rps": len(rows) / end, "p50": pct(50), "p99": pct(99), "codes": codes}


def median(kind, key):
    return statistics.median(read(f"{kind}-{i}")[key] for i in range(1, runs + 1))


def errors(kind, ok):
    total = 0
    for i in range(1, runs + 1):
        total += sum(v for k, v in read(f"{kind}-{i}")["codes"].items() if k != ok)
    return total


c_rps, c_p50, c_p99 = median("ceiling", "rps"), median("ceiling", "p50"), median("ceiling", "p99")
a_rps, a_p50, a_p99 = median("async", "rps"), median("async", "p50"), median("async", "p99")
s_p50, s_p99 = median("sync", "p50") - flow_s, median("sync", "p99") - flow_s
a_err, s_err = errors("async", "202"), errors("sync", "200")
rss_mb = int(rss_kb) / 1024.0
cores = os.cpu_count()
mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024

result = (f"RESULT async_fires_per_s={a_rps:.0f} async_p50_ms={a_p50*1000:.1f} async_p99_ms={a_p99*1000:.1f} "
          f"ceiling_rps={c_rps:.0f} ceiling_p99_ms={c_p99*1000:.1f} async_vs_ceiling={a_rps/c_rps:.2f} "
          f"sync_overhead_p50_ms={s_p50*1000:.1f} sync_overhead_p99_ms={s_p99*1000:.1f} "
          f"errors={a_err + s_err} peak_rss_mb={rss_mb:.0f}")

date = subprocess.run(["date", "-u", "+%Y-%m-%d %H:%M UTC"], capture_output=True, text=True).stdout.strip()
with open(out, "w") as f:
    f.write(f"""# Dispatcher benchmark, {date}

Machine: {cores} cores, {mem_gb:.0f} GiB memory (shared with other builds). Commit `{commit}`. Release build.
Command: `{command}`

The dispatcher runs in process with the test harness's fake Dapr sidecar: the durable-task gRPC server
(Microsoft.DurableTask.InProcessTestHost over an in-memory orchestration service), a Dapr runtime gRPC fake
(secrets, publish) and the flow-runner sample behind service invocation; completions come back as CloudEvents
over HTTP. Each accepted fire really runs: a workflow, a start activity, a flow, a completion, an external event.
The in-process server allows only as many concurrent work items as there are cores and polls for a free
slot every 500 ms; the harness lifts that limit (UnthrottledOrchestrationService), since daprd has no such
step. Sync rounds run first: the async rounds leave tens of thousands of runs working in the background.
Logging at Warning. Load generator: `hey` on loopback, sharing the cores. Figures are medians of {runs} runs,
after a warm-up. The ceiling is a bare minimal-API endpoint that parses the JSON body and answers a fixed 202,
measured the same way in the same run.

| surface | requests | concurrency | throughput (req/s) | p50 (ms) | p99 (ms) | vs ceiling |
|---|---|---|---|---|---|---|
| ceiling: parse JSON, fixed 202 | {read('ceiling-1')['n']} | {async_c} | {c_rps:.0f} | {c_p50*1000:.1f} | {c_p99*1000:.1f} | 1.00 |
| async fire (202 accepted) | {read('async-1')['n']} | {async_c} | {a_rps:.0f} | {a_p50*1000:.1f} | {a_p99*1000:.1f} | {a_rps/c_rps:.2f} throughput, {a_p99/c_p99:.1f}x p99 |
| sync fire, flow of {flow_ms} ms | {read('sync-1')['n']} | {sync_c} | {median('sync', 'rps'):.0f} | {median('sync', 'p50')*1000:.1f} | {median('sync', 'p99')*1000:.1f} | |

Sync overhead (sync response time minus the flow's own {flow_ms} ms): p50 {s_p50*1000:.1f} ms, p99 {s_p99*1000:.1f} ms.
Errors (non-202 async, non-200 sync): {a_err + s_err}. Peak resident memory of the host process (dispatcher,
fake sidecar, durable-task server, flow runner, ceiling): {rss_mb:.0f} MB.

Targets (issue 3, 2 cores): at least 1,000 accepted fires/s; sync overhead p99 under 50 ms.

    {result}
""")
print(result)
