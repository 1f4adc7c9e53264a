"""One-time invite codes with which an admin appoints a district officer (`/start <code>`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class OfficerInvite(SQLModel, table=True):
    __tablename__ = "officer_invites"

    code: str = Field(primary_key=True, max_length=32)
    district_code: str = Field(max_length=40)
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
