"""`kaohe scheme`: check a scheme file, and try it on sample inputs, without a database.

Both commands speak the user's language (--lang, else KAOHE_LANG or LANG, else Chinese) with
the same catalogs as the web pages; a small Flask application carries the translations, since
there is no request to take the locale from.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from saas.schemes.files import Loaded
    from saas.scoring.scheme import Scheme
    from saas.scoring.tryout import Inputs

LANGUAGES = {"zh": "zh_CN", "en": "en"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def default_language() -> str:
    """The first of KAOHE_LANG and LANG that names a language Kaohe speaks; else Chinese."""
    for name in ("KAOHE_LANG", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        for language in LANGUAGES:
            if value.startswith(language):
                return language
    return "zh"


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Translate messages into ``language`` ("zh" or "en") inside the block."""
    from flask import Flask
    from flask_babel import Babel, force_locale

    app = Flask("kaohe-scheme")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app)
    with app.app_context(), force_locale(LANGUAGES[language]):
        yield


_language_option = click.option(
    "--lang",
    "language",
    type=click.Choice(sorted(LANGUAGES)),
    default=default_language,
    show_default="KAOHE_LANG or LANG, else zh",
    help="The language of the messages.",
)


@click.group()
def scheme() -> None:
    """Check scheme files and try them on sample inputs (no database needed)."""


@scheme.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_language_option
def check(file: Path, language: str) -> None:
    """Check a scheme file; exit 1 if it has errors that stop it being published."""
    with speaking(language):
        loaded = _load(file)
        _report(file, loaded, err=False)
    sys.exit(1 if loaded.errors else 0)


