"""Products: register one (a conversation), and "My products" (a paged list, a card per product,
edits, photos, archive, delete).

Registering (flow "product"; the draft lives in the conversation row, so a restart or kill -9
loses at most the update in hand; /cancel at any step):

    ➕ New product ─▶ NAME ─▶ CATEGORY (pn:cat:<code>) ─▶ PRICE ─▶ STOCK ─▶ PHOTOS (1–10, pn:done)
    ─▶ DESCRIPTION ─▶ MATERIAL ─▶ SIZE (each ⏭️ Skip) ─▶ SUMMARY: photo card
                                 pn:e:<field> ─▶ that step ─▶ back to SUMMARY;  pn:save ─▶ saved

Editing one field of a saved product (flow "product_edit", data {pid, before, back}): one step
per field, then the card (or the tips, when the edit came from a tip) with the new score.

Photos arrive one update each, also when sent as an album (a media group): each is downloaded,
checked off the event loop and stored in its own transaction. The first photo of an album gets
a short status message ("📷 1 photo received"); the next ones of the same album edit that
message instead of sending one reply per photo, so an album of 10 gives one message that ends
with the count and any problems found, and the "✅ Done" button.

Buttons carry short ids only (p:open:<id>); every id is checked against the sender
(products.get_own) before anything is shown or changed.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.services import conversation, photo_checks
from bot.services import products as products_service
from bot.services import tips as tips_service
from bot.services.products import MAX_PHOTOS, PhotoDraft
from handlers import keyboards, menu, menu_items
from handlers.common import answer, close_buttons, has_visible, local_today, say, whole_number
from handlers.flows import Flow, Step, register
from handlers.labels import CRAFT_GROUP_LABELS, craft_group_label
from handlers.product_labels import category_label, field_label

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation, Product, ProductPhoto

log = logging.getLogger(__name__)

FLOW = "product"
NAME, CATEGORY, PRICE, STOCK, PHOTOS = "name", "category", "price", "stock", "photos"
DESCRIPTION, MATERIAL, SIZE, SUMMARY = "description", "material", "size", "summary"
EDIT_FLOW = "product_edit"

#: The Bot API serves files up to 20 MB to bots.
MAX_DOWNLOAD = 20 * 1024 * 1024
CAPTION_NAME, CAPTION_DETAIL, CAPTION_DESCRIPTION = 80, 60, 300

NOT_FOUND = N_("This product was not found, or it is not yours.")
NO_LONGER = N_("This button is no longer active.")


def short(text: str | None, limit: int, *, one_line: bool = True) -> str:
    """User text cut to `limit` characters (with …) and escaped for HTML, in that order (so
    that a cut never splits an entity like &amp;)."""
    text = " ".join((text or "").split()) if one_line else (text or "").strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text)


def visible_length(html_text: str) -> int:
    """What Telegram counts against a limit: the text without tags, entities decoded."""
    return len(html.unescape(re.sub(r"<[^>]+>", "", html_text)).encode("utf-16-le")) // 2


def fit_caption(lines: list[str], description: str | None) -> str:
    """Join caption lines, adding the description only as far as the 1024 limit allows."""
    body = "\n".join(lines)
    if not description:
        return body
    limit = CAPTION_DESCRIPTION
    while limit > 20:
        caption = "\n".join(
            [*lines[:-1], "📝 " + short(description, limit, one_line=False), lines[-1]]
        )
        if visible_length(caption) <= MessageLimit.CAPTION_LENGTH:
            return caption
        limit -= 40
    return body


# --- shared: price, stock and text answers ----------------------------------------------------

NOT_A_NUMBER, UNREADABLE = "not_a_number", "unreadable"
PRICE_ERRORS = {
    "empty": N_("Please send the price of one piece, for example: 450 or ₹1,200"),
    "not_a_number": N_(
        "I could not read a price in that. Please send only the amount, for example: 450, "
        "₹1,200 or डेढ़ हज़ार"
    ),
    "zero": N_("The price cannot be zero. How much do you sell one piece for?"),
    "negative": N_("The price cannot be negative. Please send the amount, for example: 450"),
    "too_large": N_(
        "That is more than ₹10,00,000 for one piece. Please check the number and send it again."
    ),
    "too_small": N_("That is less than ₹1. Please check the number and send it again."),
    "too_many_decimals": N_("Paise go up to two decimal places only, for example: 99.50"),
}
STOCK_ERRORS = {
    "empty": N_("Please send how many pieces are ready, for example: 10 (or 0 if none)."),
    "not_a_number": N_(
        "Please send a whole number of pieces, for example: 10 or दस (0 if none are ready)."
    ),
    "negative": N_("The number of pieces cannot be negative."),
    "fraction": N_("Please send whole pieces, for example: 3"),
    "too_large": N_("That is more than 1,00,000 pieces. Please check the number."),
}
NAME_ERRORS = {
    "empty": N_("Please type the product's name."),
    "command": N_("Please type the product's name."),
    "too_short": N_("That name is too short. Please write a few words, for example: चिकन कुर्ता"),
    "too_long": N_("That name is too long: please keep it under {max} characters."),
}
TEXT_TOO_LONG = N_("That is too long: please keep it under {max} characters (yours has {n}).")


@dataclass(frozen=True)
class Answer:
    value: Any = None
    error: str | None = None  # a translated sentence

    @property
    def ok(self) -> bool:
        return self.error is None


def read_answer(tr: Translator, field: str, text: str | None) -> Answer:
    """A typed answer for `field`, checked by the service; errors come back as sentences."""
    _ = tr.gettext
    if not has_visible(text):
        text = ""  # only blanks (zero-width, fillers): as good as nothing
    if field == "name":
        checked = products_service.clean_name(text)
        if not checked.ok:
            return Answer(error=_(NAME_ERRORS[checked.error]).format(max=products_service.NAME_MAX))
        return Answer(checked.value)
    if field in ("price", "cost"):
        price = products_service.parse_price(text)
        if not price.ok:
            return Answer(error=_(PRICE_ERRORS.get(str(price.error), PRICE_ERRORS[NOT_A_NUMBER])))
        return Answer(price.paise)
    if field == "stock":
        checked = products_service.parse_stock(text)
        if not checked.ok:
            return Answer(error=_(STOCK_ERRORS.get(str(checked.error), STOCK_ERRORS[NOT_A_NUMBER])))
        return Answer(checked.value)
    if field == "description":
        checked = products_service.clean_description(text)
        limit = products_service.DESCRIPTION_MAX
    else:
        checked = products_service.clean_detail(text)
        limit = products_service.DETAIL_MAX
    if checked.error == "too_long":
        return Answer(error=_(TEXT_TOO_LONG).format(max=limit, n=len((text or "").strip())))
    if not checked.ok:
        return Answer(error=_("Please type it as text and send it."))
    return Answer(checked.value)


def _menu_label(text: str | None) -> bool:
    return bool(text) and menu_items.find(text) is not None


def skip_keyboard(tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(tr.gettext(keyboards.SKIP))]], resize_keyboard=True, one_time_keyboard=True
    )


# --- shared: photos ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    photo: PhotoDraft | None = None
    error: str | None = None  # not_image | too_big | download | unreadable


async def receive_photo(update: Update, context: SaathiContext) -> Incoming | None:
    """The picture in this message, downloaded and checked; None if there is no picture."""
    message = update.effective_message
    if message is None:
        return None
    if message.photo:
        size = message.photo[-1]  # the largest
        file_id, unique, kind, file_size = (
            size.file_id,
            size.file_unique_id,
            "photo",
            size.file_size,
        )
    elif message.document is not None:
        doc = message.document
        if not (doc.mime_type or "").startswith("image/"):
            return Incoming(error="not_image")
        file_id, unique, kind, file_size = (
            doc.file_id,
            doc.file_unique_id,
            "document",
            doc.file_size,
        )
    else:
        return None
    if file_size and file_size > MAX_DOWNLOAD:
        return Incoming(error="too_big")
    try:
        data = await (await context.bot.get_file(file_id)).download_as_bytearray()
    except TelegramError as exc:
        log.warning("could not download a product photo: %s", exc)
        return Incoming(error="too_big" if "too big" in str(exc).lower() else "download")
    report = await photo_checks.check(bytes(data))
    if not report.readable:
        return Incoming(error="unreadable")
    return Incoming(PhotoDraft(file_id, unique, kind, report.to_json()))


INCOMING_ERRORS = {
    "not_image": N_("That file is not a picture. Please send a photo of the product."),
    "too_big": N_("That file is too big for me (over 20 MB). Please send it as a photo."),
    "download": N_("I could not download that photo. Please send it again."),
    "unreadable": N_(
        "I could not open that picture. Please send it as a photo, or as a JPG or PNG file."
    ),
}


def incoming_error(tr: Translator, code: str | None) -> str:
    message = INCOMING_ERRORS.get(str(code), INCOMING_ERRORS[UNREADABLE])
    return tr.gettext(message)


FINDING_TEXTS = {
    "blurred": N_("blurred: hold the phone still and tap the screen to focus"),
    "too_dark": N_("too dark: take it in daylight, near a window"),
    "too_bright": N_("too bright: move out of direct sun, turn off the flash"),
    "busy_background": N_("busy background: put a plain sheet or wall behind it"),
}


def finding_text(tr: Translator, finding: str, photo: dict[str, Any]) -> str:
    if finding == "low_resolution":
        checks = photo.get("checks") or {}
        size = f"{checks.get('width', 0)}×{checks.get('height', 0)}"
        if photo.get("kind") == "photo":
            return tr.gettext(
                "small ({size} px): marketplaces zoom from 1000 px; send it “as a file” to keep "
                "its full size"
            ).format(size=size)
        return tr.gettext(
            "small ({size} px): marketplaces zoom from 1000 px; use the main camera, closer"
        ).format(size=size)
    return tr.gettext(FINDING_TEXTS[finding])


def photo_lines(tr: Translator, photos: list[dict[str, Any]]) -> list[str]:
    """One line per photo with a problem: "Photo 2: blurred: …"."""
    lines = []
    for i, photo in enumerate(photos, 1):
        found = [f for f in (photo.get("checks") or {}).get("findings", []) if f != "unreadable"]
        if found:
            problems = "; ".join(finding_text(tr, f, photo) for f in found)
            lines.append("⚠️ " + tr.gettext("Photo {n}: {problems}").format(n=i, problems=problems))
    return lines


def photos_status(tr: Translator, photos: list[dict[str, Any]], dropped: int = 0) -> str:
    n = len(photos)
    lines = [tr.ngettext("📷 {n} photo received.", "📷 {n} photos received.", n).format(n=n)]
    problems = photo_lines(tr, photos)
    lines += problems or [tr.gettext("✅ Clear, well lit, plain background.")]
    if dropped:
        lines.append(
            tr.ngettext(
                "⚠️ {n} photo was not added: a product can have at most 10.",
                "⚠️ {n} photos were not added: a product can have at most 10.",
                dropped,
            ).format(n=dropped)
        )
    if n >= MAX_PHOTOS:
        lines.append(tr.gettext("That is the most a product can have. Tap “✅ Done”."))
    else:
        lines.append(tr.gettext("Send more photos (up to 10), or tap “✅ Done”."))
    return "\n".join(lines)


async def acknowledge(
    update: Update,
    context: SaathiContext,
    conv: Conversation,
    photos: list[dict[str, Any]],
    outcome: str,
    markup: InlineKeyboardMarkup,
) -> dict[str, Any]:
    """Say how the photos stand after one more arrived: a new status message, or, for the next
    photos of the same album, an edit of the one sent for its first photo. Returns what to
    remember for the next photo ({group, msg, dropped})."""
    message = update.effective_message
    chat = update.effective_chat
    assert message is not None and chat is not None
    group = message.media_group_id
    ack = dict(conv.data.get("ack") or {})
    same_album = group is not None and ack.get("group") == group and ack.get("msg")
    dropped = (int(ack.get("dropped", 0)) if same_album else 0) + (outcome == "full")
    text = photos_status(context.tr, photos, dropped)
    if same_album:
        try:
            await context.bot.edit_message_text(
                text, chat_id=chat.id, message_id=ack["msg"], reply_markup=markup
            )
            return {**ack, "dropped": dropped}
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return {**ack, "dropped": dropped}
            # deleted, or too old to edit: say it anew
    sent = await say(update, context, text, markup)
    return {"group": group, "msg": sent.message_id, "dropped": dropped}


def photos_as_dicts(photos: list[ProductPhoto]) -> list[dict[str, Any]]:
    return [PhotoDraft.of(p).to_json() for p in photos]


async def photo_for_card(
    context: SaathiContext, photo: PhotoDraft
) -> tuple[str | bytes | None, bool]:
    """What to pass to sendPhoto: the photo's id, or for an image sent as a file its preview
    (made once from the file and then reused). True when the bytes of a new preview are sent."""
    if photo.kind == "photo":
        return photo.file_id, False
    if photo.preview_file_id:
        return photo.preview_file_id, False
    try:
        data = await (await context.bot.get_file(photo.file_id)).download_as_bytearray()
        return await photo_checks.preview(bytes(data)), True
    except (TelegramError, OSError, ValueError):
        return None, False


async def send_card(
    update: Update,
    context: SaathiContext,
    photo: PhotoDraft | None,
    caption: str,
    markup: InlineKeyboardMarkup,
) -> tuple[Message, str | None]:
    """A photo card (or a text message when there is no usable photo). Returns the message and
    the file id of a newly made preview, for the caller to store."""
    chat = update.effective_chat
    assert chat is not None
    source, fresh = (None, False) if photo is None else await photo_for_card(context, photo)
    if source is None:
        return await say(update, context, caption, markup), None
    sent = await context.bot.send_photo(chat.id, source, caption=caption, reply_markup=markup)
    preview = sent.photo[-1].file_id if fresh and sent.photo else None
    return sent, preview


async def report_of(context: SaathiContext, product: Product) -> tips_service.Report:
    """The listing score and tips of a product, as of today (IST)."""
    return await tips_service.report_for(context.db, product, local_today(context), context.user)


# --- registering a new product: prompts -------------------------------------------------------


async def start_new(update: Update, context: SaathiContext) -> None:
    """➕ New product (menu, or a button)."""
    user = context.user
    if user is None or not user.is_registered:
        await menu.show(update, context)
        return
    conv = await conversation.enter(context.db, user.id, FLOW, NAME, {"photos": []})
    await ask_name(update, context, conv)


async def ask_name(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    text = _(
        "➕ <b>New product</b>\n\nWhat is it called? Type its name in Hindi or English.\n"
        "For example: चिकनकारी सूती कुर्ता, or Terracotta diya set\n\n"
        "(/cancel stops at any step)"
    )
    if conv.data.get("editing"):
        text = _("Send the new name.")
    sent = await say(update, context, text, ReplyKeyboardRemove())
    if not conv.data.get("editing"):
        # This draft's buttons all come after this message (message ids only grow): a button
        # on an older message belongs to an earlier, cancelled draft.
        await conversation.advance(context.db, conv, conv.step, since=sent.message_id)


async def ask_category(update: Update, context: SaathiContext, conv: Conversation) -> None:
    user = context.user
    assert user is not None
    group = conv.data.get("group") or products_service.craft_group_of_user(user)
    text = context.tr.gettext("What kind of product is “{name}”?").format(
        name=short(conv.data.get("name"), CAPTION_NAME)
    )
    await say(
        update, context, text, category_keyboard(context.tr, conv.data.get("name", ""), group, "pn")
    )


def category_keyboard(tr: Translator, name: str, group: str, prefix: str) -> InlineKeyboardMarkup:
    codes = list(products_service.categories_for(group))
    guess = products_service.guess_category(name, group)
    if guess is not None:
        codes.remove(guess)
        codes.insert(0, guess)
    buttons = [
        InlineKeyboardButton(
            ("✅ " if i == 0 and guess else "") + category_label(tr, code),
            callback_data=f"{prefix}:cat:{code}",
        )
        for i, code in enumerate(codes)
    ]
    rows = keyboards.rows(buttons, 2)
    rows.append(
        [InlineKeyboardButton(tr.gettext("🧩 Another craft"), callback_data=f"{prefix}:groups")]
    )
    return InlineKeyboardMarkup(rows)


def groups_keyboard(tr: Translator, prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(craft_group_label(tr, g), callback_data=f"{prefix}:grp:{g}")]
            for g in CRAFT_GROUP_LABELS
        ]
    )


async def ask_price(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    await say(
        update,
        context,
        _("💰 What is the price of one piece, in rupees?\nFor example: 450, ₹1,200 or डेढ़ हज़ार"),
        ReplyKeyboardRemove() if conv.data.get("editing") else None,
    )


async def ask_stock(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext(
            "📦 How many pieces are ready to sell now? Send a number (0 if none are ready yet)."
        ),
    )


async def ask_photos(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    photos = conv.data.get("photos") or []
    if photos:
        text = photos_status(context.tr, photos)
        await say(update, context, text, draft_photos_keyboard(context.tr, photos))
        return
    await say(
        update,
        context,
        _(
            "🖼️ Send 1 to 10 photos of the product; you can send several at once.\n\n"
            "For photos that sell: daylight, a plain sheet or wall behind it, one close-up of "
            "the handwork, and one that shows its size. To keep full quality, send them "
            "“as a file” (📎 → File)."
        ),
    )


def draft_photos_keyboard(tr: Translator, photos: list[dict[str, Any]]) -> InlineKeyboardMarkup:
    """🗑️ per photo (by its unique id, so a double tap cannot remove the next one), ✅ Done."""
    buttons = [
        InlineKeyboardButton(f"🗑️ {i}", callback_data=f"pn:phd:{photo['file_unique_id']}")
        for i, photo in enumerate(photos, 1)
    ]
    rows = keyboards.rows(buttons, 5)
    rows.append([InlineKeyboardButton(tr.gettext("✅ Done"), callback_data="pn:done")])
    return InlineKeyboardMarkup(rows)


def done_keyboard(tr: Translator, prefix: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(tr.gettext("✅ Done"), callback_data=f"{prefix}:done")]]
    )


OPTIONAL_PROMPTS = {
    DESCRIPTION: N_(
        "📝 Write a few lines about it: how it is made, what it is for, how to care for it. "
        "Or tap “⏭️ Skip”."
    ),
    MATERIAL: N_(
        "🧵 What is it made of? For example: cotton, pure silk, brass, clay. Or tap “⏭️ Skip”."
    ),
    SIZE: N_(
        "📏 What size is it? For example: 44 inch, 20 × 30 cm, 6 inch tall, free size. "
        "Or tap “⏭️ Skip”."
    ),
}


async def ask_optional(update: Update, context: SaathiContext, conv: Conversation) -> None:
    """Description, material, size: a question with a “⏭️ Skip” button."""
    prompt = OPTIONAL_PROMPTS[conv.step]
    await say(update, context, context.tr.gettext(prompt), skip_keyboard(context.tr))


def summary_caption(tr: Translator, data: dict[str, Any]) -> str:
    _ = tr.gettext
    lines = [
        f"<b>{short(data.get('name'), CAPTION_NAME)}</b>",
        category_label(tr, data.get("category")),
        _("💰 Price: {price}").format(price=tr.inr(int(data.get("price") or 0))),
        _("📦 Stock: {n}").format(n=tr.number(int(data.get("stock") or 0))),
        tr.ngettext("🖼️ {n} photo", "🖼️ {n} photos", len(data.get("photos") or [])).format(
            n=len(data.get("photos") or [])
        ),
    ]
    if data.get("material"):
        lines.append(
            _("🧵 Material: {material}").format(material=short(data["material"], CAPTION_DETAIL))
        )
    if data.get("size"):
        lines.append(_("📏 Size: {size}").format(size=short(data["size"], CAPTION_DETAIL)))
    lines.append("\n" + _("Check the details. Tap a button to change something, or “✅ Save”."))
    return fit_caption(lines, data.get("description"))


def summary_keyboard(tr: Translator) -> InlineKeyboardMarkup:
    fields = ("name", "category", "price", "stock", "photos", "description", "material", "size")
    buttons = [InlineKeyboardButton(field_label(tr, f), callback_data=f"pn:e:{f}") for f in fields]
    rows = keyboards.rows(buttons, 2)
    rows.append(
        [
            InlineKeyboardButton(tr.gettext("✅ Save"), callback_data="pn:save"),
            InlineKeyboardButton(tr.gettext("❌ Cancel"), callback_data="pn:cancel"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def show_summary(update: Update, context: SaathiContext, conv: Conversation) -> None:
    photos = conv.data.get("photos") or []
    first = PhotoDraft.from_json(photos[0]) if photos else None
    sent, preview = await send_card(
        update, context, first, summary_caption(context.tr, conv.data), summary_keyboard(context.tr)
    )
    if preview is not None:
        photos = [dict(photos[0], preview_file_id=preview), *photos[1:]]
    # Only this card's buttons count: an older card shows older values.
    await conversation.advance(context.db, conv, conv.step, photos=photos, card=sent.message_id)


# --- registering: answers ---------------------------------------------------------------------

NEXT = {NAME: CATEGORY, CATEGORY: PRICE, PRICE: STOCK, STOCK: PHOTOS, PHOTOS: DESCRIPTION,
        DESCRIPTION: MATERIAL, MATERIAL: SIZE, SIZE: SUMMARY}  # fmt: skip


async def go_on(update: Update, context: SaathiContext, conv: Conversation, **changes: Any) -> None:
    """Store the answer and ask the next question (or show the card again when editing)."""
    if conv.data.get("editing"):
        conv = await conversation.advance(context.db, conv, SUMMARY, editing=False, **changes)
    else:
        conv = await conversation.advance(context.db, conv, NEXT[conv.step], **changes)
    await STEPS[conv.step].prompt(update, context, conv)


async def _guard(update: Update, context: SaathiContext, conv: Conversation) -> str | None:
    """The message's text, or None after handling something that is not an answer."""
    message = update.effective_message
    text = message.text if message else None
    if _menu_label(text):
        await say(
            update,
            context,
            context.tr.gettext(
                "You are adding a product. Please answer the question above, or send /cancel "
                "to stop."
            ),
        )
        return None
    if text is None:
        await say(update, context, context.tr.gettext("Please type it as text and send it."))
        return None
    return text


