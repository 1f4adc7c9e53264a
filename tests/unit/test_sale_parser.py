from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.services.sale_parser import (
    CHANNELS,
    MAX_INPUT_CHARS,
    MISSING_FIELDS,
    NOT_SALE_REASONS,
    ProductRef,
    SaleReading,
    channel_code,
    match_product,
    parse_sale,
)

TODAY = date(2026, 11, 23)  # a Monday
YESTERDAY = TODAY - timedelta(days=1)
KURTA, DIYA_SET, TORAN, DUPATTA, SAREE, KURTI, CHADAR, LOTA = range(1, 9)
PRODUCTS = [
    ProductRef(KURTA, "कुर्ता"),
    ProductRef(DIYA_SET, "दीया सेट"),
    ProductRef(TORAN, "Toran"),
    ProductRef(DUPATTA, "Dupatta"),
    ProductRef(SAREE, "Banarasi Saree", sku="BS-01"),
    ProductRef(KURTI, "Kurti"),
    ProductRef(CHADAR, "चादर"),
    ProductRef(LOTA, "पीतल का लोटा"),
]

U, T, N = "unit", "total", None  # price kinds
D0, D1, D2 = TODAY, YESTERDAY, TODAY - timedelta(days=2)

# text, quantity, rupees, price kind, product, channel, day
SALES: list[
    tuple[str, int | None, float | None, str | None, int | None, str | None, date | None]
] = [
    # the examples
    ("आज ३ कुर्ते ४५० में बेचे", 3, 450, N, KURTA, None, D0),
    ("कल दो दीये सेट 300 रुपये के", 2, 300, N, DIYA_SET, None, D1),
    ("sold 2 diya set for 300 each on flipkart", 2, 300, U, DIYA_SET, "flipkart", None),
    ("kal 5 toran 1200", 5, 1200, N, TORAN, None, D1),
    ("5 kurta 2250 total", 5, 2250, T, KURTA, None, None),
    ("3 कुर्ते बिके 1350 कुल, फ्लिपकार्ट पर", 3, 1350, T, KURTA, "flipkart", None),
    ("meesho pe 4 dupatta 300 each", 4, 300, U, DUPATTA, "meesho", None),
    ("डेढ़ सौ का एक दीया बेचा", 1, 150, U, DIYA_SET, None, None),
    # Hinglish, number words
    ("aaj 2 kurte 900 me beche", 2, 900, N, KURTA, None, D0),
    ("aaj do kurte nau sau me beche", 2, 900, N, KURTA, None, D0),
    ("teen kurte 1500 me beche", 3, 1500, N, KURTA, None, None),
    ("ek saree bechi dhai hazaar ki", 1, 2500, U, SAREE, None, None),
    ("parson 10 diye bike 20 rs each", 10, 20, U, DIYA_SET, None, D2),
    ("kal 12 diye bike 240 sab milakar", 12, 240, T, DIYA_SET, None, D1),
    ("kal 12 diye 240", 12, 240, N, DIYA_SET, None, D1),
    ("3 kurte 1350", 3, 1350, N, KURTA, None, None),
    ("2 dozen diye bike 600 total", 24, 600, T, DIYA_SET, None, None),
    ("3 kurte, ek ka 450", 3, 450, U, KURTA, None, None),
    ("har ek 300 ka, 4 dupatte beche", 4, 300, U, DUPATTA, None, None),
    ("mela me 4 toran beche 400 wale", 4, 400, U, TORAN, "odop_mart", None),
    ("dukan se 5 kurti biki 250 ki ek", 5, 250, U, KURTI, "local", None),
    ("whatsapp pe 2 dupatte beche 700", 2, 700, N, DUPATTA, "whatsapp", None),
    ("ODOP mart par 2 toran bech diye 800", 2, 800, N, TORAN, "odop_mart", None),
    ("GeM portal pe 10 kurte beche 4500 kul", 10, 4500, T, KURTA, "gem", None),
    ("kal flipkart pe 3 saree bik gayi 13500 total", 3, 13500, T, SAREE, "flipkart", D1),
    ("aaj 2 kurtiyan bikin 600 ki", 2, 600, N, KURTI, None, D0),
    ("abhi 1 toran becha 350 rupaye", 1, 350, U, TORAN, None, D0),
    ("2 din pehle 3 kurte beche 900", 3, 900, N, KURTA, None, TODAY - timedelta(days=2)),
    ("somvar ko 3 kurte beche 1350 kul", 3, 1350, T, KURTA, None, TODAY - timedelta(days=7)),
    ("flipkart order 2 kurta 900", 2, 900, N, KURTA, "flipkart", None),
    ("3 kurte bech diye, 450 each", 3, 450, U, KURTA, None, None),
    ("kurta 1 pc 450", 1, 450, U, KURTA, None, None),
    ("₹450 ka ek kurta becha", 1, 450, U, KURTA, None, None),
    ("Rs. 1,200 ke 2 dupatte beche", 2, 1200, N, DUPATTA, None, None),
    ("1200/- me 3 toran beche", 3, 1200, N, TORAN, None, None),
    ("2 lote bike 1.4k total", 2, 1400, T, LOTA, None, None),
    ("customer ne 3 kurtis kharidi 900 total", 3, 900, T, KURTI, None, None),
    # Hindi
    ("आज दो साड़ियाँ ५००० की बिकीं", 2, 5000, N, SAREE, None, D0),
    ("आज ढाई हज़ार की एक साड़ी बेची", 1, 2500, U, SAREE, None, D0),
    ("परसों 10 दीये बिके 20 रुपये प्रति दीया", 10, 20, U, DIYA_SET, None, D2),
    ("मेले में 4 तोरण बेचे 1600 रुपये कुल", 4, 1600, T, TORAN, "odop_mart", None),
    ("व्हाट्सएप से 2 दुपट्टे बिके ७०० रुपये के", 2, 700, N, DUPATTA, "whatsapp", None),
    ("तीन दुपट्टे साढ़े सात सौ में बेचे", 3, 750, N, DUPATTA, None, None),
    ("सवा सौ के 4 दीये बेचे", 4, 125, N, DIYA_SET, None, None),
    ("कुर्तियाँ 3 बिकीं 900 कुल", 3, 900, T, KURTI, None, None),
    ("4 चादरें बेचीं 2000 में", 4, 2000, N, CHADAR, None, None),
    ("2 पीतल के लोटे बिके 1400 कुल", 2, 1400, T, LOTA, None, None),
    ("ग्राहक ने 3 कुर्ते खरीदे 900 में", 3, 900, N, KURTA, None, None),
    ("१२ तारीख को ३ दीये सेट बेचे ७५० कुल", 3, 750, T, DIYA_SET, None, date(2026, 11, 12)),
    ("प्रदर्शनी में 6 दीया सेट बिके, हर एक 250 का", 6, 250, U, DIYA_SET, "odop_mart", None),
    ("दुकान पर एक चादर बिकी 800 रुपये", 1, 800, U, CHADAR, "local", None),
    # English
    ("sold 3 kurtas at 450", 3, 450, U, KURTA, None, None),
    ("Sold 3 Kurtas @450 each on Amazon", 3, 450, U, KURTA, "amazon", None),
    ("2 sarees sold for 9000 total", 2, 9000, T, SAREE, None, None),
    ("sold 4 kurtis yesterday for 1200 in all", 4, 1200, T, KURTI, None, D1),
    ("sold 1 banarasi saree for 5500 on amazon", 1, 5500, U, SAREE, "amazon", None),
    ("sold a kurta for 500", 1, 500, U, KURTA, None, None),
    ("sold two dupattas for 600 altogether on whatsapp", 2, 600, T, DUPATTA, "whatsapp", None),
    ("3 x 450 kurti", 3, 450, U, KURTI, None, None),
    ("kurti 2 @ 350", 2, 350, U, KURTI, None, None),
    ("12 nov: 2 saree bechi 4500 each", 2, 4500, U, SAREE, None, date(2026, 11, 12)),
    ("12/11 ko 2 toran bike 900", 2, 900, N, TORAN, None, date(2026, 11, 12)),
    ("BS-01 2 pcs sold 9000 total", 2, 9000, T, SAREE, None, None),
    ("exhibition me 6 diya set sold 250 each", 6, 250, U, DIYA_SET, "odop_mart", None),
    ("local shop 3 kurti sold 750 total", 3, 750, T, KURTI, "local", None),
    ("sold 2 kurtas on instagram for 1800 total", 2, 1800, T, KURTA, "other", None),
    ("aaj 4 toran 250 rupay ke hisab se beche", 4, 250, U, TORAN, None, D0),
    ("कल मेले में 20 दीये 10 रुपये के हिसाब से बिके", 20, 10, U, DIYA_SET, "odop_mart", D1),
    ("maine aaj 3 dupatte beche, 250 rupaye ek", 3, 250, U, DUPATTA, None, D0),
    ("teeno kurte 1500 me bik gaye", 3, 1500, T, KURTA, None, None),
    ("do saree 8000 me dono bik gayi", 2, 8000, T, SAREE, None, None),
    ("5 kurti 300/pc", 5, 300, U, KURTI, None, None),
    ("ystrdy 2 kurte 900", 2, 900, N, KURTA, None, D1),
    ("Sold 2 kurta for Rs 1,800/- on flipkart yesterday", 2, 1800, N, KURTA, "flipkart", D1),
    ("flipkart se 1 saree ka order deliver hua 4500", 1, 4500, U, SAREE, "flipkart", None),
    ("dedh hazaar ka ek kurta becha", 1, 1500, U, KURTA, None, None),
    ("पांच सौ का एक तोरण बिका", 1, 500, U, TORAN, None, None),
    ("हमने कल 4 तोरण बेचे, एक का 300", 4, 300, U, TORAN, None, D1),
    # missing values
    ("3 kurte bike", 3, None, N, KURTA, None, None),
    ("450 me kurta becha", None, 450, N, KURTA, None, None),
]

