"""Seed rows directly for e2e tests whose subject is not onboarding (onboarding has its own)."""

from __future__ import annotations

from bot.db import Database
from models import User
from models.types import utcnow


async def registered_user(
    database: Database,
    uid: int,
    *,
    language: str = "hi",
    district: str = "lucknow",
    craft_group: str = "textile",
    name: str = "सीमा",
    role: str = "artisan",
) -> None:
    now = utcnow()
    async with database.session() as session:
        session.add(
            User(
                id=uid,
                language=language,
                role=role,
                name=name,
                district_code=district,
                craft_group=craft_group,
                odop_index=0,
                consent_version="test",
                consent_at=now,
                onboarded_at=now,
            )
        )


async def product(
    database: Database,
    uid: int,
    name: str,
    price_paise: int,
    stock: int = 10,
    *,
    sku: str | None = None,
    low_stock_threshold: int = 2,
) -> int:
    from models import Product

    async with database.session() as session:
        item = Product(
            user_id=uid,
            name=name,
            category="other",
            price_paise=price_paise,
            stock=stock,
            sku=sku,
            low_stock_threshold=low_stock_threshold,
        )
        session.add(item)
        await session.flush()
        assert item.id is not None
        return item.id
