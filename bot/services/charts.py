"""Phone-friendly bar charts as PNG bytes (matplotlib, Agg, no pyplot).

Hindi text is shaped by matplotlib's libraqm layout (matplotlib >= 3.11) using the bundled
Noto Sans Devanagari fonts, with DejaVu Sans as the fallback for anything Noto lacks. The
fonts are registered once with the global font manager; every chart builds its own
``Figure`` and Agg canvas and never touches ``pyplot`` or ``rcParams``. Rendering is also
serialised by a module lock (matplotlib's font caches are not documented as thread-safe),
so :func:`render_bar_chart` can be called from any thread, e.g. via ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.numbers import format_int

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

# matplotlib is imported inside the functions below, not here: the first chart (rendered in a
# worker thread) loads it, so the bot starts without it (~0.5 s and ~30 MB less at start-up).

__all__ = ["CHART_DPI", "CHART_SIZE_PX", "FONTS_DIR", "FONT_FAMILIES", "render_bar_chart"]

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
_FONT_FILES = ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf")
#: Font family fallback list: Devanagari first, DejaVu Sans for Latin symbols it lacks.
FONT_FAMILIES = ["Noto Sans Devanagari", "DejaVu Sans"]
#: Output size in pixels (width, height) and resolution.
CHART_SIZE_PX = (800, 500)
CHART_DPI = 100

_BAR_COLOR = "#E07A1F"  # saffron-orange, readable on a white phone screen
_EMPTY_COLOR = "#D9D9D9"
_TEXT_COLOR = "#222222"
_GRID_COLOR = "#E6E6E6"

_lock = threading.Lock()
_fonts_ready = False


def _ensure_fonts() -> None:
    """Register the bundled fonts with the font manager (once; call under ``_lock``)."""
    global _fonts_ready
    if _fonts_ready:
        return
    for name in _FONT_FILES:
        path = FONTS_DIR / name
        if path.is_file():
            from matplotlib.font_manager import fontManager

            fontManager.addfont(str(path))
    _fonts_ready = True


_DEVANAGARI = re.compile(r"[\u0900-\u097f\ua8e0-\ua8ff]")


def _font(size: float, *, bold: bool = False, text: str | Sequence[str] = "") -> FontProperties:
    """Devanagari-first fallback for Hindi text; Latin-only text is set entirely in DejaVu
    Sans so that its letters and digits match (Noto Sans Devanagari has digits, not letters)."""
    from matplotlib.font_manager import FontProperties

    sample = text if isinstance(text, str) else "".join(text)
    family = FONT_FAMILIES if _DEVANAGARI.search(sample) else FONT_FAMILIES[::-1]
    return FontProperties(family=family, size=size, weight="bold" if bold else "normal")


def _default_value_label(value: float) -> str:
    if float(value).is_integer():
        return format_int(int(value))
    return f"{value:,.1f}"


def _axis_label(value: float, _pos: object = None) -> str:
    if value != int(value):
        return f"{value:g}"
    return format_int(int(value))


def _label_font_size(labels: Sequence[str]) -> float:
    longest = max((len(s) for s in labels), default=0)
    per_bar = 760 / max(len(labels), 1) / max(longest, 1)  # px available per character
    return max(9.0, min(15.0, per_bar * 1.45))


def render_bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    y_label: str,
    *,
    value_labels: Sequence[str] | None = None,
) -> bytes:
    """A bar chart (about 800x500 px) as PNG bytes, one bar per label.

    ``value_labels`` are printed on top of the bars (default: the value with Indian digit
    grouping; pass e.g. ``format_inr`` results for rupees). Zero bars get their label too.
    Raises ValueError for empty input, mismatched lengths, or negative/non-finite values.
    """
    labels = [str(s) for s in labels]
    numbers = [float(v) for v in values]
    if not labels:
        raise ValueError("no bars to draw")
    if len(labels) != len(numbers):
        raise ValueError(f"{len(labels)} labels but {len(numbers)} values")
    if any(not math.isfinite(v) or v < 0 for v in numbers):
        raise ValueError("values must be finite and not negative")
    if value_labels is None:
        tops = [_default_value_label(v) for v in numbers]
    else:
        tops = [str(s) for s in value_labels]
        if len(tops) != len(numbers):
            raise ValueError(f"{len(tops)} value labels but {len(numbers)} values")

    with _lock:
        _ensure_fonts()
        return _render(labels, numbers, tops, str(title), str(y_label))


def _render(
    labels: list[str], values: list[float], tops: list[str], title: str, y_label: str
) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    width, height = CHART_SIZE_PX
    fig = Figure(figsize=(width / CHART_DPI, height / CHART_DPI), dpi=CHART_DPI)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    ax = fig.add_subplot()

    positions = list(range(len(values)))
    peak = max(values)
    colors = [_BAR_COLOR if v > 0 else _EMPTY_COLOR for v in values]
    # an all-zero chart still gets a visible axis and a sliver for each bar
    shown = [v if v > 0 else peak * 0.004 for v in values] if peak > 0 else [0.0] * len(values)
    bars = ax.bar(positions, shown, color=colors, width=0.65, zorder=3)

    if peak > 0:
        ax.set_ylim(0, peak * 1.18)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=peak >= 5))
    else:
        ax.set_ylim(0, 1)
        ax.set_yticks([0])
    ax.yaxis.set_major_formatter(FuncFormatter(_axis_label))
    ax.grid(axis="y", color=_GRID_COLOR, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="both", colors=_TEXT_COLOR, length=0)

    tick_font = _font(_label_font_size(labels), text=labels)
    ax.set_xticks(positions)
    ax.set_xticklabels(labels, fontproperties=tick_font)
    for tick in ax.get_yticklabels():
        tick.set_fontproperties(_font(12, text=labels))

    top_font = _font(min(14.0, _label_font_size(tops) + 1), bold=True, text=tops)
    for bar, text in zip(bars, tops, strict=True):
        if not text:
            continue
        ax.annotate(
            text,
            xy=(bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontproperties=top_font,
            color=_TEXT_COLOR,
            zorder=4,
        )

    ax.set_title(title, fontproperties=_font(18, bold=True, text=title), color=_TEXT_COLOR, pad=14)
    ax.set_ylabel(y_label, fontproperties=_font(13, text=y_label), color=_TEXT_COLOR)
    fig.tight_layout(pad=1.0)

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=CHART_DPI, facecolor="white")
    fig.clear()
    return buffer.getvalue()
