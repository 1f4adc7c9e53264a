"""sales by day: a covering index led by the day, for everyone's figures of one window

The weekly summaries read the sales of two weeks for all artisans at once; led by
`sold_on`, that is a range scan of those weeks instead of a skip-scan of every artisan's
part of `ix_sales_user_day`.

Revision ID: 0006
Revises: 0005
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_sales_day_user",
        "sales",
        ["sold_on", "user_id", "product_id", "quantity", "total_paise"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_sales_day_user", table_name="sales")
