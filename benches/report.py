#!/usr/bin/env python3
"""Turns one benchmark run into the tables of BENCHMARKS.md and benches/results.svg.

    python3 benches/report.py [--load "1.02 0.98 0.91 / 1.10 1.00 0.95"]

Reads criterion's medians (target/criterion/<group>/<id>/new/estimates.json),
the token sizes the codec bench wrote (target/criterion/token_sizes.json) and
the Flask numbers (target/criterion/flask_baseline.json), then replaces the
text between the `results:begin` and `results:end` markers in BENCHMARKS.md
and rewrites benches/results.svg. benches/run.sh runs everything in order.
"""
import argparse
import json
import pathlib
import re
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRITERION = ROOT / "target" / "criterion"
SIZES = ["small", "medium", "large"]

LABELS = {
    "cookie-seal_signed": "cookie-seal signed (default: Auto)",
    "cookie-seal_signed_never": "cookie-seal signed, Never",
    "cookie-seal_sealed": "cookie-seal sealed (default: Never)",
    "cookie-seal_sealed_auto": "cookie-seal sealed, Auto",
    "cookie-seal_sealed_os_nonce": "cookie-seal sealed, NonceSource::Os",
    "cookie-seal_signed_map": "cookie-seal signed, `SessionMap`",
    "cookie-seal_sealed_map": "cookie-seal sealed, `SessionMap`",
    "floor_signed": "floor signed (postcard+HMAC+base64)",
    "floor_sealed": "floor sealed (postcard+XChaCha20-Poly1305+base64)",
    "cookie_SignedJar": "`cookie` SignedJar (JSON)",
    "cookie_PrivateJar": "`cookie` PrivateJar (JSON, AES-256-GCM)",
    "branca": "branca (JSON)",
    "fernet": "fernet (JSON)",
    "pasetors_v4_local": "pasetors v4.local (JSON claims)",
}


