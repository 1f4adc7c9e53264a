"""Broadcast notices, the outbox of deliveries that carries them, and acknowledgements.

* `notices`: what an officer or admin wrote, whom it is for, and where its sending stands.
* `outbox`: one row per message to send (generic: a chat id, a rendered payload and an owner
  reference such as ("notice", 42)); drained by `bot/outbox.py`. Scheduled summaries use it too.
* `notice_acks`: who tapped "समझ गया / Got it" on a notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, false
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class NoticeStatus:
    SCHEDULED = "scheduled"  # confirmed, waits for send_at; no deliveries yet
    SENDING = "sending"  # deliveries enqueued; the outbox is draining them
    DONE = "done"  # nothing left to send
    CANCELLED = "cancelled"  # stopped by the sender (or before its time)


class Notice(SQLModel, table=True):
    __tablename__ = "notices"

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    author_role: str = Field(max_length=16)
    text_hi: str = Field(sa_column=Column(Text, nullable=False))
    text_en: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    media_kind: str | None = Field(default=None, max_length=16)  # None | "photo" | "document"
    media_file_id: str | None = Field(default=None, max_length=255)
    # Whom it is for: districts (empty = the whole state) and optionally craft groups.
    districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    crafts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    paid: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    status: str = Field(default=NoticeStatus.SENDING, max_length=16, index=True)
    send_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total: int = Field(default=0)
    # The sender's live progress message, edited while the outbox drains.
    progress_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    progress_message_id: int | None = Field(default=None)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryStatus:
    PENDING = "pending"  # to send when next_attempt_at has come
    SENDING = "sending"  # claimed by the drainer; the result is not yet written
    SENT = "sent"
    BLOCKED = "blocked"  # Forbidden: the user blocked the bot; not retried
    FAILED = "failed"  # a permanent error, or too many attempts
    CANCELLED = "cancelled"


class Delivery(SQLModel, table=True):
    """One message for one chat. `payload`: {"kind": "text"|"photo"|"document", "text",
    "file_id", "buttons": [[{"text", "data"}]], "paid": bool}."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_owner", "owner_kind", "owner_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_kind: str = Field(max_length=24)  # "notice", "summary", ...
    owner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=200)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoticeAck(SQLModel, table=True):
    __tablename__ = "notice_acks"

    notice_id: int = Field(
        sa_column=Column(Integer, ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
