"""Photo checks on generated images: each check finds what is wrong, and only that; the
thresholds are the ones the sample images give."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
from PIL import Image

from bot.services import photo_checks
from tests import photo_samples
from tests.services.calibrate_photos import measured, splits


def findings(data: bytes) -> tuple[str, ...]:
    return photo_checks.analyse(data).findings


THRESHOLDS = ("DARK_P95", "BRIGHT_CLIPPED", "BLUR_RATIO", "BUSY_EDGE_DENSITY", "BUSY_COLOUR_STD")


def test_every_threshold_is_calibrated() -> None:
    assert sorted(s.constant for s in splits()) == sorted(THRESHOLDS)


@pytest.mark.parametrize("constant", THRESHOLDS)
def test_threshold_comes_from_the_samples(constant: str) -> None:
    """The samples separate, and the threshold sits in the middle third of the gap."""
    [split] = [s for s in splits() if s.constant == constant]
    assert split.separated, split
    threshold = getattr(photo_checks, split.constant)
    assert abs(threshold - split.midpoint) <= split.gap / 6, (
        f"{split.constant} = {threshold}, the samples give {split.midpoint:.4f}: "
        "run `python -m tests.services.calibrate_photos`"
    )


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_good_photo_has_no_findings(seed: int) -> None:
    assert findings(photo_samples.photo(seed)) == ()


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_blurred_photo_is_blurred(seed: int) -> None:
    assert findings(photo_samples.photo(seed, sharp=False)) == ("blurred",)


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_dark_photo_is_dark(seed: int) -> None:
    # In a dim room only the light is reported: sharpness and background wait for a retake.
    assert findings(photo_samples.photo(seed, light="dark")) == ("too_dark",)
    assert findings(photo_samples.photo(seed, light="dark", plain=False)) == ("too_dark",)


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_washed_out_photo_is_too_bright(seed: int) -> None:
    assert findings(photo_samples.photo(seed, light="bright")) == ("too_bright",)


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_busy_background(seed: int) -> None:
    assert findings(photo_samples.photo(seed, plain=False)) == ("busy_background",)
    assert findings(photo_samples.photo(seed, plain=False, sharp=False)) == (
        "blurred",
        "busy_background",
    )


@pytest.mark.parametrize("seed", photo_samples.SEEDS)
def test_small_photo_is_low_resolution(seed: int) -> None:
    report = photo_checks.analyse(photo_samples.photo(seed, size=photo_samples.SMALL_SIZE))
    assert report.findings == ("low_resolution",)
    assert (report.width, report.height) == photo_samples.SMALL_SIZE


def test_every_sample_is_classified_as_made() -> None:
    for sample, report in measured():
        found = set(photo_checks.findings_for(report))
        expected = set()
        if sample.light == "dark":
            expected.add("too_dark")
        elif sample.light == "bright":
            expected.add("too_bright")
        else:
            if not sample.sharp:
                expected.add("blurred")
            if not sample.plain:
                expected.add("busy_background")
        if not sample.large:
            expected.add("low_resolution")
        assert found == expected, (sample.name, report)


def test_resolution_threshold_is_the_marketplace_zoom() -> None:
    def jpeg(size: tuple[int, int]) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", size, (200, 200, 200)).save(buf, "JPEG")
        return buf.getvalue()

    assert photo_checks.measure(jpeg((999, 700))).long_side == 999
    assert "low_resolution" in findings(jpeg((999, 700)))
    assert "low_resolution" not in findings(jpeg((1000, 700)))
    assert "low_resolution" not in findings(jpeg((700, 1280)))  # portrait


def test_big_file_keeps_its_true_size() -> None:
    """A photo sent "as a file" keeps the camera's resolution; it is measured scaled down."""
    report = photo_checks.analyse(photo_samples.photo(2, size=(4000, 3000)))
    assert (report.width, report.height) == (4000, 3000)
    assert report.findings == ()


def test_portrait_by_exif_orientation() -> None:
    im = Image.new("RGB", (1200, 900), (210, 210, 210))
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90°: shown as 900 × 1200
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    report = photo_checks.analyse(buf.getvalue())
    assert (report.width, report.height) == (900, 1200)


def test_png_with_transparency_is_read() -> None:
    im = Image.new("RGBA", (1200, 1200), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    assert photo_checks.analyse(buf.getvalue()).readable


@pytest.mark.parametrize(
    "data", [b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"0" * 64, b"\xff\xd8\xff" + b"\0" * 30]
)
def test_unreadable_data(data: bytes) -> None:
    report = photo_checks.analyse(data)
    assert report.findings == ("unreadable",) and not report.readable


def test_report_is_json_ready() -> None:
    report = photo_checks.analyse(photo_samples.photo(1, sharp=False))
    data = report.to_json()
    assert data["findings"] == ["blurred"] and data["width"] == 1280
    assert all(isinstance(v, int | float | list) for v in data.values())


async def test_check_runs_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []
    original = photo_checks.analyse

    def spy(data: bytes) -> photo_checks.PhotoReport:
        seen.append(threading.get_ident())
        return original(data)

    photo_checks.analyse = spy  # type: ignore[assignment]
    try:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.001)

        task = asyncio.create_task(ticker())
        report = await photo_checks.check(photo_samples.photo(3, size=(4000, 3000)))
        task.cancel()
    finally:
        photo_checks.analyse = original  # type: ignore[assignment]
    assert report.findings == ()
    assert seen and seen[0] != loop_thread
    assert ticks > 1  # the loop kept running while the image was analysed