NOT_SALES: list[tuple[str, str]] = [
    ("कितने कुर्ते बिके?", "question"),
    ("इस हफ्ते कितनी बिक्री हुई", "question"),
    ("how do I add a product", "question"),
    ("how many kurtas did I sell this week", "question"),
    ("bhai kurta kitne ka bika", "question"),
    ("5 kurte 450 me bech sakte hain?", "question"),
    ("आज 5 मीटर कपड़ा खरीदा 500 का", "purchase"),
    ("bought thread for 200", "purchase"),
    ("200 ka dhaga liya", "purchase"),
    ("kal 3 kurte bechunga", "future"),
    ("कल 3 कुर्ते बेचूंगा", "future"),
    ("will sell 5 tomorrow", "future"),
    ("agle hafte mela me 20 diye bechne hain", "future"),
    ("namaste ji", "no_sale_words"),
    ("hello", "no_sale_words"),
    ("450", "no_sale_words"),
    ("३", "no_sale_words"),
    ("₹500", "no_sale_words"),
    ("kurta 450", "no_sale_words"),
    ("aaj kuch nahi bika", "negative"),
    ("didn't sell anything today", "negative"),
    ("no sale today", "negative"),
    ("2 kurte wapas aaye 900 ke", "return"),
    ("customer ne 1 saree return ki", "return"),
    ("kiraya 2000 diya", "expense"),
    ("main 300 me kurta bechta hu", "habitual"),
    ("roz 5 diye bikte hain", "habitual"),
    ("i sell kurtas for 500 each", "habitual"),
    ("aaj 3 kurte bech raha hu 450 me", "habitual"),
    ("sales report dikhao", "request"),
    ("naya product kurta 450 jodo", "request"),
    ("/start", "command"),
    ("aaj ek kurta 1200 ka becha aur 2 dupatte 300 ke", "several"),
    ("3 kurte aur 2 dupatte 900 total beche", "several"),
    ("", "empty"),
    ("   \n ", "empty"),
    ("becha", "empty"),
]


