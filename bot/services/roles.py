"""Who may do what: roles, scopes, and appointing, moving and removing district officers.

Admins are exactly the Telegram ids in ADMIN_IDS (config is the truth, the `role` column only
mirrors it). Officers are users with role "officer" and a district; they act only there.
Every change here is written to the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reference
from bot.services import audit
from models import OfficerInvite, Role, User
from models.types import utcnow

INVITE_TTL = timedelta(days=7)
STAFF_CONSENT = "staff"  # officers and admins are registered as staff, not as artisans


def role_of(user: User | None, admin_ids: Collection[int]) -> Role:
    if user is None:
        return Role.ARTISAN
    if user.id in admin_ids:
        return Role.ADMIN
    if user.role == Role.OFFICER.value and user.district_code:
        return Role.OFFICER
    return Role.ARTISAN


@dataclass(frozen=True)
class Scope:
    """Where someone may act: `districts` None means the whole state (admins)."""

    role: Role
    districts: frozenset[str] | None

    @property
    def statewide(self) -> bool:
        return self.districts is None

    def covers(self, district_code: str | None) -> bool:
        if self.role == Role.ARTISAN:
            return False
        return self.districts is None or district_code in self.districts


def scope_of(user: User | None, admin_ids: Collection[int]) -> Scope:
    role = role_of(user, admin_ids)
    if role == Role.ADMIN:
        return Scope(role, None)
    if role == Role.OFFICER:
        assert user is not None and user.district_code is not None
        return Scope(role, frozenset({user.district_code}))
    return Scope(role, frozenset())


class RoleError(Exception):
    """Why an appointment cannot be made (a code for the handler to put into words)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _check_district(code: str) -> None:
    if reference.get_district(code) is None:
        raise RoleError("unknown_district")


async def appoint_officer(
    session: AsyncSession,
    actor: User,
    target_id: int,
    district_code: str,
    admin_ids: Collection[int],
    *,
    name: str | None = None,
    language: str = "hi",
    via: str = "id",
) -> User:
    """Make `target_id` the officer of `district_code` (creating the user row if needed)."""
    if role_of(actor, admin_ids) != Role.ADMIN:
        raise RoleError("not_allowed")
    _check_district(district_code)
    if target_id in admin_ids:
        raise RoleError("is_admin")
    target = await session.get(User, target_id)
    previous = None
    if target is None:
        target = User(id=target_id, language=language, role=Role.OFFICER.value)
    else:
        previous = (target.role, target.district_code)
    target.role = Role.OFFICER.value
    target.district_code = district_code
    _register_as_staff(target, name)
    session.add(target)
    audit.record(
        session,
        actor.id,
        Role.ADMIN.value,
        "officer.appoint",
        target_user_id=target_id,
        district_code=district_code,
        via=via,
        previous_role=previous[0] if previous else None,
        previous_district=previous[1] if previous else None,
    )
    await session.flush()
    return target


def _register_as_staff(user: User, name: str | None, now: datetime | None = None) -> None:
    """Staff skip the artisan onboarding: they are registered as they are appointed."""
    now = now or utcnow()
    if name and not user.name:
        user.name = name[:80]
    if user.onboarded_at is None:
        user.consent_version = user.consent_version or STAFF_CONSENT
        user.consent_at = user.consent_at or now
        user.onboarded_at = now


async def register_admin(session: AsyncSession, user: User, name: str | None) -> None:
    """An admin's first /start: no craft or district questions."""
    user.role = Role.ADMIN.value
    _register_as_staff(user, name)
    session.add(user)
    await session.flush()


async def move_officer(
    session: AsyncSession,
    actor: User,
    target_id: int,
    district_code: str,
    admin_ids: Collection[int],
) -> User:
    if role_of(actor, admin_ids) != Role.ADMIN:
        raise RoleError("not_allowed")
    _check_district(district_code)
    target = await session.get(User, target_id)
    if target is None or role_of(target, admin_ids) != Role.OFFICER:
        raise RoleError("not_officer")
    old = target.district_code
    target.district_code = district_code
    session.add(target)
    audit.record(
        session,
        actor.id,
        Role.ADMIN.value,
        "officer.move",
        target_user_id=target_id,
        district_code=district_code,
        previous_district=old,
    )
    await session.flush()
    return target


async def remove_officer(
    session: AsyncSession, actor: User, target_id: int, admin_ids: Collection[int]
) -> User:
    """The person becomes an ordinary user again (their data stays)."""
    if role_of(actor, admin_ids) != Role.ADMIN:
        raise RoleError("not_allowed")
    target = await session.get(User, target_id)
    if target is None or role_of(target, admin_ids) != Role.OFFICER:
        raise RoleError("not_officer")
    old = target.district_code
    target.role = Role.ARTISAN.value
    if target.consent_version == STAFF_CONSENT:
        # Never onboarded as an artisan: not registered any more (/start onboards them).
        target.onboarded_at = None
        target.consent_at = None
        target.consent_version = None
        target.district_code = None
    session.add(target)
    audit.record(
        session,
        actor.id,
        Role.ADMIN.value,
        "officer.remove",
        target_user_id=target_id,
        district_code=old,
    )
    await session.flush()
    return target


async def officers(session: AsyncSession, district_code: str | None = None) -> list[User]:
    query = select(User).where(User.role == Role.OFFICER.value)
    if district_code is not None:
        query = query.where(User.district_code == district_code)
    return list((await session.exec(query.order_by(col(User.district_code), col(User.id)))).all())


# --- invite codes ----------------------------------------------------------------------------

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


async def create_invite(
    session: AsyncSession,
    actor: User,
    district_code: str,
    admin_ids: Collection[int],
    now: datetime | None = None,
) -> OfficerInvite:
    if role_of(actor, admin_ids) != Role.ADMIN:
        raise RoleError("not_allowed")
    _check_district(district_code)
    now = now or utcnow()
    code = "OFF" + "".join(secrets.choice(_ALPHABET) for _ in range(9))
    invite = OfficerInvite(
        code=code,
        district_code=district_code,
        created_by=actor.id,
        created_at=now,
        expires_at=now + INVITE_TTL,
    )
    session.add(invite)
    audit.record(session, actor.id, Role.ADMIN.value, "invite.create", district_code=district_code)
    await session.flush()
    return invite


def looks_like_invite(payload: str | None) -> bool:
    return bool(payload) and payload.startswith("OFF") and len(payload) <= 32  # type: ignore[union-attr]


async def accept_invite(
    session: AsyncSession,
    code: str,
    user_id: int,
    admin_ids: Collection[int],
    *,
    name: str | None,
    language: str,
    now: datetime | None = None,
) -> User:
    """`/start <code>`: the person becomes the officer of the invite's district (once)."""
    now = now or utcnow()
    invite = await session.get(OfficerInvite, code.strip().upper())
    if invite is None:
        raise RoleError("invite_unknown")
    if invite.used_at is not None:
        raise RoleError("invite_used")
    if invite.expires_at <= now:
        raise RoleError("invite_expired")
    if user_id in admin_ids:
        raise RoleError("is_admin")
    target = await session.get(User, user_id)
    if target is None:
        target = User(id=user_id, language=language, role=Role.OFFICER.value)
    target.role = Role.OFFICER.value
    target.district_code = invite.district_code
    _register_as_staff(target, name, now)
    session.add(target)
    invite.used_by, invite.used_at = user_id, now
    session.add(invite)
    audit.record(
        session,
        invite.created_by,
        Role.ADMIN.value,
        "officer.appoint",
        target_user_id=user_id,
        district_code=invite.district_code,
        via="invite",
        now=now,
    )
    await session.flush()
    return target
