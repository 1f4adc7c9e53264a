"""Notices from district officers and admins to artisans, through the outbox.

    📢 Send a notice (/notice) ─▶ TEXT_HI ─(text, or photo/document with a caption)─▶ TEXT_EN
    TEXT_EN ─(text | nb:skipen)─▶ [admins: TARGET ─(nb:t:state | nb:t:d ▶ DISTRICTS | nb:cg:<g>)]
        ─▶ PREVIEW: the notice exactly as artisans will see it, the recipient count, and
           [🚀 Send now] [🌅 Tomorrow 10:00] [🗓️ Other time ▶ TIME] [⚡ Paid (admins)]
           [✏️ Edit ▶ TEXT_HI | TEXT_EN | TARGET] [❌ Cancel]
    Send ─▶ notice row + one outbox row per recipient (or "scheduled"), a live progress
           message [⛔ Stop sending], a final report [🔄 Update counts]

Each delivered notice carries "✅ समझ गया / Got it" (n:ack:<id>); the sender sees the counts.
The outbox drainer's ticks (bot/outbox.py) start scheduled notices, edit the progress message
at most every PROGRESS_EVERY seconds and send the final report.
"""

from __future__ import annotations

import html
import logging
import math
import re
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import i18n, reference
from bot.i18n import N_
from bot.numbers import format_int, normalize_digits
from bot.outbox import Outbox, on_tick
from bot.services import audit, conversation
from bot.services import broadcast as service
from handlers import menu_items
from handlers.admin import STAFF, deny, district_from, require, role, scope
from handlers.common import answer, close_buttons, has_visible, say, whole_number
from handlers.flows import Flow, Step, register
from handlers.keyboards import rows
from handlers.labels import CRAFT_GROUP_LABELS, craft_group_label
from handlers.menu_items import MenuItem
from models import Role, User
from models.notice import NoticeStatus
from models.types import utcnow

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation, Notice

log = logging.getLogger(__name__)

FLOW = "notice"
TEXT_HI, TEXT_EN, TARGET, DISTRICTS, TIME, PREVIEW = (
    "text_hi",
    "text_en",
    "target",
    "districts",
    "time",
    "preview",
)
ACK_LABEL = "✅ समझ गया / Got it"  # bilingual by design: the same on every phone
PROGRESS_EVERY = 3.0  # seconds between two edits of a progress message
STARS_PER_PAID_MESSAGE = 0.1  # Telegram's fee for allow_paid_broadcast
MAX_SCHEDULE_DAYS = 60


# --- rendering: what an artisan receives ------------------------------------------------------


def _place(tr: i18n.Translator, districts: list[str]) -> str:
    if not districts:
        return tr.gettext("Uttar Pradesh")
    names = [reference.district(code).name(tr.lang) for code in districts]
    if len(names) > 3:
        return tr.ngettext("{n} district", "{n} districts", len(names)).format(n=len(names))
    return ", ".join(names)


def render(data: dict[str, Any], lang: str, notice_id: int = 0) -> dict[str, Any]:
    """The outbox payload for one language: heading + text (+ photo/document) + Got it."""
    tr = i18n.translator(lang)
    _ = tr.gettext
    place = html.escape(_place(tr, list(data.get("districts") or [])))
    text_hi, text_en = data["text_hi"], data.get("text_en")
    if lang == "en" and text_en:
        heading = _("📢 <b>Notice from the ODOP office, {place}</b>").format(place=place)
        body = text_en
    elif lang == "en":
        heading = _("📢 <b>Notice from the ODOP office, {place}</b> (in Hindi):").format(
            place=place
        )
        body = text_hi
    else:
        heading = _("📢 <b>Notice from the ODOP office, {place}</b>").format(place=place)
        body = text_hi
    text = f"{heading}\n\n{html.escape(body)}"
    kind = data.get("media_kind") or "text"
    return service.payload(
        text,
        kind=kind,
        file_id=data.get("media_file_id"),
        buttons=[[(ACK_LABEL, f"n:ack:{notice_id}")]],
        paid=bool(data.get("paid")),
    )


def _notice_data(notice: Notice) -> dict[str, Any]:
    return {
        "text_hi": notice.text_hi,
        "text_en": notice.text_en,
        "media_kind": notice.media_kind,
        "media_file_id": notice.media_file_id,
        "districts": list(notice.districts or []),
        "crafts": list(notice.crafts or []),
        "paid": notice.paid,
    }


