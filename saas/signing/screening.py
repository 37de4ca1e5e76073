"""A look at an uploaded file before anything parses it: a few scans of the bytes, no parser.

What Kaohe signs is small and regular: a PDF of a page or two (about 200 KB), starting with
``%PDF-``, ending with ``%%EOF``, holding a few dozen objects and one PAdES signature. A file
that is far from that shape is answered without parsing it at all; one without any signature
cannot be a Kaohe statement, so it needs no parsing either.
"""

from __future__ import annotations

import enum
import re

MAX_BYTES = 5 * 1024 * 1024  # twenty times a statement
MAX_OBJECTS = 20_000  # a statement has under a hundred
_HEADER_WINDOW = 1024  # the header may follow a little junk (ISO 32000-1, 7.5.2) …
_TRAILER_WINDOW = 1024  # … and the end-of-file marker may be followed by a little

_DECLARED_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_DECLARED_SIZE = re.compile(rb"/Size\s+(\d+)")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]{0,400})\]")


class Screening(enum.Enum):
    PARSE = "parse"  # looks like a signed PDF: worth parsing
    UNSIGNED = "unsigned"  # a PDF without a PAdES signature: not a Kaohe statement
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    TRUNCATED = "truncated"
    IMPLAUSIBLE = "implausible"  # declares lengths or object counts no statement has


def _numbers(pattern: re.Pattern[bytes], data: bytes) -> list[int]:
    return [_number(m) for m in pattern.findall(data)]


def _number(digits: bytes) -> int:
    # A run of more than twenty digits is implausible anyway, and int() of a long one is slow.
    return int(digits) if len(digits) <= 20 else 10**20


def _index_counts(data: bytes) -> list[int]:
    """The entry counts of every cross-reference stream's /Index [start count …]."""
    counts = []
    for match in _INDEX.findall(data):
        values = match.split()
        counts.extend(_number(v) for v in values[1::2])
    return counts


def _implausible(data: bytes) -> bool:
    if any(length > len(data) for length in _numbers(_DECLARED_LENGTH, data)):
        return True  # a stream longer than the whole file
    counts = _numbers(_DECLARED_SIZE, data) + _index_counts(data)
    return any(count > MAX_OBJECTS for count in counts)


def _signed(data: bytes) -> bool:
    return b"/ByteRange" in data and b"/ETSI.CAdES.detached" in data


def screen(data: bytes) -> Screening:
    """What to do with ``data``: parse it, or answer at once (and with what)."""
    if len(data) > MAX_BYTES:
        return Screening.TOO_LARGE
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        return Screening.NOT_PDF
    if b"%%EOF" not in data[-_TRAILER_WINDOW:]:
        return Screening.TRUNCATED
    if _implausible(data):
        return Screening.IMPLAUSIBLE
    if not _signed(data):
        return Screening.UNSIGNED
    return Screening.PARSE
