#!/usr/bin/env python3
"""Merges hey CSV outputs of one measurement: throughput over the wall time, p50/p99 over all requests, errors."""
import csv, json, sys

wall = float(sys.argv[1])
times, errors = [], 0
for path in sys.argv[2:]:
    with open(path) as f:
        for row in csv.DictReader(f):
            times.append(float(row["response-time"]))
            if row["status-code"] != "200":
                errors += 1
times.sort()
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
print(json.dumps({"requests": len(times), "rps": len(times) / wall, "p50": pick(0.50), "p99": pick(0.99), "errors": errors}))
