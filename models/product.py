"""What an artisan makes and sells: a product (a listing) and its photos.

Money is integer paise. `category` is a sub-type code of a craft group (see
`bot/services/products.py`, e.g. "kurta", "diya"); the craft group follows from it.
Sales build on this table: `stock` is what is left, `low_stock_threshold` when to warn.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, false, text
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

DEFAULT_LOW_STOCK_THRESHOLD = 2


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        # The listed prices of a category (the price rule of the listing score) from the index.
        Index("ix_products_category_price", "category", "archived", "price_paise"),
        # The newest listings (the /stats sample of listing scores) without a sort.
        Index("ix_products_listed_newest", "archived", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=120)
    category: str = Field(max_length=40)
    price_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
    # What one piece costs the artisan to make (for the floor-price helper); optional.
    cost_paise: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    stock: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    low_stock_threshold: int = Field(
        default=DEFAULT_LOW_STOCK_THRESHOLD,
        sa_column_kwargs={"server_default": text(str(DEFAULT_LOW_STOCK_THRESHOLD))},
    )
    sku: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    material: str | None = Field(default=None, max_length=120)
    size: str | None = Field(default=None, max_length=120)
    # Questions about the photos the artisan answers once: {"closeup": true, "scale": false}.
    photo_answers: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductPhoto(SQLModel, table=True):
    __tablename__ = "product_photos"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # The largest size of a Telegram photo, or an image sent "as a file" (a document).
    file_id: str = Field(max_length=255)
    file_unique_id: str = Field(max_length=64)
    kind: str = Field(default="photo", max_length=16)  # "photo" | "document"
    # A photo file id to show a document image in photo cards (sendPhoto refuses documents).
    preview_file_id: str | None = Field(default=None, max_length=255)
    position: int = Field(default=0)
    # What bot/services/photo_checks.py measured: size, light, sharpness, background, findings.
    checks: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
