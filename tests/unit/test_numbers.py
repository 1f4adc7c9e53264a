from __future__ import annotations

from decimal import Decimal

import pytest

from bot.numbers import (
    DEVANAGARI_DIGITS,
    MAX_PRICE_PAISE,
    PRICE_ERRORS,
    PriceParse,
    format_inr,
    format_int,
    format_percent,
    normalize_digits,
    parse_number,
    parse_price_paise,
    parse_quantity,
    to_devanagari_digits,
)

# --------------------------------------------------------------------------- digits


def test_digit_translation() -> None:
    assert DEVANAGARI_DIGITS == "०१२३४५६७८९"
    assert normalize_digits("१,२३४.५० रुपये") == "1,234.50 रुपये"
    assert normalize_digits("abc ₹") == "abc ₹"
    assert to_devanagari_digits("₹1,23,456.50") == "₹१,२३,४५६.५०"
    assert normalize_digits(to_devanagari_digits("0123456789")) == "0123456789"


# --------------------------------------------------------------------------- parse_number

NUMBER_CASES = [
    ("3", "3"),
    ("३", "3"),
    (" 42 ", "42"),
    ("1,200", "1200"),
    ("१,२००", "1200"),
    ("1,23,456", "123456"),
    ("1,234,567", "1234567"),
    ("1.5", "1.5"),
    ("१.५", "1.5"),
    (".5", "0.5"),
    ("-5", "-5"),
    ("एक", "1"),
    ("दो", "2"),
    ("तीन", "3"),
    ("चार", "4"),
    ("पाँच", "5"),
    ("पांच", "5"),
    ("छह", "6"),
    ("छः", "6"),
    ("सात", "7"),
    ("आठ", "8"),
    ("नौ", "9"),
    ("दस", "10"),
    ("ग्यारह", "11"),
    ("पंद्रह", "15"),
    ("पन्द्रह", "15"),
    ("बीस", "20"),
    ("पच्चीस", "25"),
    ("तीस", "30"),
    ("चालीस", "40"),
    ("पचास", "50"),
    ("अड़तीस", "38"),
    ("अडतीस", "38"),
    ("निन्यानबे", "99"),
    ("सौ", "100"),
    ("हज़ार", "1000"),
    ("हजार", "1000"),
    ("एक लाख", "100000"),
    ("दो करोड़", "20000000"),
    ("आधा", "0.5"),
    ("डेढ़", "1.5"),
    ("डेढ", "1.5"),
    ("ढाई", "2.5"),
    ("सवा सौ", "125"),
    ("सवा दो", "2.25"),
    ("साढ़े तीन", "3.5"),
    ("साढ़े तीन सौ", "350"),
    ("पौने दो सौ", "175"),
    ("2 हज़ार", "2000"),
    ("२ हज़ार", "2000"),
    ("1.5 lakh", "150000"),
    ("डेढ़ हज़ार", "1500"),
    ("ढाई सौ", "250"),
    ("दो हज़ार पाँच सौ", "2500"),
    ("एक लाख बीस हज़ार", "120000"),
    ("ek", "1"),
    ("do", "2"),
    ("teen", "3"),
    ("char", "4"),
    ("paanch", "5"),
    ("panch", "5"),
    ("chhe", "6"),
    ("chah", "6"),
    ("saat", "7"),
    ("aath", "8"),
    ("nau", "9"),
    ("das", "10"),
    ("bees", "20"),
    ("pachees", "25"),
    ("sau", "100"),
    ("do sau pachas", "250"),
    ("hazaar", "1000"),
    ("teen hazar", "3000"),
    ("paanch hajar", "5000"),
    ("ek lakh", "100000"),
    ("do crore", "20000000"),
    ("dedh", "1.5"),
    ("derh sau", "150"),
    ("dhai sau", "250"),
    ("dhaai hazaar", "2500"),
    ("sawa sau", "125"),
    ("sadhe teen", "3.5"),
    ("saade teen sau", "350"),
    ("one", "1"),
    ("twelve", "12"),
    ("twenty", "20"),
    ("twenty five", "25"),
    ("one hundred", "100"),
    ("one hundred and twenty five", "125"),
    ("two thousand five hundred", "2500"),
    ("1.5k", "1500"),
    ("2k", "2000"),
    ("2 K", "2000"),
    ("1.5L", "150000"),
    ("TEEN", "3"),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_parse_number(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "hello 5",
        "k",
        "lakh lakh",
        "हज़ार हज़ार",
        "1 2",
        "1,2,3",
        "1,00",
        "1.5.3",
        "5-3",
        "twenty thirty",
        "साढ़े",
        "सवा डेढ़",
        "3 apples",
        "9" * 500,
        "₹500",  # currency is parse_price_paise's job
    ],
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_whole_results_have_no_exponent() -> None:
    assert str(parse_number("सवा सौ")) == "125"
    assert str(parse_number("1.5 lakh")) == "150000"


# --------------------------------------------------------------------------- parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("३", 3),
        ("तीन", 3),
        ("teen", 3),
        ("3 pcs", 3),
        ("3pcs", 3),
        ("3 पीस", 3),
        ("३ पीस", 3),
        ("10 नग", 10),
        ("qty 5", 5),
        ("5 nos.", 5),
        ("1,000", 1000),
        ("दो सौ", 200),
        ("1000000", 1_000_000),
    ],
)
def test_parse_quantity(text: str, expected: int) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text", ["0", "-3", "1.5", "डेढ़", "1000001", "1 crore", "", "pcs", "abc", "3.0.1"]
)
def test_parse_quantity_rejects(text: str) -> None:
    assert parse_quantity(text) is None


