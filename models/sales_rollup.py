"""Sales figures added up ahead of time, kept in step with `sales` in the same transaction.

`bot.services.rollups` maintains them (every sale inserted, changed or deleted through the ORM)
and fills them after a bulk load; officers' and the state's figures (/stats) read them instead
of millions of sales.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

# `ProductSalesFY.district_code` of the rows that add up every district (the whole state).
STATE = "*"


class SalesDaily(SQLModel, table=True):
    """Sales of one IST day in one district and craft group ('' when the sale has none)."""

    __tablename__ = "sales_daily"

    sold_on: date = Field(sa_column=Column(Date, primary_key=True))
    district_code: str = Field(sa_column=Column(String(40), primary_key=True))
    craft_group: str = Field(sa_column=Column(String(40), primary_key=True))
    sales: int = Field(sa_column=Column(Integer, nullable=False))
    pieces: int = Field(sa_column=Column(BigInteger, nullable=False))
    total_paise: int = Field(sa_column=Column(BigInteger, nullable=False))


class ProductSalesFY(SQLModel, table=True):
    """One product's sales in one financial year (starting 1 April `fy_start`), in one district
    and again under `STATE` for all districts together. Gone with the product."""

    __tablename__ = "product_sales_fy"
    __table_args__ = (
        # The best sellers of a year in a district, or statewide: the top of this index.
        Index("ix_product_sales_fy_rank", "fy_start", "district_code", "total_paise"),
    )

    fy_start: date = Field(sa_column=Column(Date, primary_key=True))
    district_code: str = Field(sa_column=Column(String(40), primary_key=True))
    product_id: int = Field(
        sa_column=Column(Integer, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    )
    sales: int = Field(sa_column=Column(Integer, nullable=False))
    pieces: int = Field(sa_column=Column(BigInteger, nullable=False))
    total_paise: int = Field(sa_column=Column(BigInteger, nullable=False))
