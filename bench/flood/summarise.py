#!/usr/bin/env python3
"""Reads the RUN lines of FloodBench, writes the results file (medians of the runs, ratios to the ceiling), prints RESULT."""
import os
import statistics
import sys

log, commit, command, out = sys.argv[1:5]
runs, rss_kb = [], None
for line in open(log):
    if line.startswith("RUN "):
        runs.append({k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])})
    elif line.startswith("RSS_PEAK_KB="):
        rss_kb = int(line.split("=")[1])

def med(key):
    return statistics.median(r[key] for r in runs)

def ratio(a, b):
    return statistics.median(r[a] / r[b] for r in runs)

def each(key, fmt="{:.0f}"):
    return ", ".join(fmt.format(r[key]) for r in runs)

cores = os.cpu_count()
mem_gb = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
n = int(runs[0]["flood_n"])
reads = med("flood_reads")
lines = [
    f"# Flood of unauthenticated fires to random trigger names ({command.split()[-1]})",
    "",
    f"Machine: {cores} cores, {mem_gb:.1f} GB, shared. Commit {commit}. Command: `{command}`.",
    f"Release build, loopback, the dispatcher in process with the embedded Dapr runtime; logging at Warning.",
    f"Each figure is the median of {len(runs)} runs (the runs themselves in brackets).",
    "",
    "## Secret-store reads under the flood",
    "",
    f"{n:,} POSTs, each to a new random 5-letter name with a wrong token, concurrency {int(runs[0]['c'])}, "
    "per-client limit lifted (so every request reaches authentication):",
    "",
    "| | value |",
    "|---|---|",
    f"| secret reads during the flood (all of them, the background refresh of the one real trigger included) | {reads:.0f} [{each('flood_reads')}] |",
    f"| reads per request | {reads / n:.6f} (before this change: 1) |",
    f"| answers 401 / other | {med('flood_401'):.0f} / {med('flood_other'):.0f} |",
    f"| throughput | {med('flood_rps'):,.0f} req/s [{each('flood_rps')}]; ceiling {med('ceiling_rps'):,.0f} req/s [{each('ceiling_rps')}]; ratio {ratio('flood_rps', 'ceiling_rps'):.2f} |",
    f"| p50 | {med('flood_p50_us'):.0f} µs; ceiling {med('ceiling_p50_us'):.0f} µs; ratio {med('flood_p50_us') / med('ceiling_p50_us'):.2f} |",
    f"| p99 | {med('flood_p99_us'):.0f} µs; ceiling {med('ceiling_p99_us'):.0f} µs; ratio {med('flood_p99_us') / med('ceiling_p99_us'):.2f} |",
    "",
    "With the default per-client limit (1,000/s, burst 2,000), the same flood from one client:",
    "",
    f"| answers 401 / 429 | {med('limited_401'):.0f} / {med('limited_429'):.0f} [{each('limited_429')} x 429] |",
    "|---|---|",
    f"| secret reads (the background refresh of the one real trigger, by both dispatchers) | {med('limited_reads'):.0f} [{each('limited_reads')}] |",
    f"| throughput (all answers) | {med('limited_rps'):,.0f} req/s |",
    "",
    "## Known versus unknown name (a wrong token), concurrency 1, interleaved",
    "",
    f"{int(runs[0]['timing_n']):,} requests of each, alternating which goes first; the known trigger's tokens are kept fresh",
    "in the background, and a wrong token for it is rechecked against the store at most once a second.",
    "",
    "| | p50 | p99 |",
    "|---|---|---|",
    f"| known trigger, wrong token | {med('known_p50_us'):.1f} µs [{each('known_p50_us', '{:.1f}')}] | {med('known_p99_us'):.1f} µs [{each('known_p99_us', '{:.1f}')}] |",
    f"| unknown name | {med('unknown_p50_us'):.1f} µs [{each('unknown_p50_us', '{:.1f}')}] | {med('unknown_p99_us'):.1f} µs [{each('unknown_p99_us', '{:.1f}')}] |",
    f"| ratio known / unknown (median of the runs' ratios) | {ratio('known_p50_us', 'unknown_p50_us'):.3f} | {ratio('known_p99_us', 'unknown_p99_us'):.3f} |",
    f"| ceiling (bare 401) | {med('timing_ceiling_p50_us'):.1f} µs | {med('timing_ceiling_p99_us'):.1f} µs |",
    f"| ratio unknown / ceiling (median of the runs' ratios) | {ratio('unknown_p50_us', 'timing_ceiling_p50_us'):.2f} | {ratio('unknown_p99_us', 'timing_ceiling_p99_us'):.2f} |",
    "",
    f"Peak resident memory of the bench process (two dispatchers, the embedded runtime, the ceiling, the client): {rss_kb / 1024:.0f} MB.",
    "",
]
with open(out, "w") as f:
    f.write("\n".join(lines))
print(f"RESULT reads_per_request={reads / n:.6f} flood_rps={med('flood_rps'):.0f} flood_rps_ratio={ratio('flood_rps', 'ceiling_rps'):.2f} "
      f"limited_429={med('limited_429'):.0f} known_p50_us={med('known_p50_us'):.1f} unknown_p50_us={med('unknown_p50_us'):.1f} "
      f"known_p99_us={med('known_p99_us'):.1f} unknown_p99_us={med('unknown_p99_us'):.1f}")
