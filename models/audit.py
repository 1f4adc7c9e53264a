"""The audit log: every privileged action (who, what, when, on whom, where)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # Telegram ids, deliberately without foreign keys: the log outlives the people in it.
    actor_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=40)  # e.g. "officer.appoint", "notice.send", "export"
    target_user_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    district_code: str | None = Field(default=None, max_length=40)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
