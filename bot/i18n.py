"""Languages: Babel gettext catalogs from locales/, and formatting at the edge.

Catalogs are read from the .po files at start-up and compiled in memory, so there is no
compiled .mo file to forget. Handlers get a `Translator` for the user's language; domain code
never translates.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot import numbers

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("hi", "en")
DEFAULT_LANGUAGE = "hi"


def language_from_telegram(language_code: str | None) -> str:
    """Telegram's language_code → our language: Hindi for hi, English otherwise."""
    if language_code and language_code.lower().split("-")[0] == "hi":
        return "hi"
    return "en"


@cache
def _translations(lang: str) -> NullTranslations:
    po_path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


@dataclass(frozen=True)
class Translator:
    lang: str

    def gettext(self, message: str) -> str:
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _translations(self.lang).ngettext(singular, plural, n)

    def inr(self, paise: int) -> str:
        return numbers.format_inr(paise)

    def number(self, n: int) -> str:
        return numbers.format_int(n)


@cache
def translator(lang: str | None) -> Translator:
    return Translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
