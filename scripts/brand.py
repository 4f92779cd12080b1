"""Draw RoomSense's brand images: the integration's `brand/` folder and the add-on's pictures.

    scripts/python scripts/brand.py           # (re)write every image
    scripts/python scripts/brand.py --check   # exit 1, naming the files, when one would change

The mark is a rounded house outline around a dot that sends a wave to each side: a home that
senses and talks. Shapes are signed distance fields sampled at 4x4 points per pixel and
averaged; the wordmark is Pillow's built-in Aileron font drawn at 4x and averaged the same way.
The PNG writer here fixes every byte (8-bit RGBA, no ancillary chunks, zlib level 9), so the
same numpy, Pillow and zlib give the same files.

Home Assistant 2026.10's `brands` integration serves a custom integration's own
`brand/{dark_,}{icon,logo}{@2x,}.png` at /api/brands/integration/roomsense/<name>, falling
back from a missing name to the next in homeassistant/components/brands/const.py
(IMAGE_FALLBACKS): the icon serves every dark icon, so only the logos need a dark variant
(their wordmark is dark slate on light themes, near white on dark ones).
"""

from __future__ import annotations

import argparse
import struct
import sys
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont, features

ROOT = Path(__file__).resolve().parents[1]
BRAND = ROOT / "custom_components" / "roomsense" / "brand"
ADDON = ROOT / "addon"

SUPERSAMPLE = 4
UNIT = 256.0  # the mark is drawn in a 256 x 256 box of design units

Field = NDArray[np.float64]
Rgb = tuple[int, int, int]

# Contrast (WCAG) on white and on Home Assistant's dark theme (#111111 page, #1C1C1C card): at
# least 3:1 on both, the share for large text, as no colour reaches 4.5:1 on both.
BLUE: Rgb = (0x1E, 0x88, 0xE5)  # the house: 3.7, 5.1 and 4.6 to 1
ORANGE: Rgb = (0xEF, 0x6C, 0x00)  # what it senses and says: 3.1, 6.1 and 5.5 to 1
SLATE: Rgb = (0x1F, 0x29, 0x37)  # wordmark on light themes
MIST: Rgb = (0xF3, 0xF4, 0xF6)  # wordmark on dark themes

# ---------------------------------------------------------------------------------------------
# Signed distances in design units, negative inside


