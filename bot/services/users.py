"""Users: creation, language, onboarding, and removal."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.numbers import normalize_digits
from models import Conversation, Role, User
from models.types import utcnow

# Bump when the consent text changes; users record the version they agreed to.
CONSENT_VERSION = "2026-11-v1"


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


SEEN_RESOLUTION = timedelta(minutes=1)


async def touch(session: AsyncSession, user: User, now: datetime | None = None) -> None:
    """A message from the user: they are reachable, and seen now (written at most once a
    minute: "active in the last 7 days" needs no finer clock, and most updates then write
    nothing to the users table)."""
    now = now or utcnow()
    if user.active and user.last_seen_at is not None and now - user.last_seen_at < SEEN_RESOLUTION:
        return
    user.last_seen_at = now
    user.active = True
    session.add(user)


async def create(session: AsyncSession, user_id: int, language: str, role: Role) -> User:
    user = User(id=user_id, language=language, role=role.value)
    session.add(user)
    await session.flush()
    return user


async def set_language(session: AsyncSession, user: User, language: str) -> None:
    user.language = language
    session.add(user)


async def set_active(session: AsyncSession, user_id: int, active: bool) -> bool:
    """Mark a user reachable or not (they blocked/unblocked the bot). Returns False if unknown."""
    user = await session.get(User, user_id)
    if user is None:
        return False
    user.active = active
    session.add(user)
    return True


@dataclass(frozen=True)
class Profile:
    name: str
    district_code: str
    craft_group: str
    odop_index: int | None


async def register(
    session: AsyncSession, user: User, profile: Profile, now: datetime | None = None
) -> None:
    """The user agreed to the consent text: store their profile."""
    now = now or utcnow()
    user.name = profile.name
    user.district_code = profile.district_code
    user.craft_group = profile.craft_group
    user.odop_index = profile.odop_index
    user.consent_version = CONSENT_VERSION
    user.consent_at = now
    session.add(user)


async def finish_onboarding(
    session: AsyncSession, user: User, phone: str | None, now: datetime | None = None
) -> None:
    user.phone = phone
    user.onboarded_at = now or utcnow()
    session.add(user)


async def forget_unregistered(session: AsyncSession, user_id: int) -> None:
    """Someone left onboarding before finishing it: nothing about them is kept."""
    await session.exec(delete(Conversation).where(Conversation.user_id == user_id))  # type: ignore[call-overload]
    await session.exec(delete(User).where(User.id == user_id))  # type: ignore[call-overload]


async def count_registered(session: AsyncSession) -> int:
    result = await session.exec(select(User.id).where(User.onboarded_at.is_not(None)))  # type: ignore[union-attr]
    return len(result.all())


NAME_MIN, NAME_MAX = 2, 60
_NAME_PUNCT = set(" .-'\u200c\u200d")


def clean_name(text: str | None) -> str | None:
    """A person's name as typed, tidied; None unless it is 2–60 letters, spaces, . - '."""
    if not text:
        return None
    name = " ".join(text.split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        return None
    letters = 0
    for ch in name:
        category = unicodedata.category(ch)
        if category[0] in "LM":
            letters += category[0] == "L"
        elif ch not in _NAME_PUNCT:
            return None
    return name if letters >= NAME_MIN else None


def clean_phone(text: str | None) -> str | None:
    """An Indian mobile number typed or shared in any common form → '+91XXXXXXXXXX', else None."""
    if not text:
        return None
    digits = "".join(ch for ch in normalize_digits(text) if not ch.isspace() and ch not in "-()")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("91"):
            return None
    if not digits.isdigit():
        return None
    if len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] not in "6789":
        return None
    return "+91" + digits


async def forget_abandoned(
    session: AsyncSession, older_than: timedelta, now: datetime | None = None
) -> int:
    """Delete people who started onboarding but never agreed, and went quiet long ago."""
    cutoff = (now or utcnow()) - older_than
    result = await session.exec(
        delete(User).where(User.consent_at.is_(None), User.last_seen_at < cutoff)  # type: ignore[call-overload,union-attr,arg-type]
    )
    return result.rowcount or 0
