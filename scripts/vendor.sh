#!/usr/bin/env bash
# Refreshes the vendored browser libraries from the npm registry (pinned versions; the
# app never loads anything remote). Run by hand when upgrading; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
CHARTJS=4.6.1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "chart.js@$CHARTJS" >/dev/null && tar xzf chart.js-*.tgz)
cp "$tmp/package/dist/chart.umd.min.js" ui/vendor/chart.umd.min.js
cp "$tmp/package/LICENSE.md" ui/vendor/chart.js.LICENSE.md
echo "chart.js $CHARTJS" > ui/vendor/VERSIONS
echo "vendored chart.js $CHARTJS"