@scheme.command("try")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("inputs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_language_option
@click.option(
    "--format",
    "shape",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="JSON with every number and the trace, or one line per subject.",
)
def try_scheme(file: Path, inputs: Path, language: str, shape: str) -> None:
    """Score the subjects in INPUTS as one cohort with the scheme in FILE, as a cycle's
    scoring run would (eligibility and band quotas included), and print the results
    (docs/scheme-inputs.md)."""
    from saas.scoring import tryout

    with speaking(language):
        loaded = _load(file)
        if loaded.scheme is None or loaded.warnings:
            _report(file, loaded, err=True)
        if loaded.scheme is None:
            sys.exit(1)
        text = _read(inputs)
        read = tryout.read_inputs(text, loaded.scheme) if text is not None else None
        if read is None or not read.ok:
            _report_inputs(inputs, read)
            sys.exit(1)
        output = _output(loaded.scheme, read)
        if shape == "text":
            _print_text(output)
        else:
            click.echo(json.dumps(output, indent=2, ensure_ascii=False))


# -- reading and reporting -----------------------------------------------------------------------


def _read(file: Path) -> str | None:
    try:
        return file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _load(file: Path) -> Loaded:
    from saas.schemes import files
    from saas.scoring.checks import Issue, Severity

    text = _read(file)
    if text is None:
        return files.Loaded(
            None, [files.FileIssue(Issue(Severity.INVALID, (), "file.encoding"), None)]
        )
    return files.load(text)


def _by_line(found: Any) -> int:
    return found.line or 0


def _report(file: Path, loaded: Loaded, *, err: bool) -> None:
    """Every problem as FILE:LINE: mark: field (its name): message, errors first; then a
    summary."""
    from flask_babel import gettext as _

    from saas.schemes.messages import SEVERITY_LABELS, describe, field_label

    for found in [*sorted(loaded.errors, key=_by_line), *sorted(loaded.warnings, key=_by_line)]:
        parts = [_where(file, found.line, found.column), str(SEVERITY_LABELS[found.issue.severity])]
        if found.field:
            label = field_label(found.issue.path)
            parts.append(found.field if label == found.field else f"{found.field} ({label})")
        parts.append(describe(found.issue))
        click.echo(": ".join(parts), err=err)
    counts = {"errors": len(loaded.errors), "warnings": len(loaded.warnings)}
    if loaded.errors:
        summary = _(
            "Errors: %(errors)s, warnings: %(warnings)s. The scheme cannot be published until "
            "the errors are fixed.",
            **counts,
        )
    elif loaded.warnings:
        summary = _(
            "Errors: %(errors)s, warnings: %(warnings)s. The scheme %(name)s can be published, "
            "but look at the warnings first.",
            name=loaded.scheme.name,
            **counts,
        )
    else:
        summary = _(
            "Errors: %(errors)s, warnings: %(warnings)s. The scheme %(name)s can be published.",
            name=loaded.scheme.name,
            **counts,
        )
    click.echo(summary, err=err)


def _where(file: Path, line: int | None, column: int | None) -> str:
    """FILE:LINE, or FILE:LINE:COLUMN where reading stopped in a file that is not YAML."""
    if line is None:
        return str(file)
    return f"{file}:{line}:{column}" if column is not None else f"{file}:{line}"


def _report_inputs(file: Path, read: Inputs | None) -> None:
    from flask_babel import ngettext

    from saas.schemes.messages import MESSAGES, describe_input

    if read is None:
        click.echo(f"{file}: {MESSAGES['file.encoding']}", err=True)
        return
    for problem in read.problems:
        field = f"{problem.field}: " if problem.field else ""
        where = _where(file, problem.line, problem.column)
        click.echo(f"{where}: {field}{describe_input(problem)}", err=True)

    count = len(read.problems)
    click.echo(
        ngettext(
            "%(file)s: %(num)s problem; nothing was scored.",
            "%(file)s: %(num)s problems; nothing was scored.",
            count,
            file=str(file),
        ),
        err=True,
    )


def _output(scheme: Scheme, inputs: Inputs) -> dict[str, Any]:
    """Each result at the scheme's precision (as a statement shows it), with its band's
    consequence said in the user's language and its trace explained."""
    from saas.schemes.explain import CONSEQUENCE_LABELS, explain, explain_reason
    from saas.scoring import tryout

    results = []
    for result in tryout.results(scheme, inputs):
        consequence = None if result.band is None else result.band.consequence
        results.append(
            {
                **result.to_dict(places=scheme.precision),
                "consequence_text": None
                if consequence is None
                else str(CONSEQUENCE_LABELS[consequence]),
                "name": inputs.names.get(result.subject),
                "explanation": [explain(step, scheme) for step in result.trace()],
                "disqualified_explanation": [
                    explain_reason(step, scheme) for step in result.disqualified
                ],
                "disqualified_next_period_explanation": [
                    explain_reason(step, scheme) for step in result.disqualified_next
                ],
            }
        )
    moves = [
        {"subject": r["subject"], "name": r["name"], **_quota_move(r["trace"])}
        for r in results
        if r["trace"] and r["trace"][-1]["step"] == "quota"
    ]
    return {
        "scheme": scheme.name,
        "period": inputs.period.label,
        "results": results,
        "quota_moves": moves,
    }


def _quota_move(trace: list[dict[str, Any]]) -> dict[str, Any]:
    step = trace[-1]
    return {"from": step["from"], "to": step["to"], "quota": step["quota"]}


def _print_text(output: dict[str, Any]) -> None:
    """One line per subject (its score, band and award, or why it was not assessed), then
    the subjects the band quotas moved down."""
    from flask_babel import gettext as _

    click.echo(f"{output['scheme']} · {output['period']}")
    for r in output["results"]:
        who = f"{r['subject']} {r['name']}" if r["name"] else r["subject"]
        if r["excluded_because"]:
            line = _("not assessed: %(reasons)s", reasons="; ".join(r["excluded_because"]))
        elif r["band"] is None:
            line = _("%(final)s, no band", final=r["final"])
        else:
            line = _(
                "%(final)s, %(band)s, award ¥%(award)s",
                final=r["final"],
                band=r["band"],
                award=r["award"],
            )
            if r["disqualified"]:
                line += " · " + _("disqualified: %(reasons)s", reasons="; ".join(
                    r["disqualified_explanation"]))  # fmt: skip
        click.echo(f"{who}: {line}")
    if output["quota_moves"]:
        click.echo(_("Moved down by band quotas:"))
        for move in output["quota_moves"]:
            who = f"{move['subject']} {move['name']}" if move["name"] else move["subject"]
            click.echo(
                "  "
                + _(
                    "%(who)s: %(from)s → %(to)s (quota %(quota)s%%)",
                    **{"who": who, "from": move["from"], "to": move["to"], "quota": move["quota"]},
                )
            )