def read(text: str, products: list[ProductRef] | None = None) -> SaleReading:
    return parse_sale(text, PRODUCTS if products is None else products, TODAY)


@pytest.mark.parametrize(
    ("text", "quantity", "rupees", "kind", "product", "channel", "day"),
    SALES,
    ids=[s[0] for s in SALES],
)
def test_sale_table(
    text: str,
    quantity: int | None,
    rupees: float | None,
    kind: str | None,
    product: int | None,
    channel: str | None,
    day: date | None,
) -> None:
    r = read(text)
    assert r.is_sale, r.reason
    assert r.reason is None
    assert r.quantity == quantity
    assert r.amount_paise == (round(rupees * 100) if rupees is not None else None)
    assert r.price_kind == kind
    assert r.product_id == product
    assert r.product_candidates == ()
    assert r.channel == channel
    assert r.day == day
    assert r.product_text
    expected_missing = []
    if product is None:
        expected_missing.append("product")
    if quantity is None:
        expected_missing.append("quantity")
    if rupees is None:
        expected_missing.append("price")
    elif kind is None:
        expected_missing.append("price_kind")
    assert r.missing == tuple(expected_missing)


def test_table_sizes() -> None:
    assert len(SALES) >= 45
    assert len(NOT_SALES) >= 12


