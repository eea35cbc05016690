"""Tests for generator.markdown.images.image_size: every format from synthetic headers."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from generator.markdown.images import image_size


def png_bytes(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif_bytes(width: int, height: int, version: bytes = b"89a") -> bytes:
    return b"GIF" + version + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def exif_payload(orientation: int, big_endian: bool = False) -> bytes:
    order = ">" if big_endian else "<"
    header = (b"MM\x00*" if big_endian else b"II*\x00") + struct.pack(order + "I", 8)
    entry = struct.pack(order + "HHIHH", 0x0112, 3, 1, orientation, 0)
    return b"Exif\x00\x00" + header + struct.pack(order + "H", 1) + entry + b"\x00" * 4


def jpeg_bytes(
    width: int, height: int, *, sof: int = 0xC0, orientation: int | None = None, pad: int = 0
) -> bytes:
    parts = [b"\xff\xd8", segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")]
    if orientation is not None:
        parts.append(segment(0xE1, exif_payload(orientation)))
    if pad:
        parts.append(segment(0xED, b"\x00" * pad))  # a large APP13 segment to skip over
    parts.append(segment(0xDB, b"\x00" * 65))  # a quantisation table before the frame
    parts.append(b"\xff\xff")  # fill bytes are allowed before a marker
    parts.append(segment(sof, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"))
    parts.append(b"\xff\xda" + struct.pack(">H", 8) + b"\x01\x01\x00\x00\x3f\x00")
    parts.append(b"\xff\xd9")
    return b"".join(parts)


def webp_bytes(chunk: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + chunk + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8(width: int, height: int) -> bytes:
    return webp_bytes(
        b"VP8 ", b"\x30\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\0" * 8
    )


def vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    return webp_bytes(b"VP8L", b"\x2f" + bits.to_bytes(4, "little") + b"\0" * 8)


def vp8x(width: int, height: int) -> bytes:
    payload = b"\x10\0\0\0" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return webp_bytes(b"VP8X", payload)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "size"),
    [
        ("a.png", png_bytes(4, 3), (4, 3)),
        ("big.png", png_bytes(1, 1)[:16] + struct.pack(">II", 4000, 3000), (4000, 3000)),
        ("a.gif", gif_bytes(5, 7), (5, 7)),
        ("old.gif", gif_bytes(300, 2, b"87a"), (300, 2)),
        ("a.jpg", jpeg_bytes(640, 480), (640, 480)),
        ("progressive.jpg", jpeg_bytes(800, 600, sof=0xC2), (800, 600)),
        ("padded.jpg", jpeg_bytes(10, 20, pad=60000), (10, 20)),
        ("upright.jpg", jpeg_bytes(640, 480, orientation=1), (640, 480)),
        ("rotated.jpg", jpeg_bytes(640, 480, orientation=6), (480, 640)),
        ("lossy.webp", vp8(320, 200), (320, 200)),
        ("lossless.webp", vp8l(321, 201), (321, 201)),
        ("extended.webp", vp8x(1920, 1080), (1920, 1080)),
        ("renamed.txt", png_bytes(2, 9), (2, 9)),  # sniffed by content, not by name
    ],
)
def test_binary_formats(tmp_path: Path, name: str, data: bytes, size: tuple[int, int]) -> None:
    assert image_size(write(tmp_path, name, data)) == size


def test_jpeg_big_endian_exif(tmp_path: Path) -> None:
    data = jpeg_bytes(30, 10)
    exif = segment(0xE1, exif_payload(8, big_endian=True))
    path = write(tmp_path, "mm.jpg", data[:2] + exif + data[2:])
    assert image_size(path) == (10, 30)


@pytest.mark.parametrize(
    ("svg", "size"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"/>', (120, 60)),
        ("<svg width='12.6px' height='3px'></svg>", (13, 3)),
        ('<svg viewBox="0 0 300 150"></svg>', (300, 150)),
        ('<svg viewBox="0,0,30.5,10" width="100%" height="100%"></svg>', (30, 10)),
        ('<svg viewBox="0 0 200 100" width="50"></svg>', (50, 25)),
        ('<svg viewBox="0 0 200 100" height="50"></svg>', (100, 50)),
        ('<svg width="1in" height="72pt"></svg>', (96, 96)),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- logo -->\n'
            '<SVG\n  xmlns="http://www.w3.org/2000/svg"\n  WIDTH="24" height="24"></SVG>',
            (24, 24),
        ),
    ],
)
def test_svg(tmp_path: Path, svg: str, size: tuple[int, int]) -> None:
    assert image_size(write(tmp_path, "a.svg", svg)) == size


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        png_bytes(4, 3)[:20],  # truncated inside IHDR
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 30,  # no IHDR first
        png_bytes(0, 3),
        b"GIF89a\x01",
        jpeg_bytes(640, 480)[:30],  # cut before the frame header
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # a segment longer than the file
        b"\xff\xd8garbage after the start of image marker",
        b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 20,  # scan before any frame header
        b"\xff\xd8\xff\xe0\x00\x01",  # impossible segment length
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"RIFF\x00\x00\x00\x00WEBPVP8 \x00\x00\x00\x00\x30\x01\x00BADxxxxxxxx",
        b"RIFF\x00\x00\x00\x00WEBPABCD" + b"\x00" * 20,
        b"<svg></svg>",
        b'<svg width="10em" height="2em"></svg>',
        b'<svg width="10"></svg>',
        b'<svg viewBox="0 0 0 10"></svg>',
        b'<svg viewBox="a b c d"></svg>',
        b'<svg width="1e999" height="1"></svg>',
        b"<html><body>no svg here</body></html>",
        bytes(range(256)) * 4,
    ],
)
def test_unknown_truncated_or_garbage(tmp_path: Path, data: bytes) -> None:
    assert image_size(write(tmp_path, "x.img", data)) is None


def test_jpeg_with_corrupt_exif_still_has_a_size(tmp_path: Path) -> None:
    broken = segment(0xE1, b"Exif\x00\x00II*\x00\xff\xff\x00\x00")  # IFD offset past the end
    data = jpeg_bytes(64, 32)
    assert image_size(write(tmp_path, "e.jpg", data[:2] + broken + data[2:])) == (64, 32)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert image_size(tmp_path / "missing.png") is None
    assert image_size(tmp_path) is None
