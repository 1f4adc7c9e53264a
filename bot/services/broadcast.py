"""Broadcast notices: who receives one, enqueueing its deliveries, its state and its counts.

A notice is for the active registered artisans of some districts (none = the whole state),
optionally only some craft groups. Confirming it either schedules it (`send_at`) or enqueues
one outbox row per recipient at once, each rendered in the recipient's language by the caller
(services never translate). `bot/outbox.py` drains the rows; scheduled summaries (issue 7) use
the same outbox through `enqueue_deliveries` and `payload`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Delivery, Notice, NoticeAck, Role, User
from models.notice import DeliveryStatus, NoticeStatus
from models.types import utcnow

OWNER = "notice"
INSERT_CHUNK = 1000
TEXT_MAX = 3500  # leaves room for the heading within Telegram's 4096
CAPTION_MAX = 900  # leaves room for the heading within Telegram's 1024


# --- outbox payloads (generic) -----------------------------------------------------------------


def payload(
    text: str | None,
    *,
    kind: str = "text",
    file_id: str | None = None,
    buttons: Sequence[Sequence[tuple[str, str]]] = (),
    paid: bool = False,
) -> dict[str, Any]:
    """A rendered message for the outbox: HTML text (or caption), an optional photo/document
    file id, inline buttons as (label, callback data), and Telegram's paid broadcast flag."""
    if kind not in ("text", "photo", "document"):
        raise ValueError(f"unknown payload kind {kind!r}")
    if kind != "text" and not file_id:
        raise ValueError("a photo or document payload needs a file id")
    data: dict[str, Any] = {"kind": kind, "text": text}
    if file_id:
        data["file_id"] = file_id
    if buttons:
        data["buttons"] = [[{"text": t, "data": d} for t, d in row] for row in buttons]
    if paid:
        data["paid"] = True
    return data


