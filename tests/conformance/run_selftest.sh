#!/bin/sh
# Self-test of the differential oracle. Run from anywhere after `npm ci` in
# tests/conformance:
#   sh tests/conformance/run_selftest.sh
# 1. exports the selftest fixture and compares it with selftest/expected.json;
# 2. compares the oracle's entry-point rule with Convex's own entryPoints().
# To accept a deliberate change of the fixture or of the pinned convex:
#   node tests/conformance/export_project.mjs tests/conformance/selftest/convex \
#     > tests/conformance/selftest/expected.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
actual=$(mktemp)
trap 'rm -f "$actual"' EXIT

node "$here/export_project.mjs" "$here/selftest/convex" >"$actual"
if diff -u "$here/selftest/expected.json" "$actual"; then
  echo "export: OK"
else
  echo "export: MISMATCH (see diff above)" >&2
  exit 1
fi

if ! report=$(node "$here/selftest/check_entry_points.mjs"); then
  echo "$report" >&2
  exit 1
fi
echo "entry points: OK"
