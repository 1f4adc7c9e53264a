"""What we hold about a person (/mydata) and erasing it (/deleteme).

Erasing deletes the user row; the database cascades to their products, photos and
conversation. Their sales stay only as anonymised figures (user and product set to NULL;
district, craft, day, quantity and amount remain) so district and state totals stay true.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import audit
from models import (
    Conversation,
    Delivery,
    NoticeAck,
    Product,
    ProductPhoto,
    Sale,
    SummaryLedger,
    User,
)


def _plain(row: Any, exclude: set[str] | None = None) -> dict[str, Any]:
    data = row.model_dump(exclude=exclude or set())
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in data.items()}


async def export(session: AsyncSession, user_id: int) -> dict[str, Any] | None:
    user = await session.get(User, user_id)
    if user is None:
        return None
    products = (await session.exec(select(Product).where(Product.user_id == user_id))).all()
    photos = (
        await session.exec(
            select(ProductPhoto).where(col(ProductPhoto.product_id).in_([p.id for p in products]))
        )
    ).all()
    sales = (
        await session.exec(select(Sale).where(Sale.user_id == user_id).order_by(col(Sale.id)))
    ).all()
    conv = await session.get(Conversation, user_id)
    return {
        "user": _plain(user),
        "products": [_plain(p) for p in products],
        "product_photos": [_plain(p) for p in photos],
        "sales": [_plain(s) for s in sales],
        "conversation_in_progress": _plain(conv) if conv else None,
    }


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


@dataclass(frozen=True)
class Erased:
    products: int
    sales_anonymised: int


async def erase(session: AsyncSession, user_id: int) -> Erased | None:
    """Delete everything personal about the user; keep their sales as anonymous figures."""
    user = await session.get(User, user_id)
    if user is None:
        return None
    products = (await session.exec(select(Product.id).where(Product.user_id == user_id))).all()
    # The sales rollups need nothing here: the day, district, craft and amounts they count stay,
    # and each product's rows go with the product (ON DELETE CASCADE), as its sales lose it.
    result = await session.exec(
        update(Sale)  # type: ignore[call-overload]
        .where(col(Sale.user_id) == user_id)
        .values(user_id=None, product_id=None, update_id=None, order_id=None)
    )
    # Messages queued for or sent to them (their text may name their products), their
    # acknowledgements and summary ledger: gone too. No more messages will be sent.
    await session.exec(delete(Delivery).where(col(Delivery.chat_id) == user_id))  # type: ignore[call-overload]
    await session.exec(delete(NoticeAck).where(col(NoticeAck.user_id) == user_id))  # type: ignore[call-overload]
    await session.exec(delete(SummaryLedger).where(col(SummaryLedger.user_id) == user_id))  # type: ignore[call-overload]
    await session.delete(user)  # cascades: products, photos, conversation, summary settings
    await session.flush()
    # Audited: who (the Telegram id, a number) erased their data, when; nothing else about them.
    audit.record(session, user_id, user.role, "erase_own_data")
    return Erased(products=len(products), sales_anonymised=result.rowcount or 0)
