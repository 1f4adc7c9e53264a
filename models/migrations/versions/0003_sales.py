"""sales

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:21:08.710504
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('district_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('craft_group', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price_paise', sa.BigInteger(), nullable=False),
    sa.Column('total_paise', sa.BigInteger(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=True),
    sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('update_id'),
    sa.UniqueConstraint('user_id', 'order_id', name='uq_sales_user_order')
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index('ix_sales_district_day', ['district_code', 'sold_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_sales_user_day', ['user_id', 'sold_on', 'product_id', 'quantity', 'total_paise'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_user_day')
        batch_op.drop_index(batch_op.f('ix_sales_product_id'))
        batch_op.drop_index('ix_sales_district_day')

    op.drop_table('sales')
