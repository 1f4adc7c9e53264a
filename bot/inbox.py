"""The inbox: received updates are stored first, then handled from the store by any process.

For several bot processes on one PostgreSQL database (README, "Several processes"):

* **Receiving** (the poller in one process, or the webhook endpoint in every process behind a
  load balancer) inserts the updates (`store`, an id already stored or handled is skipped) and
  commits; only then is Telegram's delivery acknowledged. Nothing received is lost.
* **Handling** (`InboxWorkers`, N concurrent turns in every process): one transaction claims
  the oldest stored update whose user has no earlier update still stored (`claim_next`,
  `FOR UPDATE SKIP LOCKED`), runs the turn (`SaathiApplication.process_in`) and deletes the
  row. A user's later update cannot be claimed while an earlier one is being handled (the
  earlier row is still there), so one user's updates run one at a time, in order; different
  users run in parallel across processes. A process killed mid-update never commits: its row
  lock goes with its connection and another process handles the update from the start.
  Effects are keyed by `update_id` (`processed_updates`), so a redelivered update is dropped.
* **Waking up**: on PostgreSQL `store` sends a NOTIFY (delivered at commit) and every process
  LISTENs, waking as many idle workers as updates were stored; a worker that finished an
  update looks again at once (the next update of that user is claimable now); and idle
  workers look every `poll_interval` seconds anyway (a missed notification costs that much).

SQLite (one process) runs the same code; its transactions take the write lock up front
(`BEGIN IMMEDIATE`), so turns run one at a time there whatever the number of workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from bot.db import Database, is_sqlite
from bot.retry import Redeliver
from bot.turn import RolledBack, log_update
from models import InboxUpdate, ProcessedUpdate
from models.types import utcnow

if TYPE_CHECKING:
    from bot.turn import SaathiApplication

log = logging.getLogger(__name__)

CHANNEL = "saathi_inbox"


# --- the store: plain functions over a session ------------------------------------------------


def user_key(update: Update) -> int:
    """Whose turn an update is: the sender, else the chat (0 when it has neither)."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return 0


async def store(session: AsyncSession, updates: Sequence[tuple[Update, dict[str, Any]]]) -> int:
    """Store (update, its JSON) pairs unless already stored or handled; returns how many were
    new. On PostgreSQL the listening processes are notified when the transaction commits."""
    ids = [u.update_id for u, _ in updates]
    if not ids:
        return 0
    handled = set(
        (
            await session.exec(
                select(ProcessedUpdate.update_id).where(col(ProcessedUpdate.update_id).in_(ids))  # type: ignore[call-overload]
            )
        ).scalars()
    )
    rows = [
        {"update_id": u.update_id, "user_key": user_key(u), "payload": payload}
        for u, payload in updates
        if u.update_id not in handled
    ]
    if not rows:
        return 0
    bind = session.bind
    postgres = bind is not None and bind.dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    stmt = (
        insert(InboxUpdate)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(col(InboxUpdate.update_id))
    )
    new = len((await session.exec(stmt)).all())  # type: ignore[call-overload]
    if postgres and new:
        await session.exec(
            text("SELECT pg_notify(:channel, :n)").bindparams(channel=CHANNEL, n=str(new))
        )  # type: ignore[call-overload]
    return new


async def claim_next(session: AsyncSession) -> InboxUpdate | None:
    """The oldest stored update whose user has no earlier update stored, locked until the
    transaction ends; updates locked by other transactions are skipped (PostgreSQL)."""
    earlier = aliased(InboxUpdate)
    blocked = exists().where(
        col(earlier.user_key) == col(InboxUpdate.user_key),
        col(earlier.update_id) < col(InboxUpdate.update_id),
    )
    stmt = (
        select(InboxUpdate)
        .where(~blocked)
        .order_by(col(InboxUpdate.update_id))
        .limit(1)
        .with_for_update(skip_locked=True, of=InboxUpdate)  # type: ignore[arg-type]
    )
    return (await session.exec(stmt)).scalars().first()  # type: ignore[call-overload,no-any-return]


async def remove(session: AsyncSession, update_id: int) -> None:
    await session.exec(delete(InboxUpdate).where(col(InboxUpdate.update_id) == update_id))  # type: ignore[call-overload]


