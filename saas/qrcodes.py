"""QR codes as inline SVG, for PDFs (statements, set-up sheets) and pages alike."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str) -> Markup:
    """``url`` as an SVG QR code sized by its container (no width or height of its own).

    segno writes plain SVG paths with no text, so in a PDF the QR code adds no font.
    """
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#111827")
    return Markup(svg)
