"""Read a marketplace order report (Flipkart, Amazon) or the simple template into order rows.

Pure function :func:`read_order_report`: bytes in, :class:`OrderReport` out. No database and
no user-facing text: problems are short codes the caller translates. Nothing here raises on
bad input — a malformed, binary, huge or zip-bomb file gives ``OrderReport(error=...)``.

Formats
=======
* CSV / TSV / TXT: UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"),
  else cp1252. The delimiter (comma, tab, semicolon, pipe) is the one whose first lines
  contain a recognisable header. Amazon's flat-file reports are tab-separated ``.txt``.
* XLSX: the first worksheet, read with openpyxl in read-only mode. The real file type is
  taken from the content (a zip) rather than the name. Old ``.xls`` is not supported.

The header row may be preceded by up to ``HEADER_SEARCH_ROWS - 1`` title lines. Header
names are compared without case, spaces, underscores, hyphens or punctuation
("Order Item ID" = "order_item_id" = "order-item-id").

Columns
=======
=============  ===================================================================
field          header names (first found wins)
=============  ===================================================================
order id       Order Item ID (Flipkart: one per line), Order ID / Order Id,
               amazon-order-id, order_id, Order No, Sub Order No
date           Order Date, Ordered On, purchase-date, date, Order Date & Time ...
sku            SKU, Seller SKU, SKU ID, seller-sku
title          Product Title, Product Title/Description, Product, Product Name,
               product-name, SKU Name, Item Name, Title
quantity       Quantity, Qty, quantity-purchased, Gross Units, Item Quantity, Units
unit price     price_per_piece, Selling Price Per Item, Price Per Item, Unit Price, Rate,
               Selling Price, Price
line total     item-price (Amazon: quantity x unit price, tax included), Invoice
               Amount, Final Invoice Amount, Final Selling Price (...), Total Amount
status         Order State, Order Status, order-status, item-status, Status, Event Type
channel        channel, platform, marketplace (template only)
currency       currency (rows in another currency are refused)
=============  ===================================================================

A unit price is used as it is; a line total is divided by the quantity (rounded half up to
the paisa). Rows whose status says cancelled or returned are reported as bad rows, not
sales. Required: an order id, a date, a quantity, a price, and a SKU or a title.

Source
======
"amazon" when there is an ``amazon-order-id`` column; "flipkart" when Flipkart-only headers
appear (Order Item ID, FSN, Ordered On, Selling Price Per Item, Invoice Amount, Order State,
Gross Units, SKU Name, Final Selling Price); otherwise "template" (see
``docs/import-template.md``), whose ``channel`` column is read with
:func:`bot.services.sale_parser.channel_code` ("other" when blank or unknown).

Duplicates
==========
``OrderRow.line_id`` identifies one line of one order and is stable across re-imports:
Flipkart's Order Item ID when present, else ``"<order id>|<sku or title>"``. A repeated
``line_id`` inside one file is a bad row ("duplicate"). The caller skips rows whose
``(channel, line_id)`` is already stored.

Dates
=====
Date/datetime cells are used as they are. Text dates: ISO ("2026-11-12", "2026-11-12
10:30:00", "2026-11-12T05:30:00+00:00" — with a zone, converted to India time), numeric
("12/11/2026", "12-11-26", "12.11.2026"), and with month names ("12 Nov 2026",
"Nov 12, 2026", "12-Nov-26"). For numeric dates the day/month order is decided per file: a
first part above 12 anywhere means day first; else a second part above 12 means month first;
else a header mentioning "mm/dd" means month first; else day first (Indian usage).
"""

from __future__ import annotations

import calendar
import csv
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from bot.numbers import MAX_PRICE_PAISE, MAX_QUANTITY
from bot.services.sale_parser import channel_code

__all__ = [
    "BAD_ROW_REASONS",
    "IMPORT_ERRORS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "BadRow",
    "OrderReport",
    "OrderRow",
    "ReportSource",
    "read_order_report",
]

ReportSource = Literal["flipkart", "amazon", "template"]