async def settle_failed(session: AsyncSession, update_id: int) -> None:
    """A stored update whose turn was rolled back for good (a handler failed, or its id was
    handled already): record the id as "error" unless it is known, and drop the row."""
    bind = session.bind
    insert = pg_insert if bind is not None and bind.dialect.name == "postgresql" else sqlite_insert
    await session.exec(
        insert(ProcessedUpdate)  # type: ignore[call-overload]
        .values(update_id=update_id, outcome="error", processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    await remove(session, update_id)


async def backlog(db: Database) -> int:
    """Updates stored and not handled yet (for /healthz)."""
    async with db.sessions() as session:
        return int((await session.exec(select(func.count()).select_from(InboxUpdate))).scalar_one())  # type: ignore[call-overload]


# --- the workers ----------------------------------------------------------------------------


class InboxWorkers:
    """`workers` concurrent turns in this process, fed from the inbox."""

    def __init__(
        self, app: SaathiApplication, *, workers: int = 4, poll_interval: float = 1.0
    ) -> None:
        self.app = app
        self.db: Database = app.database
        self.workers, self.poll_interval = workers, poll_interval
        self._stop = asyncio.Event()
        self._idle: deque[asyncio.Future[None]] = deque()
        self._tasks: list[asyncio.Task[None]] = []
        self._listener: asyncio.Task[None] | None = None
        self.listening = False
        self.handled = 0

    # --- receiving --------------------------------------------------------------------------

    async def receive(self, updates: Sequence[tuple[Update, dict[str, Any]]]) -> None:
        """Store received updates and commit (the caller acknowledges them afterwards)."""
        async with self.db.session() as session:
            new = await store(session, updates)
        if not self.listening:  # otherwise the NOTIFY wakes the workers of every process
            self.wake(new)

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        if not is_sqlite(self.db.url):
            self._listener = asyncio.create_task(self._listen(), name="saathi-inbox-listen")
        self._tasks = [
            asyncio.create_task(self._work(), name=f"saathi-inbox-{i}") for i in range(self.workers)
        ]

    async def stop(self) -> None:
        """Finish the turns in hand, then stop."""
        self._stop.set()
        self.wake(len(self._idle))
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def wake(self, count: int = 1) -> None:
        """Let up to `count` idle workers look for updates now."""
        while count > 0 and self._idle:
            waiter = self._idle.popleft()
            if not waiter.done():
                waiter.set_result(None)
                count -= 1

    # --- handling ---------------------------------------------------------------------------

    async def _work(self) -> None:
        while not self._stop.is_set():
            try:
                handled = await self.handle_one()
            except Exception:
                # The database failed: the update (if any) was rolled back and stays stored.
                log.exception("inbox: could not handle a stored update; retrying in 1 s")
                await self._wait(1.0)
                continue
            if not handled:
                await self._wait(self.poll_interval)

    async def handle_one(self) -> bool:
        """Claim, handle and delete one stored update in one transaction; False if none."""
        started = time.perf_counter()
        update: Update | None = None
        outcome = "error"
        try:
            async with self.db.session() as session:
                row = await claim_next(session)
                if row is None:
                    return False
                update = Update.de_json(row.payload, self.app.bot)
                await self.app.process_in(session, update)
                await remove(session, row.update_id)
            outcome = "ok"
        except IntegrityError:
            if update is None:
                raise
            # Handled already (a redelivery stored again), or an effect broke a constraint.
            outcome = "duplicate"
            await self._settle_failed(update.update_id)
        except RolledBack:
            assert update is not None
            await self._settle_failed(update.update_id)
        except Redeliver as exc:
            # A transient Bot API failure: rolled back, the update stays stored for a retry.
            outcome = "redeliver"
            await self._wait(max(exc.wait, 0.5))
        finally:
            if update is not None:
                self.handled += 1
                log_update(update, outcome, time.perf_counter() - started, self.app.bot.token)
        return True

    async def _settle_failed(self, update_id: int) -> None:
        async with self.db.session() as session:
            await settle_failed(session, update_id)

    async def _wait(self, seconds: float) -> None:
        if self._stop.is_set():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout=seconds)
        except TimeoutError:
            pass
        finally:
            with contextlib.suppress(ValueError):
                self._idle.remove(waiter)

    # --- PostgreSQL LISTEN ------------------------------------------------------------------

    async def _listen(self) -> None:
        import psycopg

        conninfo = make_url(self.db.url).set(drivername="postgresql")
        backoff = 0.5
        while not self._stop.is_set():
            try:
                conn = await psycopg.AsyncConnection.connect(
                    conninfo.render_as_string(hide_password=False), autocommit=True
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    backoff = 0.5
                    self.wake(self.workers)  # whatever was stored while nobody listened
                    async for note in conn.notifies():
                        self.wake(int(note.payload or 1))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "inbox: LISTEN failed (%s); retrying in %.1f s", type(exc).__name__, backoff
                )
            finally:
                self.listening = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=backoff)
            backoff = min(backoff * 2, 10.0)
