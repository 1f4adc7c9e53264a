"""“📊 My sales”: totals for today / week / month / FY quarter / FY with growth, a chart,
and the recent sales (each can be deleted)."""

from __future__ import annotations

import asyncio
import html
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.i18n import N_
from bot.numbers import format_inr, format_int, format_percent
from bot.services import periods
from bot.services import sales as sales_service
from bot.services.charts import render_bar_chart
from handlers import menu_items
from handlers.common import answer, say
from handlers.keyboards import rows
from handlers.menu_items import MenuItem
from handlers.sales import channel_label, day_label

if TYPE_CHECKING:
    from bot.turn import SaathiContext

PERIODS: dict[str, tuple[str, str]] = {
    # kind: (button label, heading)
    "today": (N_("Today"), N_("Sales today")),
    "week": (N_("This week"), N_("Sales this week")),
    "month": (N_("This month"), N_("Sales this month")),
    "fy_quarter": (N_("This quarter"), N_("Sales this quarter ({label})")),
    "fy": (N_("This year"), N_("Sales this financial year ({label})")),
}
PREVIOUS: dict[str, str] = {
    "today": N_("yesterday"),
    "week": N_("last week"),
    "month": N_("last month"),
    "fy_quarter": N_("last quarter"),
    "fy": N_("last year"),
}
LAKH_PAISE = 100_000 * 100
CRORE_PAISE = 100 * LAKH_PAISE


def _now(context: SaathiContext) -> datetime:
    return datetime.now(ZoneInfo(context.settings.timezone))


def amount_words(context: SaathiContext, paise: int) -> str:
    """₹1,23,456 plus "(₹1.2 lakh)" where a lakh or crore reads more naturally."""
    text = f"<b>{format_inr(paise)}</b>"
    if paise >= CRORE_PAISE:
        words = context.tr.gettext("₹{amount} crore").format(
            amount=f"{paise / CRORE_PAISE:.2f}".rstrip("0").rstrip(".")
        )
        text += f" ({words})"
    elif paise >= LAKH_PAISE:
        words = context.tr.gettext("₹{amount} lakh").format(
            amount=f"{paise / LAKH_PAISE:.2f}".rstrip("0").rstrip(".")
        )
        text += f" ({words})"
    return text


def report_keyboard(context: SaathiContext) -> InlineKeyboardMarkup:
    _ = context.tr.gettext
    buttons = [
        InlineKeyboardButton(_(label), callback_data=f"r:{kind}")
        for kind, (label, _h) in PERIODS.items()
    ]
    buttons.append(InlineKeyboardButton(_("📈 Chart"), callback_data="r:chart"))
    keyboard = rows(buttons, 3)
    keyboard.append([InlineKeyboardButton(_("🧾 Recent sales"), callback_data="r:recent")])
    return InlineKeyboardMarkup(keyboard)