# --- starting ---------------------------------------------------------------------------------


async def start_notice(update: Update, context: SaathiContext) -> None:
    """The menu button or /notice."""
    if not await require(update, context, STAFF):
        return
    user = context.user
    assert user is not None
    districts = sorted(scope(context).districts or [])
    conv = await conversation.enter(
        context.db, user.id, FLOW, TEXT_HI, {"districts": districts, "crafts": [], "paid": False}
    )
    await ask_text_hi(update, context, conv)


def _target_of(context: SaathiContext, conv: Conversation) -> service.Target:
    """Officers: always their own district (now); admins: what they chose."""
    s = scope(context)
    if not s.statewide:
        return service.Target(
            tuple(sorted(s.districts or ())), tuple(conv.data.get("crafts") or ())
        )
    return service.Target(
        tuple(conv.data.get("districts") or ()), tuple(conv.data.get("crafts") or ())
    )


# --- prompts ----------------------------------------------------------------------------------


def _cancel_row(context: SaathiContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.tr.gettext("❌ Cancel"), callback_data="nb:x")]


async def ask_text_hi(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    if conv.data.get("media_file_id") and not conv.data.get("text_hi"):
        text = _("📎 Attached. Now write the notice text in Hindi and send it.")
    else:
        text = _(
            "<b>📢 New notice</b>\n\n"
            "Write the notice in <b>Hindi</b> and send it. You may send a photo or a document "
            "with the text as its caption.\n"
            "Text: up to {text_max} characters; with a photo or document: up to {caption_max}."
        ).format(text_max=format_int(service.TEXT_MAX), caption_max=service.CAPTION_MAX)
    await say(update, context, text, InlineKeyboardMarkup([_cancel_row(context)]))


async def ask_text_en(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("⏭️ No English text"), callback_data="nb:skipen")],
            _cancel_row(context),
        ]
    )
    await say(
        update,
        context,
        _(
            "Optional: send the same notice in <b>English</b>.\n"
            "If you skip, English-speaking artisans get the Hindi text with an English heading."
        ),
        markup,
    )


async def ask_target(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    crafts = [
        InlineKeyboardButton(craft_group_label(context.tr, g), callback_data=f"nb:cg:{g}")
        for g in CRAFT_GROUP_LABELS
    ]
    keyboard = [
        [InlineKeyboardButton(_("🗺️ The whole state"), callback_data="nb:t:state")],
        [InlineKeyboardButton(_("📍 One or more districts"), callback_data="nb:t:d")],
        *rows(crafts, 2),
        _cancel_row(context),
    ]
    await say(
        update,
        context,
        _("Who should receive it? The whole state, some districts, or one craft (statewide)."),
        InlineKeyboardMarkup(keyboard),
    )


async def ask_districts(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext(
            "Type the districts, separated by commas. For example: Lucknow, Varanasi, आगरा"
        ),
        InlineKeyboardMarkup([_cancel_row(context)]),
    )


async def ask_time(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext(
            "When should it go out? Type the date and time (IST), for example "
            "<code>25.12 10:00</code> or <code>10:30</code> (today, or tomorrow if that time "
            "has passed)."
        ),
        InlineKeyboardMarkup([_cancel_row(context)]),
    )


async def show_preview(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    target = _target_of(context, conv)
    data = {**conv.data, "districts": list(target.districts), "crafts": list(target.crafts)}
    assert context.user is not None
    found = await service.audience(context.db, target, exclude=context.user.id)
    await say(update, context, _("<b>Preview</b>: this is exactly what artisans will see."))
    languages = ["hi"]
    if found.by_language.get("en"):
        languages.append("en")
    for lang in languages:
        await _send_payload(context, update.effective_chat.id, render(data, lang))  # type: ignore[union-attr]
    lines = [
        context.tr.ngettext(
            "Recipients: <b>{n}</b> artisan", "Recipients: <b>{n}</b> artisans", found.total
        ).format(n=format_int(found.total)),
        _("Hindi: {hi} · English: {en}").format(
            hi=format_int(found.by_language.get("hi", 0)),
            en=format_int(found.by_language.get("en", 0)),
        ),
        _("To: {place}").format(place=html.escape(_place(context.tr, list(target.districts)))),
    ]
    if target.crafts:
        lines.append(
            _("Craft: {craft}").format(
                craft=", ".join(craft_group_label(context.tr, c) for c in target.crafts)
            )
        )
    is_admin = role(context) == Role.ADMIN
    if data.get("paid"):
        stars = math.ceil(found.total * STARS_PER_PAID_MESSAGE)
        lines.append(
            _(
                "⚡ Urgent, paid broadcast: up to 1000 messages/s, costs about {stars} ⭐ "
                "(0.1 ⭐ per message)."
            ).format(stars=format_int(stars))
        )
    if found.total == 0:
        lines.append(_("⚠️ No active artisan matches. Change the recipients, or cancel."))
    keyboard = []
    if found.total:
        keyboard.append([InlineKeyboardButton(_("🚀 Send now"), callback_data="nb:now")])
        keyboard.append(
            [
                InlineKeyboardButton(_("🌅 Tomorrow 10:00"), callback_data="nb:tm"),
                InlineKeyboardButton(_("🗓️ Other time"), callback_data="nb:at"),
            ]
        )
    if is_admin:
        label = _("⚡ Paid broadcast: on") if data.get("paid") else _("⚡ Paid broadcast: off")
        keyboard.append([InlineKeyboardButton(label, callback_data="nb:paid")])
    keyboard.append(
        [
            InlineKeyboardButton(_("✏️ Edit"), callback_data="nb:edit"),
            InlineKeyboardButton(_("❌ Cancel"), callback_data="nb:x"),
        ]
    )
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(keyboard))


async def _send_payload(context: SaathiContext, chat_id: int, data: dict[str, Any]) -> None:
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row]
            for row in data.get("buttons", [])
        ]
    )
    if data["kind"] == "photo":
        await context.bot.send_photo(
            chat_id, data["file_id"], caption=data["text"], reply_markup=buttons
        )
    elif data["kind"] == "document":
        await context.bot.send_document(
            chat_id, data["file_id"], caption=data["text"], reply_markup=buttons
        )
    else:
        await context.bot.send_message(chat_id, data["text"], reply_markup=buttons)


