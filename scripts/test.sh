#!/usr/bin/env bash
# Install everything; check format, lint, the import contracts and types; then run the whole suite twice,
# side by side: on the embedded default (SQLite + local disk), and on PostgreSQL + S3 + Redis started by
# scripts/services.sh. The two runs share nothing but the machine (every server has its own port, data
# directory and pytest temp directory), and most of a run's time is spent waiting on servers and
# browsers, so together they take little longer than the slower one alone.
# Arguments go to both pytest runs; IMGHOST_TEST_SERIAL=1 runs them one after the other instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
export PATH="$PWD/.venv/bin:$PATH"
echo "== checks: format, lint, layer contracts, types"
ruff format --check --quiet src tests bench
ruff check --quiet src tests bench
lint-imports --no-cache >/dev/null || lint-imports --no-cache   # quiet when kept, the full report when broken
mypy

RUNS=$(mktemp -d /tmp/imghost-tests.XXXXXX)
trap 'rm -rf "$RUNS"' EXIT

embedded() {
  python -m pytest -q -p no:cacheprovider --basetemp="$RUNS/embedded" "$@"
}
scale_out() {
  # services.sh stops its servers when this subshell exits.
  (
    source scripts/services.sh
    python -m pytest -q -p no:cacheprovider --basetemp="$RUNS/scale-out" "$@"
  )
}

if [ "${IMGHOST_TEST_SERIAL:-}" = 1 ]; then
  echo "== embedded default: SQLite + local disk + in-process limits"
  embedded "$@"
  echo "== scale-out: PostgreSQL + S3 + Redis"
  scale_out "$@"
  exit 0
fi

echo "== embedded default (SQLite + local disk) and scale-out (PostgreSQL + S3 + Redis), side by side"
embedded "$@" >"$RUNS/embedded.log" 2>&1 &
e_pid=$!
scale_out "$@" >"$RUNS/scale-out.log" 2>&1 &
s_pid=$!
# A line a minute, so that a long run shows it is alive.
(
  while sleep 60; do
    printf '   embedded: %s | scale-out: %s\n' \
      "$(tail -c 200 "$RUNS/embedded.log" 2>/dev/null | grep -o '\[ *[0-9]*%\]' | tail -1)" \
      "$(tail -c 200 "$RUNS/scale-out.log" 2>/dev/null | grep -o '\[ *[0-9]*%\]' | tail -1)"
  done
) &
ticker=$!
e_rc=0 s_rc=0
wait "$e_pid" || e_rc=$?
wait "$s_pid" || s_rc=$?
kill "$ticker" 2>/dev/null || true
echo "== embedded default: SQLite + local disk + in-process limits (exit $e_rc)"
cat "$RUNS/embedded.log"
echo "== scale-out: PostgreSQL + S3 + Redis (exit $s_rc)"
cat "$RUNS/scale-out.log"
[ "$e_rc" = 0 ] && [ "$s_rc" = 0 ]
