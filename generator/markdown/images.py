"""Pixel sizes of images from their headers (stdlib only, no image library).

`<img>` tags get width/height attributes so that browsers reserve the space before the
image loads and the text does not jump (layout shift). Only the first bytes of each file
are read: a blog can have thousands of photos and a build must stay fast.

The format is recognised by its magic bytes, not by the file name, because authors do
rename files. Anything unrecognised, truncated or unreadable gives None: a missing size
is a cosmetic loss, never a build error.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import BinaryIO

# Enough for every fixed-position header below; JPEG and SVG read further as needed.
_HEAD = 32
# An SVG's root element comes after at most an XML declaration, a doctype and comments.
_SVG_HEAD = 16 * 1024
# JPEG segments before the frame header (EXIF thumbnails, ICC profiles) can be large,
# but not unboundedly: give up after this many bytes rather than scan a corrupt file.
_JPEG_SCAN_LIMIT = 4 * 1024 * 1024

# SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM and RST0-7 (SOI/EOI are handled by the loop).
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
# EXIF orientations 5-8 rotate the picture by 90°, and browsers honour them by default
# (CSS image-orientation: from-image), so the displayed width and height are swapped.
_EXIF_ORIENTATION_TAG = 0x0112

_SVG_TAG = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([a-z%]*)\s*$")
# CSS pixels per unit; relative units (%, em, ex) are left out and fall back on viewBox.
_UNITS = {
    "": 1.0,
    "px": 1.0,
    "pt": 4 / 3,
    "pc": 16.0,
    "in": 96.0,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
}


def image_size(path: Path) -> tuple[int, int] | None:
    """Return (width, height) in pixels for a PNG, GIF, JPEG, WebP or SVG file, else None."""
    try:
        with path.open("rb") as stream:
            head = stream.read(_HEAD)
            size = _sniff(head, stream)
    except (OSError, ValueError, struct.error):
        return None
    if size is None:
        return None
    width, height = size
    if width <= 0 or height <= 0:
        return None
    return width, height


def _sniff(head: bytes, stream: BinaryIO) -> tuple[int, int] | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(head)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(stream)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    return _svg(head + stream.read(_SVG_HEAD - len(head)))


def _png(head: bytes) -> tuple[int, int] | None:
    # The IHDR chunk must come first: length (4), type (4), then width and height.
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _gif(head: bytes) -> tuple[int, int] | None:
    # Logical screen width and height, little-endian, right after the signature.
    if len(head) < 10:
        return None
    width, height = struct.unpack("<HH", head[6:10])
    return width, height


def _webp(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        # Lossy: after the 3-byte frame tag and start code, 14-bit width and height.
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        # Lossless: signature byte, then width-1 and height-1 packed in 14 bits each.
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(head) >= 30:
        # Extended: flags (4 bytes), then canvas width-1 and height-1 as 24-bit integers.
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    return None


def _jpeg(stream: BinaryIO) -> tuple[int, int] | None:
    """Walk the marker segments up to the first SOFn, noting the EXIF orientation."""
    stream.seek(2)
    rotated = False
    while stream.tell() < _JPEG_SCAN_LIMIT:
        byte = stream.read(1)
        if not byte:
            return None
        if byte != b"\xff":
            return None  # segments must be back to back: this is not a JPEG we understand
        marker = stream.read(1)
        while marker == b"\xff":  # fill bytes may pad a marker
            marker = stream.read(1)
        if not marker:
            return None
        code = marker[0]
        if code in _JPEG_STANDALONE:
            continue
        if code in (0xD9, 0xDA):  # EOI or start of scan: no frame header came first
            return None
        raw_length = stream.read(2)
        if len(raw_length) < 2:
            return None
        (length,) = struct.unpack(">H", raw_length)
        if length < 2:
            return None
        if code in _JPEG_SOF:
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return (height, width) if rotated else (width, height)
        if code == 0xE1:
            segment = stream.read(length - 2)
            rotated = _exif_orientation(segment) in (5, 6, 7, 8)
        else:
            stream.seek(length - 2, 1)
    return None


def _exif_orientation(segment: bytes) -> int | None:
    """The orientation tag of an APP1 EXIF segment's first image directory, if any."""
    if not segment.startswith(b"Exif\x00\x00"):
        return None
    try:
        return _tiff_orientation(segment[6:])
    except struct.error:  # offsets pointing past the segment: treat as no orientation
        return None


def _tiff_orientation(tiff: bytes) -> int | None:
    if tiff[:4] == b"II*\x00":
        order = "<"
    elif tiff[:4] == b"MM\x00*":
        order = ">"
    else:
        return None
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[offset : offset + 2])
    for index in range(count):
        entry = tiff[offset + 2 + 12 * index : offset + 14 + 12 * index]
        if len(entry) < 12:
            return None
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == _EXIF_ORIENTATION_TAG and kind == 3:  # SHORT, stored in the value field
            return int(struct.unpack(order + "H", entry[8:10])[0])
    return None


def _svg(head: bytes) -> tuple[int, int] | None:
    """Size from the root <svg>'s width/height, or its viewBox when those are relative."""
    match = _SVG_TAG.search(head)
    if match is None:
        return None
    attributes: dict[str, str] = {}
    for name, double, single in _ATTRIBUTE.findall(match.group(1)):
        value = double if double or not single else single
        attributes[name.decode("ascii", "replace").lower()] = value.decode("utf-8", "replace")
    width = _svg_length(attributes.get("width"))
    height = _svg_length(attributes.get("height"))
    box = _viewbox(attributes.get("viewbox"))
    if width is not None and height is not None:
        size = (width, height)
    elif box is None:
        return None
    elif width is not None:  # one length and the viewBox's aspect ratio give the other
        size = (width, width * box[1] / box[0])
    elif height is not None:
        size = (height * box[0] / box[1], height)
    else:
        size = box
    try:
        return round(size[0]), round(size[1])
    except (OverflowError, ValueError):  # "1e999" parses as infinity
        return None


def _svg_length(value: str | None) -> float | None:
    if value is None:
        return None
    match = _LENGTH.match(value.lower())
    if match is None or match.group(2) not in _UNITS:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def _viewbox(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    parts = value.replace(",", " ").split()
    if len(parts) != 4:
        return None
    try:
        width, height = float(parts[2]), float(parts[3])
    except ValueError:
        return None
    if width <= 0 or height <= 0:
        return None
    return width, height
