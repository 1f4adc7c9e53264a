"""/stats and /export for district officers (their district) and admins (the state or one
district). Exports: an XLSX and a CSV file; phone numbers only in admin exports.

    /stats [district]
    /export artisans | products | sales [district] [week | month | quarter | fy | all]
"""

from __future__ import annotations

import asyncio
import html
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import reference
from bot.i18n import N_, Translator
from bot.numbers import format_inr, format_int, format_percent
from bot.services import audit, exports, periods
from bot.services import stats as stats_service
from handlers import menu_items
from handlers.admin import STAFF, deny, district_from, require, role, scope
from handlers.common import answer, local_today, say
from handlers.labels import craft_group_label
from handlers.menu_items import MenuItem
from models import Role
from models.types import utcnow

if TYPE_CHECKING:
    from bot.turn import SaathiContext

PERIOD_LABELS = {
    "week": N_("This week"),
    "month": N_("This month"),
    "fy_quarter": N_("This quarter (FY)"),
    "fy": N_("This financial year"),
}
PERIOD_WORDS = {
    "week": "week",
    "month": "month",
    "quarter": "fy_quarter",
    "fy_quarter": "fy_quarter",
    "fy": "fy",
    "year": "fy",
    "all": "all",
}
KIND_WORDS = {
    "artisans": "artisans",
    "artisan": "artisans",
    "कारीगर": "artisans",
    "products": "products",
    "product": "products",
    "उत्पाद": "products",
    "sales": "sales",
    "sale": "sales",
    "बिक्री": "sales",
}
HEADINGS = {
    "user_id": N_("User id"),
    "name": N_("Name"),
    "district": N_("District"),
    "craft_group": N_("Craft"),
    "language": N_("Language"),
    "registered_on": N_("Registered on"),
    "last_seen_on": N_("Last seen on"),
    "reachable": N_("Reachable"),
    "products": N_("Products"),
    "phone": N_("Mobile"),
    "product_id": N_("Product id"),
    "artisan": N_("Artisan"),
    "category": N_("Category"),
    "price_rs": N_("Price (₹)"),
    "stock": N_("Stock"),
    "archived": N_("Archived"),
    "created_on": N_("Added on"),
    "sale_id": N_("Sale id"),
    "sold_on": N_("Sold on"),
    "product": N_("Product"),
    "quantity": N_("Quantity"),
    "unit_price_rs": N_("Price per piece (₹)"),
    "total_rs": N_("Total (₹)"),
    "channel": N_("Where sold"),
    "source": N_("Recorded by"),
}
KIND_TITLES = {"artisans": N_("Artisans"), "products": N_("Products"), "sales": N_("Sales")}


def _district_label(tr: Translator, code: str | None) -> str:
    district = reference.get_district(code)
    return district.name(tr.lang) if district else (code or "")


def _scope_for(
    update: Update, context: SaathiContext, wanted: str | None
) -> tuple[bool, list[str] | None]:
    """(allowed, districts) for an optional district argument; None districts = the state."""
    s = scope(context)
    if wanted is None:
        return True, (None if s.statewide else sorted(s.districts or ()))
    if not s.covers(wanted):
        return False, []
    return True, [wanted]


async def stats_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, STAFF):
        return
    _ = context.tr.gettext
    arg = " ".join(context.args or []).strip()
    wanted = None
    if arg:
        district = district_from(arg)
        if district is None:
            await say(update, context, _("I could not find that district. Please check the name."))
            return
        wanted = district.code
    allowed, districts = _scope_for(update, context, wanted)
    if not allowed:
        await deny(update, context)
        return
    figures = await stats_service.compute(
        context.db, districts, utcnow(), context.settings.timezone
    )
    await say(update, context, stats_text(context.tr, figures))


def stats_text(tr: Translator, s: stats_service.Stats) -> str:
    _ = tr.gettext
    place = (
        ", ".join(_district_label(tr, c) for c in s.districts)
        if s.districts is not None
        else _("Uttar Pradesh (all districts)")
    )
    lines = [
        _("📊 <b>Statistics: {place}</b>").format(place=html.escape(place)),
        "",
        _("👥 Artisans registered: <b>{n}</b>").format(n=format_int(s.artisans)),
        _("Active in the last 7 days: {a7} · 30 days: {a30}").format(
            a7=format_int(s.active_7), a30=format_int(s.active_30)
        ),
        _("Blocked the bot: {n}").format(n=format_int(s.inactive)),
        _("📦 Products listed: {n}").format(n=format_int(s.products)),
        "",
        _("💰 <b>Sales</b> (growth against the previous period)"),
    ]
    for p in s.periods:
        lines.append(
            _("{period}: {count} sales, <b>{total}</b> ({growth})").format(
                period=_(PERIOD_LABELS[p.kind]),
                count=format_int(p.count),
                total=format_inr(p.total_paise),
                growth=format_percent(p.growth),
            )
        )
    if s.top_crafts:
        lines += ["", _("🧵 <b>Top crafts</b> (this financial year)")]
        lines += [
            f"• {craft_group_label(tr, g)}: {format_inr(t)} ({format_int(n)})"
            for g, n, t in s.top_crafts
        ]
    if s.top_products:
        lines += ["", _("🏆 <b>Top products</b> (this financial year)")]
        lines += [
            f"• {html.escape(name)}: {format_int(q)} × = {format_inr(t)}"
            for name, q, t in s.top_products
        ]
    if s.listing_score is not None:
        lines += [
            "",
            _("⭐ Average listing score: <b>{score}</b>/100 ({n} listings)").format(
                score=format_int(round(s.listing_score)), n=format_int(s.scored_listings)
            ),
        ]
    if s.districts is None and (s.top_districts or s.bottom_districts):
        lines += ["", _("📈 <b>Top districts</b> (sales this financial year)")]
        lines += [
            f"• {html.escape(_district_label(tr, c))}: {format_inr(t)}" for c, t in s.top_districts
        ]
        lines += ["", _("📉 <b>Districts needing attention</b>")]
        lines += [
            f"• {html.escape(_district_label(tr, c))}: {format_inr(t)}"
            for c, t in s.bottom_districts
        ]
    return "\n".join(lines)[:4096]