@pytest.mark.parametrize(("text", "reason"), NOT_SALES, ids=[n[0] or "<empty>" for n in NOT_SALES])
def test_not_a_sale(text: str, reason: str) -> None:
    r = read(text)
    assert not r.is_sale
    assert r.reason == reason
    assert reason in NOT_SALE_REASONS
    assert (r.quantity, r.amount_paise, r.product_id, r.missing) == (None, None, None, ())


# --------------------------------------------------------------------------- details


def test_product_text_is_the_words_as_typed() -> None:
    assert read("sold 2 Diya Set for 300 each").product_text == "Diya Set"
    assert read("आज ३ कुर्ते ४५० में बेचे").product_text == "कुर्ते"
    assert read("2 पीतल के लोटे बिके 1400 कुल").product_text == "पीतल के लोटे"
    assert read("BS-01 2 pcs sold 9000 total").product_text == "BS-01"


def test_unknown_product_keeps_its_text() -> None:
    r = read("kal 5 khilone beche 500 total")
    assert r.is_sale
    assert (r.quantity, r.amount_paise, r.price_kind) == (5, 50000, "total")
    assert r.product_id is None and r.product_candidates == ()
    assert r.product_text == "khilone"
    assert r.missing == ("product",)


def test_no_products_at_all() -> None:
    r = read("5 kurta 2250 total", products=[])
    assert r.is_sale
    assert r.product_id is None and r.product_text == "kurta"
    assert r.missing == ("product",)


def test_ambiguous_product_gives_candidates() -> None:
    products = [
        ProductRef(1, "Chikan Kurta"),
        ProductRef(2, "Cotton Kurta"),
        ProductRef(3, "Chikan Kurti"),
        ProductRef(4, "Terracotta Diya Set"),
    ]
    r = read("3 kurte 1350 beche", products)
    assert r.product_id is None
    assert set(r.product_candidates) == {1, 2}  # kurti is not a kurta
    assert r.product_text == "kurte"
    assert r.missing == ("product", "price_kind")
    assert read("2 chikan kurte beche 1800", products).product_id == 1
    assert read("cotton kurta 2 sold 900", products).product_id == 2
    assert read("चिकन कुर्ता 2 बेचे 1600 कुल", products).product_id == 1
    assert read("chikan kurti 1 sold 700", products).product_id == 3
    assert set(read("3 chikan beche 2100", products).product_candidates) == {1, 3}
    assert read("2 diye sold 300", products).product_id == 4  # the only diya


@pytest.mark.parametrize(
    ("name", "typed"),
    [
        ("कुर्ता", "kurta"),
        ("कुर्ता", "kurtas"),
        ("कुर्ता", "kurte"),
        ("कुर्ता", "कुर्तों"),
        ("Kurta", "कुर्ते"),
        ("दीया", "diya"),
        ("दीया", "diye"),
        ("दीया", "diyas"),
        ("दीया", "दिये"),
        ("दीया", "दीयों"),
        ("Diya", "दीये"),
        ("Saree", "साड़ियाँ"),
        ("Saree", "sarees"),
        ("Saree", "sari"),
        ("साड़ी", "saree"),
        ("साड़ी", "sadi"),
        ("Dupatta", "दुपट्टे"),
        ("Dupatta", "dupate"),
        ("Dupatta", "duppata"),
        ("चादर", "chadar"),
        ("Chadar", "चादरें"),
        ("खिलौना", "khilone"),
        ("Kurti", "कुर्तियाँ"),
        ("Kurti", "kurtiyon"),
        ("Toran", "तोरण"),
    ],
)
def test_singular_plural_and_scripts(name: str, typed: str) -> None:
    r = parse_sale(
        f"2 {typed} beche 500 total", [ProductRef(7, name), ProductRef(8, "Lamp")], TODAY
    )
    assert r.product_id == 7, (name, typed, r)


