#!/usr/bin/env bash
# Install everything; check format, lint, the import contracts and types; then run the whole suite twice:
# on the embedded default (SQLite + local disk), then on PostgreSQL + S3 + Redis started by scripts/services.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
export PATH="$PWD/.venv/bin:$PATH"
echo "== checks: format, lint, layer contracts, types"
ruff format --check --quiet src tests bench
ruff check --quiet src tests bench
lint-imports --no-cache >/dev/null || lint-imports --no-cache   # quiet when kept, the full report when broken
mypy
echo "== embedded default: SQLite + local disk + in-process limits"
python -m pytest -q -p no:cacheprovider "$@"
echo "== scale-out: PostgreSQL + S3 + Redis"
(
  source scripts/services.sh
  python -m pytest -q -p no:cacheprovider "$@"
)
