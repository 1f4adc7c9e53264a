"""Maintainer tool for the gettext catalogs: `python -m bot.catalogs update|check`.

update: extract msgids from the code into locales/messages.pot, merge them into the hi and en
        catalogs (en msgstr = msgid, since the code is written in English), keep translations.
check:  exit 1 and list problems if a catalog misses a msgid from the code, or has an
        untranslated or fuzzy entry.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"
HEADER_PLURALS = {"hi": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}


def extract(pot: Path = POT) -> Catalog:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            str(LOCALES / "babel.cfg"),
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--project",
            "odop-saathi",
            "-o",
            str(pot),
            "bot",
            "handlers",
            "models",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as fh:
        return read_po(fh)


def _po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str) -> Catalog:
    path = _po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, project="odop-saathi")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def save(lang: str, catalog: Catalog) -> None:
    path = _po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, no_location=True, sort_output=True)


def update() -> None:
    template = extract()
    for lang in ("hi", "en"):
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog._num_plurals, catalog._plural_expr = None, None
        catalog.plural_forms  # noqa: B018 - recomputed from the locale
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if lang == "en" and not _translated(message.string):
                message.string = message.id
        save(lang, catalog)
        _fix_plural_header(lang)


def _fix_plural_header(lang: str) -> None:
    path = _po_path(lang)
    text = path.read_text(encoding="utf-8")
    lines = [
        f'"Plural-Forms: {HEADER_PLURALS[lang]}\\n"' if line.startswith('"Plural-Forms:') else line
        for line in text.splitlines()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def problems() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:  # checking leaves the tracked template alone
        template = extract(Path(tmp) / "messages.pot")
    wanted = {m.id for m in template if m.id}
    found: list[str] = []
    for lang in ("hi", "en"):
        catalog = load(lang)
        have = {m.id for m in catalog if m.id}
        for msgid in sorted(map(str, wanted - have)):
            found.append(f"{lang}: missing {msgid!r}")
        for message in catalog:
            if not message.id:
                continue
            if "fuzzy" in message.flags:
                found.append(f"{lang}: fuzzy {message.id!r}")
            elif not _translated(message.string):
                found.append(f"{lang}: untranslated {message.id!r}")
    return found


def main() -> int:
    action = sys.argv[1] if len(sys.argv) > 1 else "check"
    if action == "update":
        update()
    found = problems()
    for line in found:
        print(line)
    return 1 if found and action == "check" else 0


if __name__ == "__main__":
    raise SystemExit(main())
