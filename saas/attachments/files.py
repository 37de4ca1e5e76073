"""What an uploaded file is, judged by its bytes, and the clean copy Kaohe keeps of it.

Only images and PDFs are accepted, and the name and the browser's content type are never
trusted. An image is decoded (at most ``MAX_PIXELS``, at a reduced scale where the format
allows) and re-encoded without its metadata: EXIF, and with it the GPS position a phone
writes, never reaches storage. The orientation the EXIF asked for is applied to the pixels
first, so the photo still stands the right way up. A PDF is kept as sent after a look at its
bytes: a PDF header and end marker, and none of the active content (scripts, launch actions,
embedded files) a scan of a letter never needs. Pure functions: no session, no Flask.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from saas.models.attachment import StoredType

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a phone photo is 2–6 MB
MAX_PIXELS = 50_000_000  # larger than any phone camera; stops decompression bombs
LONGEST_SIDE = 2048  # what is kept: enough to read a letter or see a stain
JPEG_QUALITY = 82
_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP"}
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|OpenAction|AA)\b")
# A name may spell a character as #xx ("/J#61vaScript" is "/JavaScript").
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Objects (and so actions) may sit compressed in an object stream: those are read too.
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b[^>]{0,400}>>\s*stream\r?\n", re.S)
MAX_INFLATED = 64 * 1024 * 1024  # of all object streams together; more is not a scan


class Unacceptable(ValueError):
    """The file cannot be kept; ``code`` says why (the views word it for the reader)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Clean:
    """The bytes to store and what is known about them."""

    content: bytes
    content_type: StoredType
    width: int | None
    height: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def clean(data: bytes) -> Clean:
    """The stored form of ``data``; raises ``Unacceptable`` ("empty", "too_large",
    "not_allowed", "damaged", "too_many_pixels", "active_pdf")."""
    if not data:
        raise Unacceptable("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Unacceptable("too_large")
    if data[:1024].lstrip().startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return _checked_pdf(data)
    return _reencoded_image(data)


def _checked_pdf(data: bytes) -> Clean:
    if b"%%EOF" not in data[-2048:]:
        raise Unacceptable("damaged")
    if _active(data) or any(_active(part) for part in _object_streams(data)):
        raise Unacceptable("active_pdf")
    return Clean(data, StoredType.PDF, None, None)


def _active(data: bytes) -> bool:
    return (
        _ACTIVE_PDF.search(_NAME_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), data))
        is not None
    )


def _object_streams(data: bytes):
    """The inflated content of each object stream, within ``MAX_INFLATED`` together."""
    budget = MAX_INFLATED
    for found in _OBJECT_STREAM.finditer(data):
        end = data.find(b"endstream", found.end())
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[found.end() : end if end > 0 else None], budget + 1)
        except zlib.error:
            continue  # not Flate: nothing a viewer would read as objects either
        budget -= len(inflated)
        if budget < 0:
            raise Unacceptable("too_large")
        yield inflated


def _reencoded_image(data: bytes) -> Clean:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in _IMAGE_FORMATS:
                raise Unacceptable("not_allowed")
            if image.width * image.height > MAX_PIXELS:
                raise Unacceptable("too_many_pixels")
            if image.format == "JPEG":
                image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # decode at a reduced scale
            _load_whole(image)
            image = ImageOps.exif_transpose(image)  # orientation into the pixels, then drop EXIF
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
        except UnidentifiedImageError:
            raise Unacceptable("not_allowed") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # Pillow's own bound (past MAX_PIXELS too): a bomb is an image too large to open.
            raise Unacceptable("too_many_pixels") from None
        except (OSError, SyntaxError, ValueError) as error:
            if isinstance(error, Unacceptable):
                raise
            raise Unacceptable("damaged") from None
    return _encoded(image)


def _load_whole(image: Image.Image) -> None:
    """Decode every pixel, refusing a file cut short. WeasyPrint, once imported, tells Pillow
    to accept truncated images process-wide (grey where the data stops); a photo of evidence
    missing its lower half is damaged, so the switch is off while this one loads."""
    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting


def _encoded(image: Image.Image) -> Clean:
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P") and _has_transparency(image):
        image.convert("RGBA").save(out, "PNG", optimize=True)
        kind = StoredType.PNG
    else:
        image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        kind = StoredType.JPEG
    return Clean(out.getvalue(), kind, image.width, image.height)


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or "transparency" in image.info


def clean_name(name: str | None, content_type: StoredType) -> str:
    """A name safe to show and to offer as a download name: no path, no control characters,
    at most 120 characters, with the extension of what is actually stored."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable())
    stem = base.rsplit(".", 1)[0].strip(" .")[:100] or "attachment"
    extension = {StoredType.JPEG: "jpg", StoredType.PNG: "png", StoredType.PDF: "pdf"}
    return f"{stem}.{extension[content_type]}"
