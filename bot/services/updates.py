"""Processed update ids: a redelivered update is dropped; old ids are pruned."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models import ProcessedUpdate
from models.types import utcnow


async def seen(session: AsyncSession, update_id: int) -> bool:
    return await session.get(ProcessedUpdate, update_id) is not None


async def claim(session: AsyncSession, update_id: int) -> None:
    """Store the id now, inside the update's transaction; raises IntegrityError if it is known."""
    session.add(ProcessedUpdate(update_id=update_id, outcome="ok"))
    await session.flush()


def mark(session: AsyncSession, update_id: int, outcome: str = "ok") -> None:
    session.add(ProcessedUpdate(update_id=update_id, outcome=outcome))


async def prune(session: AsyncSession, older_than: timedelta, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - older_than
    result = await session.exec(
        delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff)  # type: ignore[call-overload,arg-type]
    )
    return result.rowcount or 0
