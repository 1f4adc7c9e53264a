from __future__ import annotations

import io
import logging
import threading
import warnings

import pytest
from PIL import Image

from bot.numbers import format_inr
from bot.services.charts import CHART_SIZE_PX, FONT_FAMILIES, FONTS_DIR, render_bar_chart

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

HINDI_WEEKS = ["५ अक्टू", "१२ अक्टू", "१९ अक्टू", "२६ अक्टू", "२ नवं", "९ नवं", "१६ नवं", "इस हफ़्ते"]
VALUES = [1200.0, 0.0, 4500.0, 3300.0, 15000.0, 8000.0, 2250.0, 12345.0]


def _open(png: bytes) -> Image.Image:
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _render_capturing(caplog: pytest.LogCaptureFixture, *args, **kwargs) -> bytes:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = render_bar_chart(*args, **kwargs)
    glyph_warnings = [str(w.message) for w in caught if "glyph" in str(w.message).lower()]
    glyph_logs = [r.getMessage() for r in caplog.records if "glyph" in r.getMessage().lower()]
    font_logs = [r.getMessage() for r in caplog.records if "findfont" in r.getMessage().lower()]
    assert glyph_warnings == []
    assert glyph_logs == []
    assert font_logs == []
    return png


def test_bundled_fonts_exist() -> None:
    assert (FONTS_DIR / "NotoSansDevanagari-Regular.ttf").is_file()
    assert (FONTS_DIR / "NotoSansDevanagari-Bold.ttf").is_file()
    assert FONT_FAMILIES == ["Noto Sans Devanagari", "DejaVu Sans"]


def test_hindi_chart_is_valid_png_without_missing_glyphs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    png = _render_capturing(
        caplog,
        HINDI_WEEKS,
        VALUES,
        "पिछले 8 हफ़्तों की बिक्री — कुर्ते, साड़ियाँ, क्षत्रिय",
        "बिक्री (₹)",
        value_labels=[format_inr(int(v * 100), devanagari=True) for v in VALUES],
    )
    image = _open(png)
    assert image.format == "PNG"
    assert image.size == CHART_SIZE_PX


def test_english_chart_with_rupee_and_default_labels(caplog: pytest.LogCaptureFixture) -> None:
    png = _render_capturing(
        caplog,
        ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov"],
        [12000, 450000, 0, 99000, 150000, 2345678],
        "Sales, last 6 months",
        "Sales (₹)",
    )
    assert _open(png).size == CHART_SIZE_PX


def test_all_zero_values(caplog: pytest.LogCaptureFixture) -> None:
    png = _render_capturing(caplog, ["a", "b", "c"], [0, 0, 0], "Nothing yet", "₹")
    assert _open(png).size == CHART_SIZE_PX


def test_single_bar_and_fractional_values(caplog: pytest.LogCaptureFixture) -> None:
    png = _render_capturing(caplog, ["आज"], [2.5], "आज", "टुकड़े")
    assert _open(png).size == CHART_SIZE_PX
    png = _render_capturing(caplog, ["x", "y"], [0.25, 1.75], "t", "y")
    assert _open(png).size == CHART_SIZE_PX


def test_many_long_labels_still_fit(caplog: pytest.LogCaptureFixture) -> None:
    labels = [f"सप्ताह {i} — बहुत लंबा नाम" for i in range(12)]
    png = _render_capturing(caplog, labels, list(range(12)), "लंबे नाम", "₹")
    assert _open(png).size == CHART_SIZE_PX


def test_empty_value_labels_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    png = _render_capturing(caplog, ["a", "b"], [10, 0], "t", "y", value_labels=["₹10", ""])
    assert _open(png).size == CHART_SIZE_PX


def test_hindi_text_changes_pixels() -> None:
    """Different Hindi labels draw different pictures (the text is really rendered)."""
    a = render_bar_chart(["कुर्ता"], [5], "बिक्री", "₹")
    b = render_bar_chart(["साड़ी"], [5], "बिक्री", "₹")
    assert _open(a).tobytes() != _open(b).tobytes()


def test_rendering_is_deterministic() -> None:
    args = (HINDI_WEEKS, VALUES, "बिक्री", "₹")
    assert _open(render_bar_chart(*args)).tobytes() == _open(render_bar_chart(*args)).tobytes()


@pytest.mark.parametrize(
    ("labels", "values", "value_labels"),
    [
        ([], [], None),
        (["a"], [1, 2], None),
        (["a", "b"], [1, 2], ["x"]),
        (["a"], [-1], None),
        (["a"], [float("nan")], None),
        (["a"], [float("inf")], None),
    ],
)
def test_bad_input(labels: list[str], values: list[float], value_labels: list[str] | None) -> None:
    with pytest.raises(ValueError):
        render_bar_chart(labels, values, "t", "y", value_labels=value_labels)


def test_thread_safe() -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            results.append(render_bar_chart(HINDI_WEEKS, [v + i for v in VALUES], "बिक्री", "₹"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 6
    assert all(_open(png).size == CHART_SIZE_PX for png in results)


async def test_runs_off_the_event_loop() -> None:
    import asyncio

    png = await asyncio.to_thread(render_bar_chart, ["क"], [1], "t", "y")
    assert _open(png).size == CHART_SIZE_PX


def test_pyplot_not_imported_by_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys, bot.services.charts as c; c.render_bar_chart(['a'], [1], 't', 'y');"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_glyph_is_detectable() -> None:
    """Control for the checks above: a script neither font has does warn."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_bar_chart(["தமிழ்"], [1], "t", "y")
    assert any("missing from font" in str(w.message) for w in caught)
