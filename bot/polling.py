"""Long polling that acknowledges an update only after it has been handled.

PTB's Updater puts updates in a queue and acknowledges them (the next getUpdates offset) before
they are handled, so a crash in between loses them. Here the loop fetches a batch, hands each
update to `Application.process_update` (one committed transaction per update, its id stored),
and only then asks for the next batch with the new offset. After a crash Telegram sends the
unacknowledged updates again; those already committed are recognised by their id and dropped.
With an inbox (`bot/inbox.py`, several processes) the batch is stored and committed first, then
acknowledged; the inbox workers handle it from the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.retry import Redeliver

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.inbox import InboxWorkers

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0


class Poller:
    def __init__(
        self,
        app: Application,  # type: ignore[type-arg]
        *,
        timeout: int = 20,
        limit: int = 100,
        inbox: InboxWorkers | None = None,
    ) -> None:
        self.app, self.timeout, self.limit = app, timeout, limit
        # With an inbox (several processes), a batch is stored and acknowledged at once; the
        # inbox workers of every process handle it from the store.
        self.inbox = inbox
        self.offset: int | None = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy = False

    async def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                updates = await self.app.bot.get_updates(
                    offset=self.offset,
                    timeout=self.timeout,
                    limit=self.limit,
                    allowed_updates=Update.ALL_TYPES,
                )
            except InvalidToken:
                log.critical("the Bot API refused the token; stopping")
                raise
            except RetryAfter as exc:
                await self._sleep(_seconds(exc.retry_after))
                continue
            except (NetworkError, Conflict, TelegramError) as exc:
                # Bot API unreachable, timing out, or another poller: wait and try again.
                log.warning(
                    "getUpdates failed (%s); retrying in %.1f s", type(exc).__name__, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            backoff = 0.5
            self._busy = True
            try:
                if self.inbox is not None:
                    if updates and await self._store(updates):
                        self.offset = updates[-1].update_id + 1
                    continue
                for update in updates:
                    if self._stop.is_set() or not await self._handle(update):
                        break  # not acknowledged: fetched again later
                    self.offset = update.update_id + 1
            finally:
                self._busy = False

    async def _store(self, updates: list[Update]) -> bool:
        """True once the batch is committed to the inbox."""
        assert self.inbox is not None
        try:
            await self.inbox.receive([(u, u.to_dict()) for u in updates])
            return True
        except Exception:
            log.exception("could not store %d updates; will retry", len(updates))
            await self._sleep(1.0)
            return False

    async def _handle(self, update: Update) -> bool:
        """True once the update's outcome is committed (or it was a duplicate)."""
        try:
            await self.app.process_update(update)
            return True
        except Redeliver as exc:
            # The Bot API failed while answering (bot/retry.py): rolled back, fetched again
            # after a pause (what a 429 asked for, within bounds).
            await self._sleep(min(max(exc.wait, 1.0), MAX_BACKOFF_S))
            return False
        except Exception:
            # The database (not a handler) failed: keep the update unacknowledged.
            log.exception("could not process update %s; will retry", update.update_id)
            await self._sleep(1.0)
            return False

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    def start(self) -> asyncio.Task[None]:
        self._task = asyncio.create_task(self.run(), name="saathi-poller")
        return self._task

    async def stop(self) -> None:
        """Finish the update in hand, then stop (a pending long poll is cancelled)."""
        self._stop.set()
        if self._task is None:
            return
        if not self._busy:
            self._task.cancel()  # waiting in a long poll: nothing in hand
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