async def on_text_answer(update: Update, context: SaathiContext, conv: Conversation) -> None:
    if conv.step in (DESCRIPTION, MATERIAL, SIZE) and await late_photo(update, context, conv):
        return
    text = await _guard(update, context, conv)
    if text is None:
        return
    field = conv.step
    if field in (DESCRIPTION, MATERIAL, SIZE) and menu_items.is_label(text, keyboards.SKIP):
        await go_on(update, context, conv, **{field: None})
        return
    got = read_answer(context.tr, field, text)
    if not got.ok:
        await say(update, context, got.error)
        return
    await go_on(update, context, conv, **{field: got.value})


async def on_buttons_only(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(update, context, context.tr.gettext("Please choose with one of the buttons above."))
    await STEPS[conv.step].prompt(update, context, conv)


async def on_photo_message(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    incoming = await receive_photo(update, context)
    photos = list(conv.data.get("photos") or [])
    if incoming is None:
        message = update.effective_message
        if message is not None and _menu_label(message.text):
            await _guard(update, context, conv)
            return
        if photos:
            await say(
                update,
                context,
                _("Send more photos, or tap “✅ Done”."),
                done_keyboard(context.tr, "pn"),
            )
        else:
            await say(update, context, _("Please send at least one photo of the product."))
        return
    if incoming.photo is None:
        await say(update, context, incoming_error(context.tr, incoming.error))
        return
    outcome = products_service.add_photo_to_list(photos, incoming.photo)
    markup = (
        draft_photos_keyboard(context.tr, photos)
        if conv.data.get("editing")
        else done_keyboard(context.tr, "pn")
    )
    ack = await acknowledge(update, context, conv, photos, outcome, markup)
    await conversation.advance(context.db, conv, PHOTOS, photos=photos, ack=ack)


async def late_photo(update: Update, context: SaathiContext, conv: Conversation) -> bool:
    """A photo after “✅ Done”: on a slow network the photos of an album upload one by one, and
    the artisan may tap Done before the last ones arrive. They are added, not lost."""
    message = update.effective_message
    if message is None or not (message.photo or message.document):
        return False
    incoming = await receive_photo(update, context)
    if incoming is None or incoming.photo is None:
        await say(update, context, incoming_error(context.tr, incoming.error if incoming else None))
        return True
    photos = list(conv.data.get("photos") or [])
    outcome = products_service.add_photo_to_list(photos, incoming.photo)
    if outcome == "full":
        note = context.tr.ngettext(
            "⚠️ {n} photo was not added: a product can have at most 10.",
            "⚠️ {n} photos were not added: a product can have at most 10.",
            1,
        ).format(n=1)
    else:
        note = context.tr.ngettext(
            "📷 {n} photo received.", "📷 {n} photos received.", len(photos)
        ).format(n=len(photos))
    await conversation.advance(context.db, conv, conv.step, photos=photos)
    await say(update, context, note)
    return True


async def on_summary_message(update: Update, context: SaathiContext, conv: Conversation) -> None:
    if await late_photo(update, context, conv):
        return
    await say(
        update,
        context,
        context.tr.gettext("Tap “✅ Save” on the card, or a button to change something."),
    )


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    user = context.user
    assert user is not None
    await conversation.leave(context.db, user.id)
    await say(update, context, context.tr.gettext("Cancelled: the product was not saved."))
    await menu.show(update, context)


STEPS: dict[str, Step] = {
    NAME: Step(ask_name, on_text_answer),
    CATEGORY: Step(ask_category, on_buttons_only),
    PRICE: Step(ask_price, on_text_answer),
    STOCK: Step(ask_stock, on_text_answer),
    PHOTOS: Step(ask_photos, on_photo_message),
    DESCRIPTION: Step(ask_optional, on_text_answer),
    MATERIAL: Step(ask_optional, on_text_answer),
    SIZE: Step(ask_optional, on_text_answer),
    SUMMARY: Step(show_summary, on_summary_message),
}
register(Flow(FLOW, STEPS, on_cancel))


async def on_new_button(update: Update, context: SaathiContext) -> None:
    """Every `pn:` button: only the step it belongs to takes it."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    conv = await conversation.get(context.db, user.id) if user else None
    parts = query.data.split(":")
    action, arg = parts[1], (parts[2] if len(parts) > 2 else "")
    expected = {"cat": CATEGORY, "groups": CATEGORY, "grp": CATEGORY, "done": PHOTOS,
                "phd": PHOTOS, "e": SUMMARY, "save": SUMMARY, "cancel": SUMMARY}.get(action)  # fmt: skip
    if conv is None or conv.flow != FLOW or expected is None or conv.step != expected:
        await answer(update, _(NO_LONGER), alert=True)
        return
    pressed_on = query.message.message_id if query.message is not None else None
    from_earlier_draft = pressed_on is not None and pressed_on < conv.data.get("since", 0)
    if from_earlier_draft or (expected == SUMMARY and pressed_on != conv.data.get("card")):
        await answer(update, _(NO_LONGER), alert=True)
        return
    if action == "groups":
        await answer(update)
        await query.edit_message_text(
            _("Which craft is it?"), reply_markup=groups_keyboard(context.tr, "pn")
        )
        return
    if action == "grp":
        if arg not in products_service.CATEGORIES:
            await answer(update, _(NO_LONGER), alert=True)
            return
        await answer(update)
        await conversation.advance(context.db, conv, CATEGORY, group=arg)
        markup = category_keyboard(context.tr, conv.data.get("name", ""), arg, "pn")
        await query.edit_message_text(
            _("What kind of product is “{name}”?").format(
                name=short(conv.data.get("name"), CAPTION_NAME)
            ),
            reply_markup=markup,
        )
        return
    if action == "cat":
        if arg not in products_service.CATEGORY_GROUP:
            await answer(update, _(NO_LONGER), alert=True)
            return
        await answer(update)
        await close_buttons(
            update, _("Type: {type} ✅").format(type=category_label(context.tr, arg))
        )
        await go_on(update, context, conv, category=arg)
        return
    if action == "done":
        if not conv.data.get("photos"):
            await answer(update, _("Please send at least one photo first."), alert=True)
            return
        await answer(update)
        await close_buttons(update)
        await go_on(update, context, conv, ack=None)
        return
    if action == "phd":
        photos = list(conv.data.get("photos") or [])
        kept = [p for p in photos if p["file_unique_id"] != arg]
        if len(kept) != len(photos) - 1:
            await answer(update, _(NO_LONGER), alert=True)
            return
        photos = kept
        await answer(update, _("Photo removed."))
        await conversation.advance(context.db, conv, PHOTOS, photos=photos)
        text = (
            photos_status(context.tr, photos)
            if photos
            else _("Please send at least one photo of the product.")
        )
        await query.edit_message_text(text, reply_markup=draft_photos_keyboard(context.tr, photos))
        return
    if action == "e":
        if arg not in STEPS or arg == SUMMARY:
            await answer(update, _(NO_LONGER), alert=True)
            return
        await answer(update)
        await close_buttons(update)
        conv = await conversation.advance(context.db, conv, arg, editing=True, ack=None)
        await STEPS[arg].prompt(update, context, conv)
        return
    if action == "cancel":
        await answer(update)
        await close_buttons(update)
        await on_cancel(update, context, conv)
        return
    # save
    assert user is not None
    await answer(update)
    await close_buttons(update)
    draft = products_service.Draft.from_json(conv.data)
    product = await products_service.create(context.db, user.id, draft)
    await conversation.leave(context.db, user.id)
    await say(
        update,
        context,
        _("✅ Saved: <b>{name}</b>. You find it under “📦 My products”.").format(
            name=short(product.name, CAPTION_NAME)
        ),
        keyboards.main_menu(
            context.tr, menu_items.items(context.user.role if context.user else None)
        ),
    )
    from handlers import tips as tips_handlers

    await tips_handlers.show_product_tips(update, context, product)


# --- "My products": the list ------------------------------------------------------------------


async def show_list(
    update: Update, context: SaathiContext, page: int = 0, *, archived: bool = False
) -> None:
    """📦 My products: a compact list, 5 a page, a button per product (edited in place)."""
    _ = context.tr.gettext
    tr = context.tr
    user = context.user
    if user is None or not user.is_registered:
        await menu.show(update, context)
        return
    listing = await products_service.page_of(context.db, user.id, page, archived=archived)
    archived_count = await products_service.count(context.db, user.id, archived=True)
    day = local_today(context)
    if listing.total == 0 and not archived:
        text = _("📦 You have not added any products yet.")
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("➕ Add a product"), callback_data="p:new")]]
            + (
                [
                    [
                        InlineKeyboardButton(
                            _("🗄️ Archived ({n})").format(n=archived_count), callback_data="p:arch:0"
                        )
                    ]
                ]
                if archived_count
                else []
            )
        )
    else:
        title = _("🗄️ <b>Archived products</b>") if archived else _("📦 <b>My products</b>")
        lines = [
            title
            + " "
            + _("(page {page} of {pages})").format(page=listing.page + 1, pages=listing.pages),
            "",
        ]
        buttons = []
        for i, product in enumerate(listing.items, listing.page * products_service.PER_PAGE + 1):
            report = await tips_service.report_for(context.db, product, day, user)
            stock = (
                _("sold out")
                if product.stock <= 0
                else _("{n} in stock").format(n=tr.number(product.stock))
            )
            lines.append(
                f"{i}. <b>{short(product.name, 48)}</b>\n    "
                + _("{price} · {stock} · ⭐ {score}/100").format(
                    price=tr.inr(product.price_paise), stock=stock, score=report.score
                )
            )
            buttons.append(
                [
                    InlineKeyboardButton(
                        f"{i}. {product.name[:40]}", callback_data=f"p:open:{product.id}"
                    )
                ]
            )
        if not listing.items:
            lines.append(_("Nothing here."))
        kind = "arch" if archived else "list"
        nav = []
        if listing.page > 0:
            nav.append(InlineKeyboardButton("◀️", callback_data=f"p:{kind}:{listing.page - 1}"))
        if listing.pages > 1:
            nav.append(
                InlineKeyboardButton(
                    f"{listing.page + 1}/{listing.pages}", callback_data=f"p:{kind}:{listing.page}"
                )
            )
        if listing.page < listing.pages - 1:
            nav.append(InlineKeyboardButton("▶️", callback_data=f"p:{kind}:{listing.page + 1}"))
        if nav:
            buttons.append(nav)
        if archived:
            buttons.append([InlineKeyboardButton(_("◀️ My products"), callback_data="p:list:0")])
        else:
            extra = [InlineKeyboardButton(_("➕ Add a product"), callback_data="p:new")]
            if archived_count:
                extra.append(
                    InlineKeyboardButton(
                        _("🗄️ Archived ({n})").format(n=archived_count), callback_data="p:arch:0"
                    )
                )
            buttons.append(extra)
        text, markup = "\n".join(lines), InlineKeyboardMarkup(buttons)
    query = update.callback_query
    if query is not None and isinstance(query.message, Message) and query.message.text is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
    await say(update, context, text, markup)


# --- one product: the card --------------------------------------------------------------------


def card_caption(tr: Translator, product: Product, n_photos: int, score: int) -> str:
    _ = tr.gettext
    if product.stock <= 0:
        stock = _("📦 Stock: {n} ⚠️ sold out").format(n=tr.number(product.stock))
    elif product.stock <= product.low_stock_threshold:
        stock = _("📦 Stock: {n} ⚠️ running low").format(n=tr.number(product.stock))
    else:
        stock = _("📦 Stock: {n}").format(n=tr.number(product.stock))
    lines = [
        f"<b>{short(product.name, CAPTION_NAME)}</b>",
        category_label(tr, product.category)
        + (" · " + _("🗄️ archived") if product.archived else ""),
        _("💰 Price: {price}").format(price=tr.inr(product.price_paise)),
        stock,
        tr.ngettext("🖼️ {n} photo", "🖼️ {n} photos", n_photos).format(n=n_photos),
    ]
    if product.cost_paise is not None:
        lines.append(_("🧮 Cost to make: {cost}").format(cost=tr.inr(product.cost_paise)))
    if product.material:
        lines.append(
            _("🧵 Material: {material}").format(material=short(product.material, CAPTION_DETAIL))
        )
    if product.size:
        lines.append(_("📏 Size: {size}").format(size=short(product.size, CAPTION_DETAIL)))
    lines.append("\n" + _("⭐ Listing score: {score}/100").format(score=score))
    return fit_caption(lines, product.description)


def card_keyboard(tr: Translator, product: Product) -> InlineKeyboardMarkup:
    pid = product.id
    fields = ("name", "category", "price", "stock")
    buttons = [
        InlineKeyboardButton(field_label(tr, f), callback_data=f"p:e:{pid}:{f}") for f in fields
    ]
    buttons.append(InlineKeyboardButton(field_label(tr, "photos"), callback_data=f"p:ph:{pid}"))
    buttons += [
        InlineKeyboardButton(field_label(tr, f), callback_data=f"p:e:{pid}:{f}")
        for f in ("description", "material", "size", "cost")
    ]
    buttons.append(InlineKeyboardButton(tr.gettext("💡 Tips"), callback_data=f"t:p:{pid}"))
    if product.archived:
        buttons.append(InlineKeyboardButton(tr.gettext("♻️ Restore"), callback_data=f"p:un:{pid}"))
    else:
        buttons.append(InlineKeyboardButton(tr.gettext("🗄️ Archive"), callback_data=f"p:ar:{pid}"))
    buttons.append(InlineKeyboardButton(tr.gettext("🗑️ Delete"), callback_data=f"p:del:{pid}"))
    rows = keyboards.rows(buttons, 2)
    rows.append([InlineKeyboardButton(tr.gettext("◀️ My products"), callback_data="p:list:0")])
    return InlineKeyboardMarkup(rows)


async def show_card(update: Update, context: SaathiContext, product: Product) -> None:
    assert product.id is not None
    photos = await products_service.photos_of(context.db, product.id)
    report = await report_of(context, product)
    first = PhotoDraft.of(photos[0]) if photos else None
    _sent, preview = await send_card(
        update,
        context,
        first,
        card_caption(context.tr, product, len(photos), report.score),
        card_keyboard(context.tr, product),
    )
    if preview is not None:
        await products_service.set_preview(context.db, photos[0], preview)


# --- one product: photos ----------------------------------------------------------------------


async def show_photos(update: Update, context: SaathiContext, product: Product) -> None:
    _ = context.tr.gettext
    assert product.id is not None
    photos = await products_service.photos_of(context.db, product.id)
    chat = update.effective_chat
    assert chat is not None
    shown = [(i, p) for i, p in enumerate(photos, 1) if p.kind == "photo" or p.preview_file_id]
    if len(shown) >= 2:
        media = [
            InputMediaPhoto(p.file_id if p.kind == "photo" else p.preview_file_id, caption=str(i))
            for i, p in shown
        ]  # type: ignore[arg-type]
        try:
            await context.bot.send_media_group(chat.id, media)
        except TelegramError as exc:
            log.warning("could not show the photos of product %s: %s", product.id, exc)
    dicts = photos_as_dicts(photos)
    lines = [
        _("🖼️ <b>Photos of {name}</b>").format(name=short(product.name, CAPTION_NAME)),
        context.tr.ngettext(
            "{n} photo (at most 10).", "{n} photos (at most 10).", len(photos)
        ).format(n=len(photos)),
    ]
    lines += photo_lines(context.tr, dicts) or [_("✅ Clear, well lit, plain background.")]
    lines.append(_("🗑️ removes a photo; ⭐ makes it the first one buyers see."))
    buttons: list[list[InlineKeyboardButton]] = []
    for i, photo in enumerate(photos, 1):
        row = [InlineKeyboardButton(f"🗑️ {i}", callback_data=f"p:phd:{product.id}:{photo.id}")]
        if i > 1:
            row.append(
                InlineKeyboardButton(f"⭐ {i}", callback_data=f"p:phc:{product.id}:{photo.id}")
            )
        buttons.append(row)
    buttons = [[b for row in buttons[i : i + 2] for b in row] for i in range(0, len(buttons), 2)]
    bottom = [InlineKeyboardButton(_("◀️ Back"), callback_data=f"p:open:{product.id}")]
    if len(photos) < MAX_PHOTOS:
        bottom.insert(
            0, InlineKeyboardButton(_("➕ Add photos"), callback_data=f"p:pha:{product.id}")
        )
    buttons.append(bottom)
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


# --- one product: editing a field (flow "product_edit") ---------------------------------------

EDIT_PROMPTS = {
    "name": N_("Send the new name."),
    "price": N_("Send the new price of one piece, for example: 450, ₹1,200 or डेढ़ हज़ार"),
    "stock": N_("How many pieces are ready now? Send a number (0 if none)."),
    "description": N_(
        "Send the new description: how it is made, what it is for, its size, how to care for it."
    ),
    "material": N_("What is it made of? For example: cotton, pure silk, brass, clay."),
    "size": N_("What size is it? For example: 44 inch, 20 × 30 cm, free size."),
    "cost": N_(
        "What does one piece cost you to make (materials and labour)? Send the amount, for "
        "example: 300. Only you see it; it is used to work out the lowest safe price."
    ),
    "photos": N_(
        "Send the photos to add (up to 10 in all), then tap “✅ Done”. Daylight, a plain "
        "background, and one close-up of the handwork sell best."
    ),
}


def current_value(tr: Translator, product: Product, field: str) -> str | None:
    if field == "price":
        return tr.inr(product.price_paise)
    if field == "cost":
        return tr.inr(product.cost_paise) if product.cost_paise is not None else None
    if field == "stock":
        return tr.number(product.stock)
    if field == "photos":
        return None
    value = getattr(product, field)
    return short(value, 200) if value else None


async def start_edit(
    update: Update, context: SaathiContext, product: Product, field: str, back: str = "card"
) -> None:
    """Ask for a new value of one field of a saved product (or show the type buttons)."""
    _ = context.tr.gettext
    user = context.user
    assert user is not None and product.id is not None
    report = await report_of(context, product)
    if field == "category":
        group = products_service.group_of(product.category)
        await say(
            update,
            context,
            _("What kind of product is “{name}”?").format(name=short(product.name, CAPTION_NAME)),
            category_keyboard(context.tr, product.name, group, f"p:c:{product.id}"),
        )
        return
    data = {"pid": product.id, "before": report.score, "back": back}
    conv = await conversation.enter(context.db, user.id, EDIT_FLOW, field, data)
    await ask_edit(update, context, conv)


async def edited_product(
    update: Update, context: SaathiContext, conv: Conversation
) -> Product | None:
    """The product being edited; if it is gone (deleted meanwhile), the edit ends and says so."""
    user = context.user
    assert user is not None
    product = await products_service.get_own(context.db, user.id, conv.data.get("pid"))
    if product is None:
        await conversation.leave(context.db, user.id)
        await say(update, context, context.tr.gettext(NOT_FOUND))
    return product


async def ask_edit(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    product = await edited_product(update, context, conv)
    if product is None:
        return
    field = conv.step
    head = _("{field} of “{name}”").format(
        field=field_label(context.tr, field), name=short(product.name, CAPTION_NAME)
    )
    now = current_value(context.tr, product, field)
    lines = [f"<b>{head}</b>"]
    if now is not None:
        lines.append(_("Now: {value}").format(value=now))
    lines.append(_(EDIT_PROMPTS[field]))
    lines.append(_("(/cancel keeps it as it is)"))
    await say(update, context, "\n".join(lines))


async def on_edit_message(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    product = await edited_product(update, context, conv)
    if product is None:
        return
    message = update.effective_message
    if message is not None and _menu_label(message.text):
        await say(
            update,
            context,
            _("You are changing a product. Send the new value, or /cancel to keep it."),
        )
        return
    text = message.text if message else None
    if text is None:
        await say(update, context, _("Please type it as text and send it."))
        return
    got = read_answer(context.tr, conv.step, text)
    if not got.ok:
        await say(update, context, got.error)
        return
    await products_service.update(context.db, product, conv.step, got.value)
    await conversation.leave(context.db, product.user_id)
    await after_edit(update, context, product, conv.data.get("before"), conv.data.get("back"))


async def on_edit_photo(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    product = await edited_product(update, context, conv)
    if product is None:
        return
    assert product.id is not None
    incoming = await receive_photo(update, context)
    if incoming is None:
        await say(
            update,
            context,
            _("Send more photos, or tap “✅ Done”."),
            done_keyboard(context.tr, "pe"),
        )
        return
    if incoming.photo is None:
        await say(update, context, incoming_error(context.tr, incoming.error))
        return
    outcome = await products_service.add_photo(context.db, product, incoming.photo)
    photos = photos_as_dicts(await products_service.photos_of(context.db, product.id))
    ack = await acknowledge(update, context, conv, photos, outcome, done_keyboard(context.tr, "pe"))
    await conversation.advance(context.db, conv, "photos", ack=ack)


async def on_edit_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    user = context.user
    assert user is not None
    await conversation.leave(context.db, user.id)
    await say(update, context, context.tr.gettext("Cancelled: nothing was changed."))
    product = await products_service.get_own(context.db, user.id, conv.data.get("pid"))
    if product is not None:
        await show_card(update, context, product)


async def after_edit(
    update: Update, context: SaathiContext, product: Product, before: int | None, back: str | None
) -> None:
    """Say what changed in the score, then show the card (or the tips the edit came from)."""
    _ = context.tr.gettext
    report = await report_of(context, product)
    if before is not None and report.score != before:
        arrow = "⬆️" if report.score > before else "⬇️"
        note = _("✅ Saved. Listing score: {before} → {after} {arrow}").format(
            before=before, after=report.score, arrow=arrow
        )
    else:
        note = _("✅ Saved. Listing score: {score}/100").format(score=report.score)
    await say(update, context, note)
    if back == "tips":
        from handlers import tips as tips_handlers

        await tips_handlers.show_product_tips(update, context, product)
    else:
        await show_card(update, context, product)


EDIT_STEPS: dict[str, Step] = {
    field: Step(ask_edit, on_edit_message)
    for field in ("name", "price", "stock", "description", "material", "size", "cost")
}
EDIT_STEPS["photos"] = Step(ask_edit, on_edit_photo)
register(Flow(EDIT_FLOW, EDIT_STEPS, on_edit_cancel))


async def on_edit_button(update: Update, context: SaathiContext) -> None:
    """pe:done — the photos being added to a saved product are all in."""
    user = context.user
    conv = await conversation.get(context.db, user.id) if user else None
    if user is None or conv is None or conv.flow != EDIT_FLOW or conv.step != "photos":
        await answer(update, context.tr.gettext(NO_LONGER), alert=True)
        return
    await answer(update)
    await close_buttons(update)
    await conversation.leave(context.db, user.id)
    product = await products_service.get_own(context.db, user.id, conv.data.get("pid"))
    if product is None:
        await say(update, context, context.tr.gettext(NOT_FOUND))
        return
    await after_edit(update, context, product, conv.data.get("before"), conv.data.get("back"))


# --- "My products" buttons --------------------------------------------------------------------


async def on_button(update: Update, context: SaathiContext) -> None:
    """Every `p:` button. An id that is not the sender's changes nothing and says so."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    if user is None or not user.is_registered:
        await answer(update, _(NO_LONGER), alert=True)
        return
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    args = parts[2:]
    if action in ("list", "arch"):
        page = whole_number(args[0] if args else None, 10_000) or 0
        await answer(update)
        await show_list(update, context, page, archived=action == "arch")
        return
    if action == "new":
        await answer(update)
        await start_new(update, context)
        return
    product = await products_service.get_own(context.db, user.id, args[0] if args else None)
    if product is None:
        await answer(update, _(NOT_FOUND), alert=True)
        return
    assert product.id is not None
    if action == "open":
        await answer(update)
        await show_card(update, context, product)
    elif action == "e" and len(args) > 1 and args[1] in products_service.EDITABLE:
        await answer(update)
        await start_edit(update, context, product, args[1])
    elif (
        action == "c"
        and len(args) > 2
        and args[1] == "cat"
        and args[2] in products_service.CATEGORY_GROUP
    ):
        before = (await report_of(context, product)).score
        await answer(update)
        await close_buttons(
            update, _("Type: {type} ✅").format(type=category_label(context.tr, args[2]))
        )
        await products_service.update(context.db, product, "category", args[2])
        await after_edit(update, context, product, before, "card")
    elif action == "c" and len(args) > 1 and args[1] == "groups":
        await answer(update)
        await query.edit_message_text(
            _("Which craft is it?"), reply_markup=groups_keyboard(context.tr, f"p:c:{product.id}")
        )
    elif (
        action == "c"
        and len(args) > 2
        and args[1] == "grp"
        and args[2] in products_service.CATEGORIES
    ):
        await answer(update)
        await query.edit_message_text(
            _("What kind of product is “{name}”?").format(name=short(product.name, CAPTION_NAME)),
            reply_markup=category_keyboard(context.tr, product.name, args[2], f"p:c:{product.id}"),
        )
    elif action == "ph":
        await answer(update)
        await show_photos(update, context, product)
    elif action == "pha":
        await answer(update)
        await start_edit(update, context, product, "photos")
    elif action in ("phd", "phc") and len(args) > 1:
        if action == "phd":
            outcome = await products_service.remove_photo(context.db, product, args[1])
            notes = {
                "removed": _("Photo removed."),
                "last": _("A product needs at least one photo: add another one first."),
                "not_found": _(NO_LONGER),
            }
            await answer(update, notes[outcome], alert=outcome != "removed")
            if outcome != "removed":
                return
        else:
            if not await products_service.make_cover(context.db, product, args[1]):
                await answer(update, _(NO_LONGER), alert=True)
                return
            await answer(update, _("⭐ This is now the first photo."))
        await close_buttons(update)
        await show_photos(update, context, product)
    elif action in ("ar", "un"):
        await products_service.set_archived(context.db, product, action == "ar")
        await answer(
            update,
            _("🗄️ Archived: it is hidden from your list.")
            if action == "ar"
            else _("♻️ Restored to your list."),
        )
        try:
            await query.edit_message_reply_markup(card_keyboard(context.tr, product))
        except BadRequest:
            pass
        text = (
            _("🗄️ “{name}” is archived. Find it under “🗄️ Archived” in 📦 My products.")
            if action == "ar"
            else _("♻️ “{name}” is back in 📦 My products.")
        )
        await say(update, context, text.format(name=short(product.name, CAPTION_NAME)))
    elif action == "del":
        await answer(update)
        await say(
            update,
            context,
            _("Delete “{name}” for good, with its photos? Sales you recorded keep their figures.").format(name=short(product.name, CAPTION_NAME)),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("🗑️ Yes, delete"), callback_data=f"p:delok:{product.id}"),
                  InlineKeyboardButton(_("↩️ No, keep it"), callback_data=f"p:open:{product.id}")]]
            ),
        )  # fmt: skip
    elif action == "delok":
        name = product.name
        await products_service.delete(context.db, product)
        await answer(update)
        await close_buttons(update, _("🗑️ Deleted: {name}").format(name=short(name, CAPTION_NAME)))
    elif (
        action == "q"
        and len(args) > 2
        and args[1] in ("closeup", "scale")
        and args[2] in ("0", "1")
    ):
        before = (await report_of(context, product)).score
        await products_service.set_photo_answer(context.db, product, args[1], args[2] == "1")
        await answer(update)
        await close_buttons(update, _("Yes ✅") if args[2] == "1" else _("No"))
        if args[2] == "1":
            await after_edit(update, context, product, before, "tips")
        else:
            await start_edit(update, context, product, "photos", back="tips")
    else:
        await answer(update, _(NO_LONGER), alert=True)


menu_items.add(menu_items.MenuItem("new_product", N_("➕ New product"), start_new, order=30))
menu_items.add(menu_items.MenuItem("products", N_("📦 My products"), show_list, order=40))

HANDLERS = [
    CallbackQueryHandler(on_new_button, pattern=r"^pn:"),
    CallbackQueryHandler(on_edit_button, pattern=r"^pe:"),
    CallbackQueryHandler(on_button, pattern=r"^p:"),
]
