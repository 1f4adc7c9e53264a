"""Update ids already handled, so that a redelivered update is dropped (pruned after a while)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ProcessedUpdate(SQLModel, table=True):
    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    # "ok" when its effects were committed, "error" when handling failed and was rolled back.
    outcome: str = Field(default="ok", max_length=8)
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