# --- answers ----------------------------------------------------------------------------------


def _media(update: Update) -> tuple[str | None, str | None, str | None]:
    """(kind, file id, caption) of a photo or document message."""
    message = update.effective_message
    if message is None:
        return None, None, None
    if message.photo:
        return "photo", message.photo[-1].file_id, message.caption
    if message.document:
        return "document", message.document.file_id, message.caption
    return None, None, None


async def on_text_hi(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    kind, file_id, caption = _media(update)
    changes: dict[str, Any] = {}
    if kind is not None:
        changes.update(media_kind=kind, media_file_id=file_id)
        text = caption
    else:
        text = message.text if message else None
        if text is None:
            await say(
                update,
                context,
                _("Please send the notice as text, or as a photo or document with a caption."),
            )
            return
    has_media = bool(changes.get("media_file_id") or conv.data.get("media_file_id"))
    if text is not None:
        text = text.strip() if has_visible(text) else ""
        limit = service.CAPTION_MAX if has_media else service.TEXT_MAX
        if len(text) > limit:
            await say(
                update,
                context,
                _("That is too long: {length} characters. Please keep it within {limit}.").format(
                    length=format_int(len(text)), limit=format_int(limit)
                ),
            )
            return
        changes["text_hi"] = text or None
    if not (changes.get("text_hi") or conv.data.get("text_hi")):
        if changes.get("media_file_id"):  # a photo without a caption: kept, the text asked
            conv = await conversation.advance(context.db, conv, TEXT_HI, **changes)
        await ask_text_hi(update, context, conv)
        return
    nxt = PREVIEW if conv.data.get("editing") else TEXT_EN
    conv = await conversation.advance(context.db, conv, nxt, **changes)
    await STEPS[nxt].prompt(update, context, conv)


async def on_text_en(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    text = message.text if message else None
    if (
        text is None
        or message is None
        or message.photo
        or message.document
        or not has_visible(text)
    ):
        await say(update, context, _("Please send the English text, or tap “⏭️ No English text”."))
        return
    text = text.strip()
    limit = service.CAPTION_MAX if conv.data.get("media_file_id") else service.TEXT_MAX
    if len(text) > limit:
        await say(
            update,
            context,
            _("That is too long: {length} characters. Please keep it within {limit}.").format(
                length=format_int(len(text)), limit=format_int(limit)
            ),
        )
        return
    await _after_english(update, context, conv, text_en=text or None)


async def _after_english(
    update: Update, context: SaathiContext, conv: Conversation, **changes: Any
) -> None:
    nxt = PREVIEW if (conv.data.get("editing") or role(context) != Role.ADMIN) else TARGET
    conv = await conversation.advance(context.db, conv, nxt, **changes)
    await STEPS[nxt].prompt(update, context, conv)


async def on_districts(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    message = update.effective_message
    text = message.text if message else None
    if not text:
        await ask_districts(update, context, conv)
        return
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,;\n،]+", text[:500]):
        part = part.strip()
        if not part:
            continue
        district = district_from(part)
        if district is None:
            unknown.append(part)
        elif district.code not in codes:
            codes.append(district.code)
    if unknown or not codes:
        await say(
            update,
            context,
            _("I could not find: {names}. Please type the districts again.").format(
                names=html.escape(", ".join(unknown[:5]) or text[:50])
            ),
        )
        return
    conv = await conversation.advance(context.db, conv, PREVIEW, districts=codes, crafts=[])
    await show_preview(update, context, conv)


_TIME = re.compile(
    r"^\s*(?:(?P<d>\d{1,2})[./-](?P<m>\d{1,2})(?:[./-](?P<y>\d{2,4}))?\s+)?"
    r"(?P<h>\d{1,2})(?:[:.](?P<min>\d{2}))?\s*(?P<ampm>am|pm)?\s*$",
    re.IGNORECASE,
)


def parse_send_time(text: str, now: datetime, tz: str) -> datetime | None:
    """ "25.12 10:00", "25-12-2026 9:30", "10:30", "6 pm" → an aware UTC instant in the future."""
    match = _TIME.match(normalize_digits(text))
    if match is None:
        return None
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    hour, minute = int(match["h"]), int(match["min"] or 0)
    if match["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    try:
        if match["d"]:
            year = int(match["y"]) if match["y"] else local_now.year
            year = year + 2000 if year < 100 else year
            moment = datetime(year, int(match["m"]), int(match["d"]), hour, minute, tzinfo=zone)
            if not match["y"] and moment < local_now:
                moment = moment.replace(year=year + 1)
        else:
            moment = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if moment <= local_now:
                moment += timedelta(days=1)
    except ValueError:
        return None
    if moment <= local_now or moment - local_now > timedelta(days=MAX_SCHEDULE_DAYS):
        return None
    return moment.astimezone(ZoneInfo("UTC"))


async def on_time(update: Update, context: SaathiContext, conv: Conversation) -> None:
    message = update.effective_message
    when = (
        parse_send_time(message.text, utcnow(), context.settings.timezone)
        if message and message.text
        else None
    )
    if when is None:
        await say(
            update,
            context,
            context.tr.gettext(
                "I could not read that time, or it is not in the next {days} days. "
                "For example: <code>25.12 10:00</code>"
            ).format(days=MAX_SCHEDULE_DAYS),
        )
        return
    await _confirm(update, context, conv, when)


async def on_buttons_only(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext("Please choose with one of the buttons above, or send /cancel."),
    )


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await conversation.leave(context.db, conv.user_id)
    await say(update, context, context.tr.gettext("Cancelled. The notice was not sent."))


STEPS: dict[str, Step] = {
    TEXT_HI: Step(ask_text_hi, on_text_hi),
    TEXT_EN: Step(ask_text_en, on_text_en),
    TARGET: Step(ask_target, on_buttons_only),
    DISTRICTS: Step(ask_districts, on_districts),
    TIME: Step(ask_time, on_time),
    PREVIEW: Step(show_preview, on_buttons_only),
}
register(Flow(FLOW, STEPS, on_cancel))


# --- confirming -------------------------------------------------------------------------------


def _when_label(context: SaathiContext, moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(context.settings.timezone))
    return format_datetime(local, "d MMMM, HH:mm", locale=context.tr.lang)


async def _confirm(
    update: Update, context: SaathiContext, conv: Conversation, send_at: datetime | None
) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    target = _target_of(context, conv)
    data = conv.data
    draft = service.Draft(
        text_hi=data["text_hi"],
        text_en=data.get("text_en"),
        media_kind=data.get("media_kind"),
        media_file_id=data.get("media_file_id"),
        target=target,
        paid=bool(data.get("paid")) and role(context) == Role.ADMIN,
    )
    found = await service.audience(context.db, target, exclude=user.id)
    if found.total == 0:
        await say(
            update, context, _("⚠️ No active artisan matches. Change the recipients, or cancel.")
        )
        return
    who = role(context).value
    district = target.districts[0] if len(target.districts) == 1 else None
    if send_at is not None:
        notice = await service.create(context.db, user, who, draft, send_at=send_at)
        audit.record(
            context.db, user.id, who, "notice.schedule", district_code=district,
            notice_id=notice.id, send_at=send_at.isoformat(), paid=draft.paid or None,
        )  # fmt: skip
        await conversation.leave(context.db, user.id)
        await say(
            update,
            context,
            _("🕙 Notice #{id} is scheduled for {when} (IST), to about {n} artisans.").format(
                id=notice.id, when=_when_label(context, send_at), n=format_int(found.total)
            ),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("⛔ Cancel it"), callback_data=f"n:stop:{notice.id}")]]
            ),
        )
        return
    notice = await service.create(context.db, user, who, draft)
    assert notice.id is not None
    total = await service.enqueue(
        context.db, notice, lambda lang: render(_notice_data(notice), lang, notice.id or 0)
    )
    audit.record(
        context.db, user.id, who, "notice.send", district_code=district,
        notice_id=notice.id, recipients=total, paid=draft.paid or None,
    )  # fmt: skip
    await conversation.leave(context.db, user.id)
    sent = await say(
        update,
        context,
        progress_text(context.tr, notice, service.Counts(total=total, pending=total)),
        _stop_markup(context.tr, notice.id),
    )
    notice.progress_chat_id, notice.progress_message_id = sent.chat_id, sent.message_id
    context.db.add(notice)


