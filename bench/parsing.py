"""Benchmark: how long parsing a typed district and a typed sale takes.

    python -m bench.parsing

Prints a table, then one JSON line: `district_ms` and `sale_ms` (mean per call over the
test tables' inputs), and `long_input_ms` (the slowest of a few 5,000-character inputs).
"""

from __future__ import annotations

import json
import time
from datetime import date

from bot.services.district_match import match_district
from bot.services.sale_parser import ProductRef, parse_sale

DISTRICTS = [
    "lucknow",
    "Lakhnau",
    "लखनऊ",
    "Allahabad",
    "इलाहाबाद",
    "Noida",
    "gorakpur",
    "गौतम बुद्ध नगर",
    "Kanpu",
    "बनारस",
    "moradabd",
    "झाँसी",
]
SALES = [
    "आज ३ कुर्ते ४५० में बेचे",
    "कल दो दीये सेट 300 रुपये के",
    "sold 2 diya set for 300 each on flipkart",
    "kal 5 toran 1200",
    "5 kurta 2250 total",
    "कितने कुर्ते बिके?",
    "bought thread for 200",
]
PRODUCTS = [ProductRef(1, "कुर्ता"), ProductRef(2, "दीया सेट"), ProductRef(3, "Toran")]
LONG = ["x" * 5000, "लखनऊ" * 1250, "🙂" * 3000, "आज ३ कुर्ते ४५० में बेचे " * 200]


def mean_ms(fn, inputs, rounds: int = 200) -> float:  # type: ignore[no-untyped-def]
    for text in inputs:
        fn(text)
    started = time.perf_counter()
    for _ in range(rounds):
        for text in inputs:
            fn(text)
    return (time.perf_counter() - started) * 1000 / (rounds * len(inputs))


def main() -> int:
    today = date(2026, 11, 23)
    result = {
        "district_ms": round(mean_ms(match_district, DISTRICTS), 3),
        "sale_ms": round(mean_ms(lambda t: parse_sale(t, PRODUCTS, today), SALES), 3),
        "long_input_ms": round(max(mean_ms(match_district, [t], 5) for t in LONG), 3),
    }
    for key, value in result.items():
        print(f"{key:<16}{value:>10}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
