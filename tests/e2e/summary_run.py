"""A bot process for the summary kill -9 test (tests/e2e/test_kill_9.py): the bot as `saathi run`
starts it (settings from the environment, the outbox draining), whose scheduled summary job
runs once, at a fixed time given on the command line, instead of on the clock.

    python -m tests.e2e.summary_run 2026-11-23T05:30:00+00:00 [--page N] [--hold-at-page K]

`--page N` queues N users per transaction (fewer than in production, so that a few dozen
users make several pages). `--hold-at-page K` stops the process dead inside the K-th page's
transaction, after its ledger rows are written and before it commits: it prints "holding"
and blocks the event loop until it is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import sys
import time
from datetime import datetime

from bot.app import build_application, serve
from bot.config import Settings
from bot.services import summaries


def hold_at_page(page: int) -> None:
    mark_sent = summaries.mark_sent
    seen = 0

    def marked() -> None:
        nonlocal seen
        seen += 1
        if seen == page:
            print("holding", flush=True)
            time.sleep(3600)  # the whole process stops here, mid-transaction

    def marking(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = mark_sent(*args, **kwargs)
        if not inspect.isawaitable(result):
            return marked()

        async def then() -> None:
            await result
            marked()

        return then()

    summaries.mark_sent = marking  # type: ignore[assignment]


async def main(now: datetime, page: int, hold: int | None) -> None:
    import handlers.summaries

    handlers.summaries.PAGE = page
    if hold:
        hold_at_page(hold)
    app = build_application(Settings())  # type: ignore[call-arg]
    for job in app.job_queue.jobs():  # type: ignore[union-attr]
        job.schedule_removal()  # the run below is the only summary run
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=2, started=started))
    await started.wait()
    queued = await handlers.summaries.run_due(app, now)
    print(f"queued {queued}", flush=True)
    await task  # until killed


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("now", type=datetime.fromisoformat)
    parser.add_argument("--page", type=int, default=10)
    parser.add_argument("--hold-at-page", type=int, default=None)
    args = parser.parse_args()
    asyncio.run(main(args.now, args.page, args.hold_at_page))
    sys.exit(0)
