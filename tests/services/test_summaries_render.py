"""Summary texts, exactly, in both languages; and the fast formatting they use agrees with
`bot.numbers` (the reference, built on Babel) for every kind of amount."""

from __future__ import annotations

from datetime import date

import pytest

from bot import i18n
from bot.services import summaries
from handlers import summaries as handlers

F = summaries.ArtisanFigures
WEEK = summaries.window("weekly", date(2026, 11, 23))  # Mon 16 – Sun 22 Nov 2026
MONTH = summaries.window("monthly", date(2026, 12, 1))  # November 2026

SELLING = F(
    total_paise=180_000,
    pieces=4,
    count=1,
    previous_total_paise=90_000,
    top_product="कुर्ता",
    low_stock=["कुर्ता"],
    fewest_photos=("कुर्ता", 0),
)
ODD = F(  # paise, lakh grouping, nothing the week before, markup in a name, enough photos
    total_paise=12_345_650,
    pieces=1_234,
    count=3,
    top_product="<b>x</b>",
    fewest_photos=("a", 5),
)
FALLING = F(
    total_paise=99, pieces=1, count=1, previous_total_paise=1_000_000, low_stock=["a", "b & c"]
)

HI_TIP = (
    "💡 फ़ोटो से बिक्री होती है: दिन की रोशनी में 4–5 साफ़ फ़ोटो, एक काम की नज़दीकी फ़ोटो, एक जिसमें आकार दिखे।"
)
EN_TIP = (
    "💡 Photos sell: 4–5 clear photos in daylight, one close-up of the work, one showing its size."
)
WEEKLY = {
    ("hi", "none"): "🌱 <b>आपका हफ़्ता</b> (16 नव॰ – 22 नव॰)\n"
    "पिछले हफ़्ते कोई बिक्री दर्ज नहीं हुई। हर बिक्री गिनती में आती है: अगली बिक्री एक लाइन "
    "में लिखें, जैसे: आज 2 कुर्ते 450 में बेचे\n" + HI_TIP,
    ("hi", "selling"): "📊 <b>आपका हफ़्ता</b> (16 नव॰ – 22 नव॰)\n"
    "बिक्री: <b>₹1,800</b> · 4 पीस\n"
    "उससे पिछले हफ़्ते के मुक़ाबले: +100% 📈\n"
    "सबसे ज़्यादा बिका: कुर्ता\n"
    "⚠️ स्टॉक कम: कुर्ता\n"
    "💡 “कुर्ता” में और फ़ोटो जोड़ें: अभी 0 हैं, 4–5 फ़ोटो वाले उत्पाद ज़्यादा बिकते हैं।",
    ("hi", "odd"): "📊 <b>आपका हफ़्ता</b> (16 नव॰ – 22 नव॰)\n"
    "बिक्री: <b>₹1,23,456.50</b> · 1,234 पीस\n"
    "उससे पिछले हफ़्ते कोई बिक्री नहीं थी, इसलिए तुलना नहीं।\n"
    "सबसे ज़्यादा बिका: &lt;b&gt;x&lt;/b&gt;\n" + HI_TIP,
    ("hi", "falling"): "📊 <b>आपका हफ़्ता</b> (16 नव॰ – 22 नव॰)\n"
    "बिक्री: <b>₹0.99</b> · 1 पीस\n"
    "उससे पिछले हफ़्ते के मुक़ाबले: -100% 📉\n"
    "⚠️ स्टॉक कम: a, b &amp; c\n" + HI_TIP,
    ("en", "none"): "🌱 <b>Your week</b> (16 Nov – 22 Nov)\n"
    "No sales were recorded last week. Every sale counts: record the next one in one line, "
    "for example: आज 2 कुर्ते 450 में बेचे\n" + EN_TIP,
    ("en", "selling"): "📊 <b>Your week</b> (16 Nov – 22 Nov)\n"
    "Sales: <b>₹1,800</b> · 4 pieces\n"
    "Compared with the week before: +100% 📈\n"
    "Best seller: कुर्ता\n"
    "⚠️ Running low: कुर्ता\n"
    "💡 Add photos to “कुर्ता”: it has 0, listings with 4–5 photos sell better.",
    ("en", "odd"): "📊 <b>Your week</b> (16 Nov – 22 Nov)\n"
    "Sales: <b>₹1,23,456.50</b> · 1,234 pieces\n"
    "No sales the week before to compare with.\n"
    "Best seller: &lt;b&gt;x&lt;/b&gt;\n" + EN_TIP,
    ("en", "falling"): "📊 <b>Your week</b> (16 Nov – 22 Nov)\n"
    "Sales: <b>₹0.99</b> · 1 pieces\n"
    "Compared with the week before: -100% 📉\n"
    "⚠️ Running low: a, b &amp; c\n" + EN_TIP,
}
CASES = {"none": F(), "selling": SELLING, "odd": ODD, "falling": FALLING}


@pytest.mark.parametrize(("lang", "case"), sorted(WEEKLY))
def test_weekly_text(lang: str, case: str) -> None:
    text = handlers.render_weekly(i18n.translator(lang), WEEK, CASES[case], 48)
    assert text == WEEKLY[(lang, case)]


def test_weekly_tip_follows_the_week() -> None:
    tr = i18n.translator("en")
    tips = {handlers.render_weekly(tr, WEEK, F(), n).rsplit("\n", 1)[1] for n in range(8)}
    assert tips == {"💡 " + tip for tip in handlers.TIPS}


def test_weekly_texts_of_another_week_and_language_are_their_own() -> None:
    later = summaries.window("weekly", date(2027, 1, 4))  # Mon 28 Dec – Sun 3 Jan
    assert "(28 Dec – 3 Jan)" in handlers.render_weekly(i18n.translator("en"), later, F(), 1)
    assert "(16 Nov – 22 Nov)" in handlers.render_weekly(i18n.translator("en"), WEEK, F(), 1)
    assert "आपका हफ़्ता" in handlers.render_weekly(i18n.translator("hi"), later, F(), 1)


def test_monthly_text() -> None:
    hi, en = i18n.translator("hi"), i18n.translator("en")
    assert handlers.render_monthly(hi, MONTH, F()) == (
        "🌱 <b>नवंबर 2026</b>: कोई बिक्री दर्ज नहीं हुई। अगली बिक्री एक लाइन में लिखें, जैसे: आज 2 कुर्ते 450 में बेचे"
    )
    odd = F(
        total_paise=12_345_650,
        pieces=1_234,
        count=3,
        previous_total_paise=100,
        top_product="<b>x</b>",
    )
    assert handlers.render_monthly(hi, MONTH, odd) == (
        "🗓️ <b>नवंबर 2026</b>: 3 बिक्री से ₹1,23,456.50, 1,234 पीस\n"
        "पिछले महीने के मुक़ाबले: +1,23,45,550% 📈\n"
        "सबसे ज़्यादा बिका: &lt;b&gt;x&lt;/b&gt;"
    )
    assert handlers.render_monthly(en, MONTH, odd) == (
        "🗓️ <b>November 2026</b>: ₹1,23,456.50 from 3 sales, 1,234 pieces\n"
        "Compared with last month: +1,23,45,550% 📈\n"
        "Best seller: &lt;b&gt;x&lt;/b&gt;"
    )
