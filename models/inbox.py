"""Updates received but not yet handled (several bot processes on one PostgreSQL).

A receiving process stores each update here and commits before acknowledging it to Telegram;
any process then claims it (`bot/inbox.py`), handles it and deletes the row in one transaction.
`user_key` (the sender, else the chat) keeps one user's updates in the order they came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_user_update", "user_key", "update_id"),)

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
