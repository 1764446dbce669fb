#!/usr/bin/env bash
# MSRV check without an old toolchain (CONTRIBUTING.md explains the method):
# 1. no dependency in Cargo.lock that the crate builds with (normal and build dependencies,
#    any platform, default and all features of this package alone) declares a
#    `rust-version` newer than the crate's own (.ci/msrv.py);
# 2. the crate's own code (library and CLI) uses no std API stabilised after `rust-version`
#    (clippy's `incompatible_msrv`, which reads `rust-version`; denied here whatever the
#    lint levels elsewhere say).
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/apt-install.sh

if ! command -v python3 >/dev/null; then
  echo "== installing python3"
  apt_install python3
fi

python3 .ci/msrv.py
echo "== cargo clippy: incompatible_msrv (library and CLI, all features)"
cargo clippy --quiet -p cookie-seal --all-features --lib --bins -- -A warnings -D clippy::incompatible_msrv
echo "== the locked dependencies and the crate's std API use fit rust-version"
