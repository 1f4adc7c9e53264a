"""Sample product photos made with Pillow, for the photo checks and the end-to-end tests.

A scene is a craft object (a pot with fine painted detail, or an embroidered cloth panel) in
the middle of the frame, on a plain background (a lit wall or sheet with a soft gradient, white
or coloured) or a busy one (a cluttered room: random shapes, stripes, printed cloth). Variants
spoil one thing at a time: blurred (out of focus or shaken), dark (a dim room), washed out
(overexposed), or small. Every image gets sensor noise and goes through JPEG, like a phone's.

The thresholds in bot/services/photo_checks.py come from these images
(`python -m tests.services.calibrate_photos`).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SEEDS = (1, 2, 3, 4, 5, 6)
PHONE_SIZE = (1280, 960)
SMALL_SIZE = (640, 480)


@dataclass(frozen=True)
class Sample:
    name: str
    data: bytes
    sharp: bool = True
    light: str = "lit"  # lit | dark | bright
    plain: bool = True
    large: bool = True


def _palette(rng: random.Random) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    backgrounds = [(236, 232, 224), (250, 250, 248), (214, 226, 236), (238, 224, 200)]
    objects = [(170, 80, 40), (30, 30, 34), (240, 240, 236), (40, 90, 150), (160, 120, 40)]
    return rng.choice(backgrounds), rng.choice(objects)


def _plain_background(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    w, h = size
    top = np.array(colour, dtype=np.float32)
    bottom = top * 0.88
    ramp = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    arr = top * (1 - ramp) + bottom * ramp
    arr = np.broadcast_to(arr, (h, w, 3)).copy()
    # a soft vignette, as from a window or a lamp
    yy, xx = np.mgrid[0:h, 0:w]
    d = ((xx - w / 2) / w) ** 2 + ((yy - h / 2) / h) ** 2
    arr *= (1 - 0.25 * d)[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _busy_background(size: tuple[int, int], rng: random.Random) -> Image.Image:
    w, h = size
    im = Image.new("RGB", size, tuple(rng.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(260):
        x, y = rng.randrange(w), rng.randrange(h)
        bw, bh = rng.randrange(10, w // 5), rng.randrange(10, h // 5)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.random()
        if shape < 0.4:
            draw.rectangle((x, y, x + bw, y + bh), fill=colour)
        elif shape < 0.7:
            draw.ellipse((x, y, x + bw, y + bh), fill=colour)
        else:
            draw.line((x, y, x + bw, y + bh), fill=colour, width=rng.randrange(2, 8))
    for x in range(0, w, 22):  # a striped cloth
        draw.line((x, h * 0.7, x + 40, h), fill=(200, 40, 60), width=5)
    return im


def _craft_object(im: Image.Image, colour: tuple[int, int, int], rng: random.Random) -> None:
    w, h = im.size
    draw = ImageDraw.Draw(im)
    cx, cy = w // 2, h // 2
    rx, ry = int(w * 0.2), int(h * 0.3)
    detail = tuple(255 - c for c in colour)
    if rng.random() < 0.5:  # a pot: body, neck, painted bands and dots
        draw.ellipse((cx - rx, cy - ry // 2, cx + rx, cy + ry), fill=colour)
        draw.rectangle((cx - rx // 3, cy - ry, cx + rx // 3, cy - ry // 3), fill=colour)
        for k in range(6):
            y = cy - ry // 3 + k * ry // 5
            draw.line((cx - rx + 20, y, cx + rx - 20, y), fill=detail, width=2)
        for _ in range(140):
            x = rng.randrange(cx - rx + 30, cx + rx - 30)
            y = rng.randrange(cy - ry // 4, cy + ry - 30)
            draw.ellipse((x, y, x + 4, y + 4), fill=detail)
    else:  # an embroidered panel: a cloth with fine stitches (chikankari-like)
        draw.rectangle((cx - rx, cy - ry, cx + rx, cy + ry), fill=colour)
        for _ in range(260):
            x = rng.randrange(cx - rx + 10, cx + rx - 20)
            y = rng.randrange(cy - ry + 10, cy + ry - 20)
            draw.line((x, y, x + rng.randrange(4, 14), y + rng.randrange(-6, 7)), fill=detail)
        for k in range(5):
            r = 18 + 14 * k
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=detail, width=2)


def _finish(im: Image.Image, rng: random.Random, *, light: str, sharp: bool) -> bytes:
    if not sharp:
        if rng.random() < 0.5:
            im = im.filter(ImageFilter.GaussianBlur(radius=rng.uniform(3.0, 5.0)))
        else:  # camera shake: a smear along one direction, then a little defocus
            src = np.asarray(im, dtype=np.float32)
            dx, dy = rng.choice(((1, 0), (0, 1), (1, 1)))
            steps = 14
            smear = sum(np.roll(src, (i * dy, i * dx), axis=(0, 1)) for i in range(steps)) / steps
            im = Image.fromarray(smear.astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.0))
    arr = np.asarray(im, dtype=np.float32)
    if light == "dark":
        arr = arr * rng.uniform(0.18, 0.3)
    elif light == "bright":
        arr = arr * 1.9 + 60
    noise = np.random.default_rng(rng.randrange(1 << 30)).standard_normal(arr.shape, np.float32)
    arr = np.clip(arr + 2.5 * noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", quality=85)
    return buf.getvalue()


@cache
def photo(
    seed: int = 1,
    *,
    sharp: bool = True,
    light: str = "lit",
    plain: bool = True,
    size: tuple[int, int] = PHONE_SIZE,
) -> bytes:
    """One sample photo as JPEG bytes."""
    rng = random.Random(seed)
    background, colour = _palette(rng)
    im = _plain_background(size, background) if plain else _busy_background(size, rng)
    _craft_object(im, colour, rng)
    return _finish(im, rng, light=light, sharp=sharp)


def good_photo(seed: int = 1) -> bytes:
    return photo(seed)


def samples() -> list[Sample]:
    """The calibration set: each seed in every variant."""
    out: list[Sample] = []
    for seed in SEEDS:
        out.append(Sample(f"good-{seed}", photo(seed)))
        out.append(Sample(f"busy-{seed}", photo(seed, plain=False), plain=False))
        out.append(Sample(f"blurred-{seed}", photo(seed, sharp=False), sharp=False))
        out.append(
            Sample(
                f"blurred-busy-{seed}", photo(seed, sharp=False, plain=False), False, plain=False
            )
        )
        out.append(Sample(f"dark-{seed}", photo(seed, light="dark"), light="dark"))
        out.append(
            Sample(
                f"dark-busy-{seed}",
                photo(seed, light="dark", plain=False),
                light="dark",
                plain=False,
            )
        )
        out.append(Sample(f"bright-{seed}", photo(seed, light="bright"), light="bright"))
        out.append(Sample(f"small-{seed}", photo(seed, size=SMALL_SIZE), large=False))
    return out
