#!/usr/bin/env python3
"""Writes benches/sessions.json: the three benchmark sessions and the item pool
that the `large` shape is scaled with. Deterministic (fixed seed); the JSON
file is committed, so the benches never depend on this script having run.

    python3 benches/make_sessions.py

Both benches/codec.rs and benches/flask_baseline.py read sessions.json only.
"""
import json
import pathlib
import random

rng = random.Random(20240603)

WORDS = (
    "account address archive article basket billing blue board book browser budget "
    "calendar camera card cart catalog chair channel chart check city client cloud "
    "coffee color comment contact coupon course credit dashboard date delivery desk "
    "device discount document draft email event export favorite feature file filter "
    "folder form garden gift green group guide history home image import invoice item "
    "journal kitchen label lamp language layout lesson library light list login map "
    "market meeting menu message mobile monitor music network note notebook number "
    "office order page panel password payment phone photo plan playlist portfolio "
    "preview price print profile project query quote receipt recent red report review "
    "river room route sale saved schedule search season service settings share shelf "
    "shipping shoe size sport store summary support table task team theme ticket "
    "timeline title topic travel update upload user video view wallet watch window "
    "winter workspace yellow"
).split()


def phrase(lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def small():
    return {
        "user_id": 4829137,
        "name": "Ada King, Countess of Lovelace",
        "csrf_token": "%032x" % rng.getrandbits(128),
        "role": "editor",
        "login_at": 1717407062,
    }


def cart_item():
    return {
        "sku": "SKU-%05d" % rng.randint(0, 99999),
        "name": phrase(1, 3).capitalize(),
        "qty": rng.randint(1, 4),
        "price": rng.randint(199, 19999),
    }


def pool_item(i):
    # Mixed text and numbers: ids, counters, prices, a ratio, timestamps.
    return {
        "id": 100000 + i * 37 + rng.randint(0, 36),
        "title": phrase(2, 5).capitalize(),
        "note": phrase(3, 9),
        "views": rng.randint(0, 250000),
        "price_cents": rng.randint(0, 500000),
        "rating": rng.randint(0, 50) / 10,
        "seen_at": 1717400000 + rng.randint(0, 86400 * 30),
    }


def main():
    base = small()
    medium = dict(base, cart=[cart_item() for _ in range(15)])
    pool = [pool_item(i) for i in range(250)]
    large_prefix = dict(
        base,
        theme="dark",
        locale="en-GB",
        timezone="Europe/London",
        flash=["Your profile was saved.", "Two items in your cart changed price."],
    )
    # The `large` session: the large shape with enough items for ~3 KB of JSON.
    large_items = 0
    while len(compact(dict(large_prefix, recent=pool[: large_items + 1]))) <= 3072:
        large_items += 1
    doc = {
        "comment": "Benchmark sessions shared by benches/codec.rs and benches/flask_baseline.py;"
        " written by benches/make_sessions.py. The large shape is large_base plus"
        " recent = item_pool[:n]; the `large` session has n = large_items.",
        "small": base,
        "medium": medium,
        "large_base": large_prefix,
        "large_items": large_items,
        "item_pool": pool,
    }
    out = pathlib.Path(__file__).with_name("sessions.json")
    out.write_text(json.dumps(doc, indent=1) + "\n")
    for name, value in [
        ("small", base),
        ("medium", medium),
        ("large", dict(large_prefix, recent=pool[:large_items])),
        ("pool max", dict(large_prefix, recent=pool)),
    ]:
        print(f"{name}: {len(compact(value))} bytes of compact JSON")


def compact(value):
    return json.dumps(value, separators=(",", ":"))


if __name__ == "__main__":
    main()
