"""Benchmark: compute every weekly artisan summary (who is due, their figures, the text).

    python -m bench.summaries                       # 100k artisans, 5M sales, SQLite in /tmp
    python -m bench.summaries --database-url postgresql://user@127.0.0.1:5432/db

Seeds (or reuses) the data, then measures in a fresh child process, so that the peak RSS is
the computation's own: `bot.services.summaries.due` (one query), `artisan_figures` (four
aggregate queries for everyone), and rendering each summary in the user's language
(`handlers.summaries.render_weekly`). Queuing the rendered messages in the outbox is not
timed here (bench/broadcast measures sending). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.seed import default_sqlite_url, ensure_seeded

TZ = "Asia/Kolkata"


def last_monday_morning() -> datetime:
    local = datetime.now(ZoneInfo(TZ))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), ZoneInfo(TZ)).replace(hour=9, minute=5)


async def measure(url: str) -> dict[str, float | int]:
    from bot import i18n
    from bot.db import Database
    from bot.services import summaries
    from handlers.summaries import PAGE, render_weekly

    db = Database(url)
    now = last_monday_morning()
    started = time.perf_counter()
    t_query = 0.0
    chars = with_sales = count = 0
    after = 0
    figures = None
    while True:  # the same pages the scheduled job uses; the figures once for everyone
        q0 = time.perf_counter()
        async with db.sessions() as session:
            win, people = await summaries.due(
                session, "weekly", now, TZ, after_id=after, limit=PAGE
            )
            if not people:
                break
            if figures is None:
                figures = await summaries.artisan_figures(session, win)
        t_query += time.perf_counter() - q0
        week_no = win.first.isocalendar().week
        for p in people:
            f = figures[p.user_id]
            with_sales += f.count > 0
            chars += len(render_weekly(i18n.translator(p.language), win, f, week_no))
        count += len(people)
        after = people[-1].user_id
    total = time.perf_counter() - started
    await db.dispose()
    return {
        "seconds": round(total, 3),
        "query_s": round(t_query, 3),
        "render_s": round(total - t_query, 3),
        "summaries": count,
        "with_sales": with_sales,
        "avg_chars": round(chars / max(1, count), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.summaries", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--database-url")
    ap.add_argument("--artisans", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=5_000_000)
    ap.add_argument("--force", action="store_true", help="seed again")
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    url = args.database_url or default_sqlite_url(args.artisans, args.sales)
    if args.measure_only:
        print(json.dumps(asyncio.run(measure(url))))
        return 0
    seeded = ensure_seeded(url, args.artisans, args.sales, force=args.force, progress=print)
    child = subprocess.run(
        [sys.executable, "-m", "bench.summaries", "--measure-only", "--database-url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(
        {"artisans": seeded.artisans, "sales": seeded.sales, "backend": url.split(":")[0]}
    )
    print(f"{'figure':<14}{'value':>14}   goal")
    for key, goal in (
        ("seconds", "≤ 5"),
        ("peak_rss_mb", "≤ 300"),
        ("query_s", ""),
        ("render_s", ""),
        ("summaries", ""),
        ("with_sales", ""),
        ("artisans", ""),
        ("sales", ""),
    ):
        print(f"{key:<14}{result[key]:>14,}   {goal}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
