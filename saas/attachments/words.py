"""What a refused file is told, in the reader's language: one sentence per ``Unacceptable``
code (saas/attachments/files.py and service.py), naming the file when there are several."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from saas.attachments.files import MAX_PIXELS, MAX_UPLOAD_BYTES
from saas.attachments.service import MAX_PER_RECORD

MEGABYTE = 1024 * 1024
# How many files one form sends at once, and how large the whole request may be: six phone
# photos of a few MB each fit; the view sets the request's bound before its body is read.
MAX_AT_ONCE = 6
MAX_REQUEST_BYTES = 40 * MEGABYTE

MESSAGES: dict[str, Any] = {
    "empty": _l("The file is empty."),
    "too_large": _l(
        "The file is larger than %(mb)s MB; take a smaller photo or scan at a lower resolution.",
        mb=MAX_UPLOAD_BYTES // MEGABYTE,
    ),
    "not_allowed": _l(
        "Only photos (JPEG, PNG, WebP, GIF, BMP) and PDF scans are accepted, judged by what the"
        " file holds, not by its name; this file is neither."
    ),
    "damaged": _l("The file is damaged or incomplete and cannot be read."),
    "too_many_pixels": _l(
        "The image is too large (more than %(mp)s million pixels).",
        mp=MAX_PIXELS // 1_000_000,
    ),
    "active_pdf": _l(
        "This PDF holds scripts, actions or embedded files. Print it to a plain PDF, or scan"
        " the paper, and upload that."
    ),
    "too_many": _l(
        "Too many files: a record holds at most %(most)s, and at most %(once)s are sent at once.",
        most=MAX_PER_RECORD,
        once=MAX_AT_ONCE,
    ),
    "request_too_large": _l(
        "The files together are larger than %(mb)s MB; send fewer at once.",
        mb=MAX_REQUEST_BYTES // MEGABYTE,
    ),
}


def message(code: str, name: str | None = None) -> Any:
    """The sentence for ``code``; with the file's name in front when ``name`` is given."""
    said = MESSAGES.get(code, MESSAGES["not_allowed"])
    if not name:
        return said
    return _l("%(name)s: %(problem)s", name=name, problem=said)
