"""The outbox sender: drains `outbox` rows at Telegram's pace, durably.

* **Pace.** One global pacer spaces sends `1/rate` apart (default 28/s, just under Telegram's
  30/s), never bursting to catch up after a pause; a chat gets at most one message per
  `per_chat_interval` (1 s). Rows marked `paid` (Telegram's `allow_paid_broadcast`) use their
  own, faster pacer (`paid_rate`).
* **Errors.** `RetryAfter` pauses every send for the time asked and the row is tried again
  (not counted as an attempt). `Forbidden` (the user blocked the bot) marks the row "blocked"
  and the user inactive (`users.active = False`); never retried. Other `BadRequest`s are
  permanent ("failed"). Network errors, time-outs and 5xx are retried with exponential backoff
  up to `max_attempts`, then "failed" with the last error kept.
* **Durability and duplicates.** A row is marked "sending" (committed) just before it is sent,
  and its result is committed shortly after (results are written in small batches). After a
  crash or `kill -9`, rows still marked "sending" are sent again: Telegram's sendMessage has
  no idempotency key, so the only messages that can arrive twice are the sends in flight at
  the crash (at most `claim_size` + the results not yet written, a handful at 28/s). Rows
  marked "sent" are never sent again; nothing is lost.
* **One drainer.** On PostgreSQL a session advisory lock (held on its own connection) makes
  exactly one process drain; the others stand by, trying for the lock every `standby_poll`
  seconds (1 s). When the drainer dies (even `kill -9`) its connection closes, PostgreSQL
  releases the lock, and a standby takes over within about that time; a new drainer sends
  nothing in its first second (the old one may have sent in its last). The drainer checks its
  lock connection every `lock_check` seconds: if it broke (the database restarted, the network
  failed) the lock may be someone else's now, so it stops sending and stands by again. On
  SQLite a single bot process is assumed (SQLite serves one process; run PostgreSQL for
  several).

Features add work done once per tick by the drainer (`TICK_HOOKS`): the broadcast feature
starts scheduled notices, edits live progress messages and sends final reports there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, text, update
from sqlmodel import col, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.db import Database, is_sqlite
from bot.services import users as users_service
from models import Delivery
from models.notice import DeliveryStatus
from models.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection
    from telegram import Bot

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x5AA7_0B0C  # "saathi outbox"
TAKEOVER_QUIET_S = 1.0  # a new drainer's first send waits this long
TickHook = Callable[["Outbox"], Awaitable[None]]
TICK_HOOKS: list[TickHook] = []
# Payload kinds rendered at send time (e.g. a chart photo that must be uploaded):
# kind -> coroutine(bot, chat_id, payload, database) returning the sent Message.
Renderer = Callable[["Bot", int, dict[str, Any], Database], Awaitable[Any]]
RENDERERS: dict[str, Renderer] = {}


def on_tick(hook: TickHook) -> TickHook:
    """Register work the (single) drainer does about once a second."""
    TICK_HOOKS.append(hook)
    return hook


class Pacer:
    """Hands out send times `1/rate` apart. After a short stall (a database write, a busy
    event loop) it catches up on at most `catch_up` seconds of missed slots, so the average
    stays at `rate` without a long burst; after a longer idle time it starts afresh."""

    def __init__(self, rate: float, catch_up: float = 0.5) -> None:
        self.interval = 1.0 / rate
        self.catch_up = catch_up
        self.next = 0.0
        self.paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    async def slot(self) -> None:
        now = time.monotonic()
        at = max(self.next, now - self.catch_up, self.paused_until)
        self.next = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


@dataclass
class Stats:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retried: int = 0
    flood_429: int = 0
    recovered: int = 0  # rows found "sending" at start-up (sent again)


@dataclass
class _Result:
    id: int
    chat_id: int
    status: str
    attempts: int
    message_id: int | None = None
    error: str | None = None
    retry_in: float | None = None


@dataclass
class _Row:
    id: int
    chat_id: int
    payload: dict[str, Any]
    attempts: int
    extra: dict[str, Any] = field(default_factory=dict)


class Outbox:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        *,
        rate: float = 28.0,
        per_chat_interval: float = 1.0,
        paid_rate: float = 1000.0,
        max_attempts: int = 5,
        backoff_base: float = 1.0,
        backoff_max: float = 300.0,
        max_in_flight: int = 48,
        idle_poll: float = 0.3,
        flush_interval: float = 0.2,
        tick_interval: float = 1.0,
        prefetch: int = 200,
        standby_poll: float = 1.0,
        lock_check: float = 1.0,
    ) -> None:
        self.bot, self.db = bot, db
        self.pacer = Pacer(rate)
        self.paid_pacer = Pacer(paid_rate)
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.idle_poll, self.flush_interval, self.tick_interval = (
            idle_poll,
            flush_interval,
            tick_interval,
        )
        self.prefetch = prefetch
        self.standby_poll, self.lock_check = standby_poll, lock_check
        # Claim only what is about to be sent: this bounds the duplicates after a crash.
        self.claim_size = max(1, int(rate * 0.25))
        self.stats = Stats()
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._last_sent: dict[int, float] = {}
        self._results: list[_Result] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._lock_conn: AsyncConnection | None = None
        self.leader = asyncio.Event()
        self._deposed = asyncio.Event()  # the lock connection broke: stop sending

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        self._main = asyncio.create_task(self.run(), name="saathi-outbox")
        return self._main

    def wake(self) -> None:
        """New rows were committed: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop taking rows, let the sends in flight finish, write their results."""
        self._stop.set()
        self._wake.set()
        if self._main is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._main

    async def run(self) -> None:
        while not self._stop.is_set():
            if not await self._become_leader():
                return
            try:
                await self._lead()
            except Exception:
                log.exception("outbox: the drainer failed")
            finally:
                await self._release()
            if not self._stop.is_set():
                log.error("outbox: no longer draining; standing by")
                await self._sleep(self.standby_poll)

    async def _lead(self) -> None:
        self._deposed.clear()
        # The drainer before this one (a killed process, or the one this process replaces at
        # a restart) may have sent in the last second: start one second later, so that no
        # second of Telegram's count holds the sends of both.
        self.pacer.pause(TAKEOVER_QUIET_S)
        self.paid_pacer.pause(TAKEOVER_QUIET_S)
        self.leader.set()
        await self._recover()
        ticker = asyncio.create_task(self._ticker(), name="saathi-outbox-ticks")
        flusher = asyncio.create_task(self._flusher(), name="saathi-outbox-flush")
        watchdog = asyncio.create_task(self._watch_lock(), name="saathi-outbox-lock")
        try:
            while self._draining:
                try:
                    await self._drain()
                except Exception:
                    # The database or the network failed between sends: nothing claimed
                    # is lost (it is "sending" and recovered below), so wait and go on.
                    log.exception("outbox: draining failed; retrying in 2 s")
                    await self._flush_quietly()
                    if not self._results and self._draining:  # every result written
                        with contextlib.suppress(Exception):
                            await self._recover()
                    await self._sleep(2.0)
        finally:
            self.leader.clear()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            for task in (ticker, flusher, watchdog):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self._flush_quietly()

    @property
    def _draining(self) -> bool:
        return not self._stop.is_set() and not self._deposed.is_set()

    # --- one drainer at a time ----------------------------------------------------------------

    async def _become_leader(self) -> bool:
        if is_sqlite(self.db.url):
            return True  # one process per SQLite database (documented)
        while not self._stop.is_set():
            conn = None
            try:
                conn = await self.db.engine.connect()
                got = (
                    await conn.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                ).scalar()
                await conn.commit()  # a session lock outlives the transaction
            except Exception as exc:
                log.warning(
                    "outbox: cannot reach the database for the lock (%s)", exc.__class__.__name__
                )
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()
                await self._sleep(max(self.standby_poll, 2.0))
                continue
            if got:
                self._lock_conn = conn
                log.info("outbox: this process drains the outbox")
                return True
            await conn.close()
            await self._sleep(self.standby_poll)  # standby: another process is draining
        return False

    async def _watch_lock(self) -> None:
        """While draining: the lock lives as long as its connection; stop if that broke."""
        if self._lock_conn is None:
            return  # SQLite: no lock
        while True:
            await asyncio.sleep(self.lock_check)
            try:
                await asyncio.wait_for(
                    self._lock_conn.execute(text("SELECT 1")), self.lock_check * 5
                )
                await self._lock_conn.commit()
            except Exception as exc:
                log.error("outbox: the drainer lock's connection failed (%s)", type(exc).__name__)
                self._deposed.set()
                self._wake.set()
                return

    async def _release(self) -> None:
        if self._lock_conn is not None:
            with contextlib.suppress(Exception):
                await self._lock_conn.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                await self._lock_conn.commit()
            with contextlib.suppress(Exception):
                await self._lock_conn.close()
            self._lock_conn = None

    async def _recover(self) -> None:
        """Rows left "sending" by a crash may or may not have gone out: send them again."""
        async with self.db.session() as session:
            result = await session.exec(
                update(Delivery)  # type: ignore[call-overload]
                .where(col(Delivery.status) == DeliveryStatus.SENDING)
                .values(status=DeliveryStatus.PENDING)
            )
            self.stats.recovered = int(result.rowcount or 0)
        if self.stats.recovered:
            log.warning(
                "outbox: %d deliveries were in flight at the last stop; sending them again",
                self.stats.recovered,
            )

    # --- draining ------------------------------------------------------------------------------

    async def _fetch(self, exclude: set[int]) -> list[_Row]:
        async with self.db.sessions() as session:
            rows = await session.exec(
                select(Delivery.id, Delivery.chat_id, Delivery.payload, Delivery.attempts)
                .where(
                    col(Delivery.status) == DeliveryStatus.PENDING,
                    col(Delivery.next_attempt_at) <= utcnow(),
                )
                .order_by(col(Delivery.id))
                .limit(self.prefetch)
            )
            return [_Row(i, c, dict(p or {}), a) for i, c, p, a in rows.all() if i not in exclude]

    async def _claim(self, rows: list[_Row]) -> list[_Row]:
        """Mark rows "sending" (committed before they are sent); only rows still pending
        (a cancelled notice's rows are not) are returned."""
        async with self.db.session() as session:
            result = await session.exec(
                update(Delivery)  # type: ignore[call-overload]
                .where(
                    col(Delivery.id).in_([r.id for r in rows]),
                    col(Delivery.status) == DeliveryStatus.PENDING,
                )
                .values(status=DeliveryStatus.SENDING, attempts=Delivery.attempts + 1)
                .returning(col(Delivery.id))
            )
            claimed = {int(i) for (i,) in result.all()}
        return [r for r in rows if r.id in claimed]

    async def _drain(self) -> None:
        queue: deque[_Row] = deque()
        while self._draining:
            if not queue:
                queue.extend(await self._fetch({r.id for r in queue}))
                if not queue:
                    await self._idle(self.idle_poll)
                    continue
            batch, deferred = self._pick(queue)
            if not batch:
                # Every queued row is for a chat that just got a message: wait a little.
                queue.extend(deferred)
                await self._idle(min(self.per_chat_interval / 4, 0.25))
                if self._draining and len(queue) < self.prefetch // 2:
                    queue.extend(await self._fetch({r.id for r in queue}))
                continue
            queue.extendleft(reversed(deferred))
            batch = await self._claim(batch)
            for row in batch:
                if not self._draining:
                    # Claimed but not sent: give it back untouched.
                    self._results.append(
                        _Result(row.id, row.chat_id, DeliveryStatus.PENDING, row.attempts)
                    )
                    continue
                paid = bool(row.payload.get("paid"))
                await (self.paid_pacer if paid else self.pacer).slot()
                await self._in_flight.acquire()
                self._last_sent[row.chat_id] = time.monotonic()
                task = asyncio.create_task(self._send(row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if len(queue) < self.claim_size and self._draining:
                # Rows being sent are "sending" in the database, so they are not fetched again.
                queue.extend(await self._fetch({r.id for r in queue}))

    def _pick(self, queue: deque[_Row]) -> tuple[list[_Row], list[_Row]]:
        """Up to `claim_size` rows whose chat may receive now; the others are put aside."""
        now = time.monotonic()
        batch: list[_Row] = []
        deferred: list[_Row] = []
        chats: set[int] = set()
        while queue and len(batch) < self.claim_size:
            row = queue.popleft()
            last = self._last_sent.get(row.chat_id)
            if row.chat_id in chats or (last is not None and now - last < self.per_chat_interval):
                deferred.append(row)
                if len(deferred) > self.prefetch:
                    break
                continue
            chats.add(row.chat_id)
            batch.append(row)
        if len(self._last_sent) > 50_000:
            cutoff = now - self.per_chat_interval
            self._last_sent = {c: t for c, t in self._last_sent.items() if t > cutoff}
        return batch, deferred

    async def _send(self, row: _Row) -> None:
        attempts = row.attempts + 1
        try:
            message = await self._deliver(row.chat_id, row.payload)
        except RetryAfter as exc:
            wait = _retry_after(exc)
            self.stats.flood_429 += 1
            self.pacer.pause(wait)
            self.paid_pacer.pause(wait)
            # Not the row's fault: the attempt does not count.
            self._retry(row, attempts - 1, f"429 retry after {wait:g}s", wait)
        except Forbidden as exc:
            self.stats.blocked += 1
            self._results.append(
                _Result(row.id, row.chat_id, DeliveryStatus.BLOCKED, attempts, error=str(exc))
            )
        except BadRequest as exc:
            self.stats.failed += 1
            log.warning("outbox: delivery %d refused: %s", row.id, exc)
            self._results.append(
                _Result(row.id, row.chat_id, DeliveryStatus.FAILED, attempts, error=str(exc))
            )
        except (TelegramError, OSError) as exc:  # network, time-out, 5xx, dropped connection
            self._retry_or_fail(row, attempts, f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            log.exception("outbox: unexpected error sending delivery %d", row.id)
            self._retry_or_fail(row, attempts, f"{type(exc).__name__}: {exc}")
        else:
            self.stats.sent += 1
            self._results.append(
                _Result(row.id, row.chat_id, DeliveryStatus.SENT, attempts, message.message_id)
            )
        finally:
            self._in_flight.release()

    def _retry_or_fail(self, row: _Row, attempts: int, error: str) -> None:
        if attempts >= self.max_attempts:
            self.stats.failed += 1
            log.warning("outbox: delivery %d failed after %d attempts: %s", row.id, attempts, error)
            self._results.append(
                _Result(row.id, row.chat_id, DeliveryStatus.FAILED, attempts, error=error)
            )
            return
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1))
        self._retry(row, attempts, error, delay * (1 + random.random() / 2))

    def _retry(self, row: _Row, attempts: int, error: str, delay: float) -> None:
        self.stats.retried += 1
        self._results.append(
            _Result(
                row.id,
                row.chat_id,
                DeliveryStatus.PENDING,
                attempts,
                error=error,
                retry_in=max(delay, self.per_chat_interval),
            )
        )

    async def _deliver(self, chat_id: int, data: dict[str, Any]) -> Any:
        buttons = data.get("buttons") or []
        markup = (
            InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row]
                    for row in buttons
                ]
            )
            if buttons
            else None
        )
        extra: dict[str, Any] = {"reply_markup": markup, "parse_mode": ParseMode.HTML}
        if data.get("paid"):
            extra["allow_paid_broadcast"] = True
        kind = data.get("kind", "text")
        if kind in RENDERERS:
            return await RENDERERS[kind](self.bot, chat_id, data, self.db)
        if kind == "photo":
            return await self.bot.send_photo(
                chat_id, data["file_id"], caption=data.get("text"), **extra
            )
        if kind == "document":
            return await self.bot.send_document(
                chat_id, data["file_id"], caption=data.get("text"), **extra
            )
        return await self.bot.send_message(chat_id, data["text"], **extra)

    # --- writing results -------------------------------------------------------------------------

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self.flush_interval)
            try:
                await self._flush()
            except Exception:
                log.exception("outbox: could not write delivery results; will retry")

    async def _flush(self) -> None:
        if not self._results:
            return
        results, self._results = self._results, []
        now = utcnow()
        try:
            async with self.db.session() as session:
                for r in results:
                    values: dict[str, Any] = {"status": r.status, "attempts": r.attempts}
                    if r.status == DeliveryStatus.SENT:
                        values.update(sent_at=now, message_id=r.message_id, last_error=None)
                    if r.error is not None:
                        values["last_error"] = r.error[:200]
                    if r.retry_in is not None:
                        values["next_attempt_at"] = now + timedelta(seconds=r.retry_in)
                    await session.exec(
                        update(Delivery).where(col(Delivery.id) == r.id).values(**values)  # type: ignore[call-overload]
                    )
                    if r.status == DeliveryStatus.BLOCKED:
                        await users_service.set_active(session, r.chat_id, False)
        except Exception:
            self._results[:0] = results  # keep them for the next flush
            raise
        if any(r.status == DeliveryStatus.PENDING for r in results):
            self._wake.set()

    async def _flush_quietly(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._flush()

    # --- ticks --------------------------------------------------------------------------------

    async def _ticker(self) -> None:
        while True:
            for hook in list(TICK_HOOKS):
                try:
                    await hook(self)
                except Exception:
                    log.exception("outbox: tick hook %s failed", getattr(hook, "__name__", hook))
            await asyncio.sleep(self.tick_interval)

    # --- helpers ------------------------------------------------------------------------------

    async def _idle(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become a timedelta
        warnings.simplefilter("ignore")
        return _seconds(exc.retry_after)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]


async def backlog(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """For /healthz: messages waiting to be sent, and how late the most overdue one is."""
    now = now or utcnow()
    async with db.sessions() as session:
        waiting, oldest = (
            await session.exec(
                select(func.count(), func.min(Delivery.next_attempt_at)).where(  # type: ignore[call-overload]
                    col(Delivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
                )
            )
        ).one()
    late = max(0.0, (now - _aware(oldest)).total_seconds()) if oldest is not None else 0.0
    return {"waiting": int(waiting), "oldest_due_s": round(late, 1)}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def from_settings(bot: Bot, db: Database, settings: Any) -> Outbox:
    return Outbox(
        bot,
        db,
        rate=settings.outbox_rate,
        per_chat_interval=settings.outbox_per_chat_interval,
        paid_rate=settings.outbox_paid_rate,
        max_attempts=settings.outbox_max_attempts,
    )
