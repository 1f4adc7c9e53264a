"""Scheduled summaries: each user's choices, and a ledger so each goes out exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, UniqueConstraint, true
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_HOUR = 9  # 09:00 IST


class SummaryPrefs(SQLModel, table=True):
    """A user's summary settings; a user without a row has the defaults."""

    __tablename__ = "summary_prefs"

    user_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    weekly: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    monthly: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    digest: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    weekday: int = Field(default=DEFAULT_WEEKDAY)  # 0 = Monday … 6 = Sunday
    hour: int = Field(default=DEFAULT_HOUR)  # local hour, 8 … 20


class SummaryLedger(SQLModel, table=True):
    """One row per (kind, period, user) once that summary is queued: never twice."""

    __tablename__ = "summary_ledger"
    __table_args__ = (UniqueConstraint("kind", "period", "user_id", name="uq_summary_once"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # weekly | monthly | district | state
    period: str = Field(max_length=16)  # e.g. 2026-11-16 (week start), 2026-10, 2026-11-22
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
