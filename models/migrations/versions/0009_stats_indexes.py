"""indexes for /stats: listing scores (similar prices per category, newest listings), artisans

`ix_products_category_price` (category, archived, price_paise) lets "the listed prices of a
category" (the price rule of the listing score, in Tips and in /stats) read only the index;
it replaces the single-column `ix_products_category`. `ix_products_listed_newest` (archived,
updated_at) gives /stats its sample of the newest listings without sorting every product.
`ix_users_by_district_role` (district_code, role, onboarded_at, last_seen_at, active) lets
the artisans per district (registered, recently seen, unreachable) come from the index alone,
already in district order; it replaces `ix_users_district_code`. (Led by `role`, SQLite used
it for "artisans with ids above N" too and the summaries' pages became full scans: 0.5 s ->
11 s for 100k artisans.)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_products_category_price", "products", ["category", "archived", "price_paise"]
    )
    op.drop_index("ix_products_category", table_name="products")
    op.create_index("ix_products_listed_newest", "products", ["archived", "updated_at"])
    op.create_index(
        "ix_users_by_district_role",
        "users",
        ["district_code", "role", "onboarded_at", "last_seen_at", "active"],
    )
    op.drop_index("ix_users_district_code", table_name="users")


def downgrade() -> None:
    op.create_index("ix_users_district_code", "users", ["district_code"])
    op.drop_index("ix_users_by_district_role", table_name="users")
    op.drop_index("ix_products_listed_newest", table_name="products")
    op.create_index("ix_products_category", "products", ["category"])
    op.drop_index("ix_products_category_price", table_name="products")