async def enqueue_deliveries(
    session: AsyncSession,
    owner_kind: str,
    owner_id: int,
    items: Iterable[tuple[int, dict[str, Any]]],
    *,
    not_before: datetime | None = None,
) -> int:
    """Insert one pending outbox row per (chat id, payload); returns how many."""
    now = utcnow()
    due = not_before or now
    count = 0
    conn = await session.connection()  # executemany: one INSERT, many rows
    chunk: list[dict[str, Any]] = []
    for chat_id, data in items:
        chunk.append(
            {
                "owner_kind": owner_kind,
                "owner_id": owner_id,
                "chat_id": chat_id,
                "payload": data,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": due,
                "created_at": now,
            }
        )
        if len(chunk) >= INSERT_CHUNK:
            await conn.execute(insert(Delivery), chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        await conn.execute(insert(Delivery), chunk)
        count += len(chunk)
    return count


# --- whom a notice reaches ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    districts: tuple[str, ...] = ()  # empty: the whole state
    crafts: tuple[str, ...] = ()  # empty: every craft

    @property
    def statewide(self) -> bool:
        return not self.districts


def _recipient_filter(target: Target, exclude: int | None) -> list[Any]:
    conditions: list[Any] = [
        User.role == Role.ARTISAN.value,
        col(User.onboarded_at).is_not(None),
        col(User.active).is_(True),
    ]
    if target.districts:
        conditions.append(col(User.district_code).in_(list(target.districts)))
    if target.crafts:
        conditions.append(col(User.craft_group).in_(list(target.crafts)))
    if exclude is not None:
        conditions.append(User.id != exclude)
    return conditions


@dataclass(frozen=True)
class Audience:
    total: int
    by_language: dict[str, int] = field(default_factory=dict)


async def audience(session: AsyncSession, target: Target, exclude: int | None = None) -> Audience:
    """How many would receive it now, by language (one GROUP BY)."""
    rows = await session.exec(
        select(User.language, func.count())
        .where(*_recipient_filter(target, exclude))
        .group_by(User.language)
    )
    by_language = {lang: int(n) for lang, n in rows.all()}
    return Audience(sum(by_language.values()), by_language)


# --- notices -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    text_hi: str
    text_en: str | None = None
    media_kind: str | None = None
    media_file_id: str | None = None
    target: Target = Target()
    paid: bool = False


async def create(
    session: AsyncSession,
    author: User,
    author_role: str,
    draft: Draft,
    *,
    send_at: datetime | None = None,
    progress: tuple[int, int] | None = None,
) -> Notice:
    notice = Notice(
        author_id=author.id,
        author_role=author_role,
        text_hi=draft.text_hi,
        text_en=draft.text_en,
        media_kind=draft.media_kind,
        media_file_id=draft.media_file_id,
        districts=list(draft.target.districts),
        crafts=list(draft.target.crafts),
        paid=draft.paid,
        status=NoticeStatus.SCHEDULED if send_at else NoticeStatus.SENDING,
        send_at=send_at,
    )
    if progress is not None:
        notice.progress_chat_id, notice.progress_message_id = progress
    session.add(notice)
    await session.flush()
    return notice


def target_of(notice: Notice) -> Target:
    return Target(tuple(notice.districts or ()), tuple(notice.crafts or ()))


Renderer = Callable[[str], dict[str, Any]]  # language → outbox payload


async def enqueue(
    session: AsyncSession, notice: Notice, render: Renderer, now: datetime | None = None
) -> int:
    """Choose the recipients now and put one delivery per recipient in the outbox."""
    assert notice.id is not None
    rows = await session.exec(
        select(User.id, User.language)
        .where(*_recipient_filter(target_of(notice), notice.author_id))
        .order_by(col(User.id))
    )
    rendered: dict[str, dict[str, Any]] = {}

    def items() -> Iterable[tuple[int, dict[str, Any]]]:
        for uid, lang in rows.all():
            if lang not in rendered:
                rendered[lang] = render(lang)
            yield uid, rendered[lang]

    total = await enqueue_deliveries(session, OWNER, notice.id, items())
    notice.total = total
    notice.status = NoticeStatus.SENDING
    notice.started_at = now or utcnow()
    session.add(notice)
    await session.flush()
    return total


async def get(session: AsyncSession, notice_id: int) -> Notice | None:
    return await session.get(Notice, notice_id)


async def due_scheduled(session: AsyncSession, now: datetime | None = None) -> list[Notice]:
    now = now or utcnow()
    rows = await session.exec(
        select(Notice)
        .where(Notice.status == NoticeStatus.SCHEDULED, col(Notice.send_at) <= now)
        .order_by(col(Notice.id))
    )
    return list(rows.all())


async def cancel(session: AsyncSession, notice: Notice, now: datetime | None = None) -> int:
    """Stop a scheduled or running notice: what is not sent yet is not sent. Returns how many
    deliveries were cancelled. Rows being sent this very moment finish (at most a few)."""
    if notice.status not in (NoticeStatus.SCHEDULED, NoticeStatus.SENDING):
        return 0
    assert notice.id is not None
    result = await session.exec(
        update(Delivery)  # type: ignore[call-overload]
        .where(
            col(Delivery.owner_kind) == OWNER,
            col(Delivery.owner_id) == notice.id,
            col(Delivery.status) == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED)
    )
    notice.status = NoticeStatus.CANCELLED
    notice.finished_at = now or utcnow()
    session.add(notice)
    await session.flush()
    return int(result.rowcount or 0)


@dataclass(frozen=True)
class Counts:
    total: int = 0
    sent: int = 0
    pending: int = 0  # pending + being sent
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0
    acks: int = 0

    @property
    def finished(self) -> bool:
        return self.pending == 0


async def counts(session: AsyncSession, notice_id: int) -> Counts:
    """Delivery counts by status (one GROUP BY) and acknowledgements (one COUNT)."""
    rows = await session.exec(
        select(Delivery.status, func.count())
        .where(col(Delivery.owner_kind) == OWNER, col(Delivery.owner_id) == notice_id)
        .group_by(Delivery.status)
    )
    by = {status: int(n) for status, n in rows.all()}
    acks = (
        await session.exec(
            select(func.count()).select_from(NoticeAck).where(NoticeAck.notice_id == notice_id)
        )
    ).one()
    return Counts(
        total=sum(by.values()),
        sent=by.get(DeliveryStatus.SENT, 0),
        pending=by.get(DeliveryStatus.PENDING, 0) + by.get(DeliveryStatus.SENDING, 0),
        blocked=by.get(DeliveryStatus.BLOCKED, 0),
        failed=by.get(DeliveryStatus.FAILED, 0),
        cancelled=by.get(DeliveryStatus.CANCELLED, 0),
        acks=int(acks),
    )


async def running(session: AsyncSession) -> list[Notice]:
    """Notices being sent, and finished ones whose final report is not out yet."""
    rows = await session.exec(
        select(Notice)
        .where(
            (col(Notice.status) == NoticeStatus.SENDING)
            | (
                col(Notice.status).in_([NoticeStatus.DONE, NoticeStatus.CANCELLED])
                & col(Notice.reported_at).is_(None)
                & col(Notice.started_at).is_not(None)
            )
        )
        .order_by(col(Notice.id))
    )
    return list(rows.all())


async def mark_done(session: AsyncSession, notice: Notice, now: datetime | None = None) -> None:
    notice.status = NoticeStatus.DONE
    notice.finished_at = now or utcnow()
    session.add(notice)
    await session.flush()


async def mark_reported(session: AsyncSession, notice: Notice, now: datetime | None = None) -> None:
    notice.reported_at = now or utcnow()
    session.add(notice)
    await session.flush()


async def acknowledge(session: AsyncSession, notice_id: int, user_id: int) -> str:
    """ "Got it" tapped: "ok" (counted), "again" (already counted) or "unknown" (not a
    recipient of this notice, or no such notice)."""
    received = (
        await session.exec(
            select(Delivery.id).where(
                col(Delivery.owner_kind) == OWNER,
                col(Delivery.owner_id) == notice_id,
                col(Delivery.chat_id) == user_id,
            )
        )
    ).first()
    if received is None:
        return "unknown"
    if await session.get(NoticeAck, (notice_id, user_id)) is not None:
        return "again"
    session.add(NoticeAck(notice_id=notice_id, user_id=user_id))
    await session.flush()
    return "ok"


async def recent(
    session: AsyncSession, author_id: int | None = None, limit: int = 5
) -> list[Notice]:
    query = select(Notice).order_by(col(Notice.id).desc()).limit(limit)
    if author_id is not None:
        query = query.where(Notice.author_id == author_id)
    return list((await session.exec(query)).all())
