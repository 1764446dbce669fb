#!/usr/bin/env bash
# Runs the benchmarks and rewrites the results in BENCHMARKS.md and benches/results.svg.
#   bash benches/run.sh            # ~10 minutes; run on a quiet machine
# Records the load average before and after, since other work skews the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(cut -d' ' -f1-3 /proc/loadavg)
# redis_peers needs a Redis server (COOKIE_SEAL_BENCH_REDIS_URL); it runs on its own, see
# BENCHMARKS.md "Redis sessions".
cargo bench -p cookie-seal-benches --bench codec --bench primitives --bench values
cargo bench -p cookie-seal-web --bench peers
python3 benches/flask_baseline.py
after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 benches/report.py --load "$before / $after"
