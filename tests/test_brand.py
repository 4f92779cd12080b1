"""RoomSense's pictures: the integration's brand/ folder and the add-on's icon and logo.

Home Assistant 2026.10 serves a custom integration's own brand/ folder through its `brands`
integration (homeassistant/components/brands/__init__.py, BrandsIntegrationView) at
/api/brands/integration/<domain>/<name>, the URL the frontend builds with a token it gets
over the websocket (`brands/access_token`); without the folder it asks brands.home-assistant.io,
which has no RoomSense, and the user sees a broken picture.
"""

from __future__ import annotations

import importlib.util
import io
import struct
import zlib
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from homeassistant.components.brands.const import ALLOWED_IMAGES
from homeassistant.core import HomeAssistant
from homeassistant.loader import async_get_custom_components
from homeassistant.setup import async_setup_component
from PIL import Image
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

from custom_components.roomsense.const import DOMAIN

ROOT = Path(__file__).resolve().parents[1]
BRAND = ROOT / "custom_components" / "roomsense" / "brand"
ADDON = ROOT / "addon"

# What each name the frontend may ask for comes back as: the file itself, or the one Home
# Assistant falls back to (homeassistant/components/brands/const.py, IMAGE_FALLBACKS). The mark
# reads on light and dark themes alike, so the icons have no dark variant; the logos' wordmark
# does not, so they have one.
SERVED = {
    "icon.png": "icon.png",
    "icon@2x.png": "icon@2x.png",
    "dark_icon.png": "icon.png",
    "dark_icon@2x.png": "icon@2x.png",
    "logo.png": "logo.png",
    "logo@2x.png": "logo@2x.png",
    "dark_logo.png": "dark_logo.png",
    "dark_logo@2x.png": "dark_logo@2x.png",
}
BRAND_FILES = sorted(set(SERVED.values()))
ALL_FILES = [BRAND / name for name in BRAND_FILES] + [ADDON / "icon.png", ADDON / "logo.png"]


def png_header(data: bytes) -> tuple[int, int, int, int, int]:
    """Width, height, bit depth, colour type and interlace after checking the chunk layout."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    offset, kinds, idat = 8, [], b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in {kind!r}"
        kinds.append(kind)
        if kind == b"IDAT":
            idat += body
        offset += 12 + length
    assert kinds[0] == b"IHDR"
    assert kinds[-1] == b"IEND"
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    if interlace == 0 and colour == 6 and depth == 8:
        assert len(zlib.decompress(idat)) == height * (1 + width * 4)
    return width, height, depth, colour, interlace


def rgba(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.mode == "RGBA", f"{path.name} has no alpha channel"
        return np.asarray(image)


# ---------------------------------------------------------------------------------------------
# Served by Home Assistant


async def test_home_assistant_has_the_brand_folder(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    integration = (await async_get_custom_components(hass))[DOMAIN]
    assert integration.has_branding  # loader.py: "brand" among the package's top-level names
    names = {path.name for path in BRAND.iterdir()}
    assert names <= ALLOWED_IMAGES, f"Home Assistant never serves {names - ALLOWED_IMAGES}"
    assert names == set(BRAND_FILES)


@pytest.mark.parametrize("name", sorted(SERVED))
async def test_frontend_url_serves_the_picture(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    name: str,
) -> None:
    """The frontend's URL (a signed one, as in an <img> tag) gets our own file, not the CDN's."""
    assert name in ALLOWED_IMAGES
    assert await async_setup_component(hass, "brands", {})
    websocket = await hass_ws_client(hass)
    await websocket.send_json({"id": 1, "type": "brands/access_token"})
    reply = await websocket.receive_json()
    assert reply["success"], reply
    token = reply["result"]["token"]

    client = await hass_client_no_auth()
    response = await client.get(f"/api/brands/integration/{DOMAIN}/{name}?token={token}")
    assert response.status == 200
    assert response.content_type == "image/png"
    assert await response.read() == (BRAND / SERVED[name]).read_bytes()


async def test_frontend_url_without_a_token_is_refused(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client_no_auth()
    response = await client.get(f"/api/brands/integration/{DOMAIN}/icon.png")
    assert response.status == 403


# ---------------------------------------------------------------------------------------------
# The files themselves

SIZES = {
    # brands rules: icon 256 x 256 and 512 x 512 for hDPI; home-assistant/developers
    # docs/add-ons/presentation.md: add-on icon 128 x 128, logo about 250 x 100.
    BRAND / "icon.png": (256, 256),
    BRAND / "icon@2x.png": (512, 512),
    ADDON / "icon.png": (128, 128),
    ADDON / "logo.png": (250, 100),
}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_png_is_8_bit_rgba_of_the_right_size(path: Path) -> None:
    width, height, depth, colour, interlace = png_header(path.read_bytes())
    assert (depth, colour) == (8, 6), "8-bit RGBA: transparency without a palette"
    assert interlace in (0, 1)
    if path in SIZES:
        assert (width, height) == SIZES[path]
    else:
        # brands rules for a logo: landscape, shortest side 128..256 (256..512 for hDPI).
        assert width > height
        low, high = (256, 512) if "@2x" in path.name else (128, 256)
        assert low <= height <= high
    if "@2x" in path.name:
        one = png_header(path.with_name(path.name.replace("@2x", "")).read_bytes())
        assert (width, height) == (2 * one[0], 2 * one[1]), "hDPI is twice the plain one"
    assert path.stat().st_size < 100_000, "optimised for the web"


def test_png_check_rejects_a_broken_file() -> None:
    data = bytearray((BRAND / "icon.png").read_bytes())
    data[20] ^= 0xFF  # inside IHDR: the CRC no longer matches
    with pytest.raises(AssertionError):
        png_header(bytes(data))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_picture_is_on_a_transparent_background_and_trimmed(path: Path) -> None:
    alpha = rgba(path)[..., 3]
    height, width = alpha.shape
    border = np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])
    assert not border.any(), "the background must be transparent up to the edges"
    assert (alpha == 0).mean() > 0.25, "mostly a transparent background"
    assert (alpha == 255).mean() > 0.05, "solid shapes, not a haze"
    rows, cols = np.nonzero(alpha)
    # Trimmed: at most a tenth of each side is empty.
    assert rows.min() <= height * 0.1
    assert height - 1 - rows.max() <= height * 0.1
    assert cols.min() <= width * 0.1
    assert width - 1 - cols.max() <= width * 0.1


def contrast(colours: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """WCAG contrast ratio of each colour (N x 3, 0..255) against `background`."""

    def luminance(rgb: np.ndarray) -> np.ndarray:
        c = rgb / 255.0
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return c @ np.array([0.2126, 0.7152, 0.0722])

    a, b = luminance(colours), luminance(np.array(background, dtype=np.float64))
    return (np.maximum(a, b) + 0.05) / (np.minimum(a, b) + 0.05)


LIGHT, DARK_PAGE, DARK_CARD = (255, 255, 255), (17, 17, 17), (28, 28, 28)


@pytest.mark.parametrize(
    "path",
    [BRAND / "icon.png", BRAND / "icon@2x.png", ADDON / "icon.png", ADDON / "logo.png"],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_picture_reads_on_light_and_dark_themes(path: Path) -> None:
    """What serves both themes (the icons: no dark_icon; the add-on: no dark variants at all)
    keeps 3:1 contrast, WCAG's share for large text and graphics, on either background."""
    pixels = rgba(path)
    solid = pixels[pixels[..., 3] == 255][:, :3].astype(np.float64)
    assert len(solid) > 500
    for background in (LIGHT, DARK_PAGE, DARK_CARD):
        assert contrast(solid, background).min() >= 3.0, background


