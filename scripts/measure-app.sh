#!/usr/bin/env bash
# Start-up time and memory of the release build on the benchmark's million-ticket store
# (seeded by `hotline-bench` into the cache directory if missing). Prints JSON; the
# figures also land in tests/artifacts/measure.json.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
tickets="${TICKETS:-1000000}"
store="${HOTLINE_MEASURE_DB:-${XDG_CACHE_HOME:-$HOME/.cache}/hotline-bench/bench-$tickets.db}"
cargo build --release -p hotline-desk -p hotline-bench
if [ ! -f "$store" ]; then
  "$target/release/hotline-bench" --tickets "$tickets" --samples 10 --bulk 100 --store "$store" >/dev/null
fi
export HOTLINE_DESK_BIN="$target/release/hotline-desk" HOTLINE_MEASURE_DB="$store"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  cargo test -p hotline-e2e --test perf -- --ignored --nocapture --test-threads=1
