"""Uttar Pradesh reference data: the 75 districts, their ODOP products and GI crafts.

The data lives in ``bot/data/up_districts.csv`` and ``bot/data/up_gi_crafts.csv`` (see
``bot/data/README.md``). It is loaded once, validated, and exposed as frozen dataclasses.
Nothing here is user-facing text: callers pick the ``_en`` or ``_hi`` field (or use the
``lang`` helpers) and do their own translation of any surrounding sentence.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CRAFT_GROUPS",
    "DATA_DIR",
    "DISTRICTS_CSV",
    "EXPECTED_DISTRICT_COUNT",
    "GI_CATEGORIES",
    "GI_CRAFTS_CSV",
    "District",
    "GICraft",
    "ReferenceDataError",
    "district",
    "districts",
    "districts_by_division",
    "get_district",
    "gi_crafts",
    "gi_crafts_for",
    "load_districts",
    "load_gi_crafts",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICTS_CSV = DATA_DIR / "up_districts.csv"
GI_CRAFTS_CSV = DATA_DIR / "up_gi_crafts.csv"

EXPECTED_DISTRICT_COUNT = 75

#: ``craft_group`` vocabulary, in the order of ``bot/data/README.md``.
CRAFT_GROUPS: tuple[str, ...] = (
    "textile",
    "carpet_durrie",
    "leather",
    "metal",
    "engineering",
    "wood",
    "clay_terracotta",
    "glass_ceramic",
    "stone",
    "bamboo_fibre_grass",
    "food_processing",
    "toys",
    "paper",
    "perfume",
    "jewellery_accessories",
    "sports",
    "musical_instruments",
    "other",
)

#: ``category`` vocabulary of ``up_gi_crafts.csv``.
GI_CATEGORIES: tuple[str, ...] = ("handicraft", "textile", "agricultural", "food", "manufactured")

_SEP = "|"
_CODE_RE = re.compile(r"^[a-z]+(?:_[a-z]+)*$")
_DISTRICT_COLUMNS = (
    "code",
    "name_en",
    "name_hi",
    "division_en",
    "division_hi",
    "odop_en",
    "odop_hi",
    "craft_group",
    "fragile",
    "aliases",
)
_GI_COLUMNS = ("name_en", "name_hi", "district_codes", "category", "gi_application_no")


class ReferenceDataError(ValueError):
    """The reference CSV files are missing, malformed or inconsistent."""


def _is_hindi(lang: str | None) -> bool:
    if not lang:
        return False
    return lang.replace("_", "-").split("-", 1)[0].lower() == "hi"


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name_en: str
    name_hi: str
    division_en: str
    division_hi: str
    odop_en: tuple[str, ...]
    odop_hi: tuple[str, ...]
    craft_group: str
    fragile: bool
    aliases: tuple[str, ...]

    def name(self, lang: str | None) -> str:
        """``name_hi`` for Hindi (``"hi"``, ``"hi-IN"``), else ``name_en``."""
        return self.name_hi if _is_hindi(lang) else self.name_en

    def division(self, lang: str | None) -> str:
        return self.division_hi if _is_hindi(lang) else self.division_en

    def odop(self, lang: str | None) -> tuple[str, ...]:
        """All ODOP products in ``lang``; the first is the original (2018) product."""
        return self.odop_hi if _is_hindi(lang) else self.odop_en

    def primary_odop(self, lang: str | None) -> str:
        return self.odop(lang)[0]


@dataclass(frozen=True, slots=True)
class GICraft:
    name_en: str
    name_hi: str
    district_codes: tuple[str, ...]
    category: str
    gi_application_no: str | None

    def name(self, lang: str | None) -> str:
        return self.name_hi if _is_hindi(lang) else self.name_en


# --------------------------------------------------------------------------- loading


def _split_multi(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(_SEP) if part.strip())


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = tuple(reader.fieldnames or ())
            if header != columns:
                raise ReferenceDataError(
                    f"{path.name}: expected columns {list(columns)}, found {list(header)}"
                )
            rows = []
            for row in reader:
                line = reader.line_num
                if None in row or any(v is None for v in row.values()):
                    raise ReferenceDataError(f"{path.name}:{line}: wrong number of fields")
                rows.append((line, {k: v.strip() for k, v in row.items()}))
            return rows
    except OSError as exc:
        raise ReferenceDataError(f"cannot read {path}: {exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ReferenceDataError(f"{path.name}: not a valid UTF-8 CSV file: {exc}") from exc


def load_districts(
    path: str | Path | None = None, *, expected_count: int | None = EXPECTED_DISTRICT_COUNT
) -> tuple[District, ...]:
    """Read and validate the districts CSV; returns districts sorted by ``name_en``.

    Raises :class:`ReferenceDataError` with the file name and line on any problem.
    """
    path = Path(path) if path is not None else DISTRICTS_CSV
    name = path.name
    result: list[District] = []
    seen: set[str] = set()
    for line, row in _read_rows(path, _DISTRICT_COLUMNS):
        where = f"{name}:{line}"
        code = row["code"]
        if not _CODE_RE.match(code):
            raise ReferenceDataError(f"{where}: invalid district code {code!r}")
        if code in seen:
            raise ReferenceDataError(f"{where}: duplicate district code {code!r}")
        seen.add(code)
        for col in ("name_en", "name_hi", "division_en", "division_hi"):
            if not row[col]:
                raise ReferenceDataError(f"{where}: empty {col} for {code!r}")
        odop_en = _split_multi(row["odop_en"])
        odop_hi = _split_multi(row["odop_hi"])
        if not odop_en:
            raise ReferenceDataError(f"{where}: no ODOP product for {code!r}")
        if len(odop_en) != len(odop_hi):
            raise ReferenceDataError(
                f"{where}: odop_en has {len(odop_en)} items but odop_hi has {len(odop_hi)} "
                f"for {code!r}"
            )
        craft_group = row["craft_group"]
        if craft_group not in CRAFT_GROUPS:
            raise ReferenceDataError(f"{where}: unknown craft_group {craft_group!r} for {code!r}")
        fragile = row["fragile"]
        if fragile not in ("yes", "no"):
            raise ReferenceDataError(
                f"{where}: fragile must be 'yes' or 'no', got {fragile!r} for {code!r}"
            )
        result.append(
            District(
                code=code,
                name_en=row["name_en"],
                name_hi=row["name_hi"],
                division_en=row["division_en"],
                division_hi=row["division_hi"],
                odop_en=odop_en,
                odop_hi=odop_hi,
                craft_group=craft_group,
                fragile=fragile == "yes",
                aliases=_split_multi(row["aliases"]),
            )
        )
    if expected_count is not None and len(result) != expected_count:
        raise ReferenceDataError(
            f"{name}: expected {expected_count} districts, found {len(result)}"
        )
    return tuple(sorted(result, key=lambda d: d.name_en.casefold()))


def load_gi_crafts(
    path: str | Path | None = None, *, district_codes: Iterable[str] | None = None
) -> tuple[GICraft, ...]:
    """Read and validate the GI crafts CSV (file order is kept).

    ``district_codes`` is the set of valid codes; by default the bundled districts.
    """
    path = Path(path) if path is not None else GI_CRAFTS_CSV
    known = frozenset(district_codes) if district_codes is not None else _data().by_code.keys()
    name = path.name
    result: list[GICraft] = []
    for line, row in _read_rows(path, _GI_COLUMNS):
        where = f"{name}:{line}"
        if not row["name_en"] or not row["name_hi"]:
            raise ReferenceDataError(f"{where}: empty GI name")
        codes = _split_multi(row["district_codes"])
        if not codes:
            raise ReferenceDataError(f"{where}: no district for GI {row['name_en']!r}")
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ReferenceDataError(
                f"{where}: GI {row['name_en']!r} names unknown district code(s) {unknown}"
            )
        if row["category"] not in GI_CATEGORIES:
            raise ReferenceDataError(f"{where}: unknown GI category {row['category']!r}")
        app_no = row["gi_application_no"] or None
        if app_no is not None and not app_no.isdigit():
            raise ReferenceDataError(f"{where}: invalid GI application number {app_no!r}")
        result.append(
            GICraft(
                name_en=row["name_en"],
                name_hi=row["name_hi"],
                district_codes=codes,
                category=row["category"],
                gi_application_no=app_no,
            )
        )
    return tuple(result)


@dataclass(frozen=True, slots=True)
class _Reference:
    districts: tuple[District, ...]
    by_code: Mapping[str, District]


@functools.cache
def _data() -> _Reference:
    ds = load_districts()
    return _Reference(districts=ds, by_code={d.code: d for d in ds})


@functools.cache
def _gi() -> tuple[tuple[GICraft, ...], Mapping[str, tuple[GICraft, ...]]]:
    crafts = load_gi_crafts()
    by_code: dict[str, list[GICraft]] = {}
    for craft in crafts:
        for code in craft.district_codes:
            by_code.setdefault(code, []).append(craft)
    return crafts, {code: tuple(items) for code, items in by_code.items()}


# --------------------------------------------------------------------------- public API


def districts() -> tuple[District, ...]:
    """All 75 districts, sorted by English name."""
    return _data().districts


def district(code: str) -> District:
    """The district with this code; ``KeyError`` if unknown."""
    try:
        return _data().by_code[code]
    except KeyError:
        raise KeyError(f"unknown district code {code!r}") from None


def get_district(code: str | None) -> District | None:
    """The district with this code, or ``None``."""
    if code is None:
        return None
    return _data().by_code.get(code)


def gi_crafts() -> tuple[GICraft, ...]:
    """All GI crafts in file order."""
    return _gi()[0]


def gi_crafts_for(code: str) -> tuple[GICraft, ...]:
    """GI crafts associated with a district (possibly empty); ``KeyError`` if unknown."""
    district(code)
    return _gi()[1].get(code, ())


def districts_by_division() -> dict[str, tuple[District, ...]]:
    """Districts grouped by ``division_en``; divisions and districts sorted by English name.

    A new dict each call (the districts themselves are shared and immutable). Use
    ``group[0].division(lang)`` for the division's display name.
    """
    groups: dict[str, list[District]] = {}
    for d in _data().districts:
        groups.setdefault(d.division_en, []).append(d)
    return {div: tuple(groups[div]) for div in sorted(groups, key=str.casefold)}
