#!/usr/bin/env bash
# Flask interop: install Flask if missing, then run the `flask_interop` test
# binary (tests/flask_interop/) against it with COOKIE_SEAL_REQUIRE_FLASK=1,
# so a missing Flask fails the step instead of skipping the tests. No
# servers: Flask's test client runs in-process inside tests/flask_interop.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

PYTHON="${COOKIE_SEAL_PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  apt_install python3 python3-pip >/dev/null
fi
if ! "$PYTHON" -c 'import flask, itsdangerous' >/dev/null 2>&1; then
  echo "Flask not found: installing Flask 3.1.3 (itsdangerous 2.2.0) with pip"
  timeout 300 "$PYTHON" -m pip install --quiet 'flask==3.1.3' 'itsdangerous==2.2.0' \
    || timeout 300 "$PYTHON" -m pip install --quiet --break-system-packages 'flask==3.1.3' 'itsdangerous==2.2.0'
fi
"$PYTHON" tests/flask_interop.py versions
echo

COOKIE_SEAL_PYTHON="$PYTHON" COOKIE_SEAL_REQUIRE_FLASK=1 \
  timeout 900 cargo test --features flask --test flask_interop -- --nocapture
