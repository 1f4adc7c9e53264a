"""💡 Tips: the weakest listing first, its top three tips, and a button to fix the weakest field
right away; per product, all its tips. The rules are in bot/services/tips.py; here a tip's
code and parameters become a sentence in the user's language.

Buttons: t:p:<id> (all tips of a product), t:fix:<id> (fix its most valuable fixable tip).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_, Translator
from bot.services import products as products_service
from bot.services import tips as tips_service
from bot.services.tips import Report, Tip
from handlers import menu, menu_items
from handlers import products as product_handlers
from handlers.common import answer, local_today, say
from handlers.menu_items import MenuItem

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Product

TOP = 3
MAX_SHOWN = 8

# --- tip texts ----------------------------------------------------------------------------------
# Texts with a number in them come in singular and plural (ngettext, with the tip's count).

PLURAL_TIPS: dict[str, Callable[[Translator, int], str]] = {
    "photo_blurred": lambda tr, n: tr.ngettext(
        "Photo {photos} is blurred: hold the phone still, tap the screen to focus, and take it again.",
        "Photos {photos} are blurred: hold the phone still, tap the screen to focus, and take them again.",
        n,
    ),
    "photo_dark": lambda tr, n: tr.ngettext(
        "Photo {photos} is too dark: take it in daylight, near a window or outside in the shade.",
        "Photos {photos} are too dark: take them in daylight, near a window or outside in the shade.",
        n,
    ),
    "photo_bright": lambda tr, n: tr.ngettext(
        "Photo {photos} is too bright: move out of direct sun, or turn off the flash.",
        "Photos {photos} are too bright: move out of direct sun, or turn off the flash.",
        n,
    ),
    "photo_busy": lambda tr, n: tr.ngettext(
        "Photo {photos} has a busy background: put a plain sheet, wall or cloth behind the product.",
        "Photos {photos} have a busy background: put a plain sheet, wall or cloth behind the product.",
        n,
    ),
    "photo_small_file": lambda tr, n: tr.ngettext(
        "Photo {photos} is small: marketplaces zoom from 1000 px. Send it “as a file” (📎 → File) so Telegram does not shrink it.",
        "Photos {photos} are small: marketplaces zoom from 1000 px. Send them “as a file” (📎 → File) so Telegram does not shrink them.",
        n,
    ),
    "photo_small": lambda tr, n: tr.ngettext(
        "Photo {photos} is small: marketplaces zoom from 1000 px. Take it with the main camera, closer.",
        "Photos {photos} are small: marketplaces zoom from 1000 px. Take them with the main camera, closer.",
        n,
    ),
    "photos_few": lambda tr, n: tr.ngettext(
        "Add more photos: you have {count}; listings with {want} or more sell better (front, back, a close-up of the work, in use).",
        "Add more photos: you have {count}; listings with {want} or more sell better (front, back, a close-up of the work, in use).",
        n,
    ),
    "stock_low": lambda tr, n: tr.ngettext(
        "Only {stock} piece left: make more before it runs out, or buyers find it sold out.",
        "Only {stock} pieces left: make more before they run out, or buyers find it sold out.",
        n,
    ),
    "season_diwali": lambda tr, n: tr.ngettext(
        "🪔 Diwali is on {date}, {days} day away: list now, buyers order two to four weeks ahead. Show it lit or in a festive setting.",
        "🪔 Diwali is on {date}, {days} days away: list now, buyers order two to four weeks ahead. Show it lit or in a festive setting.",
        n,
    ),
    "season_holi": lambda tr, n: tr.ngettext(
        "🎨 Holi is on {date}, {days} day away: offer gift packs now.",
        "🎨 Holi is on {date}, {days} days away: offer gift packs now.",
        n,
    ),
    "season_rakhi": lambda tr, n: tr.ngettext(
        "🎁 Raksha Bandhan is on {date}, {days} day away: offer gift sets now.",
        "🎁 Raksha Bandhan is on {date}, {days} days away: offer gift sets now.",
        n,
    ),
}  # fmt: skip

TIPS: dict[str, str] = {
    "ask_closeup": N_("Is there a close-up photo of the craft detail (the stitches, the carving, the painting)? Tell me with “🔧 Answer now”."),
    "photo_closeup": N_("Add a close-up of the craft detail: buyers zoom in to see the handwork."),
    "ask_scale": N_("Is there a photo that shows its size or use (in a hand, worn, on a table)? Tell me with “🔧 Answer now”."),
    "photo_scale": N_("Add a photo that shows its size or use: worn, in a hand, or next to a cup."),
    "title_short": N_("Give it a fuller name: craft + product + material, for example “चिकनकारी सूती कुर्ता”."),
    "title_craft": N_("Say the craft in the name (chikankari, zardozi, terracotta, brass…): buyers search for it."),
    "title_product": N_("Say what the product is in the name (kurta, saree, diya, vase…)."),
    "title_material": N_("Add the material (cotton, silk, brass, clay, wood…): it goes into the title and the search words."),
    "desc_missing": N_("Write a description: the material, the size, how it is made, how to care for it."),
    "desc_short": N_("Make the description longer: {length} letters now, aim for {want} or more (material, size, how it is made, care)."),
    "desc_size": N_("Add the size (length × width, or S/M/L): buyers send back what does not fit."),
    "desc_care": N_("Say how to care for it in the description (wash by hand, wipe with a dry cloth…)."),
    "desc_story": N_("Tell the story of the craft in the description: who makes it, where, since when. Buyers pay more for handmade."),
    "desc_gi": N_("Your craft has a GI tag: {gi}. Mention it in the description: it proves the origin and builds trust."),
    "cost_unknown": N_("Tell me what one piece costs you to make (materials + labour): I will work out the lowest safe price."),
    "price_below_floor": N_("Your price is below the lowest safe price of {floor}: cost {cost} + marketplace fee about {fee_pct}% + shipping about {shipping} + packing about {packaging}. Raise it, or each online sale loses money."),
    "price_low": N_("Your price is well below similar products of other artisans here (middle price {median}, from {count}). You may be selling too cheap."),
    "price_high": N_("Your price is well above similar products of other artisans here (middle price {median}, from {count}). Say in the description why it is worth more (fine work, pure silk…)."),
    "stock_out": N_("Sold out: marketplaces hide listings with no stock. Update the stock when pieces are ready."),
    "packaging_fragile": N_("📦 Fragile: wrap each piece in bubble wrap or paper, fill the gaps (paper, husk), use a double-wall carton marked FRAGILE, and photograph the packed box in case of a damage claim."),
    "season_wedding_soon": N_("💍 The wedding season starts around {start}: show sarees and outfits draped or worn, and offer gift packing."),
    "season_wedding_now": N_("💍 It is the wedding season (until {end}): show sarees and outfits draped or worn, and offer gift packing."),
    "season_winter": N_("❄️ Winter is coming: buyers look for shawls, carpets and warm furnishings. List them now."),
}  # fmt: skip

FIX_BUTTONS: dict[str, str] = {
    "photos": N_("🔧 Add photos now"),
    "closeup": N_("🔧 Answer now"),
    "scale": N_("🔧 Answer now"),
    "name": N_("🔧 Fix the name now"),
    "category": N_("🔧 Change the type now"),
    "description": N_("🔧 Write the description now"),
    "material": N_("🔧 Add the material now"),
    "size": N_("🔧 Add the size now"),
    "price": N_("🔧 Change the price now"),
    "cost": N_("🔧 Tell the cost now"),
    "stock": N_("🔧 Update the stock now"),
}

QUESTIONS = {
    "closeup": N_("Is one of the photos of “{name}” a close-up of the craft detail (the stitches, the carving, the painting)?"),
    "scale": N_("Does one of the photos of “{name}” show its size or use (in a hand, worn, on a table)?"),
}  # fmt: skip


def _date(tr: Translator, day: date) -> str:
    return format_date(day, "d MMMM", locale=tr.lang)


def _photo_numbers(tr: Translator, numbers: list[int]) -> str:
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(str(n) for n in numbers[:-1]) + tr.gettext(" and ") + str(numbers[-1])


def _plural_count(params: dict[str, Any]) -> int:
    if "photos" in params:
        return len(params["photos"])
    for key in ("count", "stock", "days"):
        if key in params:
            return int(params[key])
    return 1


def render_tip(tr: Translator, tip: Tip) -> str:
    """A tip's sentence in the user's language (HTML-safe)."""
    p = tip.params
    code = tip.code
    fmt: dict[str, Any] = {}
    if "photos" in p:
        fmt["photos"] = _photo_numbers(tr, list(p["photos"]))
    for key in ("floor", "cost", "shipping", "packaging", "median"):
        if key in p:
            fmt[key] = tr.inr(int(p[key]))
    for key in ("count", "want", "length", "stock", "days", "fee_pct"):
        if key in p:
            fmt[key] = tr.number(int(p[key]))
    for key in ("date", "start", "end"):
        if key in p:
            fmt[key] = _date(tr, p[key])
    if code == "desc_gi":
        fmt["gi"] = html.escape(p["gi_hi"] if tr.lang == "hi" else p["gi_en"])
    if code == "photo_small" and p.get("as_file"):
        code = "photo_small_file"
    if code == "season_wedding":
        code = "season_wedding_soon" if p.get("days", 0) > 0 else "season_wedding_now"
    if code in PLURAL_TIPS:
        return PLURAL_TIPS[code](tr, _plural_count(p)).format(**fmt)
    return tr.gettext(TIPS[code]).format(**fmt)


# --- screens ----------------------------------------------------------------------------------


def _parts_line(tr: Translator, report: Report) -> str:
    _ = tr.gettext
    parts = report.parts
    return " · ".join(
        [
            _("photos {n}/40").format(n=parts.get("photos", 0)),
            _("title {n}/15").format(n=parts.get("title", 0)),
            _("description {n}/20").format(n=parts.get("description", 0)),
            _("price {n}/15").format(n=parts.get("price", 0)),
            _("stock {n}/10").format(n=parts.get("stock", 0)),
        ]
    )


def tips_text(
    tr: Translator, product: Product, report: Report, *, weakest: bool, limit: int
) -> str:
    _ = tr.gettext
    name = product_handlers.short(product.name, product_handlers.CAPTION_NAME)
    if weakest:
        lines = [
            _("💡 <b>Tips</b>"),
            _("Your weakest listing first: <b>{name}</b>").format(name=name),
        ]
    else:
        lines = [_("💡 <b>Tips for {name}</b>").format(name=name)]
    lines.append(_("⭐ Listing score: {score}/100").format(score=report.score))
    lines.append("<i>" + _parts_line(tr, report) + "</i>")
    shown = report.tips[:limit]
    if shown:
        lines.append("")
        lines += [f"{i}. {render_tip(tr, tip)}" for i, tip in enumerate(shown, 1)]
        if len(report.tips) > limit:
            lines.append(_("…and {n} more.").format(n=len(report.tips) - limit))
    else:
        lines += ["", _("✅ This listing has everything a buyer looks for.")]
    lines += [
        "",
        _("🏷️ Title for marketplaces:") + f"\n<code>{html.escape(report.title.text)}</code>",
    ]
    if report.title.keywords:
        lines.append(
            _("🔎 Search words: {words}").format(
                words=html.escape(", ".join(report.title.keywords))
            )
        )
    if report.floor_paise is not None:
        lines.append(_("🧮 Lowest safe price: {price}").format(price=tr.inr(report.floor_paise)))
    text = "\n".join(lines)
    if product_handlers.visible_length(text) > MessageLimit.MAX_TEXT_LENGTH and limit > 1:
        return tips_text(tr, product, report, weakest=weakest, limit=limit - 1)
    return text


def tips_keyboard(
    tr: Translator, product: Product, report: Report, *, weakest: bool, following: Product | None
) -> InlineKeyboardMarkup:
    _ = tr.gettext
    rows: list[list[InlineKeyboardButton]] = []
    fix = report.first_fix
    if fix is not None and fix.fix is not None:
        rows.append(
            [InlineKeyboardButton(_(FIX_BUTTONS[fix.fix]), callback_data=f"t:fix:{product.id}")]
        )
    second = [InlineKeyboardButton(_("📦 Open the product"), callback_data=f"p:open:{product.id}")]
    if weakest and len(report.tips) > TOP:
        second.insert(0, InlineKeyboardButton(_("📋 All tips"), callback_data=f"t:p:{product.id}"))
    rows.append(second)
    if following is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    _("▶️ Next: {name}").format(name=following.name[:30]),
                    callback_data=f"t:p:{following.id}",
                )
            ]
        )
    return InlineKeyboardMarkup(rows)


async def show_weakest(update: Update, context: SaathiContext) -> None:
    """💡 Tips from the menu: the weakest listing, its top three tips, a fix button."""
    _ = context.tr.gettext
    user = context.user
    if user is None or not user.is_registered:
        await menu.show(update, context)
        return
    ranked = await tips_service.weakest_first(context.db, user, local_today(context))
    if not ranked:
        await say(
            update,
            context,
            _(
                "💡 Tips come with your products. Add your first product, and I will tell you how to make it sell."
            ),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("➕ Add a product"), callback_data="p:new")]]
            ),
        )
        return
    product, report = ranked[0]
    following = ranked[1][0] if len(ranked) > 1 else None
    await _send(update, context, product, report, weakest=True, following=following)


async def show_product_tips(update: Update, context: SaathiContext, product: Product) -> None:
    """All the tips of one product (after saving it, from its card, after a fix)."""
    user = context.user
    assert user is not None
    ranked = await tips_service.weakest_first(context.db, user, local_today(context))
    at = next((i for i, (p, _r) in enumerate(ranked) if p.id == product.id), None)
    if at is None:  # archived: not ranked, but its tips still apply
        report, following = await product_handlers.report_of(context, product), None
    else:
        report = ranked[at][1]
        following = ranked[at + 1][0] if at + 1 < len(ranked) else None
    await _send(update, context, product, report, weakest=False, following=following)


async def _send(
    update: Update,
    context: SaathiContext,
    product: Product,
    report: Report,
    *,
    weakest: bool,
    following: Product | None,
) -> None:
    limit = TOP if weakest else MAX_SHOWN
    await say(
        update,
        context,
        tips_text(context.tr, product, report, weakest=weakest, limit=limit),
        tips_keyboard(context.tr, product, report, weakest=weakest, following=following),
    )


async def fix(update: Update, context: SaathiContext, product: Product) -> None:
    """🔧 Fix now: the most valuable tip that the artisan can fix by answering one thing."""
    _ = context.tr.gettext
    report = await product_handlers.report_of(context, product)
    tip = report.first_fix
    if tip is None or tip.fix is None:
        await say(update, context, _("✅ Nothing to fix on this listing now."))
        return
    if tip.fix in QUESTIONS:
        name = product_handlers.short(product.name, product_handlers.CAPTION_NAME)
        await say(
            update,
            context,
            _(QUESTIONS[tip.fix]).format(name=name),
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(_("✅ Yes"), callback_data=f"p:q:{product.id}:{tip.fix}:1"),
                  InlineKeyboardButton(_("❌ No"), callback_data=f"p:q:{product.id}:{tip.fix}:0")]]
            ),
        )  # fmt: skip
        return
    await product_handlers.start_edit(update, context, product, tip.fix, back="tips")


async def on_button(update: Update, context: SaathiContext) -> None:
    """t:p:<id>, t:fix:<id>: the id is checked against the sender first."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    parts = query.data.split(":")
    product = (
        await products_service.get_own(context.db, user.id, parts[2] if len(parts) > 2 else None)
        if user is not None and user.is_registered
        else None
    )
    if product is None:
        await answer(update, _(product_handlers.NOT_FOUND), alert=True)
        return
    actions: dict[str, Callable[[Update, SaathiContext, Product], Any]] = {
        "p": show_product_tips,
        "fix": fix,
    }
    action = actions.get(parts[1])
    if action is None:
        await answer(update, _(product_handlers.NO_LONGER), alert=True)
        return
    await answer(update)
    if parts[1] == "fix" and isinstance(query.message, Message):
        try:
            await query.edit_message_reply_markup(None)
        except BadRequest:
            pass
    await action(update, context, product)


menu_items.add(MenuItem("tips", N_("💡 Tips"), show_weakest, order=50))

HANDLERS = [CallbackQueryHandler(on_button, pattern=r"^t:")]
