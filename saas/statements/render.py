"""Jinja outside Flask: workers render statement templates without a request or an app."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from saas.signing.pdf import TEMPLATES_DIR


@cache
def environment() -> Environment:
    """The same ``templates/`` folder the web app uses, autoescaped like Flask's."""
    # StrictUndefined: a missing value must fail the job, not print an empty line on a
    # signed document.
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **context: Any) -> str:
    """Render ``templates/<name>``, e.g. ``pdf/sample_statement.html``."""
    return environment().get_template(name).render(**context)
