#!/usr/bin/env python3
"""Reads LoadBench's SUMMARY, LAT, STATUS, MEM and LEFT lines, writes the results file, prints RESULT."""
import datetime
import os
import sys

log, commit, command, out = sys.argv[1:5]
summary, lat, status, mem, left = {}, [], [], [], {}


def pairs(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:])


for line in open(log):
    if line.startswith("SUMMARY "):
        summary = pairs(line)
    elif line.startswith("LAT "):
        lat.append(pairs(line))
    elif line.startswith("STATUS "):
        status.append(pairs(line))
    elif line.startswith("MEM "):
        mem.append({k: float(v) for k, v in pairs(line).items()})
    elif line.startswith("LEFT "):
        left = pairs(line)

duration = float(summary["duration_s"])
during = [m for m in mem if m["t"] <= duration + 1]
after = mem[-1]


def mean(xs):
    return sum(xs) / len(xs)


def window(key, lo, hi):
    return mean([m[key] for m in during if lo <= m["t"] < hi])


def slope(key, since=10.0):
    """Least-squares slope in MB per minute over the samples of the load after the first `since` seconds."""
    pts = [(m["t"], m[key]) for m in during if m["t"] >= since]
    tx, ty = mean([p[0] for p in pts]), mean([p[1] for p in pts])
    num = sum((t - tx) * (y - ty) for t, y in pts)
    den = sum((t - tx) ** 2 for t, _ in pts)
    return 60 * num / den


last_from = duration - 60
live_first, live_last = window("live_mb", 0, 60), window("live_mb", last_from, duration + 1)
rss_first, rss_last = window("rss_mb", 0, 60), window("rss_mb", last_from, duration + 1)
live_ratio, rss_ratio = live_last / live_first, rss_last / rss_first
live_slope, rss_slope = slope("live_mb"), slope("rss_mb")
live_slope_late, rss_slope_late = slope("live_mb", 60.0), slope("rss_mb", 60.0)
by_kind = {l["kind"]: l for l in lat}
async_p99, ceiling_p99 = float(by_kind["Async"]["p99_ms"]), float(by_kind["Ceiling"]["p99_ms"])

cores = os.cpu_count()
mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
load = open("/proc/loadavg").read().split()[:3]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
s = summary
lines = [
    f"# Load on the trigger API, {now}",
    "",
    f"Machine: {cores} cores, {mem_gb:.0f} GiB memory, shared with other builds (load average at the end: {' '.join(load)}).",
    f"Commit `{commit}`. Release build. Command: `{command}`",
    "",
    "The dispatcher runs in process with the embedded runtime of `src/Embedded` (the in-process durable-task server,",
    "the Dapr runtime API, the in-memory state store and pub/sub, the flow-runner sample behind service invocation),",
    "so every accepted fire runs a workflow, one flow per target and their completions. The client is in the same",
    "process, on loopback. Paced load: a fixed count of requests at a fixed rate (at most C in flight), mixing async",
    "fires to three events of 1, 2 and 3 targets (72 %), sync fires (6 %), a wrong token (5 %), an unknown trigger",
    "(5 %), bad JSON (6 %) and an 8 KiB body over a 4 KiB `TriggerApi:MaxBodyBytes` (6 %); beside it, bursts of",
    "valid fires to a fourth event over its rate (`TriggerApi:RatePerSecond` 200, burst 200), so part of each burst",
    "is 429. Every accepted run is read through the run API until it is final, then purged (the workflow state and",
    "the run-id claim), as Dapr's workflow state retention and the claim's TTL do in a cluster. Memory: every",
    "sample forces a full compacting GC, then reads the live heap (GC.GetTotalMemory) and the working set.",
    "The ceiling: a bare minimal-API endpoint that parses the JSON body and answers a fixed 202, in the same process,",
    "paced the same way before the load (latency), and flat out at the end (for scale).",
    "",
    "## Answers",
    "",
    f"{s['requests']} requests in {duration:.0f} s ({s['paced']} paced at {s['rate']}/s, achieved {s['achieved_rps']}/s;"
    f" bursts {s['bursts']} at concurrency 64). Unexpected answers (anything but the kind's own): **{s['unexpected']}**.",
    "",
    "| kind | answers | count | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |",
    "|---|---|---|---|---|---|---|",
]
for l in lat:
    answers = ", ".join(f"{x['status']}: {x['count']}" + ("" if x["expected"] == "True" else " (UNEXPECTED)")
                        for x in status if x["kind"] == l["kind"])
    lines.append(f"| {l['kind']} | {answers} | {l['n']} | {l['p50_ms']} | {l['p90_ms']} | {l['p99_ms']} | {l['max_ms']} |")