# --------------------------------------------------------------------------- parse_price_paise

PRICE_CASES: list[tuple[str, int | None, str | None]] = [
    # valid
    ("450", 45_000, None),
    ("४५०", 45_000, None),
    ("₹1,200", 120_000, None),
    ("₹ 1,200", 120_000, None),
    ("₹१,२००", 120_000, None),
    ("Rs 1200", 120_000, None),
    ("Rs. 1200", 120_000, None),
    ("rs.1200", 120_000, None),
    ("RS 1200", 120_000, None),
    ("1200 rs", 120_000, None),
    ("1200rs", 120_000, None),
    ("1200/-", 120_000, None),
    ("Rs. 1,200/-", 120_000, None),
    ("1200 रुपये", 120_000, None),
    ("1200 रुपए", 120_000, None),
    ("१२०० रुपये", 120_000, None),
    ("रु 1200", 120_000, None),
    ("रु. 1200", 120_000, None),
    ("रु.1200", 120_000, None),
    ("1,23,456", 12_345_600, None),
    ("123,456", 12_345_600, None),
    ("99.50", 9_950, None),
    ("99.5", 9_950, None),
    ("₹0.50", 50, None),
    ("1.5 हज़ार", 150_000, None),
    ("डेढ़ हज़ार", 150_000, None),
    ("डेढ़ हज़ार रुपये", 150_000, None),
    ("ढाई सौ रुपए", 25_000, None),
    ("1.5 lakh", 15_000_000, None),
    ("2k", 200_000, None),
    ("INR 500", 50_000, None),
    ("500 INR", 50_000, None),
    ("500 rupees", 50_000, None),
    ("paanch sau rupaye", 50_000, None),
    ("₹1,200.50 only", 120_050, None),
    ("1 crore", 1_000_000_000, None),
    ("Re. 1", 100, None),
    ("1.2345 lakh", 12_345_000, None),
    # invalid
    ("", None, "empty"),
    ("   ", None, "empty"),
    ("₹", None, "empty"),
    ("rs", None, "empty"),
    ("abc", None, "not_a_number"),
    ("₹abc", None, "not_a_number"),
    ("12 34", None, "not_a_number"),
    ("1,2,3", None, "not_a_number"),
    ("price is 500", None, "not_a_number"),
    ("0", None, "zero"),
    ("०", None, "zero"),
    ("₹0.00", None, "zero"),
    ("-5", None, "negative"),
    ("₹-5", None, "negative"),
    ("-₹500", None, "negative"),
    ("99.505", None, "too_many_decimals"),
    ("1.234", None, "too_many_decimals"),
    ("0.001", None, "too_many_decimals"),
    ("2 crore", None, "too_large"),
    ("1,00,00,001", None, "too_large"),
    ("10000000.01", None, "too_large"),
    ("9" * 30, None, "too_large"),
    ("1" * 200, None, "not_a_number"),
]


@pytest.mark.parametrize(("text", "paise", "error"), PRICE_CASES)
def test_parse_price_paise(text: str, paise: int | None, error: str | None) -> None:
    result = parse_price_paise(text)
    assert result == PriceParse(paise, error)
    assert result.ok is (paise is not None)
    assert result.error is None or result.error in PRICE_ERRORS
    assert result.paise is None or isinstance(result.paise, int)


def test_price_count() -> None:
    assert len(PRICE_CASES) >= 40


def test_price_max_is_configurable() -> None:
    assert parse_price_paise("5000", max_paise=100_000) == PriceParse(None, "too_large")
    assert parse_price_paise("1000", max_paise=100_000) == PriceParse(100_000, None)
    assert MAX_PRICE_PAISE == 1_000_000_000


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("paise", "expected"),
    [
        (0, "₹0"),
        (500, "₹5"),
        (99_900, "₹999"),
        (100_000, "₹1,000"),
        (10_000_000, "₹1,00,000"),
        (12_345_600, "₹1,23,456"),
        (1_234_567_800, "₹1,23,45,678"),
        (9_950, "₹99.50"),
        (5, "₹0.05"),
        (12_345_650, "₹1,23,456.50"),
        (-50_000, "-₹500"),
        (-9_950, "-₹99.50"),
    ],
)
def test_format_inr(paise: int, expected: str) -> None:
    assert format_inr(paise) == expected