async def render_report(context: SaathiContext, kind: str) -> str:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    current = periods.period(kind, _now(context), context.settings.timezone)
    previous = periods.previous(current)
    s = await sales_service.summary(
        context.db,
        user.id,
        current.first_day,
        current.last_day,
        previous.first_day,
        previous.last_day,
    )
    label = periods.fy_label(current.first_day)
    if kind == "fy_quarter":
        label = f"Q{periods.fy_quarter_of(current.first_day)[1]} {label}"
    lang = context.tr.lang
    span = format_date(current.first_day, "d MMM", locale=lang)
    if current.last_day != current.first_day:
        span += " – " + format_date(current.last_day, "d MMM", locale=lang)
    lines = [f"📊 <b>{_(PERIODS[kind][1]).format(label=label)}</b> ({span})"]
    if s.count == 0:
        lines.append(_("No sales recorded yet in this period."))
        lines.append(
            _("To record one, tap “💰 Record a sale” or type, for example: आज 3 कुर्ते 450 में बेचे")
        )
        return "\n".join(lines)
    lines.append(_("Total: {amount}").format(amount=amount_words(context, s.total_paise)))
    lines.append(
        _("Pieces: {pieces} · Sales: {count}").format(
            pieces=format_int(s.pieces), count=format_int(s.count)
        )
    )
    previous_name = _(PREVIOUS[kind])
    if s.growth is None:
        lines.append(_("No sales {previous} to compare with.").format(previous=previous_name))
    else:
        arrow = "📈" if s.growth >= 0 else "📉"
        lines.append(
            _("Compared with {previous}: {growth} {arrow}").format(
                previous=previous_name, growth=format_percent(s.growth), arrow=arrow
            )
        )
    if s.top_products:
        lines.append("\n" + _("<b>Top products</b>"))
        for i, (name, pieces, total) in enumerate(s.top_products, 1):
            lines.append(
                _("{n}. {name}: {pieces} pcs, {total}").format(
                    n=i, name=html.escape(name), pieces=format_int(pieces), total=format_inr(total)
                )
            )
    if s.by_channel:
        parts = [f"{channel_label(context, c)} {format_inr(t)}" for c, t in s.by_channel]
        lines.append("\n" + _("Where: {channels}").format(channels=" · ".join(parts)))
    if s.best_day is not None and kind != "today":
        lines.append(
            _("Best day: {day} ({amount})").format(
                day=day_label(context, s.best_day[0]), amount=format_inr(s.best_day[1])
            )
        )
    return "\n".join(lines)


async def my_sales(update: Update, context: SaathiContext) -> None:
    await say(update, context, await render_report(context, "week"), report_keyboard(context))


async def send_chart(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None and update.effective_chat is not None
    weeks = periods.last_n_weeks(_now(context), 8, context.settings.timezone)
    totals = await sales_service.totals_by_ranges(
        context.db, user.id, [(w.first_day, w.last_day) for w in weeks]
    )
    labels = [format_date(w.first_day, "d MMM", locale=context.tr.lang) for w in weeks]
    values = [t / 100 for t in totals]
    png = await asyncio.to_thread(
        render_bar_chart,
        labels,
        values,
        _("Sales in the last 8 weeks"),
        _("₹ (week starting)"),
        value_labels=[format_inr(t) if t else "" for t in totals],
    )
    await context.bot.send_photo(
        update.effective_chat.id,
        png,
        caption=_("📈 Your sales, week by week. Total: {amount}").format(
            amount=format_inr(sum(totals))
        ),
    )


async def recent_sales(update: Update, context: SaathiContext) -> None:
    _ = context.tr.gettext
    user = context.user
    assert user is not None
    lines = await sales_service.recent(context.db, user.id, limit=10)
    if not lines:
        await say(update, context, _("No sales recorded yet."))
        return
    text = [_("<b>Recent sales</b> (✏️ to correct one, 🗑️ to delete it)")]
    buttons = []
    for i, line in enumerate(lines, 1):
        text.append(
            _("{n}. {day}: {quantity} × {product}, {total}").format(
                n=i,
                day=day_label(context, line.sold_on),
                quantity=line.quantity,
                product=html.escape(line.product_name),
                total=format_inr(line.total_paise),
            )
        )
        buttons.append(InlineKeyboardButton(f"✏️ {i}", callback_data=f"s:fix:{line.sale_id}"))
        buttons.append(InlineKeyboardButton(f"🗑️ {i}", callback_data=f"s:del:{line.sale_id}"))
    await say(update, context, "\n".join(text), InlineKeyboardMarkup(rows(buttons, 4)))


async def on_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    user = context.user
    kind = query.data.split(":", 1)[1]
    if user is None or not user.is_registered:
        await answer(update, context.tr.gettext("This button is no longer active."), alert=True)
        return
    await answer(update)
    if kind == "chart":
        await send_chart(update, context)
    elif kind == "recent":
        await recent_sales(update, context)
    elif kind in PERIODS:
        text = await render_report(context, kind)
        markup = report_keyboard(context)
        if query.message is not None and getattr(query.message, "text_html", None) != text:
            await query.edit_message_text(text, reply_markup=markup)


menu_items.add(MenuItem("reports", N_("📊 My sales"), my_sales, order=20))

HANDLERS = [CallbackQueryHandler(on_button, pattern=r"^r:")]
