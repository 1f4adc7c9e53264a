"""Benchmark: compute every weekly artisan summary (who is due, their figures, the text).

    python -m bench.summaries                       # 100k artisans, 5M sales, SQLite in /tmp
    python -m bench.summaries --database-url postgresql://user@127.0.0.1:5432/db

Seeds (or reuses) the data, then measures in a fresh child process, so that the peak RSS is
the computation's own, page by page as the scheduled job (`handlers.summaries.run_due`) does:
`bot.services.summaries.due` (one query a page), `artisan_figures` (two aggregate queries for
everyone, once) and `handlers.summaries.build` (each summary rendered in the user's language,
as an outbox payload). `seconds` is those three. Queuing each page (the outbox rows and the
ledger rows, as `run_due` does) is timed apart as `queue_s`, in one transaction that is rolled
back at the end, so the seeded database stays reusable. Prints a table, then one JSON line.
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

from sqlalchemy import create_engine

from bench.seed import default_sqlite_url, ensure_seeded
from bot.db import _driver_urls, is_sqlite

TZ = "Asia/Kolkata"


def last_monday_morning() -> datetime:
    local = datetime.now(ZoneInfo(TZ))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), ZoneInfo(TZ)).replace(hour=9, minute=5)


async def measure(url: str) -> dict[str, float | int]:
    from bot.db import Database
    from bot.services import summaries
    from bot.services.broadcast import enqueue_deliveries
    from handlers.summaries import PAGE, build

    db = Database(url)
    now = last_monday_morning()
    t_due = t_figures = t_render = t_queue = cpu_queue = 0.0
    chars = with_sales = count = queued = 0
    after = 0
    cache: dict[str, dict[int, summaries.ArtisanFigures]] = {}
    cpu_started = time.process_time()
    async with db.sessions() as session:  # rolled back at the end: nothing is really queued
        while True:  # the same pages the scheduled job uses; the figures once for everyone
            t0 = time.perf_counter()
            win, people = await summaries.due(
                session, "weekly", now, TZ, after_id=after, limit=PAGE
            )
            t1 = time.perf_counter()
            t_due += t1 - t0
            if not people:
                break
            if "weekly" not in cache:  # what `build` would do first; timed on its own
                cache["weekly"] = await summaries.artisan_figures(session, win)
                t_figures = time.perf_counter() - t1
                t1 = time.perf_counter()
            items = await build(session, "weekly", win, people, TZ, cache)
            t2, c2 = time.perf_counter(), time.process_time()
            t_render += t2 - t1
            queued += await enqueue_deliveries(session, "summary", 0, items)
            await summaries.mark_sent(session, "weekly", win.period, [p.user_id for p in people])
            t_queue += time.perf_counter() - t2
            cpu_queue += time.process_time() - c2
            figures = cache["weekly"]
            with_sales += sum(figures[p.user_id].count > 0 for p in people)
            chars += sum(len(data["text"]) for _, data in items)
            count += len(people)
            after = people[-1].user_id
        cpu = time.process_time() - cpu_started - cpu_queue
        await session.rollback()
    await db.dispose()
    return {
        "seconds": round(t_due + t_figures + t_render, 3),
        "due_s": round(t_due, 3),
        "figures_s": round(t_figures, 3),
        "render_s": round(t_render, 3),
        "cpu_s": round(cpu, 3),
        "queue_s": round(t_queue, 3),
        "summaries": count,
        "queued": queued,
        "with_sales": with_sales,
        "avg_chars": round(chars / max(1, count), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def vacuum(url: str) -> None:
    """PostgreSQL: what autovacuum does after a bulk load, and after the rows that earlier
    runs queued and rolled back (some servers, this development one included, run without
    it). Without the visibility map an index-only scan of `ix_sales_day_user` has to visit the
    table, and the planner scans all of it instead; dead ledger rows slow every page down."""
    engine = create_engine(_driver_urls(url)[1], isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(
                "VACUUM (ANALYZE) users, products, product_photos, sales, summary_ledger, outbox"
            )
    finally:
        engine.dispose()


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
    if not is_sqlite(url):
        vacuum(url)
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
        ("due_s", ""),
        ("figures_s", ""),
        ("render_s", ""),
        ("cpu_s", ""),
        ("queue_s", "(not in seconds)"),
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
