"""Regenerates the binary/tab-separated sample reports in this folder.

Run from the repository root: ``.venv/bin/python tests/data/make_samples.py``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

AMAZON_HEADER = (
    "amazon-order-id merchant-order-id purchase-date last-updated-date order-status "
    "fulfillment-channel sales-channel order-channel url ship-service-level product-name sku "
    "asin item-status quantity currency item-price item-tax shipping-price shipping-tax "
    "gift-wrap-price gift-wrap-tax item-promotion-discount ship-promotion-discount ship-city "
    "ship-state ship-postal-code ship-country promotion-ids is-business-order "
    "purchase-order-number price-designation"
).split()

DIYA = ("Terracotta Diya Set of 6 - Handmade Gorakhpur Clay Lamps", "TC-DIYA-6", "B0DIYA0001")
HORSE = ("Terracotta Horse Figurine, 8 inch", "TC-HORSE-8", "B0HORSE001")
BELLS = ("Terracotta Wall Hanging Bells", "TC-BELL-01", "B0BELL0001")

# order id, purchase date (UTC), status, item, item status, quantity, item-price, city, pin
AMAZON_ROWS = [
    ("402-1111111-1000001", "2026-11-03T05:12:40+00:00", "Shipped", DIYA, "Shipped", "2", "598.00", "Lucknow", "226001"),
    ("402-1111111-1000002", "2026-11-06T19:45:00+00:00", "Shipped", DIYA, "Shipped", "1", "299.00", "Kanpur", "208001"),
    ("402-1111111-1000002", "2026-11-06T19:45:00+00:00", "Shipped", HORSE, "Shipped", "1", "850.00", "Kanpur", "208001"),
    ("402-1111111-1000003", "2026-11-08T11:00:00+00:00", "Cancelled", DIYA, "Cancelled", "0", "0.00", "Varanasi", "221001"),
    ("402-1111111-1000004", "2026-11-10T09:30:00+00:00", "Pending", HORSE, "Unshipped", "1", "", "Noida", "201301"),
    ("402-1111111-1000005", "2026-11-15T02:10:00+00:00", "Shipped", BELLS, "Shipped", "3", "1,047.00", "Prayagraj", "211001"),
]  # fmt: skip


def amazon_txt() -> None:
    lines = ["\t".join(AMAZON_HEADER)]
    for order, when, status, (name, sku, asin), item_status, qty, price, city, pin in AMAZON_ROWS:
        values = dict.fromkeys(AMAZON_HEADER, "")
        values.update({
            "amazon-order-id": order, "purchase-date": when, "last-updated-date": when,
            "order-status": status, "fulfillment-channel": "Merchant",
            "sales-channel": "Amazon.in", "ship-service-level": "Standard",
            "product-name": name, "sku": sku, "asin": asin, "item-status": item_status,
            "quantity": qty, "currency": "INR" if price else "", "item-price": price,
            "ship-city": city, "ship-state": "UTTAR PRADESH", "ship-postal-code": pin,
            "ship-country": "IN", "is-business-order": "false",
        })  # fmt: skip
        lines.append("\t".join(values[h] for h in AMAZON_HEADER))
    (HERE / "amazon_orders.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def template_xlsx() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sales"
    ws.append(["order_id", "date", "sku", "product", "quantity", "price_per_piece", "channel"])
    ws.append(["FAIR-101", date(2026, 11, 20), None, "कुर्ता", 2, 450, "ODOP mart"])
    ws.append(["FAIR-102", date(2026, 11, 20), None, "दीया सेट", 6, 120.5, "प्रदर्शनी"])
    ws.append(["SHOP-7", "21/11/2026", "KRT-01", "Chikan Kurta", 1, "₹1,350", "own shop"])
    ws.append(["WA-12", date(2026, 11, 22), None, "Dupatta", 3, 300, "WhatsApp"])
    ws.append([None, None, None, None, None, None, None])  # a blank line is skipped
    ws.append(["WA-13", date(2026, 11, 22), None, "Dupatta", -1, 300, "WhatsApp"])  # bad qty
    ws.append(["GEM-4", "not a date", "TR-05", "Toran", 10, 250, "GeM"])  # bad date
    ws.append(["MEESHO-88", date(2026, 11, 23), "TR-05", "Toran", 4, 260, ""])  # no channel
    wb.save(HERE / "template_orders.xlsx")


if __name__ == "__main__":
    amazon_txt()
    template_xlsx()