def _stop_markup(tr: i18n.Translator, notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("⛔ Stop sending"), callback_data=f"n:stop:{notice_id}")]]
    )


def _counts_markup(tr: i18n.Translator, notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("🔄 Update counts"), callback_data=f"n:st:{notice_id}")]]
    )


def progress_text(tr: i18n.Translator, notice: Notice, counts: service.Counts) -> str:
    _ = tr.gettext
    return "\n".join(
        [
            _("📤 <b>Sending notice #{id}…</b>").format(id=notice.id),
            _("Sent: {sent} / {total}").format(
                sent=format_int(counts.sent), total=format_int(counts.total)
            ),
            _("Blocked the bot: {blocked} · Failed: {failed}").format(
                blocked=format_int(counts.blocked), failed=format_int(counts.failed)
            ),
        ]
    )


def report_text(tr: i18n.Translator, notice: Notice, counts: service.Counts) -> str:
    _ = tr.gettext
    title = (
        _("⛔ <b>Notice #{id} was stopped.</b>")
        if notice.status == NoticeStatus.CANCELLED
        else _("✅ <b>Notice #{id} is sent.</b>")
    ).format(id=notice.id)
    lines = [
        title,
        _("Delivered: {sent} of {total}").format(
            sent=format_int(counts.sent), total=format_int(counts.total)
        ),
        _("Blocked the bot: {n}").format(n=format_int(counts.blocked)),
        _("Failed: {n}").format(n=format_int(counts.failed)),
    ]
    if counts.cancelled:
        lines.append(_("Not sent (stopped): {n}").format(n=format_int(counts.cancelled)))
    lines.append(
        _("“Got it” tapped: {acks} of {sent}").format(
            acks=format_int(counts.acks), sent=format_int(counts.sent)
        )
    )
    return "\n".join(lines)


