#!/usr/bin/env bash
# The Python package (python/, issue 21): in a fresh virtualenv, install the
# test tools, build and install the abi3 wheel with `pip install ./python`
# (pyproject.toml's maturin build backend), build the Rust peer of the
# cross-language test (python/tests/rust_peer, an axum service), then run
# pytest: the binding, Flask, Starlette and FastAPI, and the cross-language
# test. CI=true makes a missing piece (Flask, Starlette, the peer) fail
# instead of skip. Versions are pinned to the ones the suite was written on.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

PYTHON="${COOKIE_SEAL_PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  apt_install python3 python3-pip python3-venv >/dev/null
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if ! "$PYTHON" -m venv "$WORK/venv" >/dev/null 2>&1; then
  apt_install python3-venv >/dev/null
  "$PYTHON" -m venv "$WORK/venv"
fi
VENV_PYTHON="$WORK/venv/bin/python"

echo "== pip install the test tools (fresh virtualenv)"
timeout 600 "$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check \
  'maturin==1.16.0' 'flask==3.1.3' 'itsdangerous==2.2.0' 'starlette==1.10.0' \
  'fastapi==0.165.0' 'httpx==0.29.0' 'pytest==9.2.0'

echo "== pip install ./python (maturin builds the abi3 wheel)"
timeout 1200 "$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check ./python
"$VENV_PYTHON" -c 'import cookie_seal, sys; print("cookie_seal", cookie_seal.__version__, "on Python", sys.version.split()[0])'

echo "== the Rust peer of the cross-language test"
timeout 1200 cargo build --quiet -p cookie-seal-py --example rust_peer
PEER="$(cargo metadata --format-version 1 --no-deps | "$VENV_PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/examples/rust_peer"

echo "== pytest python/tests"
# From the repository root, so that `cookie_seal` is the installed wheel, not
# the source folder (which has no compiled module).
CI=true COOKIE_SEAL_RUST_PEER="$PEER" \
  timeout 600 "$VENV_PYTHON" -m pytest python/tests -q -p no:cacheprovider
