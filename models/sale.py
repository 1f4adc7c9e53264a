"""A sale: what was sold, how many, for how much, where, and on which (IST) day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

CHANNELS = ("flipkart", "amazon", "meesho", "gem", "odop_mart", "local", "whatsapp", "other")


class Sale(SQLModel, table=True):
    __tablename__ = "sales"
    __table_args__ = (
        UniqueConstraint("user_id", "order_id", name="uq_sales_user_order"),
        # Covering: per-user reports read only the index.
        Index("ix_sales_user_day", "user_id", "sold_on", "product_id", "quantity", "total_paise"),
        Index("ix_sales_district_day", "district_code", "sold_on"),
        # Covering, led by the day: everyone's figures for one window (the summaries) are one
        # range scan of those days (bot.services.summaries.artisan_figures).
        Index("ix_sales_day_user", "sold_on", "user_id", "product_id", "quantity", "total_paise"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # NULL once the artisan deleted their data: the anonymised sale still counts in totals.
    user_id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    district_code: str = Field(max_length=40)
    craft_group: str | None = Field(default=None, max_length=40)
    product_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("products.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    quantity: int
    unit_price_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    total_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    channel: str = Field(default="other", max_length=16)
    sold_on: date
    source: str = Field(default="chat", max_length=8)  # chat | buttons | import
    # The update that recorded it: a redelivered update cannot record it twice.
    update_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, unique=True, nullable=True)
    )
    order_id: str | None = Field(default=None, max_length=64)  # marketplace order id (imports)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
