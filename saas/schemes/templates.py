"""Scheme templates: assessment standards from the sources that a tenant can start from.

Each template is a scheme file (docs/scheme-files.md) in ``templates/`` next to this module,
written in the canonical form ``files.dump`` produces. Values the source does not give are
Kaohe's defaults and each file names them in its ``defaulted`` lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from saas.schemes import files
from saas.scoring.scheme import Scheme

FOLDER = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Template:
    code: str  # the file's stem
    path: Path

    def read_text(self) -> str:
        return self.path.read_text(encoding="utf-8")


# In the order a tenant admin sees them: the reference scheme first.
TEMPLATES: tuple[Template, ...] = tuple(
    Template(code, FOLDER / f"{code}.yaml")
    for code in (
        "smile_functional",
        "smile_frontline",
        "work_brand",
        "outsourced_provider",
        "canteen_hygiene",
        "outsourced_cleaning",
    )
)
_BY_CODE = {template.code: template for template in TEMPLATES}


class BrokenTemplateError(ValueError):
    """A shipped template that does not load: a defect of this release, not of the tenant."""


def template_names() -> list[tuple[str, str]]:
    """(code, scheme name) of every template, in catalog order."""
    return [(template.code, load_template(template.code).name) for template in TEMPLATES]


def load_template(code: str) -> Scheme:
    """The template's scheme; KeyError for an unknown code. Parsed once per process."""
    if code not in _BY_CODE:
        raise KeyError(code)
    return _load(code)


@cache
def _load(code: str) -> Scheme:
    loaded = files.load(_BY_CODE[code].read_text())
    if loaded.scheme is None:
        problems = ", ".join(
            f"line {found.line}, {found.field}: {found.issue.code}" for found in loaded.errors
        )
        raise BrokenTemplateError(f"{code}: {problems}")
    return loaded.scheme