# --- exports ----------------------------------------------------------------------------------


async def export_command(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, STAFF):
        return
    _ = context.tr.gettext
    args = list(context.args or [])
    if not args or args[0].lower() not in KIND_WORDS:
        await say(
            update,
            context,
            _(
                "What should I export?\n"
                "/export artisans | products | sales [district] [week | month | quarter | fy | all]"
            ),
            _export_buttons(context.tr),
        )
        return
    kind = KIND_WORDS[args[0].lower()]
    rest = args[1:]
    period = "fy" if kind == "sales" else "all"
    if rest and rest[-1].lower() in PERIOD_WORDS:
        period = PERIOD_WORDS[rest.pop().lower()]
    wanted = None
    if rest:
        district = district_from(" ".join(rest))
        if district is None:
            await say(update, context, _("I could not find that district. Please check the name."))
            return
        wanted = district.code
    await _export(update, context, kind, wanted, period)


def _export_buttons(tr: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(tr.gettext(KIND_TITLES[k]), callback_data=f"ex:{k}")
                for k in exports.KINDS
            ]
        ]
    )


async def on_export_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    kind = query.data.split(":", 1)[1]
    user = context.user
    if user is None or not user.is_registered or role(context).value not in STAFF:
        await deny(update, context)
        return
    if kind not in exports.KINDS:
        await answer(update, context.tr.gettext("This button is no longer active."), alert=True)
        return
    await answer(update)
    await _export(update, context, kind, None, "fy" if kind == "sales" else "all")


async def _export(
    update: Update, context: SaathiContext, kind: str, wanted: str | None, period: str
) -> None:
    _ = context.tr.gettext
    allowed, districts = _scope_for(update, context, wanted)
    if not allowed:
        await deny(update, context)
        return
    user = context.user
    assert user is not None
    is_admin = role(context) == Role.ADMIN
    table = await exports.table(
        context.db,
        kind,
        districts,
        with_phone=is_admin,
        period=period,
        now=utcnow(),
        tz=context.settings.timezone,
    )
    headings = [_(HEADINGS[c]) for c in table.columns]
    title = _(KIND_TITLES[kind])
    where = "up" if districts is None else "-".join(districts)
    stem = f"odop-{kind}-{where}-{local_today(context).isoformat()}"
    audit.record(
        context.db, user.id, role(context).value, "export",
        district_code=districts[0] if districts and len(districts) == 1 else None,
        kind=kind, period=period, rows=len(table.rows), phones=is_admin or None,
    )  # fmt: skip
    caption = context.tr.ngettext("{title}: {n} row", "{title}: {n} rows", len(table.rows)).format(
        title=title, n=format_int(len(table.rows))
    )
    if kind == "sales" and period != "all":
        p = periods.period(period, utcnow(), context.settings.timezone)
        caption += f" ({p.first_day.isoformat()} – {p.last_day.isoformat()})"
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    # Building the files is CPU work (a state-wide export has many rows): off the event loop.
    xlsx = await asyncio.to_thread(exports.to_xlsx, table, headings, title)
    csv = await asyncio.to_thread(exports.to_csv, table, headings)
    await context.bot.send_document(
        chat_id, InputFile(xlsx, filename=f"{stem}.xlsx"), caption=caption
    )
    await context.bot.send_document(chat_id, InputFile(csv, filename=f"{stem}.csv"))


async def export_menu(update: Update, context: SaathiContext) -> None:
    if not await require(update, context, STAFF):
        return
    await say(
        update,
        context,
        context.tr.gettext("What should I export? (sales: this financial year)"),
        _export_buttons(context.tr),
    )


menu_items.add(MenuItem("stats", N_("📊 Statistics"), stats_command, order=62, roles=STAFF))
menu_items.add(MenuItem("export", N_("📥 Export"), export_menu, order=64, roles=STAFF))

HANDLERS = [
    CommandHandler("stats", stats_command),
    CommandHandler("export", export_command),
    CallbackQueryHandler(on_export_button, pattern=r"^ex:"),
]
