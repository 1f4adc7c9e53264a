"""Catalogs are complete, plural rules are what we chose, and formatting is Indian."""

from __future__ import annotations

from babel.core import Locale

from bot import catalogs, i18n
from bot.logs import RedactTokenFilter


def test_catalogs_complete_and_in_sync_with_code() -> None:
    assert catalogs.problems() == []


def test_hindi_plural_rule_matches_cldr() -> None:
    # CLDR (and Babel) put 0 and 1 in Hindi's "one" form; the .po header says the same.
    hi = Locale.parse("hi")
    assert (
        hi.plural_form(0) == "one" and hi.plural_form(1) == "one" and hi.plural_form(2) == "other"
    )
    header = (i18n.LOCALES_DIR / "hi" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert "plural=(n > 1)" in header


def test_translator_falls_back_to_hindi_and_translates() -> None:
    assert i18n.translator("xx").lang == "hi"
    assert i18n.translator("hi").gettext("❓ Help") == "❓ मदद"
    assert i18n.translator("en").gettext("❓ Help") == "❓ Help"


def test_language_from_telegram() -> None:
    assert i18n.language_from_telegram("hi") == "hi"
    assert i18n.language_from_telegram("hi-IN") == "hi"
    assert i18n.language_from_telegram("en-GB") == "en"
    assert i18n.language_from_telegram(None) == "en"


def test_money_in_indian_grouping() -> None:
    tr = i18n.translator("hi")
    assert tr.inr(12_345_600) == "₹1,23,456"
    assert tr.number(10_000_000) == "1,00,00,000"


def test_token_never_logged() -> None:
    import logging

    token = "123456:AAH-secret-token-value-abcdefgh"
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api.telegram.org/bot%s/getMe",
        (token,),
        None,
    )
    RedactTokenFilter(token).filter(record)
    assert token not in record.getMessage() and "[SECRET]" in record.getMessage()
