#!/usr/bin/env bash
# `make test`: every check, each stage timed. One cargo build serves every stage: the
# workspace is compiled once, with clippy as its compiler (`-D warnings`, the same lints as
# `cargo clippy --all-targets`), and the same selection and features every time, so the
# unit and end-to-end stages reuse it instead of building the crates again.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
export RUSTC_WORKSPACE_WRAPPER="${RUSTC_WORKSPACE_WRAPPER:-$(rustc --print sysroot)/bin/clippy-driver}"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# The end-to-end tests are #[ignore]d in the unit stage (they need the built app, a display
# and a session bus) and run alone in their own stage (scripts/e2e.sh).

times=()
stage() {
  local name=$1 t0
  shift
  t0=$(date +%s)
  echo "== $name: $*"
  "$@"
  times+=("$name $(($(date +%s) - t0))")
}
summary() {
  local status=$?
  echo
  echo "stage times (s):"
  for t in "${times[@]}"; do printf '  %-6s %6s\n' $t; done
  return $status
}
trap summary EXIT

stage fmt $CARGO fmt --all -- --check
stage build $CARGO test --workspace --tests --no-run
stage unit $CARGO test --workspace --tests
# The store's tests again with their stores on a private PostgreSQL cluster.
stage pg env CARGO="$CARGO" scripts/store-on-pg.sh
stage ui node --test tests/ui/
# The packages from this build (the desk's by Tauri's bundler), checked with dpkg-deb, rpm
# and systemd-analyze.
stage package bash -c 'scripts/package.sh --debug >/dev/null && scripts/check-packages.sh' 
stage e2e env CARGO="$CARGO" scripts/e2e.sh
