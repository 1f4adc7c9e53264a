"""Recording sales: by buttons (product → quantity → price → channel: four taps) or by one
typed line ("आज ३ कुर्ते ४५० में बेचे"), always confirmed before it is saved.

    💰 Record a sale ─▶ PRODUCT ─(s:p:<id>)─▶ QUANTITY ─(s:q:<n> | typed)─▶ PRICE
    PRICE ─(s:pr:d | typed)─▶ CHANNEL ─(s:c:<code>)─▶ saved (date: today; "📅" buttons change it)
    typed line ─▶ only what is missing (PRODUCT / QUANTITY / PRICE / KIND) ─▶ CONFIRM ─(s:ok)─▶ saved

The draft lives in the `conversations` row; saving deletes it in the same transaction, so a
double-tapped ✅ or a redelivered update cannot record a sale twice.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_
from bot.numbers import format_inr, parse_price_paise, parse_quantity
from bot.services import conversation
from bot.services import sales as sales_service
from bot.services.sale_parser import ProductRef, parse_sale
from handlers import menu_items, router
from handlers.common import answer, close_buttons, local_today, say, whole_number
from handlers.flows import Flow, Step, register
from handlers.keyboards import rows
from handlers.menu_items import MenuItem

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation

FLOW = "sale"
PRODUCT, QUANTITY, PRICE, KIND, CHANNEL, CONFIRM = (
    "product",
    "quantity",
    "price",
    "kind",
    "channel",
    "confirm",
)

CHANNEL_LABELS: dict[str, str] = {
    "flipkart": N_("Flipkart"),
    "amazon": N_("Amazon"),
    "meesho": N_("Meesho"),
    "gem": N_("GeM"),
    "odop_mart": N_("ODOP mart / fair"),
    "local": N_("Own shop / local"),
    "whatsapp": N_("WhatsApp"),
    "other": N_("Other"),
}
PRICE_ERRORS: dict[str, str] = {
    "empty": N_("Please type the price, for example 450."),
    "not_a_number": N_("That is not a price. Please type it in numbers, for example 450."),
    "zero": N_("The price cannot be zero. Please type the price of one piece."),
    "negative": N_("The price cannot be negative. Please type the price of one piece."),
    "too_large": N_("That price is too large. Please check it and type it again."),
    "too_many_decimals": N_("Please use at most two digits after the point, for example 99.50."),
}


def channel_label(context: SaathiContext, code: str) -> str:
    return context.tr.gettext(CHANNEL_LABELS.get(code, CHANNEL_LABELS["other"]))


def day_label(context: SaathiContext, day: date) -> str:
    _ = context.tr.gettext
    today = local_today(context)
    if day == today:
        return _("today")
    if day == today - timedelta(days=1):
        return _("yesterday")
    return format_date(day, "d MMMM", locale=context.tr.lang)


# --- starting ------------------------------------------------------------------------------


async def record_sale(update: Update, context: SaathiContext) -> None:
    """The menu button: record a sale by buttons."""
    user = context.user
    assert user is not None
    if not await sales_service.own_products(context.db, user.id):
        await say(
            update,
            context,
            context.tr.gettext(
                "First add a product with “📦 My products”; then you can record its sales."
            ),
        )
        return
    draft = {"mode": "buttons", "sold_on": local_today(context).isoformat()}
    conv = await conversation.enter(context.db, user.id, FLOW, PRODUCT, draft)
    await ask_product(update, context, conv)


async def on_free_text(update: Update, context: SaathiContext) -> bool:
    """A typed line outside any flow: if it reads as a sale, confirm it; else not ours."""
    message = update.effective_message
    user = context.user
    if message is None or not message.text or user is None:
        return False
    products = await sales_service.own_products(context.db, user.id)
    refs = [ProductRef(p.id or 0, p.name, p.sku) for p in products]
    reading = parse_sale(message.text, refs, local_today(context))
    if not reading.is_sale:
        return False
    if not products:
        await say(
            update,
            context,
            context.tr.gettext(
                "That looks like a sale, but you have no products yet. Add one with “📦 My products” first."
            ),
        )
        return True
    draft: dict[str, Any] = {
        "mode": "text",
        "sold_on": (reading.day or local_today(context)).isoformat(),
    }
    if reading.product_id is not None:
        draft["product_id"] = reading.product_id
    elif reading.product_candidates:
        draft["candidates"] = list(reading.product_candidates)
    if reading.quantity is not None:
        draft["quantity"] = reading.quantity
    if reading.amount_paise is not None:
        draft["amount_paise"] = reading.amount_paise
        kind = reading.price_kind or ("unit" if reading.quantity == 1 else None)
        if kind:
            draft["price_kind"] = kind
    draft["channel"] = reading.channel or "other"
    conv = await conversation.enter(context.db, user.id, FLOW, PRODUCT, draft)
    await _next(update, context, conv)
    return True


# --- moving through the steps ---------------------------------------------------------------


def _missing_step(data: dict[str, Any]) -> str:
    if "product_id" not in data:
        return PRODUCT
    if "quantity" not in data:
        return QUANTITY
    if "amount_paise" not in data:
        return PRICE
    if "price_kind" not in data:
        return KIND
    if "channel" not in data:
        return CHANNEL
    return CONFIRM


async def _next(update: Update, context: SaathiContext, conv: Conversation, **changes: Any) -> None:
    data = {**conv.data, **changes}
    step = _missing_step(data)
    conv = await conversation.advance(context.db, conv, step, **changes)
    if step == CONFIRM and conv.data.get("mode") == "buttons":
        await _save(update, context, conv)
        return
    await STEPS[step].prompt(update, context, conv)


def _draft(conv: Conversation) -> sales_service.SaleDraft:
    data = conv.data
    quantity = int(data["quantity"])
    amount = int(data["amount_paise"])
    unit = amount if data["price_kind"] == "unit" else max(1, round(amount / quantity))
    return sales_service.SaleDraft(
        product_id=int(data["product_id"]),
        quantity=quantity,
        unit_price_paise=unit,
        channel=str(data.get("channel") or "other"),
        sold_on=date.fromisoformat(str(data["sold_on"])),
    )


# --- prompts -------------------------------------------------------------------------------


async def _ask(
    update: Update,
    context: SaathiContext,
    conv: Conversation,
    text: str,
    markup: InlineKeyboardMarkup,
) -> None:
    """Ask with buttons. Only this message's buttons count from now on: an older message's
    (a sale that is over, a step answered by typing) are stale."""
    sent = await say(update, context, text, markup)
    await conversation.advance(context.db, conv, conv.step, card=sent.message_id)


async def ask_product(update: Update, context: SaathiContext, conv: Conversation) -> None:
    user = context.user
    assert user is not None
    products = await sales_service.own_products(context.db, user.id)
    wanted = set(conv.data.get("candidates") or [])
    shown = [p for p in products if p.id in wanted] or products[-20:]
    buttons = [InlineKeyboardButton(p.name[:40], callback_data=f"s:p:{p.id}") for p in shown]
    await _ask(
        update,
        context,
        conv,
        context.tr.gettext("Which product did you sell?"),
        InlineKeyboardMarkup(rows(buttons, 2)),
    )


async def ask_quantity(update: Update, context: SaathiContext, conv: Conversation) -> None:
    buttons = [InlineKeyboardButton(str(n), callback_data=f"s:q:{n}") for n in range(1, 6)]
    await _ask(
        update,
        context,
        conv,
        context.tr.gettext("How many pieces? Tap a number or type it."),
        InlineKeyboardMarkup([buttons]),
    )


async def ask_price(update: Update, context: SaathiContext, conv: Conversation) -> None:
    user = context.user
    assert user is not None
    product = await sales_service.own_product(context.db, user.id, int(conv.data["product_id"]))
    _ = context.tr.gettext
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("{price} (usual price)").format(price=format_inr(product.price_paise)),
                    callback_data="s:pr:d",
                )
            ]
        ]
    )
    await _ask(
        update, context, conv, _("Price of one piece? Tap the usual price or type another."), markup
    )


async def ask_kind(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    amount = format_inr(int(conv.data["amount_paise"]))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("{amount} for one piece").format(amount=amount), callback_data="s:k:unit"
                ),
                InlineKeyboardButton(
                    _("{amount} in total").format(amount=amount), callback_data="s:k:total"
                ),
            ]
        ]
    )
    await _ask(
        update,
        context,
        conv,
        _("Is {amount} the price of one piece, or the total?").format(amount=amount),
        markup,
    )


async def ask_channel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    buttons = [
        InlineKeyboardButton(channel_label(context, code), callback_data=f"s:c:{code}")
        for code in CHANNEL_LABELS
    ]
    await _ask(
        update,
        context,
        conv,
        context.tr.gettext("Where did you sell it?"),
        InlineKeyboardMarkup(rows(buttons, 2)),
    )


async def ask_confirm(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    draft = _draft(conv)
    product = await sales_service.own_product(context.db, user.id, draft.product_id)
    text = _(
        "<b>I understood:</b>\n"
        "{quantity} × {product}\n"
        "{unit} per piece = <b>{total}</b>\n"
        "Where: {channel}\n"
        "When: {day}\n\n"
        "Shall I save it?"
    ).format(
        quantity=draft.quantity,
        product=html.escape(product.name),
        unit=format_inr(draft.unit_price_paise),
        total=format_inr(draft.total_paise),
        channel=channel_label(context, draft.channel),
        day=day_label(context, draft.sold_on),
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("✅ Yes, save"), callback_data="s:ok")],
            [
                InlineKeyboardButton(_("✏️ Change"), callback_data="s:edit"),
                InlineKeyboardButton(_("❌ Cancel"), callback_data="s:x"),
            ],
        ]
    )
    await _ask(update, context, conv, text, markup)


# --- answers -------------------------------------------------------------------------------


async def on_quantity_text(update: Update, context: SaathiContext, conv: Conversation) -> None:
    message = update.effective_message
    quantity = parse_quantity(message.text) if message and message.text else None
    if quantity is None:
        await say(
            update,
            context,
            context.tr.gettext("Please type the number of pieces, for example 3 or ३."),
        )
        return
    await _next(update, context, conv, quantity=quantity)


async def on_price_text(update: Update, context: SaathiContext, conv: Conversation) -> None:
    message = update.effective_message
    parsed = parse_price_paise(message.text if message and message.text else "")
    if parsed.paise is None:
        await say(
            update,
            context,
            context.tr.gettext(PRICE_ERRORS.get(parsed.error or "", PRICE_ERRORS["not_a_number"])),
        )
        return
    await _next(update, context, conv, amount_paise=parsed.paise, price_kind="unit")


async def on_buttons_only(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext("Please choose with one of the buttons above, or send /cancel."),
    )


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await conversation.leave(context.db, conv.user_id)
    await say(update, context, context.tr.gettext("Cancelled. Nothing was saved."))


async def _save(update: Update, context: SaathiContext, conv: Conversation) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    draft = _draft(conv)
    source = "buttons" if conv.data.get("mode") == "buttons" else "chat"
    replaces = conv.data.get("replaces")
    if replaces is not None:
        await sales_service.delete(context.db, user.id, int(replaces))
    done = await sales_service.record(
        context.db, user, draft, source=source, update_id=update.update_id
    )
    await conversation.leave(context.db, user.id)
    lines = [
        _("✅ Saved: {quantity} × {product}, <b>{total}</b> ({day}).").format(
            quantity=done.quantity,
            product=html.escape(done.product_name),
            total=format_inr(done.total_paise),
            day=day_label(context, draft.sold_on),
        ),
        _("In stock now: {stock}").format(stock=done.stock_left),
    ]
    if done.low_stock:
        lines.append(
            _("⚠️ Stock is running low. Make more pieces, or update the stock in “📦 My products”.")
        )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(_("📅 Change date"), callback_data=f"s:d:{done.sale_id}"),
                InlineKeyboardButton(_("↩️ Undo"), callback_data=f"s:del:{done.sale_id}"),
            ]
        ]
    )
    await say(update, context, "\n".join(lines), markup)


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    parts = query.data.split(":")
    action, arg = parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else ""
    if user is None or not user.is_registered:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    if action in ("d", "dd", "del", "delok", "fix"):
        await _sale_button(update, context, action, parts[2:])
        return
    conv = await conversation.get(context.db, user.id)
    expected = {
        "p": PRODUCT,
        "q": QUANTITY,
        "pr": PRICE,
        "k": KIND,
        "c": CHANNEL,
        "ok": CONFIRM,
        "edit": CONFIRM,
        "x": CONFIRM,
    }.get(action)
    pressed_on = query.message.message_id if query.message is not None else None
    if (
        conv is None
        or conv.flow != FLOW
        or expected is None
        or conv.step != expected
        or pressed_on != conv.data.get("card", pressed_on)
    ):
        await answer(update, _("This button is no longer active."), alert=True)
        return
    if action == "p":
        try:
            product = await sales_service.own_product(context.db, user.id, int(arg))
        except (ValueError, sales_service.ProductNotFound):
            await answer(update, _("That product was not found."), alert=True)
            return
        await answer(update)
        await close_buttons(update, f"✅ {html.escape(product.name)}")
        await _next(update, context, conv, product_id=product.id)
    elif action == "q" and 0 < (whole_number(arg, 1000) or 0):
        await answer(update)
        await close_buttons(update, f"✅ {arg}")
        await _next(update, context, conv, quantity=whole_number(arg))
    elif action == "pr":
        product = await sales_service.own_product(context.db, user.id, int(conv.data["product_id"]))
        await answer(update)
        await close_buttons(update, f"✅ {format_inr(product.price_paise)}")
        await _next(update, context, conv, amount_paise=product.price_paise, price_kind="unit")
    elif action == "k" and arg in ("unit", "total"):
        await answer(update)
        await close_buttons(update)
        await _next(update, context, conv, price_kind=arg)
    elif action == "c" and arg in CHANNEL_LABELS:
        await answer(update)
        await close_buttons(update, f"✅ {channel_label(context, arg)}")
        await _next(update, context, conv, channel=arg)
    elif action == "ok":
        await answer(update)
        await close_buttons(update)
        await _save(update, context, conv)
    elif action == "edit":
        await answer(update)
        await close_buttons(update)
        keep = {k: v for k, v in conv.data.items() if k in ("product_id", "sold_on", "replaces")}
        conv = await conversation.enter(
            context.db, user.id, FLOW, QUANTITY, {"mode": "buttons", **keep}
        )
        await ask_quantity(update, context, conv)
    elif action == "x":
        await answer(update)
        await close_buttons(update)
        await on_cancel(update, context, conv)
    else:
        await answer(update, _("This button is no longer active."), alert=True)


async def _sale_button(
    update: Update, context: SaathiContext, action: str, args: list[str]
) -> None:
    """Buttons on a saved sale: change its date, or delete it (undo). Ownership checked."""
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    sale_id = whole_number(args[0] if args else None)
    lines = {
        line.sale_id: line for line in await sales_service.recent(context.db, user.id, limit=200)
    }
    if sale_id not in lines:
        await answer(update, _("That sale was not found."), alert=True)
        return
    if action == "d":
        today = local_today(context)
        buttons = [
            InlineKeyboardButton(
                day_label(context, today - timedelta(days=n)), callback_data=f"s:dd:{sale_id}:{n}"
            )
            for n in range(7)
        ]
        await answer(update)
        await update.callback_query.edit_message_reply_markup(
            InlineKeyboardMarkup(rows(buttons, 2))
        )  # type: ignore[union-attr]
    elif action == "dd":
        days_back = whole_number(args[1], 6) if len(args) > 1 else None
        if days_back is None:
            await answer(update, _("This button is no longer active."), alert=True)
            return
        day = local_today(context) - timedelta(days=days_back)
        await sales_service.set_day(context.db, user.id, sale_id, day)
        await answer(update)
        await close_buttons(
            update, _("📅 Date changed to {day}.").format(day=day_label(context, day))
        )
    elif action == "fix":
        # Correct a sale: the same questions again; the old sale is replaced only when the
        # corrected one is saved (in one transaction), so cancelling keeps it as it was.
        line = lines[sale_id]
        if line.product_id is None:
            await answer(update, _("That sale was not found."), alert=True)
            return
        await answer(update)
        draft = {
            "mode": "buttons",
            "product_id": line.product_id,
            "sold_on": line.sold_on.isoformat(),
            "replaces": sale_id,
        }
        conv = await conversation.enter(context.db, user.id, FLOW, QUANTITY, draft)
        await say(
            update,
            context,
            _("Correcting: {quantity} × {product}, {total} ({day})").format(
                quantity=line.quantity,
                product=html.escape(line.product_name),
                total=format_inr(line.total_paise),
                day=day_label(context, line.sold_on),
            ),
        )
        await ask_quantity(update, context, conv)
    elif action == "del":
        line = lines[sale_id]
        await answer(update)
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("🗑️ Yes, delete"), callback_data=f"s:delok:{sale_id}")]]
        )
        await say(
            update,
            context,
            _("Delete this sale? {quantity} × {product}, {total} ({day})").format(
                quantity=line.quantity,
                product=html.escape(line.product_name),
                total=format_inr(line.total_paise),
                day=day_label(context, line.sold_on),
            ),
            markup,
        )
    else:  # delok
        line = await sales_service.delete(context.db, user.id, sale_id)
        await answer(update)
        await close_buttons(update)
        if line is not None:
            await say(
                update,
                context,
                _("🗑️ Deleted. The {quantity} pieces are back in stock.").format(
                    quantity=line.quantity
                ),
            )


STEPS: dict[str, Step] = {
    PRODUCT: Step(ask_product, on_buttons_only),
    QUANTITY: Step(ask_quantity, on_quantity_text),
    PRICE: Step(ask_price, on_price_text),
    KIND: Step(ask_kind, on_buttons_only),
    CHANNEL: Step(ask_channel, on_buttons_only),
    CONFIRM: Step(ask_confirm, on_buttons_only),
}
register(Flow(FLOW, STEPS, on_cancel))
menu_items.add(MenuItem("sale", N_("💰 Record a sale"), record_sale, order=10))
router.MESSAGE_HANDLERS.append(on_free_text)

HANDLERS = [CallbackQueryHandler(on_button, pattern=r"^s:")]
