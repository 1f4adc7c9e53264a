"""Benchmark: the statewide /stats figures over N sales (and one district's).

    python -m bench.stats                           # 100k artisans, 5M sales, SQLite in /tmp
    python -m bench.stats --database-url postgresql://user@127.0.0.1:5432/db

Seeds (or reuses) the data, then measures in a fresh child process what `/stats` does:
`bot.services.stats.compute(session, None, now)` (every statewide figure, the average listing
score included) and rendering the text the handler sends (`handlers.stats.stats_text`), each
run in its own session. One warm-up run, then the median of `--runs`. The same for one
district (`ms_district`), the listing score alone (`score_ms`, part of `ms`) and everything
else (`ms_without_score`: `compute(..., with_score=False)` and the text). Prints a table, then
one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bench.seed import default_sqlite_url, ensure_seeded

DISTRICT = "lucknow"


async def _median_ms(run: Callable[[], Awaitable[object]], runs: int) -> tuple[float, list[float]]:
    await run()  # warm-up: connections, caches, the first plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1), [round(t, 1) for t in times]


async def measure(url: str, runs: int) -> dict[str, object]:
    from bot import i18n
    from bot.db import Database
    from bot.services import periods, stats
    from handlers.stats import stats_text

    db = Database(url)
    now = datetime.now(UTC)
    tr = i18n.translator("en")
    shown: dict[str, str] = {}

    def run_for(districts: list[str] | None, score: bool = True) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with db.sessions() as session:
                figures = await stats.compute(session, districts, now, with_score=score)
            shown[f"{districts} {score}"] = stats_text(tr, figures)
            return figures

        return run

    async def score_only() -> object:
        async with db.sessions() as session:
            return await stats.average_listing_score(session, None, now, periods.DEFAULT_TZ)

    ms, all_ms = await _median_ms(run_for(None), runs)
    ms_district, _ = await _median_ms(run_for([DISTRICT]), runs)
    score_ms, _ = await _median_ms(score_only, runs)
    without_score, _ = await _median_ms(run_for(None, score=False), runs)
    await db.dispose()
    return {
        "ms": ms,
        "ms_all": all_ms,
        "ms_district": ms_district,
        "score_ms": score_ms,
        "ms_without_score": without_score,
        "text_chars": len(shown["None True"]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.stats", description=__doc__.split("\n")[0])
    ap.add_argument("--database-url")
    ap.add_argument("--artisans", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=5_000_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--force", action="store_true", help="seed again")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--show", action="store_true", help="also print the statewide /stats text")
    args = ap.parse_args(argv)
    url = args.database_url or default_sqlite_url(args.artisans, args.sales)
    if args.measure_only:
        print(json.dumps(asyncio.run(measure(url, args.runs))))
        return 0
    seeded = ensure_seeded(url, args.artisans, args.sales, force=args.force, progress=print)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.stats",
            "--measure-only",
            "--database-url",
            url,
            "--runs",
            str(args.runs),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update({"sales": seeded.sales, "backend": url.split(":")[0].split("+")[0]})
    print(f"{'figure':<18}{'value':>12}   goal")
    for key, goal in (
        ("ms", "≤ 100"),
        ("ms_district", ""),
        ("score_ms", "(part of ms)"),
        ("ms_without_score", ""),
        ("text_chars", ""),
        ("sales", ""),
    ):
        print(f"{key:<18}{result[key]:>12,}   {goal}")
    print(f"{'runs (ms)':<18}{', '.join(str(t) for t in result['ms_all'])}")
    if args.show:
        print(_show(url))
    print(json.dumps(result))
    return 0


def _show(url: str) -> str:
    async def text() -> str:
        from bot import i18n
        from bot.db import Database
        from bot.services import stats
        from handlers.stats import stats_text

        db = Database(url)
        async with db.sessions() as session:
            figures = await stats.compute(session, None, datetime.now(UTC))
        await db.dispose()
        return stats_text(i18n.translator("en"), figures)

    return asyncio.run(text())


if __name__ == "__main__":
    raise SystemExit(main())
