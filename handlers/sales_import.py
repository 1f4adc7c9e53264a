"""Import sales from a marketplace order report sent as a file (CSV or XLSX).

The file is read, rows are matched to the artisan's products, and a summary (new, duplicates
skipped by order id, unmatched) is shown before anything is saved. Saving reads the file again
from Telegram, so nothing but its file id waits in the draft; re-importing adds nothing.
"""

from __future__ import annotations

import asyncio
import html
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot.services import conversation
from bot.services import sales as sales_service
from bot.services.order_import import read_order_report
from handlers import router
from handlers.common import answer, close_buttons, say
from handlers.flows import Flow, Step, register

if TYPE_CHECKING:
    from bot.turn import SaathiContext
    from models import Conversation

FLOW = "import"
CONFIRM = "confirm"
MAX_BYTES = 2 * 1024 * 1024
SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")


def _error_text(context: SaathiContext, code: str | None) -> str:
    _ = context.tr.gettext
    return {
        "too_large": _(
            "This file is too large (more than 2 MB or 5,000 rows). Please send a smaller report."
        ),
        "too_many_rows": _(
            "This file is too large (more than 2 MB or 5,000 rows). Please send a smaller report."
        ),
        "no_header": _(
            "I did not find order columns (order id, date, product or SKU, quantity, price) in this file."
        ),
        "empty": _("This file has no orders in it."),
    }.get(code or "", _("I could not read this file. Please send the order report as CSV or XLSX."))


async def _read(context: SaathiContext, file_id: str, file_name: str):  # type: ignore[no-untyped-def]
    data = bytes(await (await context.bot.get_file(file_id)).download_as_bytearray())
    return await asyncio.to_thread(read_order_report, data, file_name)


async def on_document(update: Update, context: SaathiContext) -> bool:
    message = update.effective_message
    user = context.user
    if message is None or message.document is None or user is None:
        return False
    doc = message.document
    name = doc.file_name or "report.csv"
    if not name.lower().endswith(SUFFIXES):
        await say(
            update,
            context,
            context.tr.gettext(
                "I can read marketplace order reports as CSV or XLSX files. Other files are not used."
            ),
        )
        return True
    if doc.file_size and doc.file_size > MAX_BYTES:
        await say(update, context, _error_text(context, "too_large"))
        return True
    try:
        report = await _read(context, doc.file_id, name)
    except TelegramError:
        await say(update, context, _error_text(context, "unreadable"))
        return True
    if report.error:
        await say(update, context, _error_text(context, report.error))
        return True
    plan = await sales_service.plan_import(context.db, user.id, report.rows)
    conv = await conversation.enter(
        context.db, user.id, FLOW, CONFIRM, {"file_id": doc.file_id, "name": name}
    )
    await show_plan(update, context, conv, plan, len(report.bad_rows))
    return True


async def show_plan(
    update: Update,
    context: SaathiContext,
    conv: Conversation,
    plan: sales_service.ImportPlan,
    bad_rows: int,
) -> None:
    _ = context.tr.gettext
    lines = [
        _("<b>Order report: {name}</b>").format(name=html.escape(str(conv.data.get("name", "")))),
        _("New sales to add: {n}").format(n=len(plan.new)),
        _("Already imported (skipped): {n}").format(n=plan.duplicates),
        _("Not matched to your products: {n}").format(n=len(plan.unmatched)),
    ]
    if bad_rows:
        lines.append(_("Rows I could not read: {n}").format(n=bad_rows))
    for row in plan.unmatched[:5]:
        lines.append("• " + html.escape((row.sku or row.title or row.order_id)[:60]))
    if not plan.new:
        await conversation.leave(context.db, conv.user_id)
        lines.append(_("Nothing new to save."))
        await say(update, context, "\n".join(lines))
        return
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Save {n} sales").format(n=len(plan.new)), callback_data="im:ok"
                ),
                InlineKeyboardButton(_("❌ Cancel"), callback_data="im:x"),
            ]
        ]
    )
    sent = await say(update, context, "\n".join(lines), markup)
    # Only this message's buttons count: an older report's are stale.
    await conversation.advance(context.db, conv, CONFIRM, card=sent.message_id)


async def on_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    user = context.user
    conv = await conversation.get(context.db, user.id) if user else None
    pressed_on = query.message.message_id if query.message is not None else None
    if (
        user is None
        or conv is None
        or conv.flow != FLOW
        or query.data not in ("im:ok", "im:x")
        or pressed_on != conv.data.get("card", pressed_on)
    ):
        await answer(update, _("This button is no longer active."), alert=True)
        return
    await answer(update)
    await close_buttons(update)
    if query.data == "im:x":
        await on_cancel(update, context, conv)
        return
    try:
        report = await _read(context, str(conv.data["file_id"]), str(conv.data["name"]))
    except TelegramError:
        await say(update, context, _error_text(context, "unreadable"))
        return
    plan = await sales_service.plan_import(context.db, user.id, report.rows)
    added = await sales_service.apply_import(context.db, user, plan)
    await conversation.leave(context.db, user.id)
    await say(update, context, _("✅ Added {n} sales from the report.").format(n=added))


async def on_cancel(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await conversation.leave(context.db, conv.user_id)
    await say(update, context, context.tr.gettext("Cancelled. Nothing was saved."))


async def on_buttons_only(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext("Please choose with one of the buttons above, or send /cancel."),
    )


async def reprompt(update: Update, context: SaathiContext, conv: Conversation) -> None:
    await say(
        update,
        context,
        context.tr.gettext("Shall I save the sales from the report? Use the buttons above."),
    )


register(Flow(FLOW, {CONFIRM: Step(reprompt, on_buttons_only)}, on_cancel))
router.MESSAGE_HANDLERS.insert(0, on_document)

HANDLERS = [CallbackQueryHandler(on_button, pattern=r"^im:")]
