"""Fails when a locked dependency declares a rust-version newer than the crate's.

Reads `cargo metadata --format-version 1 --locked [feature flags]` on stdin; argv[1] names
the feature set in the output. Counts what a user of the crate builds: dependencies reached
through normal or build edges (any platform), never through the root's dev-dependencies.
"""

import json
import sys


def version(text):
    parts = [int(x) for x in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def dotted(v):
    return ".".join(map(str, v))


label = sys.argv[1]
meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]

declared = packages[root]["rust_version"]
if not declared:
    sys.exit("Cargo.toml declares no rust-version")
msrv = version(declared)

seen, stack = set(), [root]
while stack:
    node = stack.pop()
    for dep in nodes[node]["deps"]:
        if all(kind["kind"] == "dev" for kind in dep["dep_kinds"]):
            continue
        if dep["pkg"] not in seen:
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])

needs = sorted(
    (
        (version(packages[p]["rust_version"]), packages[p]["name"], packages[p]["version"])
        for p in seen
        if packages[p]["rust_version"]
    ),
    reverse=True,
)
top = needs[0][0] if needs else (0, 0, 0)
names = ", ".join(f"{name} {ver}" for need, name, ver in needs if need == top)
print(
    f"{label}: {len(seen)} dependencies, the highest rust-version is {dotted(top)} "
    f"({names}); declared {declared}"
)
too_new = [f"  {name} {ver} needs Rust {dotted(need)}" for need, name, ver in needs if need > msrv]
if too_new:
    sys.exit(
        f"dependencies newer than rust-version {declared}:\n"
        + "\n".join(too_new)
        + "\npick older versions (`cargo update -p NAME --precise VERSION`; the resolver setting"
        " in .cargo/config.toml prefers compatible ones) or raise rust-version"
    )
