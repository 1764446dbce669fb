#!/usr/bin/env bash
# The API docs as docs.rs builds them (nightly, all features, --cfg docsrs, so `doc(cfg)`
# labels show), and as a stable `cargo doc` builds them: no warning, no broken intra-doc link.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== cargo doc (stable, all features, -D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --all-features --no-deps

if ! rustup toolchain list | grep -q '^nightly'; then
  echo "== installing the nightly toolchain (docs.rs builds with it)"
  rustup toolchain install nightly --profile minimal
fi
echo "== cargo +nightly doc (the docs.rs settings: all features, --cfg docsrs, -D warnings)"
RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo +nightly doc --all-features --no-deps
