"""The audit log: write one entry per privileged action; read the newest for admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import AuditEntry
from models.types import utcnow


def record(
    session: AsyncSession,
    actor_id: int,
    actor_role: str,
    action: str,
    *,
    target_user_id: int | None = None,
    district_code: str | None = None,
    now: datetime | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an entry to the current transaction: it commits with the action, or not at all."""
    entry = AuditEntry(
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        target_user_id=target_user_id,
        district_code=district_code,
        details={k: v for k, v in details.items() if v is not None},
        created_at=now or utcnow(),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class Line:
    at: datetime
    actor_id: int
    actor_role: str
    action: str
    target_user_id: int | None
    district_code: str | None
    details: dict[str, Any]


async def recent(
    session: AsyncSession, limit: int = 20, district_code: str | None = None
) -> list[Line]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if district_code is not None:
        query = query.where(AuditEntry.district_code == district_code)
    rows = (await session.exec(query)).all()
    return [
        Line(
            r.created_at,
            r.actor_id,
            r.actor_role,
            r.action,
            r.target_user_id,
            r.district_code,
            dict(r.details or {}),
        )
        for r in rows
    ]
