"""Scheduled summaries (rendered in each user's language, sent through the outbox) and
/settings, where each user turns each kind on or off and picks the day and the hour.

The schedule is data: `bot.jobs` runs `run_due` every few minutes (a JobQueue job with an
explicit id and a generous misfire grace time, re-created at every start-up); what is due and
what was already sent is decided from the database (`bot.services.summaries`).
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import i18n, reference
from bot.i18n import N_, Translator
from bot.numbers import format_inr, format_int, format_percent
from bot.outbox import RENDERERS
from bot.services import periods, summaries
from bot.services import sales as sales_service
from bot.services.broadcast import enqueue_deliveries, payload
from bot.services.charts import render_bar_chart
from handlers import menu_items
from handlers.common import answer, say, whole_number
from handlers.keyboards import rows
from handlers.menu_items import MenuItem
from models import SummaryPrefs

if TYPE_CHECKING:
    from telegram import Bot, Message
    from telegram.ext import Application

    from bot.turn import SaathiContext

log = logging.getLogger(__name__)

TIPS = (
    N_(
        "Photos sell: 4–5 clear photos in daylight, one close-up of the work, one showing its size."
    ),
    N_("Write the material, size and care in the description; buyers ask for them."),
    N_("Tell the story of your craft in two lines: buyers like to know who made it and how."),
    N_("Reply to marketplace questions the same day; quick answers bring more orders."),
)
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
HOURS = (8, 9, 10, 12, 15, 18, 20)
PAGE = 2000  # summaries per transaction


def _growth_line(tr: Translator, growth: float | None, previous: str) -> str:
    if growth is None:
        return tr.gettext("No sales {previous} to compare with.").format(
            previous=tr.gettext(previous)
        )
    return tr.gettext("Compared with {previous}: {growth} {arrow}").format(
        previous=tr.gettext(previous),
        growth=format_percent(growth),
        arrow="📈" if growth >= 0 else "📉",
    )


# Product names repeat a lot (कुर्ता, दुपट्टा…): escaped once each.
_escape = functools.lru_cache(maxsize=4096)(html.escape)


@functools.lru_cache(maxsize=64)
def _span(lang: str, first: date, last: date) -> str:
    return f"{format_date(first, 'd MMM', locale=lang)} – {format_date(last, 'd MMM', locale=lang)}"


@functools.lru_cache(maxsize=64)
def _date(lang: str, day: date, pattern: str) -> str:
    return format_date(day, pattern, locale=lang)


@dataclass(frozen=True)
class _WeeklyTexts:
    """What every weekly summary of one language and week shares, translated (and the span
    formatted) once per run instead of once per user."""

    nothing: str  # heading and nudge of a week without sales
    heading: str
    sales: str  # {amount}, {pieces}
    compared: str  # {growth}, {arrow}
    no_previous: str
    best: str  # {name}
    low: str  # {names}
    photos: str  # {name}, {n}
    tip: str

    def render(self, f: summaries.ArtisanFigures) -> str:
        if f.count == 0:
            lines = [self.nothing]
        else:
            growth = f.growth
            lines = [
                self.heading,
                self.sales.format(amount=format_inr(f.total_paise), pieces=format_int(f.pieces)),
                self.no_previous
                if growth is None
                else self.compared.format(
                    growth=format_percent(growth), arrow="📈" if growth >= 0 else "📉"
                ),
            ]
            if f.top_product:
                lines.append(self.best.format(name=_escape(f.top_product)))
        if f.low_stock:
            lines.append(self.low.format(names=", ".join(_escape(n) for n in f.low_stock)))
        if f.fewest_photos is not None and f.fewest_photos[1] < 4:
            name, n = f.fewest_photos
            lines.append(self.photos.format(name=_escape(name), n=n))
        else:
            lines.append(self.tip)
        return "\n".join(lines)


@functools.lru_cache(maxsize=32)
def weekly_texts(lang: str, win: summaries.Window, week_no: int) -> _WeeklyTexts:
    _ = i18n.translator(lang).gettext
    span = _span(lang, win.first, win.last)
    previous = _(N_("the week before"))
    return _WeeklyTexts(
        nothing="\n".join(
            [
                _("🌱 <b>Your week</b> ({span})").format(span=span),
                _(
                    "No sales were recorded last week. Every sale counts: record the next one in one line, "
                    "for example: आज 2 कुर्ते 450 में बेचे"
                ),
            ]
        ),
        heading=_("📊 <b>Your week</b> ({span})").format(span=span),
        sales=_("Sales: <b>{amount}</b> · {pieces} pieces"),
        # {growth} and {arrow} stay placeholders for `render`.
        compared=_("Compared with {previous}: {growth} {arrow}").format(
            previous=previous, growth="{growth}", arrow="{arrow}"
        ),
        no_previous=_("No sales {previous} to compare with.").format(previous=previous),
        best=_("Best seller: {name}"),
        low=_("⚠️ Running low: {names}"),
        photos=_("💡 Add photos to “{name}”: it has {n}, listings with 4–5 photos sell better."),
        tip="💡 " + _(TIPS[week_no % len(TIPS)]),
    )


def render_weekly(
    tr: Translator, win: summaries.Window, f: summaries.ArtisanFigures, week_no: int
) -> str:
    return weekly_texts(tr.lang, win, week_no).render(f)


def render_monthly(tr: Translator, win: summaries.Window, f: summaries.ArtisanFigures) -> str:
    _ = tr.gettext
    month = _date(tr.lang, win.first, "MMMM y")
    if f.count == 0:
        return _(
            "🌱 <b>{month}</b>: no sales were recorded. Record your next sale in one line, "
            "for example: आज 2 कुर्ते 450 में बेचे"
        ).format(month=month)
    lines = [
        _("🗓️ <b>{month}</b>: {amount} from {count} sales, {pieces} pieces").format(
            month=month,
            amount=format_inr(f.total_paise),
            count=format_int(f.count),
            pieces=format_int(f.pieces),
        ),
        _growth_line(tr, f.growth, N_("last month")),
    ]
    if f.top_product:
        lines.append(_("Best seller: {name}").format(name=html.escape(f.top_product)))
    return "\n".join(lines)


def render_district(
    tr: Translator, win: summaries.Window, code: str, f: summaries.DistrictFigures
) -> str:
    _ = tr.gettext
    district = reference.district(code).name(tr.lang)
    return "\n".join(
        [
            _("🏛️ <b>{district}: last week</b>").format(district=html.escape(district)),
            _("New artisans: {n} · Registered: {total}").format(
                n=format_int(f.new_artisans), total=format_int(f.artisans)
            ),
            _("Sales: <b>{amount}</b> · {pieces} pieces").format(
                amount=format_inr(f.total_paise), pieces=format_int(f.pieces)
            ),
            _growth_line(tr, f.growth, N_("the week before")),
            _("Artisans with no sale last week: {n}").format(n=format_int(f.inactive_artisans)),
        ]
    )


def render_state(tr: Translator, win: summaries.Window, f: summaries.StateFigures) -> str:
    _ = tr.gettext
    lines = [
        _("🗺️ <b>Uttar Pradesh, {day}</b>").format(day=_date(tr.lang, win.first, "d MMMM")),
        _("New artisans: {n} · Registered: {total}").format(
            n=format_int(f.new_artisans), total=format_int(f.artisans)
        ),
        _("Sales: <b>{amount}</b> · {count} sales").format(
            amount=format_inr(f.total_paise), count=format_int(f.count)
        ),
        _growth_line(tr, f.growth, N_("the day before")),
    ]
    if f.top_districts:
        names = [
            f"{reference.district(d).name(tr.lang)} {format_inr(t)}"
            for d, t in f.top_districts
            if reference.get_district(d)
        ]
        lines.append(_("Top districts: {list}").format(list=html.escape(" · ".join(names))))
    return "\n".join(lines)


async def build(
    session,
    kind: str,
    win: summaries.Window,
    people: list[summaries.Recipient],
    tz: str,
    cache: dict[str, Any],
) -> list[tuple[int, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    """Render a page of due summaries of one kind. The figures come from a few aggregate
    queries made once per run for everyone (`cache`), then it is text per user."""
    items: list[tuple[int, dict[str, Any]]] = []
    if kind in ("weekly", "monthly"):
        if kind not in cache:
            cache[kind] = await summaries.artisan_figures(session, win)
        figures = cache[kind]
        week_no = win.first.isocalendar().week
        weekly = {lang: weekly_texts(lang, win, week_no) for lang in i18n.LANGUAGES}
        for p in people:
            tr = i18n.translator(p.language)
            if kind == "weekly":
                text = weekly[tr.lang].render(figures[p.user_id])
                items.append((p.user_id, payload(text)))
            else:
                text = render_monthly(tr, win, figures[p.user_id])
                data = payload(text)
                if figures[p.user_id].count:
                    data = {
                        "kind": "sales_chart",
                        "text": text,
                        "user_id": p.user_id,
                        "lang": p.language,
                        "until": win.last.isoformat(),
                        "tz": tz,
                    }
                items.append((p.user_id, data))
    elif kind == "district":
        figures_d = await summaries.district_figures(
            session, win, [p.district_code for p in people if p.district_code], tz
        )
        for p in people:
            if p.district_code in figures_d:
                tr = i18n.translator(p.language)
                items.append(
                    (
                        p.user_id,
                        payload(
                            render_district(tr, win, p.district_code, figures_d[p.district_code])
                        ),
                    )
                )
    else:
        figures_s = await summaries.state_figures(session, win, tz)
        for p in people:
            items.append(
                (p.user_id, payload(render_state(i18n.translator(p.language), win, figures_s)))
            )
    return items


async def run_due(app: Application, now: datetime | None = None) -> int:  # type: ignore[type-arg]
    """Queue every summary that is due now; each (kind, period, user) only once."""
    db = app.bot_data["db"]
    settings = app.bot_data["settings"]
    now = now or datetime.now(ZoneInfo(settings.timezone))
    queued = 0
    cache: dict[str, Any] = {}
    for kind in summaries.KINDS:
        after = 0
        while True:
            # A page of users per transaction: memory stays flat, and a crash loses nothing
            # (the ledger and the outbox rows of a page commit together).
            async with db.session() as session:
                await summaries.lock_page(session)
                win, people = await summaries.due(
                    session,
                    kind,
                    now,
                    settings.timezone,
                    settings.admin_ids,
                    after_id=after,
                    limit=PAGE,
                )
                if not people:
                    break
                items = await build(session, kind, win, people, settings.timezone, cache)
                await enqueue_deliveries(session, "summary", 0, items)
                await summaries.mark_sent(session, kind, win.period, [p.user_id for p in people])
                queued += len(items)
            after = people[-1].user_id
            log.info("summaries: %d %s queued for %s", len(items), kind, win.period)
    outbox = app.bot_data.get("outbox")
    if queued and outbox is not None:
        outbox.wake()
    return queued


async def send_sales_chart(bot: Bot, chat_id: int, data: dict[str, Any], db) -> Message:  # type: ignore[no-untyped-def]
    """The outbox renders a monthly chart at send time (a photo needs an upload)."""
    tr = i18n.translator(data.get("lang"))
    until = datetime.fromisoformat(data["until"]).replace(
        tzinfo=ZoneInfo(data.get("tz", "Asia/Kolkata"))
    )
    months = periods.last_n_months(until, 6, data.get("tz", "Asia/Kolkata"))
    async with db.session() as session:
        totals = await sales_service.totals_by_ranges(
            session, int(data["user_id"]), [(m.first_day, m.last_day) for m in months]
        )
    png = await asyncio.to_thread(
        render_bar_chart,
        [format_date(m.first_day, "MMM", locale=tr.lang) for m in months],
        [t / 100 for t in totals],
        tr.gettext("Sales in the last 6 months"),
        "₹",
        value_labels=[format_inr(t) if t else "" for t in totals],
    )
    return await bot.send_photo(chat_id, png, caption=data["text"][:1024])


# --- /settings -------------------------------------------------------------------------------


async def _prefs(context: SaathiContext) -> SummaryPrefs:
    user = context.user
    assert user is not None
    prefs = await context.db.get(SummaryPrefs, user.id)
    return prefs or SummaryPrefs(user_id=user.id)


def _settings_view(context: SaathiContext, prefs: SummaryPrefs) -> tuple[str, InlineKeyboardMarkup]:
    _ = context.tr.gettext
    role = context.user.role if context.user else "artisan"
    on, off = "✅", "⬜"
    lines = [_("<b>Summaries</b> (never at night, 21:00–08:00)")]
    buttons: list[list[InlineKeyboardButton]] = []
    if role == "artisan":
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{on if prefs.weekly else off} " + _("Weekly summary"),
                    callback_data="st:weekly",
                )
            ]
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{on if prefs.monthly else off} " + _("Monthly summary with chart"),
                    callback_data="st:monthly",
                )
            ]
        )
    else:
        label = _("Daily state digest") if role == "admin" else _("Weekly district digest")
        buttons.append(
            [
                InlineKeyboardButton(
                    f"{on if prefs.digest else off} {label}", callback_data="st:digest"
                )
            ]
        )
    if role != "admin":
        lines.append(_("Day: {day}").format(day=_(WEEKDAYS[prefs.weekday])))
    lines.append(_("Time: {hour}:00").format(hour=f"{prefs.hour:02d}"))
    nav = [InlineKeyboardButton(_("🕘 Change time"), callback_data="st:hour")]
    if role != "admin":
        nav.insert(0, InlineKeyboardButton(_("📅 Change day"), callback_data="st:day"))
    buttons.append(nav)
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def settings_command(update: Update, context: SaathiContext) -> None:
    if context.user is None or not context.user.is_registered:
        await say(update, context, context.tr.gettext("Please register first: send /start."))
        return
    text, markup = _settings_view(context, await _prefs(context))
    await say(update, context, text, markup)


async def on_button(update: Update, context: SaathiContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _ = context.tr.gettext
    if context.user is None or not context.user.is_registered:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    prefs = await _prefs(context)
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    if action in ("weekly", "monthly", "digest"):
        setattr(prefs, action, not getattr(prefs, action))
    elif action == "day" and not arg:
        await answer(update)
        buttons = [
            InlineKeyboardButton(_(d), callback_data=f"st:day:{i}") for i, d in enumerate(WEEKDAYS)
        ]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows(buttons, 2)))
        return
    elif action == "hour" and not arg:
        await answer(update)
        buttons = [InlineKeyboardButton(f"{h:02d}:00", callback_data=f"st:hour:{h}") for h in HOURS]
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows(buttons, 4)))
        return
    elif action == "day" and (day := whole_number(arg, limit=6)) is not None:
        prefs.weekday = day
    elif action == "hour" and (hour := whole_number(arg, limit=23)) in HOURS:
        prefs.hour = hour
    else:
        await answer(update, _("This button is no longer active."), alert=True)
        return
    context.db.add(prefs)
    await answer(update, _("Saved."))
    text, markup = _settings_view(context, prefs)
    await query.edit_message_text(text, reply_markup=markup)


RENDERERS["sales_chart"] = send_sales_chart
menu_items.add(MenuItem("settings", N_("⚙️ Settings"), settings_command, order=92))

HANDLERS = [
    CommandHandler("settings", settings_command, filters=filters.ChatType.PRIVATE),
    CallbackQueryHandler(on_button, pattern=r"^st:"),
]