# --- buttons: composing -----------------------------------------------------------------------


async def on_compose_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    parts = query.data.split(":")
    action, arg = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if user is None or not user.is_registered or role(context).value not in STAFF:
        await deny(update, context)
        return
    conv = await conversation.get(context.db, user.id)
    expected = {
        "skipen": (TEXT_EN,),
        "t": (TARGET,),
        "cg": (TARGET,),
        "now": (PREVIEW,),
        "tm": (PREVIEW,),
        "at": (PREVIEW,),
        "paid": (PREVIEW,),
        "edit": (PREVIEW,),
        "e": (PREVIEW,),
        "x": tuple(STEPS),
    }.get(action)
    if conv is None or conv.flow != FLOW or expected is None or conv.step not in expected:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    if action == "x":
        await answer(update)
        await close_buttons(update)
        await on_cancel(update, context, conv)
        return
    if action == "skipen":
        await answer(update)
        await close_buttons(update)
        await _after_english(update, context, conv, text_en=None)
        return
    if action == "t":
        if arg not in ("state", "d"):
            await answer(update, _("This button is no longer active."), alert=True)
            return
        await answer(update)
        await close_buttons(update)
        if arg == "state":
            conv = await conversation.advance(context.db, conv, PREVIEW, districts=[], crafts=[])
            await show_preview(update, context, conv)
        else:
            conv = await conversation.advance(context.db, conv, DISTRICTS)
            await ask_districts(update, context, conv)
        return
    if action == "cg":
        if arg not in CRAFT_GROUP_LABELS:
            await answer(update, _("This button is no longer active."), alert=True)
            return
        await answer(update)
        await close_buttons(update)
        conv = await conversation.advance(context.db, conv, PREVIEW, districts=[], crafts=[arg])
        await show_preview(update, context, conv)
        return
    if action == "paid":
        if role(context) != Role.ADMIN:
            await deny(update, context)
            return
        await answer(update)
        await close_buttons(update)
        conv = await conversation.advance(context.db, conv, PREVIEW, paid=not conv.data.get("paid"))
        await show_preview(update, context, conv)
        return
    if action == "edit":
        await answer(update)
        keyboard = [
            [InlineKeyboardButton(_("Hindi text"), callback_data="nb:e:hi")],
            [InlineKeyboardButton(_("English text"), callback_data="nb:e:en")],
        ]
        if role(context) == Role.ADMIN:
            keyboard.append([InlineKeyboardButton(_("Recipients"), callback_data="nb:e:t")])
        keyboard.append(_cancel_row(context))
        await say(
            update, context, _("What would you like to change?"), InlineKeyboardMarkup(keyboard)
        )
        return
    if action == "e":
        step = {"hi": TEXT_HI, "en": TEXT_EN, "t": TARGET}.get(arg)
        if step is None or (step == TARGET and role(context) != Role.ADMIN):
            await answer(update, _("This button is no longer active."), alert=True)
            return
        await answer(update)
        await close_buttons(update)
        conv = await conversation.advance(context.db, conv, step, editing=True)
        await STEPS[step].prompt(update, context, conv)
        return
    await answer(update)
    await close_buttons(update)
    if action == "now":
        await _confirm(update, context, conv, None)
    elif action == "tm":
        zone = ZoneInfo(context.settings.timezone)
        tomorrow = (utcnow().astimezone(zone) + timedelta(days=1)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        await _confirm(update, context, conv, tomorrow.astimezone(ZoneInfo("UTC")))
    else:  # "at"
        conv = await conversation.advance(context.db, conv, TIME)
        await ask_time(update, context, conv)


# --- buttons: a sent notice -------------------------------------------------------------------


async def _may_manage(context: SaathiContext, notice: Notice) -> bool:
    """The author, or an admin."""
    user = context.user
    if user is None:
        return False
    r = role(context)
    return r == Role.ADMIN or (r == Role.OFFICER and notice.author_id == user.id)


async def on_notice_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    user = context.user
    notice_id = whole_number(arg)
    if notice_id is None or user is None:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    if action == "ack":
        if notice_id == 0:
            await answer(update, _("This is only a preview."), alert=True)
            return
        outcome = await service.acknowledge(context.db, notice_id, user.id)
        if outcome == "unknown":
            await answer(update, _("This button is no longer active."), alert=True)
        elif outcome == "again":
            await answer(update, _("Already noted. Thank you!"))
        else:
            await answer(update, _("🙏 Thank you! The office knows you have read it."))
        return
    notice = await service.get(context.db, notice_id)
    if action not in ("stop", "st") or notice is None:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    if not await _may_manage(context, notice):
        await deny(update, context)
        return
    if action == "stop":
        if notice.status not in (NoticeStatus.SCHEDULED, NoticeStatus.SENDING):
            await answer(update, _("This notice is not being sent any more."), alert=True)
            return
        was_scheduled = notice.status == NoticeStatus.SCHEDULED
        cancelled = await service.cancel(context.db, notice)
        audit.record(
            context.db, user.id, role(context).value, "notice.cancel",
            notice_id=notice.id, not_sent=cancelled,
        )  # fmt: skip
        await answer(update, _("Stopped."))
        if was_scheduled:
            notice.reported_at = utcnow()  # nothing was sent: no report to wait for
            context.db.add(notice)
            await close_buttons(update, _("⛔ Cancelled. It will not be sent."))
        return
    counts = await service.counts(context.db, notice_id)
    await answer(update)
    text = (
        report_text(context.tr, notice, counts)
        if notice.status in (NoticeStatus.DONE, NoticeStatus.CANCELLED)
        else progress_text(context.tr, notice, counts)
    )
    try:
        await query.edit_message_text(text, reply_markup=_counts_markup(context.tr, notice_id))
    except BadRequest:
        pass  # not modified


# --- the drainer's ticks: scheduled notices, progress, final reports -------------------------

_last_edit: dict[int, tuple[float, str]] = {}


async def _author(session: Any, notice: Notice) -> tuple[User | None, i18n.Translator]:
    author = await session.get(User, notice.author_id)
    return author, i18n.translator(author.language if author else None)


@on_tick
async def start_due_notices(outbox: Outbox) -> None:
    async with outbox.db.session() as session:
        due = await service.due_scheduled(session)
        started: list[tuple[int, int, str, int]] = []
        for notice in due:
            assert notice.id is not None
            data = _notice_data(notice)
            nid = notice.id
            total = await service.enqueue(
                session, notice, lambda lang, d=data, i=nid: render(d, lang, i)
            )
            author, tr = await _author(session, notice)
            if author is not None:
                started.append((nid, author.id, tr.lang, total))
    for nid, chat_id, lang, total in started:
        tr = i18n.translator(lang)
        await outbox.pacer.slot()
        try:
            async with outbox.db.session() as session:
                notice = await service.get(session, nid)
                assert notice is not None
                message = await outbox.bot.send_message(
                    chat_id,
                    progress_text(tr, notice, service.Counts(total=total, pending=total)),
                    reply_markup=_stop_markup(tr, nid),
                )
                notice.progress_chat_id, notice.progress_message_id = chat_id, message.message_id
                session.add(notice)
        except TelegramError as exc:
            log.warning("notice %d: could not send the progress message: %s", nid, exc)


@on_tick
async def report_progress(outbox: Outbox) -> None:
    async with outbox.db.session() as session:
        notices = await service.running(session)
        work: list[tuple[Notice, service.Counts, i18n.Translator]] = []
        for notice in notices:
            assert notice.id is not None
            counts = await service.counts(session, notice.id)
            if notice.status == NoticeStatus.SENDING and counts.finished:
                await service.mark_done(session, notice)
            _, tr = await _author(session, notice)
            work.append((notice, counts, tr))
    for notice, counts, tr in work:
        assert notice.id is not None
        if notice.status == NoticeStatus.SENDING:
            text = progress_text(tr, notice, counts)
            last = _last_edit.get(notice.id)
            now = time.monotonic()
            if last is not None and (now - last[0] < PROGRESS_EVERY or last[1] == text):
                continue
            _last_edit[notice.id] = (now, text)
            await _edit(outbox, notice, text, _stop_markup(tr, notice.id))
            continue
        # Finished or stopped: the progress message becomes the report, and a new message
        # tells the sender (an edit alone does not notify their phone).
        text = report_text(tr, notice, counts)
        async with outbox.db.session() as session:
            fresh = await service.get(session, notice.id)
            if fresh is None or fresh.reported_at is not None:
                continue
            await service.mark_reported(session, fresh)
        _last_edit.pop(notice.id, None)
        await _edit(outbox, notice, progress_text(tr, notice, counts), None)
        if notice.progress_chat_id is not None:
            await outbox.pacer.slot()
            try:
                await outbox.bot.send_message(
                    notice.progress_chat_id, text, reply_markup=_counts_markup(tr, notice.id)
                )
            except TelegramError as exc:
                log.warning("notice %d: could not send the report: %s", notice.id, exc)


async def _edit(
    outbox: Outbox, notice: Notice, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    if notice.progress_chat_id is None or notice.progress_message_id is None:
        return
    try:
        await outbox.bot.edit_message_text(
            text,
            chat_id=notice.progress_chat_id,
            message_id=notice.progress_message_id,
            reply_markup=markup,
        )
    except TelegramError as exc:
        if "not modified" not in str(exc):
            log.info("notice %s: progress edit failed: %s", notice.id, exc)


menu_items.add(MenuItem("notice", N_("📢 Send a notice"), start_notice, order=60, roles=STAFF))

HANDLERS = [
    CommandHandler("notice", start_notice),
    CallbackQueryHandler(on_compose_button, pattern=r"^nb:"),
    CallbackQueryHandler(on_notice_button, pattern=r"^n:"),
]