@pytest.mark.parametrize(("a", "b"), [("kurta", "kurti"), ("कुर्ता", "कुर्ती"), ("kurte", "kurti")])
def test_kurta_is_not_kurti(a: str, b: str) -> None:
    r = parse_sale(f"2 {a} beche 500 total", [ProductRef(1, b)], TODAY)
    assert r.product_id is None and r.product_candidates == ()


def test_sku_match_is_case_insensitive_and_not_read_as_numbers() -> None:
    products = [ProductRef(1, "Kurta", sku="KRT-450"), ProductRef(2, "Dupatta")]
    r = read("krt-450 3 pcs sold 1350 total", products)
    assert (r.product_id, r.quantity, r.amount_paise, r.price_kind) == (1, 3, 135000, "total")


def test_unit_and_total_properties() -> None:
    r = read("5 kurta 2250 total")
    assert (r.total_paise, r.unit_price_paise) == (225000, 45000)
    r = read("meesho pe 4 dupatta 300 each")
    assert (r.total_paise, r.unit_price_paise) == (120000, 30000)
    r = read("3 kurte 1000 total bike")
    assert r.unit_price_paise == 33333  # rounded to the paisa
    r = read("आज ३ कुर्ते ४५० में बेचे")
    assert (r.total_paise, r.unit_price_paise) == (None, None)  # per piece or total: ask
    r = read("3 kurte bike")
    assert (r.total_paise, r.unit_price_paise) == (None, None)


def test_price_kind_nearest_marker_wins() -> None:
    r = read("3 kurte 450 each, total 1350")
    assert r.quantity == 3
    assert r.price_kind in ("unit", "total")
    assert r.total_paise == 135000


def test_day_words() -> None:
    assert read("kal 5 toran beche 1200").day == YESTERDAY
    assert read("yesterday sold 2 kurtas for 900").day == YESTERDAY
    assert read("day before yesterday sold 2 kurtas for 900").day == D2
    assert read("today sold 2 kurtas for 900").day == TODAY
    assert read("3 days ago sold 2 kurtas for 900").day == TODAY - timedelta(days=3)
    assert read("दो दिन पहले 2 कुर्ते बेचे 900 में").day == D2
    assert read("sold 2 kurtas for 900 on friday").day == date(2026, 11, 20)
    assert read("monday ko 2 kurte beche 900").day == date(2026, 11, 16)  # today is Monday
    assert read("sold 2 kurtas for 900").day is None


def test_explicit_dates() -> None:
    assert read("12/11/2026 ko 2 kurte beche 900").day == date(2026, 11, 12)
    assert read("2026-11-12 2 kurte beche 900").day == date(2026, 11, 12)
    assert read("Nov 12 2 kurte beche 900").day == date(2026, 11, 12)
    assert read("12 नवंबर को 2 कुर्ते बेचे 900 में").day == date(2026, 11, 12)
    # without a year: the latest such date not after today
    assert read("25 dec ko 2 kurte beche 900").day == date(2025, 12, 25)
    assert read("30 तारीख को 2 कुर्ते बेचे 900").day == date(2026, 10, 30)
    # a date in the future or impossible is dropped, not guessed
    assert read("12/12/2026 ko 2 kurte beche 900").day is None
    assert read("31/02 ko 2 kurte beche 900").day is None
    # the date's digits are never the quantity or the price
    r = read("12/11 ko 2 toran bike 900")
    assert (r.quantity, r.amount_paise) == (2, 90000)


def test_clock_times_and_percentages_are_ignored() -> None:
    r = read("aaj 5 baje 2 kurte beche 900 total")
    assert (r.quantity, r.amount_paise, r.price_kind) == (2, 90000, "total")
    r = read("10:30 pe 2 kurte beche 900 total")
    assert (r.quantity, r.amount_paise) == (2, 90000)
    r = read("2 kurte beche 900 total, 10% discount")
    assert (r.quantity, r.amount_paise) == (2, 90000)


