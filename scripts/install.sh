#!/usr/bin/env bash
# Install imghost into ./.venv (and, as root on Debian, the system packages the tests use).
set -euo pipefail
cd "$(dirname "$0")/.."
WITH_TEST=${1:-}
if [ "$WITH_TEST" = "--test" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # Chromium drives the browser tests (Playwright uses Debian's build; it downloads no browser of its own).
  if ! command -v redis-server >/dev/null || ! command -v curl >/dev/null || ! command -v chromium >/dev/null; then
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server curl chromium >/dev/null
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
.venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
