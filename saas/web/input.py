"""What a request may carry into Kaohe, settled once for every view.

- **No NUL characters.** PostgreSQL refuses them in text, so a ``%00`` in a search or a form
  field would fail the query (a 500). Every query parameter, form field and uploaded file
  name is read without them; nothing legitimate contains one.
- **A query string is text.** A browser percent-encodes what is not ASCII; bytes sent raw
  that are not UTF-8 are percent-encoded here, as a browser would have, so that reading
  ``request.args`` or ``request.full_path`` cannot fail.
- **Ids in URLs are database ids.** ``<int:…>`` in a route matches ASCII digits up to
  PostgreSQL's ``integer`` (2³¹−1); anything else is no route at all (404), instead of a
  query PostgreSQL refuses. Werkzeug's own converter takes any length, and ``\\d`` any
  script's digits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_from_bytes

from flask import Flask
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from saas.validation import MAX_ID

NUL = "\x00"


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, FileStorage) and value.filename:
        value.filename = value.filename.replace(NUL, "")
    return value


class Parameters(ImmutableMultiDict):
    """Query parameters, form fields and files, as the request parsers build them (a list of
    pairs), with every NUL taken out of names, values and file names."""

    def __init__(self, mapping: Any = None) -> None:
        if isinstance(mapping, list):
            mapping = [(_without_nul(key), _without_nul(value)) for key, value in mapping]
        super().__init__(mapping)


def _as_text(query: bytes) -> bytes:
    try:
        query.decode()
    except UnicodeDecodeError:
        return quote_from_bytes(query, safe="%&=+/?:@,;!$'()*~").encode()
    return query


class KaoheRequest(HtmxAwareRequest):
    parameter_storage_class = Parameters

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.query_string = _as_text(self.query_string)


class DatabaseId(IntegerConverter):
    """``<int:name>``: 0 … 2³¹−1 in ASCII digits."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_input(app: Flask) -> None:
    """After htmx-flask (whose request class this one extends) and before any blueprint
    (rules take their converters when they are added)."""
    app.request_class = KaoheRequest
    app.url_map.converters["int"] = DatabaseId
