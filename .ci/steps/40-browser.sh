#!/usr/bin/env bash
# Real-browser tests (web/tests/browser/): headless Chromium, driven over
# WebDriver by chromedriver, logs in to the axum example and checks the
# 4096-byte cookie limit. Installs Debian's chromium and chromium-driver when
# missing. COOKIE_SEAL_REQUIRE_BROWSER=1 turns the test's "browser missing"
# skip into a failure, so this step cannot pass without really running it.
# Servers bind 127.0.0.1 only; the test stops chromedriver, Chromium and the
# example app and deletes its temporary profile itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "installing Debian's chromium and chromium-driver"
  apt_install chromium chromium-driver
fi
chromium --version
chromedriver --version

# The test starts target/debug/examples/axum_app (of the `web/` workspace
# member); `cargo test --test browser` alone does not build examples, so build
# them first (a no-op after .ci/run's `cargo test --workspace --all-features`).
timeout 1800 cargo build -p cookie-seal-web --examples
COOKIE_SEAL_REQUIRE_BROWSER=1 timeout 900 cargo test -p cookie-seal-web --test browser -- --nocapture
