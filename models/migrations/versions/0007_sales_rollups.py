"""sales rollups: figures per day and district, and per product and financial year

`sales_daily` (day, district, craft group) and `product_sales_fy` (financial year, district
or '*' for the whole state, product) hold counts, pieces and paise, kept in step with `sales`
by `bot.services.rollups`. Both are filled here from the existing sales (INSERT … SELECT).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_daily",
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("district_code", sa.String(length=40), nullable=False),
        sa.Column("craft_group", sa.String(length=40), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("pieces", sa.BigInteger(), nullable=False),
        sa.Column("total_paise", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sold_on", "district_code", "craft_group"),
    )
    op.create_table(
        "product_sales_fy",
        sa.Column("fy_start", sa.Date(), nullable=False),
        sa.Column("district_code", sa.String(length=40), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sales", sa.Integer(), nullable=False),
        sa.Column("pieces", sa.BigInteger(), nullable=False),
        sa.Column("total_paise", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("fy_start", "district_code", "product_id"),
    )
    op.create_index(
        "ix_product_sales_fy_rank",
        "product_sales_fy",
        ["fy_start", "district_code", "total_paise"],
        unique=False,
    )

    # The financial year of a day starts on 1 April of the year three months earlier.
    if op.get_bind().dialect.name == "postgresql":
        fy = "CAST(date_trunc('year', sold_on - interval '3 months') + interval '3 months' AS date)"
    else:
        fy = "date(sold_on, '-3 months', 'start of year', '+3 months')"
    op.execute(
        "INSERT INTO sales_daily (sold_on, district_code, craft_group, sales, pieces, total_paise) "
        "SELECT sold_on, district_code, COALESCE(craft_group, ''), COUNT(*), SUM(quantity), "
        "SUM(total_paise) FROM sales GROUP BY sold_on, district_code, COALESCE(craft_group, '')"
    )
    op.execute(
        "INSERT INTO product_sales_fy "
        "(fy_start, district_code, product_id, sales, pieces, total_paise) "
        f"SELECT {fy}, district_code, product_id, COUNT(*), SUM(quantity), SUM(total_paise) "
        f"FROM sales WHERE product_id IS NOT NULL GROUP BY {fy}, district_code, product_id"
    )
    op.execute(
        "INSERT INTO product_sales_fy "
        "(fy_start, district_code, product_id, sales, pieces, total_paise) "
        "SELECT fy_start, '*', product_id, SUM(sales), SUM(pieces), SUM(total_paise) "
        "FROM product_sales_fy GROUP BY fy_start, product_id"
    )


def downgrade() -> None:
    op.drop_index("ix_product_sales_fy_rank", table_name="product_sales_fy")
    op.drop_table("product_sales_fy")
    op.drop_table("sales_daily")