def test_channel_words() -> None:
    cases = {
        "flipcart pe 2 kurte beche 900 total": "flipkart",
        "amazon.in pe 2 kurte beche 900 total": "amazon",
        "मीशो पर 2 कुर्ते बेचे 900 कुल": "meesho",
        "जेम पोर्टल पर 2 कुर्ते बेचे 900 कुल": "gem",
        "हुनर हाट में 2 कुर्ते बेचे 900 कुल": "odop_mart",
        "trade fair me 2 kurte beche 900 total": "odop_mart",
        "apni dukan se 2 kurte beche 900 total": "local",
        "ghar se 2 kurte beche 900 total": "local",
        "वॉट्सऐप पर 2 कुर्ते बेचे 900 कुल": "whatsapp",
        "facebook pe 2 kurte beche 900 total": "other",
    }
    for text, channel in cases.items():
        assert read(text).channel == channel, text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Flipkart", "flipkart"),
        ("flipcart", "flipkart"),
        ("Amazon.in", "amazon"),
        ("ODOP Mart", "odop_mart"),
        ("odop_mart", "odop_mart"),
        ("मेला", "odop_mart"),
        ("Exhibition", "odop_mart"),
        ("प्रदर्शनी", "odop_mart"),
        ("own shop", "local"),
        ("दुकान", "local"),
        ("GeM", "gem"),
        ("WhatsApp", "whatsapp"),
        ("instagram", "other"),
        ("other", "other"),
        ("xyz", None),
        ("", None),
        (None, None),
    ],
)
def test_channel_code(text: str | None, code: str | None) -> None:
    assert channel_code(text) == code
    assert code is None or code in CHANNELS


def test_match_product_for_listing_titles() -> None:
    products = [
        ProductRef(1, "Chikan Kurta"),
        ProductRef(2, "Terracotta Diya Set"),
        ProductRef(3, "बनारसी साड़ी"),
    ]
    assert match_product("Terracotta Diya Set of 4 - Handmade", products).product_id == 2
    assert match_product("Banarasi Silk Saree with Blouse", products).product_id == 3
    assert match_product("Lucknowi Chikankari Kurta (White, XL)", products).product_id == 1
    assert match_product("Wooden toys", products).product_id is None
    assert match_product("anything", []).product_id is None
    hit = match_product("order for sku DS-4", [ProductRef(9, "Lamp", sku="ds-4")])
    assert (hit.product_id, hit.text) == (9, "DS-4")


def test_missing_order() -> None:
    assert MISSING_FIELDS == ("product", "quantity", "price", "price_kind")
    r = read("becha 450 me")
    assert r.is_sale
    assert r.missing == ("product", "quantity", "price_kind")


def test_quantity_is_whole_and_price_in_paise() -> None:
    r = read("2 kurte beche 450.50 each")
    assert (r.quantity, r.amount_paise) == (2, 45050)
    r = read("dedh kurta becha 300")  # 1.5 cannot be a quantity: 300 is the price
    assert (r.quantity, r.amount_paise) == (None, 30000)


def test_reading_is_frozen() -> None:
    r = read("5 kurta 2250 total")
    with pytest.raises(AttributeError):
        r.quantity = 4  # type: ignore[misc]


# --------------------------------------------------------------------------- robustness


def test_long_input_is_safe_and_not_a_sale() -> None:
    text = "आज ३ कुर्ते ४५० में बेचे " * 400
    assert len(text) > MAX_INPUT_CHARS
    r = read(text)
    assert not r.is_sale and r.reason == "too_long"


@pytest.mark.parametrize(
    "text",
    [
        "9" * 199,
        "do " * 60,
        "सौ " * 60,
        "1,2,3,4,5,6,7,8,9,10," * 9,
        "₹" * 150,
        "?" * 150,
        "kurta " * 30,
        "\u200d\u200c" * 80,
        "😀 " * 60,
        "12/11/12/11/12/11/12/11/12/11/12/11",
        "dedh dhai sawa saadhe paune sau hazaar lakh crore k l cr",
    ],
)
def test_odd_inputs_do_not_crash(text: str) -> None:
    r = read(text)
    assert isinstance(r, SaleReading)
    assert r.is_sale or r.reason in NOT_SALE_REASONS


def test_not_a_string() -> None:
    assert read(None).reason == "empty"  # type: ignore[arg-type]
