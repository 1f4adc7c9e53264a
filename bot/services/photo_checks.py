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
worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import asyncio
import io
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

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


def _upright_rgb(im: Image.Image) -> Image.Image:
    """Turned as the camera meant (EXIF orientation), in RGB (transparency dropped)."""
    im = ImageOps.exif_transpose(im) or im
    if im.mode != "RGB":
        im = im.convert("RGBA").convert("RGB") if "A" in im.mode else im.convert("RGB")
    return im


def _load(data: bytes) -> tuple[Image.Image, int, int]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = Image.open(io.BytesIO(data))
        width, height = im.size
        if width * height > MAX_PIXELS:
            raise ValueError("image too large")
        # A JPEG can be decoded at 1/2, 1/4, 1/8 scale directly: much faster for big files.
        im.draft("RGB", (ANALYSIS_SIDE * 2, ANALYSIS_SIDE * 2))
        im = _upright_rgb(im)
        # The true size, after EXIF rotation (a portrait phone photo is taller than wide).
        if im.size[0] > im.size[1]:
            width, height = max(width, height), min(width, height)
        elif im.size[0] < im.size[1]:
            width, height = min(width, height), max(width, height)
        scale = ANALYSIS_SIDE / max(im.size)
        if scale < 1:
            size = (max(1, round(im.size[0] * scale)), max(1, round(im.size[1] * scale)))
            im = im.resize(size, Image.Resampling.BILINEAR)
        return im, width, height


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _tiles(a: np.ndarray) -> list[np.ndarray]:
    h, w = a.shape
    th, tw = max(1, h // TILES), max(1, w // TILES)
    return [
        a[y : y + th, x : x + tw]
        for y in range(0, h - th + 1, th)
        for x in range(0, w - tw + 1, tw)
    ]


def _sharpness(gray: np.ndarray) -> float:
    """How steep the edges are: Laplacian variance over gradient variance, on the edgiest tiles.

    The variance of the Laplacian (second derivative) falls much faster with blur than the
    variance of the gradient (first derivative); their ratio is about 1/(edge width), so it
    does not depend on how much edge there is (a plain background) or on contrast (a dim
    photo: the contrast is stretched first). Each direction separately, keeping the weaker:
    camera shake smears one direction only. Measured on the tiles with the most edge energy
    (the product), not on the flat background where only noise is.
    """
    lo, hi = np.percentile(gray, (2, 98))
    if hi - lo < 1:
        return 0.0
    g = np.clip((gray - lo) * (255.0 / (hi - lo)), 0, 255)
    dxx = g[1:-1, :-2] - 2 * g[1:-1, 1:-1] + g[1:-1, 2:]
    dyy = g[:-2, 1:-1] - 2 * g[1:-1, 1:-1] + g[2:, 1:-1]
    gx = (g[1:-1, 2:] - g[1:-1, :-2]) / 2
    gy = (g[2:, 1:-1] - g[:-2, 1:-1]) / 2
    tiles = list(zip(_tiles(dxx), _tiles(dyy), _tiles(gx), _tiles(gy), strict=True))
    if not tiles:
        return 0.0
    energy = [float(tx.var() + ty.var()) for _, _, tx, ty in tiles]
    edgiest = np.argsort(energy)[::-1][:EDGY_TILES]
    ratios = [
        min(
            float(tiles[i][0].var()) / (float(tiles[i][2].var()) + 1.0),
            float(tiles[i][1].var()) / (float(tiles[i][3].var()) + 1.0),
        )
        for i in edgiest
    ]
    return float(np.median(ratios))


def _border_mask(h: int, w: int) -> np.ndarray:
    by, bx = max(1, round(h * BORDER)), max(1, round(w * BORDER))
    mask = np.zeros((h, w), dtype=bool)
    mask[:by, :] = mask[-by:, :] = True
    mask[:, :bx] = mask[:, -bx:] = True
    return mask


def measure(data: bytes) -> PhotoReport:
    """The raw measures of one image (no findings). Raises on unreadable data."""
    im, width, height = _load(data)
    rgb = np.asarray(im, dtype=np.float32)
    gray = _luma(rgb)
    h, w = gray.shape
    cy0, cy1, cx0, cx1 = h // 4, h - h // 4, w // 4, w - w // 4
    centre = gray[cy0:cy1, cx0:cx1]
    gy, gx = np.gradient(gray)
    magnitude = np.hypot(gx, gy)
    border = _border_mask(h, w)
    return PhotoReport(
        width=width,
        height=height,
        dark_p95=float(np.percentile(gray, 95)),
        clipped=float((centre >= 250).mean()) if centre.size else 0.0,
        sharpness=_sharpness(gray),
        edge_density=float((magnitude[border] > EDGE_GRADIENT).mean()),
        colour_std=float(rgb[border].std(axis=0).mean()),
    )


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


def analyse(data: bytes) -> PhotoReport:
    """Measure an image and list what is wrong with it (synchronous; CPU-bound)."""
    try:
        report = measure(data)
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return PhotoReport(findings=("unreadable",))
    return PhotoReport(**{**asdict(report), "findings": findings_for(report)})


async def check(data: bytes) -> PhotoReport:
    """`analyse` in a worker thread, so that the event loop keeps serving other chats."""
    return await asyncio.to_thread(analyse, bytes(data))


def preview_jpeg(data: bytes, side: int = TELEGRAM_PHOTO_SIDE) -> bytes:
    """A JPEG copy at most `side` px long, to show an image sent as a file in photo cards."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (side, side))
        im = _upright_rgb(im)
        im.thumbnail((side, side))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=87)
        return buf.getvalue()


async def preview(data: bytes) -> bytes:
    return await asyncio.to_thread(preview_jpeg, bytes(data))
