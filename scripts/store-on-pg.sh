#!/usr/bin/env bash
# The core's tests once more on PostgreSQL: every test that opens its store through
# `testutil::store()` (the store's own, the lifecycle properties, the permission × role
# walk through the registry, the sessions, imports and slips) gets a database of its own
# on a private cluster (tests/pgcluster's with-pg). The tests not yet passing there are
# listed in tests/pg-pending.txt: the stage fails when another test fails, and when a
# listed test passes (take it off the list), so the list only shrinks until the two
# backends behave alike.
set -uo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The core's features as the workspace build has them (the server's postgres, the
# benchmark's internals), so the unit stage's test binary is reused, not rebuilt.
# The tests that start clusters of their own (PostgreSQL's own, the races between
# instances, the comparisons of both databases, the move of a file centre, the backups)
# ran in the unit stage already: not twice.
$CARGO run -q -p hotline-pgcluster --bin with-pg -- \
  $CARGO test -p hotline-core --features postgres,bench-internals --lib -- \
  --skip store::pg_store_tests --skip store::pg_race_tests --skip store::pg_migrate \
  --skip store::relocate --skip store::pg_backup >"$log" 2>&1 || true
mapfile -t failed < <(grep -oE '^test [^ ]+ \.\.\. FAILED' "$log" | awk '{print $2}' | sort -u)
mapfile -t passed < <(grep -oE '^test [^ ]+ \.\.\. ok' "$log" | awk '{print $2}' | sort -u)
mapfile -t pending < <(grep -vE '^\s*(#|$)' tests/pg-pending.txt | sort -u)
status=0
for t in "${failed[@]}"; do
  if ! printf '%s\n' "${pending[@]}" | grep -qxF "$t"; then
    echo "store-on-pg: $t fails on PostgreSQL (it passes on SQLite); it said:"
    # The test's own output, as cargo prints it under the failures.
    awk -v t="---- $t stdout ----" '$0 == t {p = 1; print; next} p && /^---- / {exit} p && /^failures:$/ {exit} p' "$log"
    status=1
  fi
done
for t in "${passed[@]}"; do
  if printf '%s\n' "${pending[@]}" | grep -qxF "$t"; then
    echo "store-on-pg: $t passes on PostgreSQL now: take it off tests/pg-pending.txt"; status=1
  fi
done
echo "store on PostgreSQL: ${#passed[@]} passed, ${#failed[@]} pending of $((${#passed[@]} + ${#failed[@]}))"
if [ ${#passed[@]} -eq 0 ]; then
  echo "store-on-pg: no test ran; the run said:"
  tail -40 "$log"
  status=1
fi
exit $status
