"""Broadcast and roles services on the real database: recipients, enqueueing per language,
state, counts, acknowledgements; appointing/moving/removing officers with the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.services import broadcast, roles
from models import AuditEntry, Delivery, Notice, Role, User
from models.notice import DeliveryStatus, NoticeStatus
from models.types import utcnow
from tests.e2e.seed import registered_user

ADMINS = frozenset({1})


async def seed(database) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 1, role="admin")
    await registered_user(database, 10, role="officer", district="lucknow")
    await registered_user(database, 11, district="lucknow", language="hi")
    await registered_user(database, 12, district="lucknow", language="en")
    await registered_user(database, 13, district="lucknow", craft_group="wood")
    await registered_user(database, 14, district="agra", craft_group="leather")
    await registered_user(database, 15, district="lucknow")
    async with database.session() as session:
        (await session.get(User, 15)).active = False  # type: ignore[union-attr]
        session.add(User(id=16, language="hi", district_code="lucknow"))  # not registered


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (broadcast.Target(("lucknow",)), {11, 12, 13}),
        (broadcast.Target(("lucknow", "agra")), {11, 12, 13, 14}),
        (broadcast.Target(()), {11, 12, 13, 14}),
        (broadcast.Target((), ("wood", "leather")), {13, 14}),
        (broadcast.Target(("agra",), ("wood",)), set()),
    ],
)
async def test_audience_is_active_registered_artisans(database, target, expected) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.sessions() as session:
        found = await broadcast.audience(session, target)
    assert found.total == len(expected)


async def test_enqueue_renders_per_language_and_counts(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.session() as session:
        officer = await session.get(User, 10)
        assert officer is not None
        draft = broadcast.Draft(text_hi="मेला", target=broadcast.Target(("lucknow",)))
        notice = await broadcast.create(session, officer, "officer", draft)
        total = await broadcast.enqueue(
            session, notice, lambda lang: broadcast.payload(f"{lang}: मेला")
        )
        assert total == 3 and notice.total == 3 and notice.status == NoticeStatus.SENDING
    async with database.sessions() as session:
        rows = (await session.exec(select(Delivery).order_by(col(Delivery.chat_id)))).all()
        assert [(r.chat_id, r.payload["text"]) for r in rows] == [
            (11, "hi: मेला"),
            (12, "en: मेला"),
            (13, "hi: मेला"),
        ]
        counts = await broadcast.counts(session, notice.id or 0)
        assert (counts.total, counts.pending, counts.sent, counts.finished) == (3, 3, 0, False)


async def test_cancel_acknowledge_and_done(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.session() as session:
        officer = await session.get(User, 10)
        assert officer is not None
        notice = await broadcast.create(
            session, officer, "officer", broadcast.Draft("x", target=broadcast.Target(("lucknow",)))
        )
        await broadcast.enqueue(session, notice, lambda lang: broadcast.payload("x"))
        nid = notice.id or 0
        rows = (await session.exec(select(Delivery).order_by(col(Delivery.id)))).all()
        rows[0].status = DeliveryStatus.SENT
        rows[1].status = DeliveryStatus.BLOCKED
        for r in rows[:2]:
            session.add(r)
    async with database.session() as session:
        assert await broadcast.acknowledge(session, nid, 11) == "ok"
        assert await broadcast.acknowledge(session, nid, 11) == "again"
        assert await broadcast.acknowledge(session, nid, 14) == "unknown"  # not a recipient
        assert await broadcast.acknowledge(session, nid + 1, 11) == "unknown"
        notice = await broadcast.get(session, nid)
        assert notice is not None
        assert await broadcast.cancel(session, notice) == 1
        assert await broadcast.cancel(session, notice) == 0  # already stopped
    async with database.sessions() as session:
        counts = await broadcast.counts(session, nid)
    assert (counts.sent, counts.blocked, counts.cancelled, counts.acks, counts.finished) == (
        1,
        1,
        1,
        1,
        True,
    )


async def test_scheduled_notices_become_due(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    now = utcnow()
    async with database.session() as session:
        officer = await session.get(User, 10)
        assert officer is not None
        for minutes in (-5, 30):
            await broadcast.create(
                session,
                officer,
                "officer",
                broadcast.Draft("x"),
                send_at=now + timedelta(minutes=minutes),
            )
    async with database.sessions() as session:
        due = await broadcast.due_scheduled(session, now)
    assert len(due) == 1 and due[0].status == NoticeStatus.SCHEDULED


def test_payload_checks_its_shape() -> None:
    assert broadcast.payload("hi", buttons=[[("OK", "n:ack:1")]], paid=True) == {
        "kind": "text",
        "text": "hi",
        "buttons": [[{"text": "OK", "data": "n:ack:1"}]],
        "paid": True,
    }
    with pytest.raises(ValueError):
        broadcast.payload("x", kind="photo")
    with pytest.raises(ValueError):
        broadcast.payload("x", kind="video", file_id="f")


# --- roles ------------------------------------------------------------------------------------


async def test_roles_and_scopes(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.sessions() as session:
        admin, officer, artisan = [await session.get(User, i) for i in (1, 10, 11)]
    assert roles.role_of(admin, ADMINS) == Role.ADMIN
    assert roles.role_of(officer, ADMINS) == Role.OFFICER
    assert roles.role_of(artisan, ADMINS) == Role.ARTISAN
    assert roles.role_of(admin, frozenset()) == Role.ARTISAN  # ADMIN_IDS is the truth
    assert roles.scope_of(admin, ADMINS).covers("agra")
    assert roles.scope_of(officer, ADMINS).covers("lucknow")
    assert not roles.scope_of(officer, ADMINS).covers("agra")
    assert not roles.scope_of(artisan, ADMINS).covers("lucknow")


async def test_appoint_move_remove_are_audited(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.session() as session:
        admin = await session.get(User, 1)
        officer = await session.get(User, 10)
        assert admin is not None and officer is not None
        new = await roles.appoint_officer(session, admin, 99, "varanasi", ADMINS, name="Meena")
        assert new.role == "officer" and new.is_registered and new.name == "Meena"
        with pytest.raises(roles.RoleError, match="not_allowed"):
            await roles.appoint_officer(session, officer, 98, "lucknow", ADMINS)
        with pytest.raises(roles.RoleError, match="unknown_district"):
            await roles.appoint_officer(session, admin, 98, "atlantis", ADMINS)
        with pytest.raises(roles.RoleError, match="is_admin"):
            await roles.appoint_officer(session, admin, 1, "agra", ADMINS)
        await roles.move_officer(session, admin, 99, "agra", ADMINS)
        with pytest.raises(roles.RoleError, match="not_officer"):
            await roles.move_officer(session, admin, 11, "agra", ADMINS)
        gone = await roles.remove_officer(session, admin, 99, ADMINS)
        assert gone.role == "artisan" and not gone.is_registered  # staff only: unregistered
        # An artisan appointed and removed keeps their artisan registration.
        await roles.appoint_officer(session, admin, 11, "lucknow", ADMINS)
        kept = await roles.remove_officer(session, admin, 11, ADMINS)
        assert kept.is_registered and kept.district_code == "lucknow"
    async with database.sessions() as session:
        entries = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    assert [(e.action, e.target_user_id, e.district_code, e.actor_id) for e in entries] == [
        ("officer.appoint", 99, "varanasi", 1),
        ("officer.move", 99, "agra", 1),
        ("officer.remove", 99, "agra", 1),
        ("officer.appoint", 11, "lucknow", 1),
        ("officer.remove", 11, "lucknow", 1),
    ]


async def test_invites_are_single_use_and_expire(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    now = utcnow()
    async with database.session() as session:
        admin = await session.get(User, 1)
        assert admin is not None
        invite = await roles.create_invite(session, admin, "gorakhpur", ADMINS, now=now)
        old = await roles.create_invite(session, admin, "agra", ADMINS, now=now - timedelta(days=8))
        user = await roles.accept_invite(
            session, invite.code.lower(), 50, ADMINS, name="Suresh", language="hi", now=now
        )
        assert user.role == "officer" and user.district_code == "gorakhpur"
        for code, error in (
            (invite.code, "invite_used"),
            (old.code, "invite_expired"),
            ("OFFX", "invite_unknown"),
        ):
            with pytest.raises(roles.RoleError, match=error):
                await roles.accept_invite(
                    session, code, 51, ADMINS, name=None, language="hi", now=now
                )
    assert roles.looks_like_invite(invite.code) and not roles.looks_like_invite("hello")
    async with database.sessions() as session:
        assert (await session.exec(select(Notice))).all() == []
