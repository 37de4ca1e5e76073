"""Page or fragment: the one way a view decides what an HTMX request gets.

Every view renders its full page for a plain request (a link, a reload, no JavaScript) and
the fragment it swaps for an HTMX request. A boosted navigation or a history restore is an
HTMX request that needs the whole page, so those get the page too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import render_template, request


def wants_fragment(target: str | None = None) -> bool:
    """Is this an HTMX swap of part of the page (of the element ``target``, if given)?"""
    htmx = request.htmx  # type: ignore[attr-defined]  (added by htmx_flask)
    if not htmx or htmx.boosted or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def current_page_args() -> dict[str, list[str]]:
    """The query string of the page an HTMX request was sent from (``HX-Current-URL``);
    empty when there is none or the header is not a URL (the browser never sends one, so
    whoever did gets the page's defaults)."""
    htmx = request.htmx  # type: ignore[attr-defined]
    if not htmx or not htmx.current_url:
        return {}
    try:
        return parse_qs(urlsplit(htmx.current_url).query)
    except ValueError:
        return {}


def page_or_fragment(page: str, fragment: str, target: str | None = None, /, **context: Any) -> str:
    """Render ``fragment`` for an HTMX swap (of ``target``), else the whole ``page``.

    The three are positional-only, so the context may have keys of the same names."""
    return render_template(fragment if wants_fragment(target) else page, **context)