#: Files larger than this are refused ("too_large").
MAX_FILE_BYTES = 2 * 1024 * 1024
#: More data rows than this are refused ("too_many_rows").
MAX_ROWS = 5000
#: The header must be within the first rows.
HEADER_SEARCH_ROWS = 15
#: Possible values of :attr:`OrderReport.error`.
IMPORT_ERRORS: tuple[str, ...] = ("too_large", "too_many_rows", "unreadable", "no_header", "empty")
#: Possible values of :attr:`BadRow.reason`.
BAD_ROW_REASONS: tuple[str, ...] = (
    "cancelled",
    "returned",
    "missing_order_id",
    "bad_date",
    "bad_quantity",
    "bad_price",
    "missing_product",
    "not_inr",
    "duplicate",
)
#: Fields a report must have ("product" = a SKU or a title column).
REQUIRED_FIELDS: tuple[str, ...] = ("order_id", "date", "quantity", "price", "product")

_MAX_COLUMNS = 80
_MAX_CELL_CHARS = 500
_MAX_UNCOMPRESSED = 40 * 1024 * 1024  # zip bomb guard for XLSX
_MAX_ZIP_MEMBERS = 2000
_IST = ZoneInfo("Asia/Kolkata")
_MIN_YEAR, _MAX_YEAR = 2000, 2100


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One order line. ``unit_price_paise`` is per piece; ``channel`` is a channel code."""

    order_id: str
    day: date
    sku: str | None
    title: str | None
    quantity: int
    unit_price_paise: int
    channel: str
    line_id: str
    row: int  # 1-based row number in the file (header row included), as a spreadsheet shows

    @property
    def total_paise(self) -> int:
        return self.unit_price_paise * self.quantity


@dataclass(frozen=True, slots=True)
class BadRow:
    """A data row that was not read: 1-based row number and one of :data:`BAD_ROW_REASONS`."""

    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class OrderReport:
    """Rows read from a report; ``error`` (one of :data:`IMPORT_ERRORS`) means nothing was
    read. ``missing_columns`` (from :data:`REQUIRED_FIELDS`) explains a "no_header" error
    when a header was found but lacks required columns."""

    rows: tuple[OrderRow, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()
    source: ReportSource | None = None
    error: str | None = None
    missing_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _failed(error: str, missing: tuple[str, ...] = ()) -> OrderReport:
    return OrderReport(error=error, missing_columns=missing)


# --------------------------------------------------------------------------- headers


def _norm_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    return re.sub(r"[^0-9a-z]+", "", text)


# field → normalised header names, best first; names ending in "*" match as a prefix
_ALIASES: dict[str, tuple[str, ...]] = {
    "order_item_id": ("orderitemid", "orderitemno"),
    "order_id": (
        "amazonorderid",
        "orderid",
        "orderno",
        "ordernumber",
        "suborderno",
        "subordernumber",
        "order",
    ),
    "date": (
        "orderdate*",
        "orderedon*",
        "purchasedate*",
        "date",
        "orderdatetime",
        "orderplacedon*",
        "createdon*",
        "saledate",
        "invoicedate*",
    ),
    "sku": ("sku", "sellersku", "skuid", "skucode", "skuno"),
    "title": (
        "producttitle*",
        "productname",
        "product",
        "skuname",
        "itemname",
        "title",
        "productdescription",
        "description",
        "item",
    ),
    "quantity": (
        "quantity",
        "qty",
        "quantitypurchased",
        "grossunits",
        "itemquantity",
        "units",
        "quantityordered",
        "noofitems",
        "pieces",
    ),
    "unit_price": (
        "priceperpiece",
        "sellingpriceperitem*",
        "priceperitem",
        "unitprice",
        "priceperunit",
        "rate",
        "sellingprice",
        "price",
    ),
    "total_price": (
        "invoiceamount*",
        "finalinvoiceamount*",
        "finalsellingprice*",
        "totalamount",
        "totalprice",
        "linetotal",
        "amount",
        "total",
    ),
    "status": ("orderstate", "orderstatus", "status", "eventtype"),
    "item_status": ("itemstatus",),
    "channel": ("channel", "saleschannel", "platform", "marketplace"),
    "currency": ("currency",),
}
_FLIPKART_MARKERS = frozenset(
    {"orderitemid", "fsn", "orderedon", "sellingpriceperitem", "invoiceamount", "orderstate",
     "grossunits", "skuname", "finalsellingprice", "listingid"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Header:
    index: int  # 0-based position of the header row among the rows read
    columns: dict[str, int]  # field → column index
    names: tuple[str, ...]  # normalised header cells
    source: ReportSource
    raw_date_header: str

    @property
    def missing(self) -> tuple[str, ...]:
        have = set(self.columns)
        result = []
        if not have & {"order_id", "order_item_id"}:
            result.append("order_id")
        if "date" not in have:
            result.append("date")
        if "quantity" not in have:
            result.append("quantity")
        if not have & {"unit_price", "total_price"}:
            result.append("price")
        if not have & {"sku", "title"}:
            result.append("product")
        return tuple(result)


def _map_header(cells: Sequence[object]) -> tuple[dict[str, int], tuple[str, ...]]:
    names = tuple(_norm_header(c) for c in cells[:_MAX_COLUMNS])
    columns: dict[str, int] = {}
    taken: set[int] = set()
    is_amazon = "amazonorderid" in names
    for field, aliases in _ALIASES.items():
        if is_amazon and field == "unit_price":
            continue  # Amazon's item-price is a line total
        if is_amazon and field == "total_price":
            aliases = ("itemprice", *aliases)
        found = _find_column(names, aliases, taken)
        if found is not None:
            columns[field] = found
            taken.add(found)
    return columns, names


def _find_column(names: Sequence[str], aliases: Iterable[str], taken: set[int]) -> int | None:
    for alias in aliases:
        prefix = alias.endswith("*")
        alias = alias.rstrip("*")
        for i, name in enumerate(names):
            if i in taken or not name:
                continue
            if name == alias or (prefix and name.startswith(alias)):
                return i
    return None


def _detect_header(rows: Sequence[Sequence[object]]) -> _Header | None:
    """The best header among the first rows: the one with the most recognised fields."""
    best: _Header | None = None
    best_score = 1  # a header needs at least two recognised fields
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns, names = _map_header(cells)
        score = len(columns)
        if score <= best_score:
            continue
        if "amazonorderid" in names:
            source: ReportSource = "amazon"
        elif _FLIPKART_MARKERS & set(names) or any(
            n.startswith(("finalsellingprice", "sellingpriceperitem", "invoiceamount"))
            for n in names
        ):
            source = "flipkart"
        else:
            source = "template"
        date_col = columns.get("date")
        raw_date = str(cells[date_col]) if date_col is not None else ""
        best = _Header(index, columns, names, source, raw_date)
        best_score = score
    return best


# --------------------------------------------------------------------------- reading


class _Unreadable(Exception):
    pass


class _TooManyRows(Exception):
    pass


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _Unreadable from exc
    if b"\x00" in data:
        raise _Unreadable
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(4, len(text) // 200):
            raise _Unreadable  # binary garbage that happens to decode
        return text
    raise _Unreadable


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from reader


def _collect(rows_in: Iterable[Sequence[object]]) -> list[list[object]]:
    """Rows as lists (at most ``_MAX_COLUMNS`` cells); _TooManyRows past the limit."""
    rows: list[list[object]] = []
    filled = 0
    limit = MAX_ROWS + HEADER_SEARCH_ROWS
    for row in rows_in:
        cells = list(row[:_MAX_COLUMNS])
        rows.append(cells)
        if any(_cell_text(c) for c in cells):
            filled += 1
            if filled > limit:
                raise _TooManyRows
    return rows


def _read_text(data: bytes) -> list[list[object]]:
    """Rows of a delimited text file (with the header somewhere in the first rows)."""
    text = _decode(data)
    best_delimiter, best_score = ",", -1
    try:
        for delimiter in (",", "\t", ";", "|"):
            head = list(itertools.islice(_csv_rows(text, delimiter), HEADER_SEARCH_ROWS))
            header = _detect_header(head)
            score = len(header.columns) if header else 0
            if score > best_score:
                best_delimiter, best_score = delimiter, score
        return _collect(_csv_rows(text, best_delimiter))
    except csv.Error as exc:
        raise _Unreadable from exc


def _read_xlsx(data: bytes) -> list[list[object]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > _MAX_ZIP_MEMBERS:
                raise _Unreadable
            if sum(m.file_size for m in members) > _MAX_UNCOMPRESSED:
                raise _Unreadable
            names = {m.filename for m in members}
            if "xl/workbook.xml" not in names:
                raise _Unreadable  # a zip, but not a workbook
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _Unreadable from exc

    from openpyxl import load_workbook  # imported lazily: not needed for CSV

    rows: list[list[object]] = []
    workbook = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Workbook contains no default style" etc.
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
            sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # don't trust a wrong <dimension> tag
            rows = _collect(sheet.iter_rows(max_col=_MAX_COLUMNS, values_only=True))
    except (_TooManyRows, _Unreadable):
        raise
    except Exception as exc:  # openpyxl raises many kinds (KeyError, ValueError, XML errors)
        raise _Unreadable from exc
    finally:
        if workbook is not None:
            try:
                workbook.close()
            except Exception:
                pass
    return rows


# --------------------------------------------------------------------------- cell values


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > _MAX_CELL_CHARS:
        text = text[:_MAX_CELL_CHARS]
    # spreadsheet escapes: ="OD123", 'OD123
    m = re.fullmatch(r'="(.*)"', text)
    if m:
        text = m.group(1).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def _quantity(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    else:
        text = _cell_text(value).replace(",", "")
        if not re.fullmatch(r"[+-]?\d+(?:\.\d+)?", text):
            return None
        number = Decimal(text)
    if number != number.to_integral_value() or not 0 < number <= MAX_QUANTITY:
        return None
    return int(number)


_MONEY_NOISE = re.compile(r"(?i)₹|rs\.?|inr|/-|\s")


def _money_paise(value: object) -> int | None:
    """Rupees in a cell → paise (rounded half up); None when empty, not a number or negative."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(str(value))
        else:
            text = _MONEY_NOISE.sub("", _cell_text(value)).replace(",", "")
            if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", text):
                return None
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number < 0:
        return None
    return int((number * 100).quantize(Decimal(1), ROUND_HALF_UP))


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[ t])")
_YMD_SLASH = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:$|\D)")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:$|\D)")
_D_MON_Y = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[\s/-]*([a-z]{3,9})\.?[\s,/-]*(\d{4}|\d{2})(?:$|\D)"
)
_MON_D_Y = re.compile(r"^([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?:$|\D)")


