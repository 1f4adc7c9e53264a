"""Conversation state: which flow a user is in, at which step, and the draft so far.

The row is written in the same transaction as the rest of the update's effects, so a crash
loses at most the update being handled.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models import Conversation
from models.types import utcnow


async def get(session: AsyncSession, user_id: int) -> Conversation | None:
    return await session.get(Conversation, user_id)


async def enter(
    session: AsyncSession, user_id: int, flow: str, step: str, data: dict[str, Any] | None = None
) -> Conversation:
    conv = await session.get(Conversation, user_id)
    if conv is None:
        conv = Conversation(user_id=user_id, flow=flow, step=step, data=dict(data or {}))
    else:
        conv.flow, conv.step, conv.data = flow, step, dict(data or {})
    conv.updated_at = utcnow()
    session.add(conv)
    await session.flush()
    return conv


async def advance(
    session: AsyncSession, conv: Conversation, step: str, **changes: Any
) -> Conversation:
    """Move to `step`, merging `changes` into the draft."""
    conv.step = step
    conv.data = {**conv.data, **changes}  # a new dict, so the JSON column is marked dirty
    conv.updated_at = utcnow()
    session.add(conv)
    await session.flush()
    return conv


async def leave(session: AsyncSession, user_id: int) -> bool:
    conv = await session.get(Conversation, user_id)
    if conv is None:
        return False
    await session.delete(conv)
    await session.flush()
    return True
