from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.services.order_import import (
    BAD_ROW_REASONS,
    IMPORT_ERRORS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    REQUIRED_FIELDS,
    BadRow,
    OrderReport,
    _parse_date,
    read_order_report,
)

DATA = Path(__file__).resolve().parent.parent / "data"
TEMPLATE_HEADER = ["order_id", "date", "sku", "product", "quantity", "price_per_piece", "channel"]


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def csv_bytes(rows: list[list[object]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def template(*rows: list[object]) -> bytes:
    return csv_bytes([TEMPLATE_HEADER, *rows])


def reasons(report: OrderReport) -> list[tuple[int, str]]:
    return [(b.row, b.reason) for b in report.bad_rows]


# --------------------------------------------------------------------------- sample files


def test_flipkart_sample() -> None:
    report = read_order_report(sample("flipkart_orders.csv"), "flipkart_orders.csv")
    assert report.ok and report.error is None
    assert report.source == "flipkart"
    assert [r.line_id for r in report.rows] == [
        "421771700001",
        "421771700002",
        "421771700004",
        "421771700005",
        "421771700007",
        "421771700008",
    ]
    first = report.rows[0]
    assert first.order_id == "OD431100000000001100"
    assert first.day == date(2026, 11, 2)
    assert first.sku == "CHK-KURTA-M"
    assert first.title == "Lucknowi Chikankari Cotton Kurta for Women (White)"
    assert (first.quantity, first.unit_price_paise, first.channel) == (1, 135000, "flipkart")
    assert first.row == 2
    two = report.rows[1]
    assert (two.quantity, two.unit_price_paise, two.total_paise) == (2, 135000, 270000)
    # one order with two items: two rows, same order id, different line ids
    assert report.rows[2].order_id == report.rows[3].order_id == "OD431100000000001400"
    assert report.rows[2].sku == "CHK-DUP-01"
    assert reasons(report) == [(4, "cancelled"), (7, "returned")]
    assert (
        sum(r.total_paise for r in report.rows) == 135000 + 270000 + 90000 + 135000 + 119700 + 79900
    )


def test_amazon_sample() -> None:
    report = read_order_report(sample("amazon_orders.txt"), "amazon_orders.txt")
    assert report.ok
    assert report.source == "amazon"
    rows = report.rows
    assert [(r.order_id, r.sku, r.quantity, r.unit_price_paise) for r in rows] == [
        ("402-1111111-1000001", "TC-DIYA-6", 2, 29900),  # item-price 598.00 is the line total
        ("402-1111111-1000002", "TC-DIYA-6", 1, 29900),
        ("402-1111111-1000002", "TC-HORSE-8", 1, 85000),
        ("402-1111111-1000005", "TC-BELL-01", 3, 34900),  # "1,047.00"
    ]
    assert all(r.channel == "amazon" for r in rows)
    # 19:45 UTC on 6 Nov is 7 Nov in India
    assert rows[1].day == date(2026, 11, 7)
    assert rows[0].day == date(2026, 11, 3)
    assert len({r.line_id for r in rows}) == 4
    assert rows[1].line_id == "402-1111111-1000002|TC-DIYA-6"
    assert rows[0].title.startswith("Terracotta Diya Set of 6")  # type: ignore[union-attr]
    assert reasons(report) == [(5, "cancelled"), (6, "bad_price")]


def test_amazon_as_csv_reads_the_same() -> None:
    text = sample("amazon_orders.txt").decode("utf-8")
    rows = [line.split("\t") for line in text.splitlines()]
    as_csv = read_order_report(csv_bytes(rows), "orders.csv")
    as_txt = read_order_report(sample("amazon_orders.txt"), "amazon_orders.txt")
    assert as_csv == as_txt


def test_template_csv_sample() -> None:
    report = read_order_report(sample("template_orders.csv"), "template_orders.csv")
    assert report.ok and report.source == "template"
    assert [
        (r.order_id, r.title, r.quantity, r.unit_price_paise, r.channel) for r in report.rows
    ] == [
        ("MELA-001", "कुर्ता", 2, 45000, "odop_mart"),
        ("MELA-002", "दीया सेट", 5, 12000, "odop_mart"),
        ("SHOP-17", "Chikan Kurta", 1, 135000, "local"),
        ("WA-3", "Dupatta", 3, 30000, "whatsapp"),
        ("GEM-9", "Toran", 10, 25000, "gem"),
    ]
    assert report.rows[0].day == date(2026, 11, 21)  # 21/11/2026, day first
    assert report.rows[2].sku == "KRT-01"
    assert report.rows[0].sku is None
    assert report.bad_rows == ()


def test_template_xlsx_sample() -> None:
    report = read_order_report(sample("template_orders.xlsx"), "template_orders.xlsx")
    assert report.ok and report.source == "template"
    got = [
        (r.order_id, r.day, r.quantity, r.unit_price_paise, r.channel, r.row) for r in report.rows
    ]
    assert got == [
        ("FAIR-101", date(2026, 11, 20), 2, 45000, "odop_mart", 2),
        ("FAIR-102", date(2026, 11, 20), 6, 12050, "odop_mart", 3),
        ("SHOP-7", date(2026, 11, 21), 1, 135000, "local", 4),
        ("WA-12", date(2026, 11, 22), 3, 30000, "whatsapp", 5),
        ("MEESHO-88", date(2026, 11, 23), 4, 26000, "other", 9),
    ]
    assert reasons(report) == [(7, "bad_quantity"), (8, "bad_date")]


def test_reading_twice_gives_the_same_rows() -> None:
    for name in ("flipkart_orders.csv", "amazon_orders.txt", "template_orders.xlsx"):
        assert read_order_report(sample(name), name) == read_order_report(sample(name), name)


def test_filename_does_not_decide_the_format() -> None:
    a = read_order_report(sample("template_orders.xlsx"), "report.csv")
    b = read_order_report(sample("template_orders.xlsx"), "template_orders.xlsx")
    assert a == b and a.ok
    assert read_order_report(sample("flipkart_orders.csv"), "no_extension").source == "flipkart"


# --------------------------------------------------------------------------- headers


def test_header_matching_ignores_case_spaces_underscores_hyphens() -> None:
    data = csv_bytes(
        [
            ["ORDER-ID", "  Date ", "S K U", "Product_Name", "QTY", "Price Per Piece", "Channel"],
            ["A1", "2026-11-20", "X-1", "कुर्ता", "2", "450", "flipkart"],
        ]
    )
    report = read_order_report(data, "x.csv")
    assert report.ok, report
    assert report.rows[0].sku == "X-1"
    assert report.rows[0].channel == "flipkart"


def test_title_rows_before_the_header_xlsx() -> None:
    data = xlsx_bytes(
        [
            ["Flipkart Seller Hub - Orders report"],
            ["Generated on 23 Nov 2026"],
            [],
            ["Order Item ID", "Order Id", "Ordered On", "SKU", "Product", "Quantity",
             "Selling Price Per Item", "Order State"],
            [421771700001, "OD1", datetime(2026, 11, 20, 10, 5), "K-1", "Kurta", 1, 1350.0,
             "Delivered"],
            [4.217717000020e11, "OD2", datetime(2026, 11, 21, 23, 59), "K-1", "Kurta", 2.0, 1350,
             "Shipped"],
        ]
    )  # fmt: skip
    report = read_order_report(data, "orders.xlsx")
    assert report.ok and report.source == "flipkart"
    assert [r.line_id for r in report.rows] == ["421771700001", "421771700002"]
    assert [r.row for r in report.rows] == [5, 6]
    assert report.rows[1].quantity == 2
    assert report.rows[1].day == date(2026, 11, 21)  # naive datetimes are local already


def test_flipkart_invoice_amount_is_divided() -> None:
    data = csv_bytes(
        [
            ["Order Id", "Order Date", "SKU", "Product Title", "Quantity", "Invoice Amount"],
            ["OD9", "20-11-2026", "T-1", "Toran", "3", "1000"],
        ]
    )
    report = read_order_report(data, "f.csv")
    assert report.ok and report.source == "flipkart"
    row = report.rows[0]
    assert (row.quantity, row.unit_price_paise) == (3, 33333)  # ₹333.33, half up
    assert row.line_id == "OD9|T-1"  # no Order Item ID column


def test_flipkart_final_selling_price_with_long_header() -> None:
    data = csv_bytes(
        [
            ["Order ID", "Order Date", "SKU", "SKU Name", "Gross Units",
             "Final Selling Price (incl. seller opted in default offers)", "Order Status"],
            ["OD5", "2026-11-20", "D-1", "Dupatta", "2", "901", "Delivered"],
            ["OD6", "2026-11-20", "D-1", "Dupatta", "1", "450", "RETURN_REQUESTED"],
        ]
    )  # fmt: skip
    report = read_order_report(data, "f.csv")
    assert report.source == "flipkart"
    assert [(r.quantity, r.unit_price_paise) for r in report.rows] == [(2, 45050)]
    assert reasons(report) == [(3, "returned")]


def test_unit_price_wins_over_line_total() -> None:
    data = csv_bytes(
        [
            ["Order Item ID", "Ordered On", "SKU", "Quantity", "Selling Price Per Item",
             "Invoice Amount"],
            ["1", "2026-11-20", "K", "2", "500", "1040"],
        ]
    )  # fmt: skip
    assert read_order_report(data, "f.csv").rows[0].unit_price_paise == 50000


def test_missing_columns() -> None:
    data = csv_bytes([["order_id", "date", "product"], ["A1", "2026-11-20", "कुर्ता"]])
    report = read_order_report(data, "x.csv")
    assert report.error == "no_header"
    assert report.missing_columns == ("quantity", "price")
    assert report.rows == () and report.bad_rows == ()


def test_no_recognisable_header() -> None:
    report = read_order_report(b"name,age\nasha,30\nravi,41\n", "people.csv")
    assert report.error == "no_header"
    assert report.missing_columns == REQUIRED_FIELDS


def test_header_only_is_empty() -> None:
    report = read_order_report(csv_bytes([TEMPLATE_HEADER]), "t.csv")
    assert report.error == "empty"
    assert report.source == "template"


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [
        (",", "utf-8"),
        (",", "utf-8-sig"),
        (";", "utf-8"),
        ("\t", "utf-8"),
        ("|", "utf-8"),
        ("\t", "utf-16"),  # Excel "Unicode text"
    ],
)
def test_delimiters_and_encodings(delimiter: str, encoding: str) -> None:
    rows = [TEMPLATE_HEADER, ["A1", "20/11/2026", "", "दीया सेट", "5", "1,200.50", "मेला"]]
    report = read_order_report(csv_bytes(rows, delimiter, encoding), "t.csv")
    assert report.ok, report
    row = report.rows[0]
    assert (row.title, row.quantity, row.unit_price_paise, row.channel) == (
        "दीया सेट",
        5,
        120050,
        "odop_mart",
    )


def test_cp1252_fallback() -> None:
    rows = [TEMPLATE_HEADER, ["A1", "20/11/2026", "", "Café lamp – brass", "1", "450", ""]]
    report = read_order_report(csv_bytes(rows, encoding="cp1252"), "t.csv")
    assert report.ok
    assert report.rows[0].title == "Café lamp – brass"


def test_spreadsheet_escaped_values() -> None:
    data = template(['="OD-77"', "2026-11-20", "'0042", "Kurta", "1", "Rs. 450/-", "shop"])
    row = read_order_report(data, "t.csv").rows[0]
    assert (row.order_id, row.sku, row.unit_price_paise) == ("OD-77", "0042", 45000)


# --------------------------------------------------------------------------- bad rows


def test_bad_rows_with_reasons() -> None:
    data = template(
        ["A1", "2026-11-20", "", "Kurta", "2", "450", ""],  # row 2: fine
        ["A2", "31/02/2026", "", "Kurta", "2", "450", ""],  # no 31 Feb
        ["A3", "yesterday", "", "Kurta", "2", "450", ""],
        ["A4", "2026-11-20", "", "Kurta", "-2", "450", ""],
        ["A5", "2026-11-20", "", "Kurta", "0", "450", ""],
        ["A6", "2026-11-20", "", "Kurta", "1.5", "450", ""],
        ["A7", "2026-11-20", "", "Kurta", "two", "450", ""],
        ["A8", "2026-11-20", "", "Kurta", "1", "-450", ""],
        ["A9", "2026-11-20", "", "Kurta", "1", "0", ""],
        ["A10", "2026-11-20", "", "Kurta", "1", "abc", ""],
        ["", "2026-11-20", "", "Kurta", "1", "450", ""],
        ["A12", "2026-11-20", "", "", "1", "450", ""],
        ["A1", "2026-11-20", "", "Kurta", "2", "450", ""],  # same line again
        ["A14", "1999-12-31", "", "Kurta", "1", "450", ""],  # before 2000
        ["A15", "2026-11-20", "", "Kurta", "2000000", "450", ""],  # absurd quantity
        ["A16", "2026-11-20", "", "Kurta", "1", "2,00,00,001", ""],  # above ₹1 crore
    )
    report = read_order_report(data, "t.csv")
    assert report.ok
    assert [r.order_id for r in report.rows] == ["A1"]
    assert reasons(report) == [
        (3, "bad_date"),
        (4, "bad_date"),
        (5, "bad_quantity"),
        (6, "bad_quantity"),
        (7, "bad_quantity"),
        (8, "bad_quantity"),
        (9, "bad_price"),
        (10, "bad_price"),
        (11, "bad_price"),
        (12, "missing_order_id"),
        (13, "missing_product"),
        (14, "duplicate"),
        (15, "bad_date"),
        (16, "bad_quantity"),
        (17, "bad_price"),
    ]
    assert all(b.reason in BAD_ROW_REASONS for b in report.bad_rows)
    assert all(isinstance(b, BadRow) for b in report.bad_rows)


def test_same_order_different_products_are_two_lines() -> None:
    data = template(
        ["B1", "2026-11-20", "", "Kurta", "1", "450", ""],
        ["B1", "2026-11-20", "", "Dupatta", "1", "300", ""],
    )
    report = read_order_report(data, "t.csv")
    assert [r.line_id for r in report.rows] == ["B1|Kurta", "B1|Dupatta"]
    assert report.bad_rows == ()


def test_currency_other_than_inr_is_refused() -> None:
    header = ["amazon-order-id", "purchase-date", "sku", "product-name", "quantity", "currency",
              "item-price"]  # fmt: skip
    data = csv_bytes(
        [header, ["1", "2026-11-20", "S", "Lamp", "1", "USD", "10"],
         ["2", "2026-11-20", "S", "Lamp", "1", "INR", "450"]]
    )  # fmt: skip
    report = read_order_report(data, "a.csv")
    assert report.source == "amazon"
    assert reasons(report) == [(2, "not_inr")]
    assert report.rows[0].unit_price_paise == 45000


def test_blank_lines_are_skipped_but_counted_in_row_numbers() -> None:
    data = b"order_id,date,product,quantity,price_per_piece\n\nA1,2026-11-20,Kurta,1,450\n,,,,\n"
    report = read_order_report(data, "t.csv")
    assert report.ok
    assert [(r.order_id, r.row) for r in report.rows] == [("A1", 3)]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-11-20 23:10:00", date(2026, 11, 20)),
        ("2026-11-20T20:00:00+00:00", date(2026, 11, 21)),  # 01:30 IST next day
        ("2026-11-20T18:29:59Z", date(2026, 11, 20)),
        ("2026-11-20T18:30:00Z", date(2026, 11, 21)),
        ("2026-11-20T10:00:00+05:30", date(2026, 11, 20)),
        ("2026/11/20", date(2026, 11, 20)),
        ("20/11/2026", date(2026, 11, 20)),
        ("20-11-2026", date(2026, 11, 20)),
        ("20.11.2026", date(2026, 11, 20)),
        ("20/11/26", date(2026, 11, 20)),
        ("03/04/2026", date(2026, 4, 3)),  # day first by default
        ("20 Nov 2026", date(2026, 11, 20)),
        ("20-Nov-26", date(2026, 11, 20)),
        ("20th November 2026", date(2026, 11, 20)),
        ("Nov 20, 2026", date(2026, 11, 20)),
        ("Nov 20, 2026, 10:32 AM", date(2026, 11, 20)),
        ("Sept 5, 2026", date(2026, 9, 5)),
        (datetime(2026, 11, 20, 23, 0), date(2026, 11, 20)),
        (datetime(2026, 11, 20, 20, 0, tzinfo=UTC), date(2026, 11, 21)),
        (date(2026, 11, 20), date(2026, 11, 20)),
        (46346, date(2026, 11, 20)),  # Excel serial day
        ("31/02/2026", None),
        ("20 Noo 2026", None),
        ("20 Novembre 2026", None),
        ("1899-12-31", None),
        ("", None),
        (None, None),
        (True, None),
        (12.5, None),
        ("kal", None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert _parse_date(value, month_first=False) == expected


def test_parse_date_month_first() -> None:
    assert _parse_date("03/04/2026", month_first=True) == date(2026, 3, 4)
    assert _parse_date("2026-03-04", month_first=True) == date(2026, 3, 4)


def test_month_first_inferred_from_the_column() -> None:
    data = template(
        ["A1", "03/04/2026", "", "Kurta", "1", "450", ""],
        ["A2", "04/13/2026", "", "Kurta", "1", "450", ""],  # 13 can only be a day
    )
    report = read_order_report(data, "t.csv")
    assert [r.day for r in report.rows] == [date(2026, 3, 4), date(2026, 4, 13)]


def test_day_first_when_a_first_part_is_above_12() -> None:
    data = template(
        ["A1", "03/04/2026", "", "Kurta", "1", "450", ""],
        ["A2", "13/04/2026", "", "Kurta", "1", "450", ""],
    )
    report = read_order_report(data, "t.csv")
    assert [r.day for r in report.rows] == [date(2026, 4, 3), date(2026, 4, 13)]


def test_month_first_from_header_hint() -> None:
    data = csv_bytes(
        [
            ["Order ID", "Invoice Date (mm/dd/yy)", "SKU", "Quantity", "Selling Price Per Item"],
            ["OD1", "11/02/26", "K", "1", "450"],
        ]
    )
    assert read_order_report(data, "f.csv").rows[0].day == date(2026, 11, 2)


# --------------------------------------------------------------------------- malformed files


def test_error_codes_are_known() -> None:
    assert set(IMPORT_ERRORS) == {"too_large", "too_many_rows", "unreadable", "no_header", "empty"}


def test_empty_file() -> None:
    assert read_order_report(b"", "x.csv").error == "empty"
    assert read_order_report(b"  \n\n \r\n", "x.csv").error == "empty"
    assert read_order_report(b",,,\n,,,\n", "x.csv").error == "empty"


def test_binary_garbage() -> None:
    rng = random.Random(5)
    garbage = bytes(rng.getrandbits(8) for _ in range(20_000))
    assert read_order_report(garbage, "orders.csv").error == "unreadable"
    assert read_order_report(b"\x00\x01\x02abc,def\n", "orders.csv").error == "unreadable"


@pytest.mark.parametrize(
    "magic",
    [b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\x1f\x8b\x08"],
)
def test_other_binary_formats(magic: bytes) -> None:
    assert read_order_report(magic + b"order_id,date\n" * 3, "orders.xls").error == "unreadable"


def test_zip_that_is_not_xlsx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("orders.csv", "order_id,date\nA,2026-11-20\n")
    assert read_order_report(buffer.getvalue(), "orders.xlsx").error == "unreadable"


def test_broken_xlsx() -> None:
    good = sample("template_orders.xlsx")
    assert read_order_report(good[: len(good) // 2], "t.xlsx").error == "unreadable"
    # a workbook whose XML is garbage
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<<<")
    assert read_order_report(buffer.getvalue(), "t.xlsx").error == "unreadable"


def test_text_named_xlsx() -> None:
    assert read_order_report(sample("template_orders.csv"), "t.xlsx").error == "unreadable"


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < MAX_FILE_BYTES
    assert read_order_report(data, "bomb.xlsx").error == "unreadable"


def test_huge_file() -> None:
    data = template(["A1", "2026-11-20", "", "Kurta", "1", "450", ""]) + b"x" * MAX_FILE_BYTES
    assert read_order_report(data, "big.csv").error == "too_large"


def test_too_many_rows_csv() -> None:
    rows = [[f"A{i}", "2026-11-20", "", "K", "1", "450", ""] for i in range(MAX_ROWS + 1)]
    assert read_order_report(template(*rows), "t.csv").error == "too_many_rows"


def test_exactly_max_rows_is_fine() -> None:
    rows = [[f"A{i}", "2026-11-20", "", "K", "1", "450", ""] for i in range(MAX_ROWS)]
    report = read_order_report(template(*rows), "t.csv")
    assert report.ok and len(report.rows) == MAX_ROWS


def test_too_many_rows_xlsx() -> None:
    rows = [TEMPLATE_HEADER] + [
        [f"A{i}", "2026-11-20", None, "K", 1, 450, None] for i in range(MAX_ROWS + 20)
    ]
    data = xlsx_bytes(rows)
    assert len(data) < MAX_FILE_BYTES
    assert read_order_report(data, "t.xlsx").error == "too_many_rows"


def test_very_long_field_is_unreadable_not_a_crash() -> None:
    data = b'order_id,date\n"' + b"a" * 1_500_000 + b'",2026-11-20\n'
    report = read_order_report(data, "t.csv")
    assert report.error in ("unreadable", "no_header")


def test_not_bytes() -> None:
    assert read_order_report("order_id,date", "t.csv").error == "unreadable"  # type: ignore[arg-type]


def test_random_inputs_never_raise() -> None:
    rng = random.Random(42)
    pieces = [b"order_id", b",", b"\t", b";", b"\n", b"\"", b"date", b"2026-11-20", b"-1",
              b"quantity", b"price", b"\xff", b"\x00", b"PK\x03\x04", b"=\"", b"sku", b"1e9"]  # fmt: skip
    for _ in range(300):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        report = read_order_report(data, rng.choice(["a.csv", "a.xlsx", "a.txt", ""]))
        assert report.error is None or report.error in IMPORT_ERRORS


def test_row_total_property() -> None:
    row = read_order_report(sample("template_orders.csv"), "t.csv").rows[1]
    assert row.total_paise == row.unit_price_paise * row.quantity == 60000


def test_dates_are_not_shifted_by_local_timezone() -> None:
    """Naive text times are already local; only zoned ones are converted."""
    ist = timezone(timedelta(hours=5, minutes=30))
    data = template(["A1", "2026-11-20 23:59:59", "", "K", "1", "450", ""])
    assert read_order_report(data, "t.csv").rows[0].day == date(2026, 11, 20)
    moment = datetime(2026, 11, 20, 23, 59, tzinfo=ist)
    assert _parse_date(moment, month_first=False) == date(2026, 11, 20)