def _make_date(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(name: str) -> int | None:
    """Month number of "nov", "November", "Sept"; None for other words."""
    name = name.lower()
    number = _MONTHS.get(name[:3])
    if number is None:
        return None
    full = calendar.month_name[number].lower()
    return number if full.startswith(name) or name in ("sept",) else None


def _parse_date(value: object, month_first: bool) -> date | None:
    if isinstance(value, datetime):
        moment = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(_IST)
        d = moment.date()
        return d if _MIN_YEAR <= d.year <= _MAX_YEAR else None
    if isinstance(value, date):
        return value if _MIN_YEAR <= value.year <= _MAX_YEAR else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # an Excel serial day number in a cell without a date format
        if 36526 <= value <= 73050:  # 2000-01-01 .. 2099-12-31
            return date(1899, 12, 30) + timedelta(days=int(value))
        return None
    text = _cell_text(value).lower()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        if "t" in text or "+" in text[10:] or text.endswith("z"):
            try:
                moment = datetime.fromisoformat(text.upper().replace(" ", "T", 1))
            except ValueError:
                moment = None
            if moment is not None:
                return _parse_date(moment, month_first)
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _YMD_SLASH.match(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _NUMERIC.match(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (b, a) if month_first else (a, b)
        return _make_date(year, month, day)
    m = _D_MON_Y.match(text)
    if m and (month := _month(m.group(2))):
        return _make_date(int(m.group(3)), month, int(m.group(1)))
    m = _MON_D_Y.match(text)
    if m and (month := _month(m.group(1))):
        return _make_date(int(m.group(3)), month, int(m.group(2)))
    return None


def _month_first(values: Iterable[object], header_text: str) -> bool:
    saw_month_first = False
    for value in values:
        if not isinstance(value, str):
            continue
        m = _NUMERIC.match(value.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12:
            return False
        if b > 12:
            saw_month_first = True
    if saw_month_first:
        return True
    return "mm/dd" in header_text.lower() or "mmdd" in _norm_header(header_text)


# --------------------------------------------------------------------------- rows

_CANCELLED = re.compile(r"cancel|rejected|failed")
_RETURNED = re.compile(r"return|rto\b|refund")


def _status_reason(value: object) -> str | None:
    text = _cell_text(value).lower()
    if not text:
        return None
    if _CANCELLED.search(text):
        return "cancelled"
    if _RETURNED.search(text):
        return "returned"
    return None


def _get(cells: Sequence[object], columns: dict[str, int], field: str) -> object:
    index = columns.get(field)
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _build_rows(rows: list[list[object]], header: _Header) -> OrderReport:
    columns = header.columns
    data = [
        (number, cells)
        for number, cells in enumerate(rows[header.index + 1 :], start=header.index + 2)
        if any(_cell_text(c) for c in cells)
    ]
    if not data:
        return OrderReport(source=header.source, error="empty")
    if len(data) > MAX_ROWS:
        return OrderReport(source=header.source, error="too_many_rows")
    month_first = _month_first((_get(c, columns, "date") for _, c in data), header.raw_date_header)

    good: list[OrderRow] = []
    bad: list[BadRow] = []
    seen: set[str] = set()
    for number, cells in data:
        reason, row = _read_row(number, cells, header, month_first)
        if row is not None and row.line_id in seen:
            reason, row = "duplicate", None
        if row is None:
            bad.append(BadRow(number, reason or "bad_date"))
            continue
        seen.add(row.line_id)
        good.append(row)
    return OrderReport(rows=tuple(good), bad_rows=tuple(bad), source=header.source)


def _read_row(
    number: int, cells: Sequence[object], header: _Header, month_first: bool
) -> tuple[str | None, OrderRow | None]:
    columns = header.columns
    status = _status_reason(_get(cells, columns, "status")) or _status_reason(
        _get(cells, columns, "item_status")
    )
    if status:
        return status, None
    item_id = _cell_text(_get(cells, columns, "order_item_id"))
    order_id = _cell_text(_get(cells, columns, "order_id")) or item_id
    if not order_id:
        return "missing_order_id", None
    day = _parse_date(_get(cells, columns, "date"), month_first)
    if day is None:
        return "bad_date", None
    quantity = _quantity(_get(cells, columns, "quantity"))
    if quantity is None:
        return "bad_quantity", None
    currency = _cell_text(_get(cells, columns, "currency")).upper()
    if currency and currency not in ("INR", "₹", "RS", "RS."):
        return "not_inr", None
    unit = _money_paise(_get(cells, columns, "unit_price"))
    if unit is None:
        total = _money_paise(_get(cells, columns, "total_price"))
        if total is not None:
            unit = int((Decimal(total) / quantity).quantize(Decimal(1), ROUND_HALF_UP))
    if unit is None or not 0 < unit <= MAX_PRICE_PAISE:
        return "bad_price", None
    sku = _cell_text(_get(cells, columns, "sku")) or None
    title = _cell_text(_get(cells, columns, "title")) or None
    if sku is None and title is None:
        return "missing_product", None
    if header.source == "template":
        channel = channel_code(_cell_text(_get(cells, columns, "channel"))) or "other"
    else:
        channel = header.source
    line_id = item_id or f"{order_id}|{sku or title}"
    return None, OrderRow(
        order_id=order_id,
        day=day,
        sku=sku,
        title=title,
        quantity=quantity,
        unit_price_paise=unit,
        channel=channel,
        line_id=line_id,
        row=number,
    )


# --------------------------------------------------------------------------- entry point

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, .doc
_OTHER_BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def read_order_report(data: bytes, filename: str) -> OrderReport:
    """Read an order report (CSV/TSV/TXT or XLSX; see the module docstring)."""
    try:
        return _read(data, filename)
    except _TooManyRows:
        return _failed("too_many_rows")
    except _Unreadable:
        return _failed("unreadable")
    except (RecursionError, MemoryError):
        return _failed("unreadable")
    except Exception:  # never let a parser bug escape to the bot
        return _failed("unreadable")


def _read(data: bytes, filename: str) -> OrderReport:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return _failed("unreadable")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        return _failed("too_large")
    if not data.strip():
        return _failed("empty")
    name = (filename or "").lower()
    if data.startswith(_ZIP_MAGIC):
        rows = _read_xlsx(data)
    elif data.startswith(_OLE_MAGIC) or data.startswith(_OTHER_BINARY):
        return _failed("unreadable")
    elif name.endswith((".xlsx", ".xlsm")):
        return _failed("unreadable")  # named like a workbook but not one
    else:
        rows = _read_text(data)
    if not any(any(_cell_text(c) for c in r) for r in rows):
        return _failed("empty")
    header = _detect_header(rows)
    if header is None:
        return _failed("no_header", REQUIRED_FIELDS)
    if header.missing:
        return OrderReport(source=header.source, error="no_header", missing_columns=header.missing)
    return _build_rows(rows, header)