def sd_polygon(x: Field, y: Field, points: list[tuple[float, float]]) -> Field:
    """Exact signed distance to a simple polygon (even-odd sign)."""
    dist = np.full(x.shape, np.inf)
    inside = np.zeros(x.shape, dtype=bool)
    for (ax, ay), (bx, by) in zip(points, points[1:] + points[:1], strict=True):
        ex, ey = bx - ax, by - ay
        px, py = x - ax, y - ay
        t = np.clip((px * ex + py * ey) / (ex * ex + ey * ey), 0.0, 1.0)
        dist = np.minimum(dist, np.hypot(px - t * ex, py - t * ey))
        crosses = (ay > y) != (by > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = ax + (y - ay) * ex / ey
        inside ^= crosses & (x < at)
    return np.where(inside, -dist, dist)


def sd_disk(x: Field, y: Field, cx: float, cy: float, r: float) -> Field:
    """Signed distance to a disk."""
    return np.hypot(x - cx, y - cy) - r


def sd_arc(
    x: Field, y: Field, cx: float, cy: float, r: float, width: float, facing: float, spread: float
) -> Field:
    """A ring segment with round caps, centred on direction `facing` (radians, y down)."""
    px, py = x - cx, y - cy
    c, s = np.cos(facing), np.sin(facing)
    along, across = px * c + py * s, np.abs(-px * s + py * c)
    end_x, end_y = r * np.cos(spread), r * np.sin(spread)
    past_end = along * np.sin(spread) < across * np.cos(spread)
    to_end = np.hypot(along - end_x, across - end_y)
    return np.where(past_end, to_end, np.abs(np.hypot(px, py) - r)) - width / 2


# ---------------------------------------------------------------------------------------------
# The mark

STROKE = 26.0  # house outline, design units
CORNER = 22.0  # the outline's centre line runs this far outside the house's core below, so
# its corners are rounded by CORNER (CORNER - STROKE / 2 inside, CORNER + STROKE / 2 outside)
# and the picture spans 8..248 across and 8..246 down the 256-unit box.
HOUSE = [(128.0, 43.0), (213.0, 117.0), (213.0, 211.0), (43.0, 211.0), (43.0, 117.0)]
DOT = (128.0, 158.0, 17.0)  # centre x, y and radius
WAVES = [(40.0, 13.0), (66.0, 13.0)]  # radius and width of each wave, on both sides
WAVE_SPREAD = np.radians(38.0)


def mark_layers(x: Field, y: Field) -> list[tuple[Field, Rgb]]:
    """(signed distance, colour) of each layer of the mark, painted in order."""
    core = sd_polygon(x, y, HOUSE)
    house = np.abs(core - CORNER) - STROKE / 2
    cx, cy, r = DOT
    sense = sd_disk(x, y, cx, cy, r)
    for radius, width in WAVES:
        for facing in (0.0, np.pi):
            sense = np.minimum(
                sense, sd_arc(x, y, cx, cy, radius, width, facing, float(WAVE_SPREAD))
            )
    return [(house, BLUE), (sense, ORANGE)]


# ---------------------------------------------------------------------------------------------
# Raster


def to_pixels(samples: Field) -> Field:
    """Average each SUPERSAMPLE x SUPERSAMPLE block of samples into one pixel."""
    height, width = samples.shape[0] // SUPERSAMPLE, samples.shape[1] // SUPERSAMPLE
    return samples.reshape(height, SUPERSAMPLE, width, SUPERSAMPLE).mean(axis=(1, 3))


class Canvas:
    """Premultiplied RGBA floats, one per output pixel.

    Each layer's coverage is averaged over its supersamples before it is painted: exact while
    layers of different colours share no pixel, as in these pictures.
    """

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rgba = np.zeros((height, width, 4))

    def paint(self, coverage: Field, colour: Rgb, top: int = 0, left: int = 0) -> None:
        """Paint `colour` over the pixels from (top, left) on where `coverage` (0..1) says."""
        height, width = coverage.shape
        area = self.rgba[top : top + height, left : left + width]
        cover = coverage[..., None]
        area *= 1.0 - cover
        area += cover * np.array([*(c / 255.0 for c in colour), 1.0])

    def paint_mark(self, left: int, top: int, size: int) -> None:
        """The mark in the square of `size` output pixels at (left, top)."""
        for coverage, colour in mark_coverage(size):
            self.paint(coverage, colour, top, left)

    def paint_text(self, text: str, left: float, baseline: float, size: float, colour: Rgb) -> None:
        """`text` in Aileron of `size` output pixels (em), left edge and baseline in pixels."""
        font, weight, tracking = wordmark(size)
        mask = Image.new("L", (self.width * SUPERSAMPLE, self.height * SUPERSAMPLE), 0)
        draw = ImageDraw.Draw(mask)
        for index, letter in enumerate(text):
            # Letter by letter so that the emboldening stroke does not close the gaps.
            x = left * SUPERSAMPLE + weight + font.getlength(text[:index]) + index * tracking
            draw.text(
                (x, baseline * SUPERSAMPLE),
                letter,
                font=font,
                fill=255,
                anchor="ls",
                stroke_width=weight,
                stroke_fill=255,
            )
        if (box := mask.getbbox()) is None:
            return
        s = SUPERSAMPLE
        x0, y0, x1, y1 = box[0] // s, box[1] // s, -(-box[2] // s), -(-box[3] // s)
        samples = np.asarray(mask.crop((x0 * s, y0 * s, x1 * s, y1 * s)), dtype=np.float64)
        self.paint(to_pixels(samples / 255.0), colour, y0, x0)

    def pixels(self) -> NDArray[np.uint8]:
        """Straight-alpha 8-bit RGBA."""
        alpha = self.rgba[..., 3:]
        with np.errstate(divide="ignore", invalid="ignore"):
            colour = np.where(alpha > 0, self.rgba[..., :3] / alpha, 0.0)
        out = np.concatenate([colour, alpha], axis=-1)
        out = np.floor(np.clip(out, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        out[out[..., 3] == 0] = 0  # fully transparent pixels carry no colour
        return out


WEIGHT = 0.022  # emboldening stroke of Aileron Regular, in em
TRACKING = 0.03  # extra space after each letter, in em


@cache
def mark_coverage(size: int) -> list[tuple[Field, Rgb]]:
    """Coverage (0..1) of each pixel and colour of each layer of the mark `size` pixels wide."""
    scale = size / UNIT  # output pixels per design unit
    centres = (np.arange(size * SUPERSAMPLE) + 0.5) / SUPERSAMPLE / scale
    x, y = np.meshgrid(centres, centres)
    # Each sample stands for a box a supersample wide, so an edge ramps over one sample.
    return [
        (to_pixels(np.clip(0.5 - distance * scale * SUPERSAMPLE, 0.0, 1.0)), colour)
        for distance, colour in mark_layers(x, y)
    ]


def wordmark(size: float) -> tuple[ImageFont.FreeTypeFont, int, float]:
    """Font, stroke and tracking, in supersamples, for text of `size` output pixels."""
    if not features.check("freetype2"):
        raise SystemExit("brand.py needs Pillow built with FreeType for the wordmark")
    em = size * SUPERSAMPLE
    font = ImageFont.load_default(em)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow before 10.1: a bitmap font
        raise SystemExit("brand.py needs Pillow 10.1 or newer for its built-in Aileron font")
    return font, round(em * WEIGHT), em * TRACKING


def text_width(text: str, size: float) -> float:
    """Advance of `text` at `size` output pixels, in output pixels, stroke and tracking included."""
    font, weight, tracking = wordmark(size)
    return (font.getlength(text) + 2 * weight + len(text) * tracking) / SUPERSAMPLE


# ---------------------------------------------------------------------------------------------
# Pictures


def icon(size: int) -> NDArray[np.uint8]:
    """The mark alone, `size` pixels square."""
    canvas = Canvas(size, size)
    canvas.paint_mark(0, 0, size)
    return canvas.pixels()


WORD = "RoomSense"


def logo(height: int, text: Rgb) -> NDArray[np.uint8]:
    """The mark, then the name beside it."""
    gap = height * 0.14
    em = height * 0.56
    width = round(height + gap + text_width(WORD, em))
    canvas = Canvas(width, height)
    canvas.paint_mark(0, 0, height)
    canvas.paint_text(WORD, height + gap, height * 0.735, em, text)
    return canvas.pixels()


def addon_logo() -> NDArray[np.uint8]:
    """The add-on's logo, 250 x 100 as Home Assistant's add-on presentation docs suggest.

    Add-ons have no dark variant, so the words are in the mark's own colours, which read on
    light and dark cards alike.
    """
    width, height = 250, 100
    canvas = Canvas(width, height)
    mark = 84
    canvas.paint_mark(4, (height - mark) // 2, mark)
    left = 4.0 + mark + 12.0
    room, sense = "Room", "Sense"
    em = 44.0
    while left + text_width(room + sense, em) > width - 4:  # fit the name to the width
        em -= 0.5
    canvas.paint_text(room, left, 56.0, em, BLUE)
    canvas.paint_text(
        sense, left + text_width(room, em) - 2 * wordmark(em)[1] / SUPERSAMPLE, 56.0, em, ORANGE
    )
    canvas.paint_text("LLM app", left, 87.0, 25.0, BLUE)  # 24 px and up: large text
    return canvas.pixels()


def pictures() -> dict[Path, Callable[[], NDArray[np.uint8]]]:
    """Every file this script owns and how to draw it."""
    return {
        BRAND / "icon.png": lambda: icon(256),
        BRAND / "icon@2x.png": lambda: icon(512),
        BRAND / "logo.png": lambda: logo(256, SLATE),
        BRAND / "logo@2x.png": lambda: logo(512, SLATE),
        BRAND / "dark_logo.png": lambda: logo(256, MIST),
        BRAND / "dark_logo@2x.png": lambda: logo(512, MIST),
        ADDON / "icon.png": lambda: icon(128),
        ADDON / "logo.png": addon_logo,
    }


# ---------------------------------------------------------------------------------------------
# PNG


def filtered_rows(image: NDArray[np.uint8], adaptive: bool) -> bytes:
    """Scanlines, each behind its filter byte.

    Filter none throughout, or (adaptive) per row whichever of the five filters leaves the
    smallest sum of absolute values, as the PNG specification suggests.
    """
    height, width, channels = image.shape
    raw = image.reshape(height, width * channels).astype(np.int16)
    if not adaptive:
        return b"".join(b"\0" + row.astype(np.uint8).tobytes() for row in raw)
    up = np.vstack([np.zeros((1, raw.shape[1]), np.int16), raw[:-1]])
    left = np.hstack([np.zeros((height, channels), np.int16), raw[:, :-channels]])
    upleft = np.hstack([np.zeros((height, channels), np.int16), up[:, :-channels]])
    p = left + up - upleft
    pa, pb, pc = np.abs(p - left), np.abs(p - up), np.abs(p - upleft)
    paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
    candidates = np.stack([raw, raw - left, raw - up, raw - (left + up) // 2, raw - paeth]).astype(
        np.uint8
    )  # wraps modulo 256 as PNG wants
    cost = np.abs(candidates.astype(np.int8).astype(np.int16)).sum(axis=2)
    out = bytearray()
    for row, kind in enumerate(cost.argmin(axis=0)):
        out.append(int(kind))
        out += candidates[kind, row].tobytes()
    return bytes(out)


def png_bytes(image: NDArray[np.uint8]) -> bytes:
    """An 8-bit RGBA PNG with only IHDR, IDAT and IEND: the smaller of two filterings.

    Not interlaced: the brands rules prefer it, but here it costs 15 to 50 percent more bytes
    for pictures of a few kilobytes that Home Assistant serves from its own disk.
    """
    height, width, _ = image.shape
    idat = min(
        (zlib.compress(filtered_rows(image, adaptive), 9) for adaptive in (False, True)),
        key=len,
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check only compare) every picture; the exit status of the command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    args = parser.parse_args(argv)
    stale = []
    for path, draw in pictures().items():
        data = png_bytes(draw())
        if path.is_file() and path.read_bytes() == data:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for path in stale:
        verb = "differs" if args.check else "written"
        print(f"{path.relative_to(ROOT)}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