def median_ns(direction, size, ident):
    path = CRITERION / f"{direction}_{size}" / ident / "new" / "estimates.json"
    try:
        return json.loads(path.read_text())["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def fmt_time(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def tick_label(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:g} {unit}"
    return f"{ns:g} ns"


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def machine():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown machine"
    fields = dict(
        (k.strip(), v.strip())
        for k, _, v in (line.partition(":") for line in out.splitlines())
        if v
    )
    return (
        f"{fields.get('Model name', '?')}, {fields.get('CPU(s)', '?')} cores "
        f"({fields.get('Hypervisor vendor', 'bare metal')} guest), "
        f"rustc {rustc_version()}"
    )


def rustc_version():
    try:
        out = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout
        return out.split()[1]
    except (OSError, IndexError):
        return "?"


def timing_table(direction, flask):
    rows = [f"| {direction} | " + " | ".join(SIZES) + " |", "|---|" + "---:|" * len(SIZES)]
    for ident, label in LABELS.items():
        cells = [fmt_time(median_ns(direction, s, ident)) for s in SIZES]
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
    key = "dumps_ns" if direction == "encode" else "loads_ns"
    name = "dumps" if direction == "encode" else "loads"
    cells = [fmt_time(flask.get("sessions", {}).get(s, {}).get(key)) for s in SIZES]
    rows.append(f"| Flask session serializer `{name}` (Python) | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def ratio_rows(flask):
    """(label, numerator id, denominator id) per row; ratios for encode and decode."""
    specs = [
        ("signed Never / floor signed", "cookie-seal_signed_never", "floor_signed", "≤ 1.15 small decode, else ≤ 1.30"),
        ("sealed Never / floor sealed", "cookie-seal_sealed", "floor_sealed", "≤ 1.30"),
        ("signed Auto / signed Never", "cookie-seal_signed", "cookie-seal_signed_never", "≤ 1.10 where deflate cannot shrink (small)"),
        ("sealed Auto / sealed Never", "cookie-seal_sealed_auto", "cookie-seal_sealed", "≤ 1.10 where deflate cannot shrink (small)"),
        ("SignedJar / signed Never", "cookie_SignedJar", "cookie-seal_signed_never", "> 1"),
        ("SignedJar / signed Auto", "cookie_SignedJar", "cookie-seal_signed", "> 1"),
        ("branca / sealed", "branca", "cookie-seal_sealed", "> 1"),
        ("fernet / sealed", "fernet", "cookie-seal_sealed", "> 1"),
        ("pasetors / sealed", "pasetors_v4_local", "cookie-seal_sealed", "> 1"),
        ("PrivateJar / sealed", "cookie_PrivateJar", "cookie-seal_sealed", "> 1"),
    ]
    head = (
        "| ratio (medians, same run) | target | "
        + " | ".join(f"enc {s}" for s in SIZES)
        + " | "
        + " | ".join(f"dec {s}" for s in SIZES)
        + " |"
    )
    rows = [head, "|---|---|" + "---:|" * (2 * len(SIZES))]
    for label, num, den, target in specs:
        cells = [
            fmt_ratio(ratio(median_ns(d, s, num), median_ns(d, s, den)))
            for d in ("encode", "decode")
            for s in SIZES
        ]
        rows.append(f"| {label} | {target} | " + " | ".join(cells) + " |")
    fs = flask.get("sessions", {})
    cells = []
    for d, key in (("encode", "dumps_ns"), ("decode", "loads_ns")):
        for s in SIZES:
            cells.append(fmt_ratio(ratio(fs.get(s, {}).get(key), median_ns(d, s, "cookie-seal_signed"))))
    rows.append("| Flask / signed Auto | ≥ 10 | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def size_table(sizes, flask):
    rows = [
        "| token bytes (cookie value) | small | medium | large | largest `large`-shape session in one cookie: items | its JSON bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for entry in sizes.get("approaches", []):
        ident = entry["id"]
        cells = []
        for s in SIZES:
            cell = str(entry[s])
            safe = entry.get(f"{s}_cookie_safe", entry[s])
            if safe != entry[s]:
                cell += f" ({safe}¹)"
            cells.append(cell)
        rows.append(
            f"| {LABELS.get(ident, ident)} | "
            + " | ".join(cells)
            + f" | {entry['max_items']} | {entry['max_json']} |"
        )
    fs = flask.get("sessions", {})
    fit = flask.get("max_fit", {})
    rows.append(
        "| Flask 3.1 session cookie | "
        + " | ".join(str(fs.get(s, {}).get("cookie", "–")) for s in SIZES)
        + f" | {fit.get('items', '–')} | {fit.get('json', '–')} |"
    )
    js = sizes.get("sessions", {})
    rows.append(
        "| *(session as compact JSON)* | "
        + " | ".join(str(js.get(s, "–")) for s in SIZES)
        + " | | |"
    )
    return "\n".join(rows)


def primitives_tables():
    """The building blocks (benches/primitives.rs), one row per measurement."""
    groups = [
        ("nonce24", "24-byte nonce"),
        ("crypto_small", "small payload"),
        ("crypto_medium", "medium payload"),
        ("crypto_large", "large payload"),
        ("aead_by_length", "XChaCha20-Poly1305 by message length"),
        ("deflate_small", "deflate, small payload (cannot shrink)"),
        ("deflate_medium", "deflate, medium payload"),
        ("deflate_large", "deflate, large payload"),
        ("inflate_medium", "inflate, medium payload"),
        ("inflate_large", "inflate, large payload"),
    ]
    rows = ["| group | measurement | median |", "|---|---|---:|"]
    for group, label in groups:
        directory = CRITERION / group
        if not directory.is_dir():
            continue
        entries = []
        for bench in directory.iterdir():
            estimates = bench / "new" / "estimates.json"
            if estimates.exists():
                ns = json.loads(estimates.read_text())["median"]["point_estimate"]
                entries.append((bench.name, ns))
        for name, ns in sorted(entries, key=lambda e: natural_key(e[0])):
            rows.append(f"| {label} | {name} | {fmt_time(ns)} |")
    return "\n".join(rows)


def natural_key(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def svg_chart(path, flask):
    """Two panels (encode, decode): horizontal bars per session size, log scale."""
    shown = [
        ("cookie-seal_signed_never", "cookie-seal signed (Never)", "#1f77b4"),
        ("cookie-seal_signed", "cookie-seal signed (Auto)", "#6baed6"),
        ("cookie-seal_sealed", "cookie-seal sealed", "#08519c"),
        ("floor_signed", "floor signed", "#9e9e9e"),
        ("floor_sealed", "floor sealed", "#616161"),
        ("cookie_SignedJar", "cookie SignedJar", "#fdae6b"),
        ("cookie_PrivateJar", "cookie PrivateJar", "#e6550d"),
        ("fernet", "fernet", "#74c476"),
        ("pasetors_v4_local", "pasetors v4.local", "#31a354"),
        ("branca", "branca", "#a1d99b"),
        ("flask", "Flask (Python)", "#bc80bd"),
    ]
    bar_h, gap, label_w, plot_w = 9, 10, 120, 330
    lo, hi = 1e2, 1e7  # 100 ns .. 10 ms, log scale
    import math

    def x(ns):
        ns = min(max(ns, lo), hi)
        return label_w + plot_w * (math.log10(ns) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    panel_h = len(SIZES) * (len(shown) * bar_h + gap) + 30
    width = 2 * (label_w + plot_w + 20) + 10
    height = panel_h + 70 + 14 * ((len(shown) + 2) // 3)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="10">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="12">'
        "cookie-seal vs floor and peers: median time per token (log scale, shorter is faster)</text>",
    ]
    fs = flask.get("sessions", {})
    for p, direction in enumerate(("encode", "decode")):
        ox = p * (label_w + plot_w + 20)
        oy = 30
        out.append(f'<text x="{ox + label_w + plot_w / 2}" y="{oy}" text-anchor="middle" font-weight="bold">{direction}</text>')
        for t in (1e2, 1e3, 1e4, 1e5, 1e6, 1e7):
            tx = ox + x(t)
            out.append(f'<line x1="{tx:.1f}" y1="{oy + 6}" x2="{tx:.1f}" y2="{oy + panel_h - 16}" stroke="#ddd"/>')
            out.append(f'<text x="{tx:.1f}" y="{oy + panel_h - 6}" text-anchor="middle" fill="#555">{tick_label(t)}</text>')
        y = oy + 10
        for s in SIZES:
            out.append(f'<text x="{ox + label_w - 6}" y="{y + len(shown) * bar_h / 2 + 3}" text-anchor="end">{s}</text>')
            for ident, _, color in shown:
                if ident == "flask":
                    ns = fs.get(s, {}).get("dumps_ns" if direction == "encode" else "loads_ns")
                else:
                    ns = median_ns(direction, s, ident)
                if ns is not None:
                    w = x(ns) - label_w
                    out.append(
                        f'<rect x="{ox + label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 1}" fill="{color}">'
                        f"<title>{ident} {direction} {s}: {fmt_time(ns)}</title></rect>"
                    )
                y += bar_h
            y += gap
    ly = oy + panel_h + 10
    for i, (_, label, color) in enumerate(shown):
        lx = 10 + (i % 3) * 250
        yy = ly + (i // 3) * 14
        out.append(f'<rect x="{lx}" y="{yy}" width="10" height="9" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="{yy + 8}">{label}</text>')
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


# The layer bench (web/benches/peers.rs): criterion id
# through_layer/<framework>_<mode>_<request>/<implementation>.
LAYER_PEERS = {
    ("axum", "sealed"): "PrivateCookieJar",
    ("axum", "signed"): "SignedCookieJar",
    ("actix", "sealed"): "actix-session",
    ("actix", "signed"): "actix-session",
}
LAYER_LABELS = {
    "axum": "axum, `SessionLayer`",
    "actix": "actix-web, `SessionMiddleware`",
}
PEER_LABELS = {
    ("axum", "sealed"): "axum-extra `PrivateCookieJar`",
    ("axum", "signed"): "axum-extra `SignedCookieJar`",
    ("actix", "sealed"): "actix-session private `CookieSessionStore`",
    ("actix", "signed"): "actix-session signed `CookieSessionStore`",
}


def layer_median_ns(framework, mode, request, implementation):
    path = CRITERION / "through_layer" / f"{framework}_{mode}_{request}" / implementation
    try:
        estimates = json.loads((path / "new" / "estimates.json").read_text())
        return estimates["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None


def through_layer_table():
    """cookie-seal through each framework's layer next to that framework's peer."""
    rows = [
        "| framework, mode | request | cookie-seal | peer | cookie-seal / peer | target |",
        "|---|---|---|---|---|---|",
    ]
    for (framework, mode), peer in LAYER_PEERS.items():
        for request in ("read", "write"):
            ours = layer_median_ns(framework, mode, request, "cookie-seal")
            theirs = layer_median_ns(framework, mode, request, peer)
            r = ratio(ours, theirs)
            target = "–"
            if request == "write" and r is not None:
                target = "< 1.00× " + ("met" if r < 1.0 else "**not met**")
            rows.append(
                f"| {LAYER_LABELS[framework]}, {mode} vs {PEER_LABELS[(framework, mode)]} "
                f"| {request} | {fmt_time(ours)} | {fmt_time(theirs)} | {fmt_ratio(r)} | {target} |"
            )
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", default=None, help="load averages during the run, as text")
    args = parser.parse_args()
    sizes = json.loads((CRITERION / "token_sizes.json").read_text())
    flask_path = CRITERION / "flask_baseline.json"
    flask = json.loads(flask_path.read_text()) if flask_path.exists() else {}
    flask_version = (
        f"Flask {flask.get('flask')}, itsdangerous {flask.get('itsdangerous')}, Python {flask.get('python')}"
        if flask
        else "Flask not run"
    )
    text = "\n\n".join(
        [
            f"Machine: {machine()}. {flask_version}.",
            f"Load average (1, 5, 15 min) before / after the run: {args.load or 'not recorded'}.",
            "### Median time per operation\n\n"
            + timing_table("encode", flask)
            + "\n\n"
            + timing_table("decode", flask),
            "### Ratios\n\n" + ratio_rows(flask),
            "### Token sizes and the largest session in one cookie\n\n"
            + size_table(sizes, flask)
            + "\n\n¹ `SignedJar` appends the raw JSON to its tag; the number in parentheses is its "
            "length once the characters RFC 6265 forbids in a cookie value (`\"`, `,`, space) "
            "are percent-encoded, as a careful application must. The largest-session search "
            "uses that length for `SignedJar`.",
            "![median time per token, log scale](benches/results.svg)",
            "### Building blocks (`cargo bench -p cookie-seal-benches --bench primitives`)\n\n" + primitives_tables(),
            "### Through the layer (`cargo bench -p cookie-seal-web --bench peers`)\n\n"
            "One request through each framework's session layer on a five-key session, next to "
            "that framework's peer (median per request; see \"Through the layer\" below for "
            "what is measured).\n\n" + through_layer_table(),
        ]
    )
    doc_path = ROOT / "BENCHMARKS.md"
    doc = doc_path.read_text()
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(doc):
        raise SystemExit("BENCHMARKS.md has no results markers")
    doc_path.write_text(pattern.sub(lambda _: f"{begin}\n{text}\n{end}", doc))
    svg_chart(ROOT / "benches" / "results.svg", flask)
    print("updated BENCHMARKS.md and benches/results.svg")


if __name__ == "__main__":
    main()
