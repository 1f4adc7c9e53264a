"""A person who talks to the bot, keyed by their Telegram user id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Role(StrEnum):
    ARTISAN = "artisan"
    OFFICER = "officer"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        # Artisans per district (registered, seen lately, unreachable) for /stats, from the
        # index. Not led by `role`: then SQLite walks it for "artisans with ids above N".
        Index(
            "ix_users_by_district_role",
            "district_code",
            "role",
            "onboarded_at",
            "last_seen_at",
            "active",
        ),
    )

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    language: str = Field(default="hi", max_length=8)
    role: str = Field(default=Role.ARTISAN.value, max_length=16)
    name: str | None = Field(default=None, max_length=80)
    district_code: str | None = Field(default=None, max_length=40)
    # The craft: one of the district's ODOP products (its index in the reference data) or,
    # for another craft, only its craft group.
    craft_group: str | None = Field(default=None, max_length=40)
    odop_index: int | None = Field(default=None)
    phone: str | None = Field(default=None, max_length=20)
    consent_version: str | None = Field(default=None, max_length=32)
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    onboarded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # False once Telegram says the user blocked the bot; a new message makes it True again.
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def is_registered(self) -> bool:
        return self.onboarded_at is not None
