"""User services on the real database: registration, forgetting, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services import conversation, updates
from bot.services import users as users_service
from models import Role, User
from models.types import utcnow


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("सीमा देवी", "सीमा देवी"),
        ("  Ravi   Kumar ", "Ravi Kumar"),
        ("D'Souza", "D'Souza"),
        ("श्री राम-प्रसाद", "श्री राम-प्रसाद"),
        ("अ", None),
        ("", None),
        ("<b>Seema</b>", None),
        ("1234", None),
        ("क" * 61, None),
        ("Seema 😀", None),
        ("DROP TABLE users;", None),
    ],
)
def test_clean_name(typed: str, expected: str | None) -> None:
    assert users_service.clean_name(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9876543210", "+919876543210"),
        ("+91 98765 43210", "+919876543210"),
        ("०९८७६५४३२१०", "+919876543210"),
        ("98765-43210", "+919876543210"),
        ("919876543210", "+919876543210"),
        ("12345", None),
        ("5876543210", None),
        ("+1 202 555 0100", None),
        ("call me", None),
    ],
)
def test_clean_phone(typed: str, expected: str | None) -> None:
    assert users_service.clean_phone(typed) == expected


async def test_register_and_forget(database) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as s:
        user = await users_service.create(s, 5, "hi", Role.ARTISAN)
        await conversation.enter(s, 5, "onboarding", "name", {"a": 1})
    async with database.session() as s:
        await users_service.forget_unregistered(s, 5)
    async with database.session() as s:
        assert await s.get(User, 5) is None
        assert await conversation.get(s, 5) is None
    async with database.session() as s:
        user = await users_service.create(s, 6, "en", Role.ARTISAN)
        await users_service.register(s, user, users_service.Profile("Ravi", "agra", "leather", 0))
        await users_service.finish_onboarding(s, user, None)
    async with database.session() as s:
        stored = await s.get(User, 6)
        assert stored is not None and stored.is_registered
        assert stored.consent_version == users_service.CONSENT_VERSION
        assert stored.created_at.tzinfo is not None


async def test_abandoned_drafts_and_update_ids_pruned(database) -> None:  # type: ignore[no-untyped-def]
    old = utcnow() - timedelta(days=40)
    async with database.session() as s:
        s.add(User(id=7, language="hi", last_seen_at=old))
        s.add(User(id=8, language="hi", last_seen_at=old, consent_at=old, onboarded_at=old))
        updates.mark(s, 100)
    async with database.session() as s:
        assert await users_service.forget_abandoned(s, timedelta(days=30)) == 1
        assert await updates.prune(s, timedelta(hours=1), now=utcnow() + timedelta(hours=2)) == 1
    async with database.session() as s:
        assert await s.get(User, 7) is None and await s.get(User, 8) is not None
        assert not await updates.seen(s, 100)