@pytest.mark.parametrize(
    ("name", "background"),
    [
        ("logo.png", LIGHT),
        ("logo@2x.png", LIGHT),
        ("dark_logo.png", DARK_PAGE),
        ("dark_logo@2x.png", DARK_PAGE),
    ],
)
def test_wordmark_reads_on_its_theme(name: str, background: tuple[int, int, int]) -> None:
    pixels = rgba(BRAND / name)
    height = pixels.shape[0]
    words = pixels[:, height:]  # the mark fills the first square, the name follows
    solid = words[words[..., 3] == 255][:, :3].astype(np.float64)
    assert len(solid) > 1000
    assert contrast(solid, background).min() >= 4.5  # WCAG AA for text


# ---------------------------------------------------------------------------------------------
# scripts/brand.py


@cache
def brand_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_brand", ROOT / "scripts" / "brand.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_draws_every_picture_and_nothing_else() -> None:
    assert set(brand_script().pictures()) == set(ALL_FILES)


# Where the mark lies in each picture (top, left, size); elsewhere it fills the first square.
MARK_BOX = {ADDON / "logo.png": (8, 4, 84)}


@pytest.mark.slow  # draws every picture again: seconds each
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_script_reproduces_the_committed_picture(path: Path) -> None:
    brand = brand_script()
    drawn = brand.pictures()[path]()
    data = brand.png_bytes(drawn)
    assert brand.png_bytes(drawn) == data, "the PNG writer is deterministic"
    with Image.open(io.BytesIO(data)) as decoded:
        assert np.array_equal(np.asarray(decoded.convert("RGBA")), drawn), "a faithful PNG"
    committed = rgba(path)
    assert committed.shape == drawn.shape
    stale = f"{path.relative_to(ROOT)} is out of date: run scripts/python scripts/brand.py"
    # The mark is numpy arithmetic: the same to a level everywhere. The wordmark is FreeType's,
    # bundled with Pillow, which Home Assistant pins: equal in the project's environments (the
    # bytes too: `scripts/brand.py --check`); some slack for another Pillow's rasterising.
    top, left, size = MARK_BOX.get(path, (0, 0, committed.shape[0]))
    mark = np.s_[top : top + size, left : left + size]
    assert np.abs(committed[mark].astype(np.int16) - drawn[mark]).max() <= 1, stale
    off = (np.abs(committed.astype(np.int16) - drawn).max(axis=-1) > 2).mean()
    assert off < 0.01, stale
