"""What the content check keeps and refuses, judged by the bytes (saas/attachments/files.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from saas.attachments.files import MAX_UPLOAD_BYTES, Unacceptable, clean, clean_name
from saas.models.attachment import StoredType
from tests.attachments import samples


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xff\xd8\xff" + b"\x00" * MAX_UPLOAD_BYTES, "too_large"),
        (samples.HTML, "not_allowed"),
        (samples.SVG, "not_allowed"),
        (samples.zip_bytes(), "not_allowed"),
        (samples.bomb_png(), "too_many_pixels"),
        (samples.bomb_png(9_000), "too_many_pixels"),  # past MAX_PIXELS, under Pillow's bound
        (samples.SCRIPTED_PDF, "active_pdf"),
        (samples.pdf(b"/EmbeddedFiles << >>"), "active_pdf"),
        (b"%PDF-1.4\n1 0 obj << >> endobj\n", "damaged"),  # cut short: no end marker
        (samples.ESCAPED_PDF, "active_pdf"),
        (samples.object_stream_pdf(), "active_pdf"),
        (samples.cut_png(), "damaged"),
    ],
    ids=[
        "empty",
        "oversize",
        "html",
        "svg",
        "zip",
        "bomb",
        "big",
        "js-pdf",
        "embedded-pdf",
        "short-pdf",
        "escaped-js-pdf",
        "hidden-js-pdf",
        "cut-png",
    ],
)
def test_refused(data, code):
    import weasyprint  # noqa: F401  (it tells Pillow to accept cut files: not here)

    with pytest.raises(Unacceptable) as refused:
        clean(data)
    assert refused.value.code == code


def test_a_photo_loses_its_exif_and_stands_upright():
    sent = samples.jpeg_with_exif(orientation=6)
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(samples.GPS_IFD)  # it had a position
    kept = clean(sent)
    image = Image.open(io.BytesIO(kept.content))
    assert kept.content_type == StoredType.JPEG and image.format == "JPEG"
    assert dict(image.getexif()) == {} and "exif" not in image.info
    assert (image.width, image.height) == (kept.width, kept.height) == (20, 40)  # turned
    red, blue = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]  # the left half is now the top


def test_transparency_is_kept_as_png():
    kept = clean(samples.transparent_png())
    image = Image.open(io.BytesIO(kept.content))
    assert kept.content_type == StoredType.PNG and image.mode == "RGBA"
    assert image.getpixel((2, 2))[3] == 0 and image.getpixel((25, 2))[3] == 255


def test_a_plain_pdf_is_kept_as_sent():
    data = samples.pdf()
    assert clean(data).content == data and clean(data).content_type == StoredType.PDF
    harmless = samples.object_stream_pdf(b"5 0 << /Type /Font /Subtype /Type1 >>")
    assert clean(harmless).content == harmless


def test_a_printed_letter_is_kept():
    """A PDF as office software writes it (WeasyPrint: object streams, links, fonts)."""
    from weasyprint import HTML

    letter = HTML(string="<h1>表扬信</h1><p>感谢 <a href='https://example.com'>张三</a></p>")
    data = letter.write_pdf()
    assert b"/ObjStm" in data and clean(data).content == data


def test_names_are_cleaned():
    assert clean_name("C:\\Users\\x\\..\\投诉信.JPG", StoredType.JPEG) == "投诉信.jpg"
    assert clean_name("../../etc/passwd", StoredType.PDF) == "passwd.pdf"
    assert clean_name("a\u202eb\x07.png", StoredType.PNG) == "ab.png"
    assert clean_name(None, StoredType.PNG) == "attachment.png"
