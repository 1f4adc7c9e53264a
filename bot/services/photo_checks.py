"""Photo checks for listings, computed from the image itself (Pillow + NumPy).

For one photo: its size (marketplaces zoom from about 1000 px on the long side; Telegram
compresses photos to at most 1280 px), its light (too dark, or washed out), its sharpness
(the variance of the Laplacian, against that of the gradient), and its background (edge density
and colour spread in the border band, where the background of a product photo is).

The image is scaled to ANALYSIS_SIDE px on the long side first, so that the measures do not
depend on the camera. The thresholds below are not guesses: they were set on sample images made
with Pillow in the tests (tests/photo_samples.py: sharp vs blurred, dark vs lit vs washed out,
plain vs busy background, at phone and at low resolution): each is the midpoint between the
worst good sample and the worst bad one. `python -m tests.services.calibrate_photos` prints
them; tests/services/test_photo_checks.py fails if a threshold drifts from them or the samples
stop being separated.

`analyse(data)` is CPU work: from the event loop call `await check(data)`, which runs it in a
worker thread (`asyncio.to_thread`). The pixel work (NumPy, Pillow) lives in
`bot/services/photo_pixels.py`, imported on first use: the bot starts without loading them.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "ANALYSIS_SIDE",
    "FINDINGS",
    "MIN_LONG_SIDE",
    "TELEGRAM_PHOTO_SIDE",
    "PhotoReport",
    "analyse",
    "check",
    "measure",
    "preview",
    "preview_jpeg",
]

#: Marketplaces (Amazon, Flipkart, ODOP Mart) zoom from about this long side.
MIN_LONG_SIDE = 1000
#: Telegram re-encodes a photo (not a file) to at most this long side.
TELEGRAM_PHOTO_SIDE = 1280
#: The long side every measure is taken at.
ANALYSIS_SIDE = 640

# --- thresholds (from the sample images; see the module docstring) ---------------------------
#: Too dark: even the bright part of the picture (95th percentile of luma, 0–255) stays below.
DARK_P95 = 119.0
#: Washed out: the share of clipped (luma >= 250) pixels in the centre, where the product is.
BRIGHT_CLIPPED = 0.10
#: Blurred: Laplacian variance / gradient variance on the edgiest tiles stays below.
BLUR_RATIO = 1.04
#: Busy background: the share of edge pixels in the border band exceeds…
BUSY_EDGE_DENSITY = 0.035
#: …or the colour spread (mean RGB standard deviation) in the border band exceeds.
BUSY_COLOUR_STD = 31.0

EDGE_GRADIENT = 24.0  # a pixel is an "edge" when its luma gradient exceeds this (0–255 scale)
BORDER = 0.12  # the border band: this share of the width/height on each side
TILES = 8  # the sharpness is measured on a TILES × TILES grid…
EDGY_TILES = 12  # …on the tiles with the most edge energy

#: Finding codes, in the order tips mention them.
FINDINGS = ("unreadable", "too_dark", "too_bright", "blurred", "busy_background", "low_resolution")

# A phone photo is a few thousand pixels a side; refuse decompression bombs politely.
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class PhotoReport:
    width: int = 0
    height: int = 0
    dark_p95: float = 0.0
    clipped: float = 0.0
    sharpness: float = 0.0
    edge_density: float = 0.0
    colour_std: float = 0.0
    findings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def readable(self) -> bool:
        return "unreadable" not in self.findings

    @property
    def long_side(self) -> int:
        return max(self.width, self.height)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["findings"] = list(self.findings)
        for key, value in data.items():
            if isinstance(value, float):
                data[key] = round(value, 4)
        return data


def findings_for(report: PhotoReport) -> tuple[str, ...]:
    found: list[str] = []
    exposure_ok = True
    if report.dark_p95 < DARK_P95:
        found.append("too_dark")
        exposure_ok = False
    elif report.clipped > BRIGHT_CLIPPED:
        found.append("too_bright")
        exposure_ok = False
    # In bad light edges are lost or noisy: judge sharpness and background after a retake.
    if exposure_ok and report.sharpness < BLUR_RATIO:
        found.append("blurred")
    if exposure_ok and (
        report.edge_density > BUSY_EDGE_DENSITY or report.colour_std > BUSY_COLOUR_STD
    ):
        found.append("busy_background")
    if report.long_side < MIN_LONG_SIDE:
        found.append("low_resolution")
    return tuple(code for code in FINDINGS if code in found)


def measure(data: bytes) -> PhotoReport:
    """The raw measures of an image, no findings (raises on an unreadable image)."""
    from bot.services import photo_pixels

    return photo_pixels.measure(data)


def analyse(data: bytes) -> PhotoReport:
    """Measure an image and list what is wrong with it (synchronous; CPU-bound)."""
    from bot.services import photo_pixels

    return photo_pixels.analyse(data)


async def check(data: bytes) -> PhotoReport:
    """`analyse` in a worker thread, so that the event loop keeps serving other chats."""
    return await asyncio.to_thread(analyse, bytes(data))


def preview_jpeg(data: bytes, side: int = TELEGRAM_PHOTO_SIDE) -> bytes:
    """A JPEG copy at most `side` px long, to show an image sent as a file in photo cards."""
    from bot.services import photo_pixels

    return photo_pixels.preview_jpeg(data, side)


async def preview(data: bytes) -> bytes:
    return await asyncio.to_thread(preview_jpeg, bytes(data))
