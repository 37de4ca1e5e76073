"""Hostile PDFs, built byte by byte: files made to exhaust a reader, each carrying the marks of
a signed statement (a /ByteRange and the PAdES sub-filter) so none is dismissed as unsigned."""

from __future__ import annotations

import zlib

SIGNATURE_MARKS = b"/ByteRange [0 10 20 30] /SubFilter /ETSI.CAdES.detached"


def _file(objects: list[bytes], trailer: bytes, *, xref_stream: bytes | None = None) -> bytes:
    """A PDF of ``objects`` (numbered from 1) with a classic cross-reference table, or with
    ``xref_stream`` (a whole object, numbered after the others) in its place."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref_stream is not None:
        out += xref_stream
    else:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n" + trailer + b"\n"
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def _catalog(extra: bytes = b"") -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


_PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"
_SIGNATURE = b"<< /Type /Sig /Filter /Adobe.PPKLite " + SIGNATURE_MARKS + b" /Contents <00> >>"


def xref_stream_bomb(inflated: int = 20 * 1024 * 1024) -> bytes:
    """About 20 KB whose compressed cross-reference stream inflates to ``inflated`` bytes of
    entries, as many as its /Size honestly declares (pyHanko's own limits let it through)."""
    entries = inflated // 8  # /W [1 4 2] and a predictor byte: 8 bytes an entry
    data = zlib.compress(b"\x00" * inflated, 9)
    number = 4
    stream = (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
        b" /Length %d >>\nstream\n" % (number, entries, len(data)) + data + b"\nendstream\nendobj\n"
    )
    return _file([_catalog(), _PAGES, _SIGNATURE], b"", xref_stream=stream)


def object_stream_bomb(inflated: int = 64 * 1024 * 1024) -> bytes:
    """The catalog lives in an object stream that inflates to ``inflated`` bytes of padding."""
    catalog = _catalog()
    payload = b"1 0 " + catalog + b" " * (inflated - len(catalog))
    data = zlib.compress(payload, 9)
    objstm = (
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(data)
        + data
        + b"\nendstream"
    )
    # Object 1 (the catalog) is entry 0 of object stream 4; 2 and 3 are plain objects.
    objects = [b"null", _PAGES, _SIGNATURE, objstm]
    body = _file(objects, b"")
    head = body[: body.rindex(b"xref\n")]
    offsets = [head.index(b"%d 0 obj\n" % n) for n in (2, 3, 4)]
    rows = b"\x00\x00\x00\x00\x00\xff\xff"  # object 0: free
    rows += b"\x02\x00\x00\x00\x04\x00\x00"  # object 1: in object stream 4, index 0
    rows += b"".join(b"\x01" + offset.to_bytes(4, "big") + b"\x00\x00" for offset in offsets)
    rows += b"\x01" + len(head).to_bytes(4, "big") + b"\x00\x00"  # object 5: this stream
    xref = (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(rows)
        + rows
        + b"\nendstream\nendobj\n"
    )
    return head + xref + b"startxref\n%d\n%%%%EOF\n" % len(head)


def deep_nesting(depth: int = 200_000, opener: bytes = b"[", closer: bytes = b"]") -> bytes:
    """A catalog holding ``depth`` arrays (or dictionaries) inside one another."""
    nested = opener * depth + closer * depth
    if opener == b"<<":
        nested = b"<< /A " * depth + b">> " * depth
    return _file([_catalog(b"/Nest " + nested), _PAGES, _SIGNATURE], b"<< /Size 4 /Root 1 0 R >>")


def huge_declared_length() -> bytes:
    """A stream that says it is 10 GB long, in a file of a few hundred bytes."""
    stream = b"<< /Length 10000000000 >>\nstream\nshort\nendstream"
    return _file([_catalog(), _PAGES, _SIGNATURE, stream], b"<< /Size 5 /Root 1 0 R >>")


def huge_object_count() -> bytes:
    """A trailer declaring a hundred million objects."""
    return _file([_catalog(), _PAGES, _SIGNATURE], b"<< /Size 100000000 /Root 1 0 R >>")
