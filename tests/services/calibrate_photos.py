"""Where the photo-check thresholds come from: measure the sample photos, split them.

    python -m tests.services.calibrate_photos

prints, for each measure, the worst value among the good samples, the worst among the bad ones,
and the midpoint between them: the threshold in bot/services/photo_checks.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from bot.services import photo_checks
from bot.services.photo_checks import PhotoReport
from tests.photo_samples import Sample, samples


@dataclass(frozen=True)
class Split:
    measure: str
    constant: str  # the threshold's name in photo_checks
    bad_is_high: bool
    good_worst: float  # the good sample closest to the bad ones
    bad_worst: float  # the bad sample closest to the good ones

    @property
    def separated(self) -> bool:
        if self.bad_is_high:
            return self.good_worst < self.bad_worst
        return self.good_worst > self.bad_worst

    @property
    def midpoint(self) -> float:
        return (self.good_worst + self.bad_worst) / 2

    @property
    def gap(self) -> float:
        return abs(self.bad_worst - self.good_worst)


@cache
def measured() -> tuple[tuple[Sample, PhotoReport], ...]:
    return tuple((s, photo_checks.measure(s.data)) for s in samples())


def _split(
    measure: str,
    constant: str,
    bad_is_high: bool,
    good: Callable[[Sample], bool],
    bad: Callable[[Sample], bool],
) -> Split:
    goods = [getattr(r, measure) for s, r in measured() if good(s)]
    bads = [getattr(r, measure) for s, r in measured() if bad(s)]
    if bad_is_high:
        return Split(measure, constant, True, max(goods), min(bads))
    return Split(measure, constant, False, min(goods), max(bads))


@cache
def splits() -> tuple[Split, ...]:
    lit = lambda s: s.light == "lit"  # noqa: E731
    return (
        # light: every lit sample against every dark / washed-out one
        _split("dark_p95", "DARK_P95", False, lit, lambda s: s.light == "dark"),
        _split("clipped", "BRIGHT_CLIPPED", True, lit, lambda s: s.light == "bright"),
        # sharpness is judged in good light only (the checks skip it otherwise)
        _split("sharpness", "BLUR_RATIO", False, lambda s: lit(s) and s.sharp,
               lambda s: lit(s) and not s.sharp),
        # background: edges on sharp photos; the colour spread also catches a blurred clutter
        _split("edge_density", "BUSY_EDGE_DENSITY", True, lambda s: lit(s) and s.plain,
               lambda s: lit(s) and s.sharp and not s.plain),
        _split("colour_std", "BUSY_COLOUR_STD", True, lambda s: lit(s) and s.plain,
               lambda s: lit(s) and not s.plain),
    )  # fmt: skip


def main() -> None:
    for split in splits():
        current = getattr(photo_checks, split.constant)
        print(
            f"{split.constant:18} good worst {split.good_worst:9.4f}  bad worst "
            f"{split.bad_worst:9.4f}  midpoint {split.midpoint:9.4f}  (now {current})"
            + ("" if split.separated else "  NOT SEPARATED")
        )


if __name__ == "__main__":
    main()