def test_format_inr_options() -> None:
    assert format_inr(12_345_600, devanagari=True) == "₹१,२३,४५६"
    assert format_inr(9_950, devanagari=True) == "₹९९.५०"
    assert format_inr(50_000, paise_digits="always") == "₹500.00"
    assert format_inr(9_950, paise_digits="never") == "₹100"
    assert format_inr(9_949, paise_digits="never") == "₹99"
    assert format_inr(-40, paise_digits="never") == "₹0"
    with pytest.raises(ValueError):
        format_inr(100, paise_digits="sometimes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"),
        (5, "5"),
        (999, "999"),
        (1000, "1,000"),
        (100_000, "1,00,000"),
        (123_456, "1,23,456"),
        (12_345_678, "1,23,45,678"),
        (-1234, "-1,234"),
    ],
)
def test_format_int(n: int, expected: str) -> None:
    assert format_int(n) == expected
    assert format_int(n, devanagari=True) == to_devanagari_digits(expected)


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (52, True, "+52%"),
        (52.4, True, "+52%"),
        (-3.5, True, "-3.5%"),
        (3.25, True, "+3.3%"),
        (5, True, "+5%"),
        (9.96, True, "+10%"),
        (10.4, True, "+10%"),
        (-12.5, True, "-13%"),
        (0, True, "0%"),
        (-0.04, True, "0%"),
        (0.05, True, "+0.1%"),
        (Decimal("7.25"), True, "+7.3%"),
        (52, False, "52%"),
        (-3.5, False, "-3.5%"),
        (123_456, True, "+1,23,456%"),
        (None, True, "—"),
        (float("nan"), True, "—"),
    ],
)
def test_format_percent(value, signed: bool, expected: str) -> None:
    assert format_percent(value, signed=signed) == expected


def test_format_percent_devanagari() -> None:
    assert format_percent(-3.5, devanagari=True) == "-३.५%"


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "paise", [1, 50, 100, 9_950, 45_000, 120_050, 12_345_600, 1_234_567_800, 1_000_000_000]
)
def test_price_round_trip(paise: int) -> None:
    big = 10**12
    expected = PriceParse(paise, None)
    assert parse_price_paise(format_inr(paise), max_paise=big) == expected
    assert parse_price_paise(format_inr(paise, devanagari=True), max_paise=big) == expected
    assert parse_price_paise(format_inr(paise, paise_digits="always"), max_paise=big) == expected


@pytest.mark.parametrize("n", [1, 7, 999, 1000, 123_456, 1_000_000])
def test_int_round_trip(n: int) -> None:
    assert parse_quantity(format_int(n)) == n
    assert parse_quantity(format_int(n, devanagari=True)) == n
    assert parse_number(format_int(n)) == n


# --- the integer fast paths against Babel and Decimal arithmetic --------------------------------


def _amounts() -> list[int]:
    import random

    rng = random.Random(7)
    edges = [0, 1, 9, 49, 50, 51, 99, 100, 101, 149, 150, 999, 1_000, 99_999, 100_000, 10**7]
    edges += [10**9, 10**12, 10**15 + 50]
    edges += [rng.randrange(10 ** rng.randrange(1, 16)) for _ in range(3_000)]
    return edges + [-n for n in edges]


def test_grouping_and_rupees_match_babel() -> None:
    from babel.numbers import format_decimal

    from bot import numbers

    def babel(value: Decimal | int, pattern: str) -> str:
        return format_decimal(value, pattern, locale="en_IN", decimal_quantization=True)

    for n in _amounts():
        assert numbers.format_int(n) == babel(n, "#,##,##0"), n
        rupees = Decimal(abs(n)) / 100
        for mode, body in (
            ("always", babel(rupees, "#,##,##0.00")),
            ("never", babel(rupees.quantize(Decimal(1), rounding="ROUND_HALF_UP"), "#,##,##0")),
            (
                "auto",
                babel(rupees, "#,##,##0.00")
                if n % 100
                else babel(rupees.quantize(Decimal(1)), "#,##,##0"),
            ),
        ):
            negative = n < 0 and body.strip("0.,") != ""
            expected = ("-₹" if negative else "₹") + body
            assert numbers.format_inr(n, paise_digits=mode) == expected, (n, mode)  # type: ignore[arg-type]


def test_percent_fast_path_matches_decimal_arithmetic() -> None:
    import random

    from bot import numbers
    from bot.services.periods import growth_percent

    rng = random.Random(11)
    pairs = [(0, 1), (1, 1), (2, 1), (1, 3), (2, 3), (999, 1000), (1001, 1000), (3, 40)]
    pairs += [(199, 200), (1999, 2000), (10**9, 1), (1, 10**9), (-5, 1)]
    pairs += [(rng.randrange(10**7), rng.randrange(1, 10**7)) for _ in range(3_000)]
    pairs += [(rng.randrange(2_000), rng.randrange(1, 2_000)) for _ in range(3_000)]
    values = [growth_percent(c, p) for c, p in pairs]
    values += [9.95, 9.949999, -9.95, 0.05, -0.05, -0.04, 0.04, 10.0, 99.5, 12345.5, 9.96]
    values += [1e16, 5e-05, -0.0, float("nan"), float("inf")]
    for value in values:
        assert value is not None
        for signed in (True, False):
            assert numbers.format_percent(value, signed=signed) == numbers._format_percent_exact(
                value, signed=signed
            ), (value, signed)
