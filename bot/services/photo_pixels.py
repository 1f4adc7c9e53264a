"""The pixel work behind `bot/services/photo_checks.py` (NumPy + Pillow).

Imported on first use (in a worker thread, by `photo_checks.check` / `preview`), so that the
bot starts without loading NumPy and Pillow. The thresholds and their calibration are
documented in photo_checks.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import asdict

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from bot.services.photo_checks import (
    ANALYSIS_SIDE,
    BORDER,
    EDGE_GRADIENT,
    EDGY_TILES,
    MAX_PIXELS,
    TELEGRAM_PHOTO_SIDE,
    TILES,
    PhotoReport,
    findings_for,
)


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


def preview_jpeg(data: bytes, side: int = TELEGRAM_PHOTO_SIDE) -> bytes:
    """A JPEG copy at most `side` px long, to show an image sent as a file in photo cards."""
    with Image.open(io.BytesIO(data)) as im:
        im.draft("RGB", (side, side))
        im = _upright_rgb(im)
        im.thumbnail((side, side))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=87)
        return buf.getvalue()
