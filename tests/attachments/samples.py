"""Files people send, good and hostile, made here rather than kept as fixtures: photos with
EXIF and a GPS position, a transparent PNG, a PNG declaring 20000×20000 pixels, and bytes that
only pretend to be a photo."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825
MAKE = 0x010F


def jpeg_with_exif(orientation: int = 6) -> bytes:
    """A 40×20 JPEG, red on the left and blue on the right, whose EXIF asks for a turn
    (6: 90° clockwise) and carries a camera make and a GPS position."""
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "KaoheCam"
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def transparent_png() -> bytes:
    image = Image.new("RGBA", (30, 30), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 15, 30))  # the left half fully transparent
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def plain_png(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(side: int = 20_000) -> bytes:
    """A few hundred bytes declaring side×side pixels (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (side * 3 + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>'


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"not really")
    return out.getvalue()


def pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R "
        + body
        + b" >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R"
        b" >>\n%%EOF\n"
    )


SCRIPTED_PDF = pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")


# The same action spelt with #xx escapes, and one hidden in a compressed object stream.
ESCAPED_PDF = pdf(b"/Names << /X << /S /J#61vaScript /J#53 (app.alert(1)) >> >>")


def object_stream_pdf(objects: bytes = b"5 0 << /S /JavaScript /JS (app.alert(1)) >>") -> bytes:
    packed = zlib.compress(objects)
    head = b"4 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
    return (
        b"%PDF-1.5\n" + head % len(packed) + packed + b"\nendstream\nendobj\ntrailer << >>\n%%EOF\n"
    )


def cut_png() -> bytes:
    """A PNG whose pixel data stops half-way (a transfer broken off)."""
    noise = Image.frombytes("RGB", (64, 64), bytes(range(256)) * 48)
    out = io.BytesIO()
    noise.save(out, "PNG")
    return out.getvalue()[: len(out.getvalue()) // 2]
