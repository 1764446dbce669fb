#!/usr/bin/env bash
# Fuzz smoke run: every target in fuzz/ for a short, bounded time on nightly.
# A crash (panic, failed assertion, sanitizer report, OOM) fails CI.
# FUZZ_SECONDS (default 30) sets the time per target.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${FUZZ_SECONDS:-30}"

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "== installing the nightly toolchain (cargo-fuzz needs it)"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== cargo +nightly fuzz build"
cargo +nightly fuzz build

targets="$(cargo +nightly fuzz list)"
[ -n "$targets" ] || { echo "no fuzz targets found" >&2; exit 1; }
for target in $targets; do
  # New corpus entries go to a scratch directory; the committed seeds are read-only input.
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
  seeds=()
  [ -d "fuzz/corpus/$target" ] && seeds=("fuzz/corpus/$target")
  echo "== fuzz $target for ${seconds}s"
  if ! cargo +nightly fuzz run "$target" "$work/corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/artifacts/$target/" >"$work/$target.log" 2>&1; then
    tail -n 60 "$work/$target.log"
    for crash in "$work/artifacts/$target"/*; do
      [ -e "$crash" ] || continue
      echo "== crashing input $(basename "$crash") (base64):"
      base64 -w0 "$crash"; echo
    done
    echo "fuzz target $target FAILED" >&2
    exit 1
  fi
  grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^Done' "$work/$target.log" || true
done
echo "== all fuzz targets ran without a crash"