lines += [
    "",
    "(Ceiling: paced at the same rate as the load, before it.) Async fire p99 against the ceiling's p99 at the same pace:"
    f" {async_p99 / ceiling_p99:.1f}x. Flat out (concurrency {s['c']}, {os.environ.get('CEILING_N', '5000')} requests) the ceiling answers"
    f" {s['capacity_ceiling_rps']} req/s (p50 {s['capacity_ceiling_p50_ms']} ms, p99 {s['capacity_ceiling_p99_ms']} ms).",
    "",
    "## Accepted runs",
    "",
    f"Accepted: {s['accepted']} ({s['async_202']} async 202, {s['sync_200']} sync 200). Final: {s['final_total']} ({s['final']});"
    f" **lost: {s['lost']}** (404 on read: {s['lost_404']}, not final two minutes after the load: {s['not_final']})."
    f" Run reads answered 429 and retried: {s['poll_429']}. Time from the 202 to the read that saw the run final"
    f" (an upper bound: reads come 1 s after the fire, then every second): p50 {s['time_to_final_p50_ms']} ms, p99 {s['time_to_final_p99_ms']} ms.",
    "",
    "## Memory",
    "",
    "| | first minute (mean) | last minute (mean) | last / first | slope over the load (after 10 s) | slope after the first minute | after the drain |",
    "|---|---|---|---|---|---|---|",
    f"| live heap after full GC (MB) | {live_first:.1f} | {live_last:.1f} | {live_ratio:.2f} | {live_slope:+.2f} MB/min | {live_slope_late:+.2f} MB/min | {after['live_mb']:.1f} |",
    f"| working set (MB) | {rss_first:.1f} | {rss_last:.1f} | {rss_ratio:.2f} | {rss_slope:+.2f} MB/min | {rss_slope_late:+.2f} MB/min | {after['rss_mb']:.1f} |",
    "",
    f"Peak resident: {s['rss_peak_mb']} MB for the whole process (dispatcher, embedded runtime, flow runner, client, ceiling).",
    f"Held per instance or per flow after the drain: {left.get('histories', '?')} workflow histories and"
    f" {left.get('state_keys', '?')} state keys (the warm-up's runs, not purged), {left.get('timers_armed', '?')} armed timers,"
    f" {left.get('patched_instances', '?')} instances with patches; the bounded records (the latest 10,000 each):"
    f" {left.get('flow_starts_kept', '?')} flow starts, {left.get('deliveries_kept', '?')} deliveries, {left.get('starts_kept', '?')}"
    f" workflow starts, and {left.get('correlation_ids', '?')} correlation ids remembered by the flow-runner sample."
    f" The live heap at the start of the load: {mem[0]['live_mb']:.1f} MB.",
    "",
    "Samples (t in s, live heap MB, working set MB, runs not yet seen final):",
    "",
    "    " + "  ".join(f"{m['t']:.0f}:{m['live_mb']:.0f}/{m['rss_mb']:.0f}/{m['pending']:.0f}" for m in mem),
    "",
]
result = (f"RESULT requests={s['requests']} unexpected={s['unexpected']} accepted={s['accepted']} lost={s['lost']}"
          f" rate_limited_429={s['rate_limited_429']} async_p50_ms={by_kind['Async']['p50_ms']} async_p99_ms={async_p99}"
          f" sync_p99_ms={by_kind['Sync']['p99_ms']} ceiling_p99_ms={ceiling_p99} live_mb_first={live_first:.1f}"
          f" live_mb_last={live_last:.1f} live_ratio={live_ratio:.2f} live_slope_mb_per_min={live_slope:+.2f}"
          f" rss_ratio={rss_ratio:.2f} rss_slope_mb_per_min={rss_slope:+.2f} live_mb_start={mem[0]['live_mb']:.1f}"
          f" live_slope_after_1min_mb_per_min={live_slope_late:+.2f} live_mb_after_drain={after['live_mb']:.1f}"
          f" peak_rss_mb={s['rss_peak_mb']}")
lines += ["    " + result, ""]
open(out, "w").write("\n".join(lines))
print(result)
