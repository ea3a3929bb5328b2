"""Stylised graphics drawn with Pillow: the example site's pictures and the benchmark's.

The example story's lead image and portraits are the newsroom's own graphics,
not photographs: `python bench/draw_pictures.py` draws them again, the same
bytes every time, into content/. The benchmark corpus draws its lead images
with `scene`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

NIGHT, DUSK, GROUND = (22, 34, 66), (214, 120, 92), (40, 52, 48)


def scene(width: int, height: int, seed: int = 0) -> Image.Image:
    """A launch pad at dusk: sky bands, a rocket on its tower, two figures meeting."""
    picture = Image.new("RGB", (width, height), NIGHT)
    draw = ImageDraw.Draw(picture)
    bands = 12
    for band in range(bands):
        share = band / (bands - 1)
        colour = tuple(round(n + (d - n) * share) for n, d in zip(NIGHT, DUSK, strict=True))
        top = round(height * 0.7 * band / bands)
        draw.rectangle((0, top, width, round(height * 0.7 * (band + 1) / bands)), fill=colour)
    horizon = round(height * 0.7)
    draw.rectangle((0, horizon, width, height), fill=GROUND)
    unit = height / 90
    pad = width * (0.62 + (seed % 5) * 0.04)
    draw.rectangle(
        (pad - 9 * unit, horizon - 52 * unit, pad - 6 * unit, horizon), fill=(70, 74, 82)
    )
    for rung in range(8):
        y = horizon - 52 * unit + rung * 6.5 * unit
        draw.line((pad - 9 * unit, y, pad - 3 * unit, y + 3 * unit), fill=(70, 74, 82), width=2)
    draw.rectangle(
        (pad - 2 * unit, horizon - 44 * unit, pad + 4 * unit, horizon), fill=(236, 236, 230)
    )
    nose = [(pad - 2 * unit, horizon - 44 * unit), (pad + unit, horizon - 54 * unit)]
    draw.polygon([*nose, (pad + 4 * unit, horizon - 44 * unit)], fill=(200, 64, 56))
    for side, tint in ((-1, (196, 58, 50)), (1, (52, 92, 168))):
        x = width * 0.3 + side * 7 * unit
        draw.ellipse(
            (x - 3 * unit, horizon - 24 * unit, x + 3 * unit, horizon - 18 * unit),
            fill=(20, 20, 24),
        )
        draw.rounded_rectangle(
            (x - 4 * unit, horizon - 17 * unit, x + 4 * unit, horizon + 2 * unit), unit, fill=tint
        )
    hands = width * 0.3
    draw.line(
        (hands - 3 * unit, horizon - 12 * unit, hands + 3 * unit, horizon - 12 * unit),
        fill=(20, 20, 24),
        width=max(2, round(unit * 1.5)),
    )
    return picture


def portrait(
    size: int, background: tuple[int, int, int], coat: tuple[int, int, int]
) -> Image.Image:
    """A head-and-shoulders silhouette on a plain ground."""
    picture = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(picture)
    unit = size / 100
    draw.ellipse((30 * unit, 16 * unit, 70 * unit, 60 * unit), fill=(238, 214, 190))
    draw.pieslice((28 * unit, 12 * unit, 72 * unit, 48 * unit), 180, 360, fill=(40, 36, 34))
    draw.rounded_rectangle((12 * unit, 62 * unit, 88 * unit, 120 * unit), 20 * unit, fill=coat)
    draw.polygon(
        [(44 * unit, 62 * unit), (50 * unit, 80 * unit), (56 * unit, 62 * unit)],
        fill=(245, 245, 245),
    )
    return picture


def draw_example(site: Path) -> None:
    story = site / "content" / "world" / "putin-kim-rifles"
    scene(1600, 900).save(story / "cosmodrome-meeting.jpg", quality=80, optimize=True)
    media = site / "content" / "media"
    media.mkdir(exist_ok=True)
    portrait(600, (214, 226, 240), (38, 52, 86)).save(media / "vladimir-putin.png", optimize=True)
    portrait(600, (240, 222, 214), (30, 30, 34)).save(media / "kim-jong-un.png", optimize=True)


if __name__ == "__main__":
    draw_example(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
