"""Officers and admins: appointing, moving and removing district officers, invite codes, the
audit log; and the permission helpers every privileged handler uses.

    /appoint <user id> <district>      appoint by Telegram user id
    /appoint <district>  ─▶ PERSON ─(a forwarded message from the person | their id)─▶ done
    /invite <district>                 a one-time code; the officer opens it with /start <code>
    /move <user id> <district>, /removeofficer <user id>, /officers, /audit [n]

How staff are onboarded: admins are the ids in ADMIN_IDS; their first /start registers them
at once (name and language from Telegram; no district, craft or consent questions). Officers
are registered when appointed (by id, forward or invite code): their district is the one the
admin chose. An artisan who is appointed keeps their data; removing a staff-only officer
unregisters them (a later /start onboards them as an artisan).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from telegram import MessageOriginHiddenUser, MessageOriginUser, Update
from telegram.ext import CommandHandler
from telegram.helpers import create_deep_linked_url

from bot import reference
from bot.services import audit as audit_service
from bot.services import conversation, roles
from bot.services.district_match import match_district
from handlers import menu, onboarding
from handlers.common import answer, say, whole_number
from handlers.flows import Flow, Step, register
from models import Role

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation

FLOW = "appoint"
PERSON = "person"

STAFF = frozenset({Role.OFFICER.value, Role.ADMIN.value})
ADMINS = frozenset({Role.ADMIN.value})


# --- permission helpers (used by broadcast and stats too) -----------------------------------


def role(context: SaathiContext) -> Role:
    return roles.role_of(context.user, context.settings.admin_ids)


def scope(context: SaathiContext) -> roles.Scope:
    return roles.scope_of(context.user, context.settings.admin_ids)


async def deny(update: Update, context: SaathiContext) -> None:
    """The plain "not allowed" answer; nothing changes."""
    text = context.tr.gettext("⛔ Sorry, you are not allowed to do this.")
    if update.callback_query is not None:
        await answer(update, text, alert=True)
    else:
        await say(update, context, text)


async def require(update: Update, context: SaathiContext, allowed: frozenset[str]) -> bool:
    user = context.user
    if user is None or not user.is_registered or role(context).value not in allowed:
        await deny(update, context)
        return False
    return True


def staff_help(context: SaathiContext) -> str:
    """The officers' and admins' part of /help."""
    _ = context.tr.gettext
    text = _(
        "<b>For district officers</b>\n"
        "/notice – send a notice to artisans (📢)\n"
        "/stats – statistics of your district (📊)\n"
        "/export artisans | products | sales – XLSX and CSV files (📥)"
    )
    if role(context) == Role.ADMIN:
        text += "\n\n" + _(
            "<b>For admins</b>\n"
            "/stats <i>district</i> – one district; /stats – the whole state\n"
            "/appoint, /invite, /move, /removeofficer, /officers – district officers\n"
            "/audit – the audit log"
        )
    return text


def district_from(text: str) -> reference.District | None:
    """A district typed in any script (its code works too); None unless one clear match."""
    text = text.strip()
    if not text:
        return None
    exact = reference.get_district(text.lower())
    if exact is not None:
        return exact
    return match_district(text).district


def district_name(context: SaathiContext, code: str | None) -> str:
    district = reference.get_district(code)
    return html.escape(district.name(context.tr.lang)) if district else html.escape(code or "—")


def _error(context: SaathiContext, exc: roles.RoleError) -> str:
    _ = context.tr.gettext
    messages = {
        "not_allowed": _("⛔ Sorry, you are not allowed to do this."),
        "unknown_district": _("I could not find that district. Please check the name."),
        "is_admin": _("This person is a state admin (ADMIN_IDS) and cannot be made an officer."),
        "not_officer": _("This person is not a district officer."),
        "invite_unknown": _("This invite code is not valid. Please ask the admin for a new one."),
        "invite_used": _(
            "This invite code has already been used. Please ask the admin for a new one."
        ),
        "invite_expired": _("This invite code has expired. Please ask the admin for a new one."),
    }
    return messages.get(exc.code, messages["not_allowed"])


def _args(context: SaathiContext) -> list[str]:
    return list(context.args or [])


# --- /start hooks: invite codes and an admin's first visit -----------------------------------


async def on_start(update: Update, context: SaathiContext) -> bool:
    tg_user = update.effective_user
    message = update.effective_message
    if tg_user is None or message is None:
        return False
    text = message.text or ""
    payload = text.split(maxsplit=1)[1].strip() if text.startswith("/start ") else ""
    name = " ".join(filter(None, [tg_user.first_name, tg_user.last_name]))
    if roles.looks_like_invite(payload):
        try:
            user = await roles.accept_invite(
                context.db,
                payload,
                tg_user.id,
                context.settings.admin_ids,
                name=name,
                language=context.tr.lang,
            )
        except roles.RoleError as exc:
            await say(update, context, _error(context, exc))
            return True
        await conversation.leave(context.db, tg_user.id)  # e.g. half-way through onboarding
        context.turn.set_user(user)
        await say(
            update,
            context,
            context.tr.gettext(
                "✅ Welcome! You are now the ODOP officer for <b>{district}</b>.\n"
                "You can send notices to the district's artisans, see statistics and export "
                "data. Send /help to see how."
            ).format(district=district_name(context, user.district_code)),
        )
        await menu.show(update, context)
        return True
    user = context.user
    if tg_user.id in context.settings.admin_ids and (user is None or not user.is_registered):
        if user is None:
            from bot.services import users as users_service

            user = await users_service.create(context.db, tg_user.id, context.tr.lang, Role.ADMIN)
        await roles.register_admin(context.db, user, name)
        await conversation.leave(context.db, user.id)
        context.turn.set_user(user)
        await say(
            update,
            context,
            context.tr.gettext(
                "✅ Welcome! You are a state admin of ODOP Saathi.\n"
                "Appoint district officers with /appoint or /invite, send notices, and see "
                "statistics with /stats. Send /help to see how."
            ),
        )
        await menu.show(update, context)
        return True
    return False


onboarding.START_HOOKS.append(on_start)


# --- appointing -------------------------------------------------------------------------------


async def appoint_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    args = _args(context)
    if not args:
        await say(
            update,
            context,
            _(
                "<b>Appoint a district officer</b>\n"
                "• /appoint <i>user id</i> <i>district</i>\n"
                "• /appoint <i>district</i>, then forward any message from the person\n"
                "• /invite <i>district</i>: a one-time code the officer opens with /start"
            ),
        )
        return
    target_id = whole_number(args[0])
    if target_id is not None:
        district = district_from(" ".join(args[1:]))
        if district is None:
            await say(update, context, _error(context, roles.RoleError("unknown_district")))
            return
        await _appoint(update, context, target_id, district.code, via="id")
        return
    district = district_from(" ".join(args))
    if district is None:
        await say(update, context, _error(context, roles.RoleError("unknown_district")))
        return
    assert context.user is not None
    conv = await conversation.enter(context.db, context.user.id, FLOW, PERSON)
    conv = await conversation.advance(context.db, conv, PERSON, district=district.code)
    await ask_person(update, context, conv)


async def _appoint(
    update: Update,
    context: SaathiContext,
    target_id: int,
    district_code: str,
    *,
    via: str,
    name: str | None = None,
) -> bool:
    actor = context.user
    assert actor is not None
    try:
        target = await roles.appoint_officer(
            context.db,
            actor,
            target_id,
            district_code,
            context.settings.admin_ids,
            name=name,
            via=via,
        )
    except roles.RoleError as exc:
        await say(update, context, _error(context, exc))
        return False
    who = html.escape(target.name or str(target.id))
    await say(
        update,
        context,
        context.tr.gettext(
            "✅ {who} (id {id}) is now the ODOP officer for <b>{district}</b>."
        ).format(who=who, id=target.id, district=district_name(context, district_code)),
    )
    return True


async def ask_person(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext(
            "Officer for <b>{district}</b>: forward any message from the person to me, or "
            "type their Telegram user id. /cancel to stop."
        ).format(district=district_name(context, conv.data.get("district"))),
    )


async def on_person(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    if role(context) != Role.ADMIN:  # lost the right half-way
        await conversation.leave(context.db, conv.user_id)
        await deny(update, context)
        return
    origin = message.forward_origin if message else None
    if isinstance(origin, MessageOriginUser):
        target, name = origin.sender_user.id, origin.sender_user.full_name
        via = "forward"
    elif isinstance(origin, MessageOriginHiddenUser):
        await say(
            update,
            context,
            _(
                "This person hides their account in forwarded messages, so I cannot see who "
                "they are. Type their user id, or use /invite instead."
            ),
        )
        return
    elif message is not None and whole_number(message.text) is not None:
        target, name, via = whole_number(message.text), None, "id"
    else:
        await say(
            update,
            context,
            _("Please forward a message from the person, or type their user id (digits only)."),
        )
        return
    if await _appoint(update, context, target, conv.data["district"], via=via, name=name):
        await conversation.leave(context.db, conv.user_id)


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await conversation.leave(context.db, conv.user_id)
    await say(update, context, context.tr.gettext("Cancelled. Nothing was changed."))


register(Flow(FLOW, {PERSON: Step(ask_person, on_person)}, on_cancel))


async def invite_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    district = district_from(" ".join(_args(context)))
    if district is None:
        await say(update, context, _("Please name the district: /invite <i>district</i>"))
        return
    assert context.user is not None
    invite = await roles.create_invite(
        context.db, context.user, district.code, context.settings.admin_ids
    )
    link = create_deep_linked_url(context.bot.username, invite.code) if context.bot.username else ""
    await say(
        update,
        context,
        _(
            "🎟️ Invite for the officer of <b>{district}</b> (one use, valid 7 days):\n"
            "<code>/start {code}</code>\n{link}\n\n"
            "Send this to the officer. When they open it, they become the district officer."
        ).format(district=district_name(context, district.code), code=invite.code, link=link),
    )


async def move_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    args = _args(context)
    district = district_from(" ".join(args[1:])) if len(args) >= 2 else None
    target_id = whole_number(args[0]) if args else None
    if target_id is None or district is None:
        await say(update, context, _("Use: /move <i>user id</i> <i>district</i>"))
        return
    assert context.user is not None
    try:
        target = await roles.move_officer(
            context.db, context.user, target_id, district.code, context.settings.admin_ids
        )
    except roles.RoleError as exc:
        await say(update, context, _error(context, exc))
        return
    await say(
        update,
        context,
        _("✅ {who} is now the officer for <b>{district}</b>.").format(
            who=html.escape(target.name or str(target.id)),
            district=district_name(context, district.code),
        ),
    )


async def remove_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    args = _args(context)
    target_id = whole_number(args[0]) if len(args) == 1 else None
    if target_id is None:
        await say(update, context, _("Use: /removeofficer <i>user id</i>"))
        return
    assert context.user is not None
    try:
        target = await roles.remove_officer(
            context.db, context.user, target_id, context.settings.admin_ids
        )
    except roles.RoleError as exc:
        await say(update, context, _error(context, exc))
        return
    await say(
        update,
        context,
        _("✅ {who} is no longer a district officer.").format(
            who=html.escape(target.name or str(target.id))
        ),
    )


async def officers_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    found = await roles.officers(context.db)
    if not found:
        await say(update, context, _("No district officers yet. Appoint one with /appoint."))
        return
    lines = [_("<b>District officers</b>")]
    lines += [
        f"• {district_name(context, o.district_code)}: {html.escape(o.name or '—')} (id {o.id})"
        for o in found[:100]
    ]
    await say(update, context, "\n".join(lines))


def _action_label(context: SaathiContext, action: str) -> str:
    _ = context.tr.gettext
    labels = {
        "officer.appoint": _("appointed officer"),
        "officer.move": _("moved officer"),
        "officer.remove": _("removed officer"),
        "invite.create": _("created an invite"),
        "notice.send": _("sent a notice"),
        "notice.schedule": _("scheduled a notice"),
        "notice.cancel": _("cancelled a notice"),
        "stats.view": _("viewed statistics"),
        "export": _("exported data"),
    }
    return labels.get(action, action)


async def audit_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, ADMINS):
        return
    _ = context.tr.gettext
    args = _args(context)
    limit = min(whole_number(args[0] if args else None) or 20, 50)
    lines = await audit_service.recent(context.db, limit)
    if not lines:
        await say(update, context, _("The audit log is empty."))
        return
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(context.settings.timezone)
    out = [_("<b>Audit log</b> (newest first, IST)")]
    for line in lines:
        parts = [
            line.at.astimezone(tz).strftime("%d.%m %H:%M"),
            f"{line.actor_id} ({html.escape(line.actor_role)})",
            _action_label(context, line.action),
        ]
        if line.target_user_id is not None:
            parts.append(f"→ {line.target_user_id}")
        if line.district_code:
            parts.append(district_name(context, line.district_code))
        extra = ", ".join(
            f"{html.escape(str(k))}={html.escape(str(v))}" for k, v in line.details.items()
        )
        out.append("• " + " · ".join(parts) + (f" ({extra})" if extra else ""))
    text = "\n".join(out)
    await say(update, context, text[:4000])


HANDLERS = [
    CommandHandler("appoint", appoint_command),
    CommandHandler("invite", invite_command),
    CommandHandler("move", move_command),
    CommandHandler("removeofficer", remove_command),
    CommandHandler("officers", officers_command),
    CommandHandler("audit", audit_command),
]
