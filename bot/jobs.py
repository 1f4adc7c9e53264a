"""Scheduled work (PTB's JobQueue, i.e. APScheduler 3).

Jobs are re-created at every start-up with explicit ids and a generous misfire grace time,
because APScheduler keeps them in memory only and by default skips a job that starts more
than one second late.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.services import updates as updates_service
from bot.services import users as users_service

if TYPE_CHECKING:
    from telegram.ext import Application, CallbackContext

log = logging.getLogger(__name__)

ABANDONED_ONBOARDING = timedelta(days=30)
SUMMARY_CHECK_MINUTES = 5
JOB_DEFAULTS = {"misfire_grace_time": 3600, "coalesce": True}


async def maintenance(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Prune old processed update ids and onboarding drafts abandoned long ago."""
    db = context.application.bot_data["db"]
    settings = context.application.bot_data["settings"]
    async with db.session() as session:
        pruned = await updates_service.prune(
            session, timedelta(hours=settings.processed_update_retention_hours)
        )
        forgotten = await users_service.forget_abandoned(session, ABANDONED_ONBOARDING)
    log.info("maintenance: %d update ids pruned, %d abandoned drafts deleted", pruned, forgotten)


async def statistics(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Refresh the query planner's statistics (soon after start-up, then daily)."""
    await context.application.bot_data["db"].refresh_statistics()
    log.info("maintenance: planner statistics refreshed")


async def summaries_job(context: CallbackContext) -> None:  # type: ignore[type-arg]
    """Queue the scheduled summaries that are due (the database says what and for whom)."""
    from handlers.summaries import run_due  # rendering needs the handler layer's translations

    await run_due(context.application)


def schedule(app: Application) -> None:  # type: ignore[type-arg]
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    jq.run_repeating(
        maintenance,
        interval=timedelta(hours=1),
        first=timedelta(seconds=30),
        name="maintenance",
        job_kwargs={"id": "maintenance", "replace_existing": True, **JOB_DEFAULTS},
    )
    jq.run_repeating(
        statistics,
        interval=timedelta(days=1),
        first=timedelta(seconds=60),
        name="statistics",
        job_kwargs={"id": "statistics", "replace_existing": True, **JOB_DEFAULTS},
    )
    # Every few minutes: a summary due at 09:00 goes out within minutes, and after downtime
    # it goes out when the bot is back (the same day), exactly once (the ledger decides).
    jq.run_repeating(
        summaries_job,
        interval=timedelta(minutes=SUMMARY_CHECK_MINUTES),
        first=timedelta(seconds=15),
        name="summaries",
        job_kwargs={"id": "summaries", "replace_existing": True, **JOB_DEFAULTS},
    )
