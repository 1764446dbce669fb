"""Fails when a locked dependency declares a rust-version newer than the crate's.

For the default features and for all features, lists what a user of the crate builds
(`cargo tree -p cookie-seal -e no-dev --target all`: normal and build dependencies on any
platform, never the dev-dependencies, with the features of this package alone rather than
unified with the workspace's other members) and compares each one's `rust-version`, from
`cargo metadata`, with the crate's own. Run from the repository root.
"""

import json
import subprocess
import sys

PACKAGE = "cookie-seal"


def cargo(*args):
    return subprocess.run(["cargo", *args], check=True, capture_output=True, text=True).stdout


def version(text):
    parts = [int(x) for x in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def dotted(v):
    return ".".join(map(str, v))


# --all-features: the package table then holds every optional dependency too.
meta = json.loads(cargo("metadata", "--format-version", "1", "--locked", "--all-features"))
rust_version = {(p["name"], p["version"]): p["rust_version"] for p in meta["packages"]}
declared = next(p["rust_version"] for p in meta["packages"] if p["name"] == PACKAGE)
if not declared:
    sys.exit(f"{PACKAGE} declares no rust-version")
msrv = version(declared)

failed = False
for label, flags in (("default features", []), ("all features", ["--all-features"])):
    tree = cargo(
        "tree", "--locked", "-p", PACKAGE, *flags,
        "-e", "no-dev", "--target", "all", "--prefix", "none", "-f", "{p}",
    )
    deps = set()
    for line in tree.splitlines():
        name, ver = line.split()[:2]
        if name != PACKAGE:
            deps.add((name, ver.removeprefix("v")))
    unknown = sorted(f"{name} {ver}" for name, ver in deps if (name, ver) not in rust_version)
    if unknown:
        sys.exit(f"cargo metadata does not list: {', '.join(unknown)}")
    needs = sorted(
        ((version(rust_version[d]), *d) for d in deps if rust_version[d]), reverse=True
    )
    top = needs[0][0] if needs else (0, 0, 0)
    names = ", ".join(f"{name} {ver}" for need, name, ver in needs if need == top)
    print(f"{label}: {len(deps)} dependencies, the highest rust-version is {dotted(top)} "
          f"({names}); declared {declared}")
    for need, name, ver in needs:
        if need > msrv:
            failed = True
            print(f"  {name} {ver} needs Rust {dotted(need)}", file=sys.stderr)

if failed:
    sys.exit(
        f"dependencies newer than rust-version {declared}: pick older versions (`cargo update "
        "-p NAME --precise VERSION`; the resolver setting in .cargo/config.toml prefers "
        "compatible ones) or raise rust-version"
    )
