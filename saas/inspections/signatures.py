"""A signature drawn on the phone: what the page sends and what Kaohe keeps of it.

The page draws on a ``<canvas>`` and posts it as a PNG data URL
(``data:image/png;base64,…``) in a hidden field. Kaohe keeps it only if it is a PNG (read by
Pillow, not by its name), at most ``MAX_BYTES`` and ``MAX_WIDTH`` × ``MAX_HEIGHT``, and not
blank: at least ``MIN_INK`` pixels stand out from the background. What is stored is Pillow's
own re-encoding, so no chunk of text or metadata the sender added survives. Pure: no Flask,
no session.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings

from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 200 * 1024
MAX_WIDTH, MAX_HEIGHT = 1200, 600
MIN_INK = 30  # pixels: a dot or a smudge is not a signature
_INK_CONTRAST = 48  # grey levels from the background that count as ink
# The field's length before decoding: base64 is 4 characters per 3 bytes.
MAX_FIELD = len(PREFIX) + (MAX_BYTES * 4) // 3 + 4


class BadSignature(ValueError):
    """Why a signature was refused: "missing", "not_png", "too_big", "too_large" (pixels) or
    "blank" (the views word it for the reader)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def read(field: str | None) -> bytes:
    """The PNG to keep of a posted data URL; raises ``BadSignature``."""
    text = (field or "").strip()
    if not text:
        raise BadSignature("missing")
    if len(text) > MAX_FIELD:
        raise BadSignature("too_big")
    if not text.startswith(PREFIX):
        raise BadSignature("not_png")
    try:
        data = base64.b64decode(text[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise BadSignature("not_png") from None
    if len(data) > MAX_BYTES:
        raise BadSignature("too_big")
    return _checked(data)


def _checked(data: bytes) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format != "PNG":
                raise BadSignature("not_png")
            if image.width > MAX_WIDTH or image.height > MAX_HEIGHT:
                raise BadSignature("too_large")
            image.load()
        except BadSignature:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise BadSignature("not_png") from error
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadSignature("too_large") from None
    flat = _on_white(image)
    if _ink(flat) < MIN_INK:
        raise BadSignature("blank")
    out = io.BytesIO()
    flat.save(out, "PNG", optimize=True)
    return out.getvalue()


def _on_white(image: Image.Image) -> Image.Image:
    """The drawing as grey levels on white: strokes on a transparent canvas, or on a filled
    one, look the same."""
    rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("L")


def _ink(grey: Image.Image) -> int:
    """How many pixels differ clearly from the most common grey level (the background)."""
    histogram = grey.histogram()
    background = max(range(256), key=histogram.__getitem__)
    return sum(
        count for level, count in enumerate(histogram) if abs(level - background) > _INK_CONTRAST
    )


def data_url(png: bytes) -> str:
    """A stored signature as the data URL an ``<img>`` (or the report) shows."""
    return PREFIX + base64.b64encode(png).decode("ascii")
