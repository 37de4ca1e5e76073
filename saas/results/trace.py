"""A stored trace, back in sentences.

A scoring run keeps each subject's trace as JSON: a list of ``{"step": code, …params}`` with
decimals as exact strings (``saas.scoring.result.Result.to_dict()``), the per-item, section and
source steps left out because the breakdown holds their numbers (``saas.runs.persist
.stored_parts``); ``full_trace`` puts them back in the engine's order. Here each one becomes a
``Step`` again, its numbers ``Decimal`` again, and ``saas.schemes.explain`` says it in the
reader's language — the same sentences the scheme preview shows. A step whose code this Kaohe
does not know, or whose numbers are not there (a result stored by another version), still
reads as something: the code and its values, never an error page.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from saas.schemes import explain as explaining
from saas.schemes.explain import ELIGIBILITY_LABELS, SOURCE_LABELS, explain, explain_reason
from saas.scoring.result import Step
from saas.scoring.scheme import Scheme

# Parameters that hold numbers (stored as strings). Others hold names, keys or dates and stay
# text, even when they look like numbers (an item may be keyed "1").
NUMBERS = frozenset(
    {
        "adjustments",
        "attainment",
        "award",
        "base",
        "cap",
        "checklist",
        "component",
        "deducted",
        "final",
        "fine",
        "limit",
        "mean",
        "monthly_points",
        "points",
        "quota",
        "scale",
        "score",
        "share",
        "subtotal",
        "sum",
        "threshold",
        "total",
        "unrounded",
    }
)
# The codes explain.py has words for: the engine's steps and those a run adds.
_EXPLAINED = frozenset(explaining._STEPS) | frozenset(explaining.RUN_STEPS)
# Steps about a ledger event name it by its event; explain.py reads that one leniently.
_ABOUT_AN_EVENT = frozenset(
    {
        "event",
        "event_unknown",
        "event_outside",
        "event_pending",
        "event_invalid",
        "event_previous",
        "rule",
        "previous_period",
    }
)


def _decimal(value: Any) -> Any:
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except decimal.InvalidOperation:
            return value
        return number if number.is_finite() else value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def step_of(stored: Mapping[str, Any]) -> Step:
    """One stored step as the engine made it: its numbers as ``Decimal``."""
    code = str(stored.get("step", ""))
    params: dict[str, Any] = {}
    for key, value in stored.items():
        if key == "step":
            continue
        # "goals" counts goals in the goals step and is a number of points in the blend.
        if key in NUMBERS or (key == "goals" and code != "goals"):
            value = _decimal(value)
        elif key == "weights" and isinstance(value, dict):
            value = {source: _decimal(weight) for source, weight in value.items()}
        params[key] = value
    return Step(code, params)


def _incomplete(step: Step) -> bool:
    return step.code in _ABOUT_AN_EVENT and not step.params.get("event")


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def unknown(step: Step) -> str:
    """A step Kaohe has no sentence for: its code and values as stored."""
    details = "; ".join(
        f"{key}: {_plain(value)}" for key, value in step.params.items() if value not in (None, "")
    )
    if not details:
        return _("Step “%(code)s”", code=step.code)
    return _("Step “%(code)s”: %(details)s", code=step.code, details=details)


def exclusion(reason: str) -> str:
    """An eligibility reason as stored (``level_at_least:部门主管``) in words."""
    kind, _sep, value = str(reason).partition(":")
    label = ELIGIBILITY_LABELS.get(kind)
    if label is None or not value:
        return str(reason)
    return _("%(rule)s: %(value)s", rule=label, value=value)


def sentence(
    stored: Mapping[str, Any], scheme: Scheme, refs: Mapping[str, str] | None = None
) -> str:
    """One stored step in the reader's language; ``refs`` words the evidence its reference
    stands for (saas/results/evidence.py)."""
    step = step_of(stored)
    if step.code == "excluded":
        reasons = step.params.get("reasons") or []
        if isinstance(reasons, list):
            return _(
                "Not assessed: %(reasons)s",
                reasons=_("; ").join(exclusion(reason) for reason in reasons),
            )
    if step.code not in _EXPLAINED or _incomplete(step):
        return unknown(step)
    weights = step.params.get("weights")
    if isinstance(weights, dict):
        # JSONB keeps an object's keys in an order of its own: back to the scheme's.
        order = {source.kind.value: n for n, source in enumerate(scheme.sources)}
        ordered = dict(sorted(weights.items(), key=lambda kv: order.get(kv[0], len(order))))
        step = Step(step.code, {**step.params, "weights": ordered})
    try:
        return explain(step, scheme, refs)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        # A known code stored without the values its sentence needs.
        return unknown(step)


def reason(stored: Mapping[str, Any], scheme: Scheme, refs: Mapping[str, str] | None = None) -> str:
    """Why a subject is disqualified (one of ``breakdown["disqualified"]``), as a phrase."""
    step = step_of(stored)
    if _incomplete(step):
        return unknown(step)
    try:
        return explain_reason(step, scheme, refs)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return unknown(step)


@dataclass
class Group:
    """Sentences under one heading: one source's items, sections and total, or the steps
    from the checklist to the band."""

    title: str
    sentences: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    lead: int = 0  # how many sentences at the top name the inspections that rated

    def add(self, code: str, text: str) -> None:
        if code == "inspection":  # who rated comes before what they rated
            self.sentences.insert(self.lead, text)
            self.codes.insert(self.lead, code)
            self.lead += 1
        else:
            self.sentences.append(text)
            self.codes.append(code)


# Steps about one source: grouped under it. An "inspection" step names one of its raters.
_PER_SOURCE = frozenset({"item", "section", "source", "inspection"})


def full_trace(
    breakdown: Mapping[str, Any], notes: Iterable[Any], scheme: Scheme
) -> list[dict[str, Any]]:
    """The whole trace of a stored result, as ``Result.to_dict()["trace"]`` gave it: for each
    source that rated, in the scheme's order, its items, its sections and its total, rebuilt
    from the breakdown and its ``details``; then the stored steps."""
    items_of = _mapping(breakdown.get("items"))
    sections_of = _mapping(breakdown.get("sections"))
    totals = _mapping(breakdown.get("sources"))
    details = _mapping(breakdown.get("details"))
    rated = [item.key for _s, item in scheme.rated()]
    steps: list[dict[str, Any]] = []
    for source in (s.kind.value for s in scheme.sources):
        if source not in totals:
            continue
        items, sections = _mapping(items_of.get(source)), _mapping(sections_of.get(source))
        detail = _mapping(details.get(source))
        means, sums = _mapping(detail.get("means")), _mapping(detail.get("sums"))
        zeroed = _mapping(detail.get("zeroed"))
        for key in rated:
            if key in items:
                raters, mean = means.get(key) or (1, items[key])
                steps.append(
                    {
                        "step": "item",
                        "source": source,
                        "item": key,
                        "raters": raters,
                        "mean": mean,
                        "score": items[key],
                    }
                )
        for section in scheme.sections:
            if section.key in sections:
                subtotal = sections[section.key]
                steps.append(
                    {
                        "step": "section",
                        "source": source,
                        "section": section.key,
                        "sum": sums.get(section.key, subtotal),
                        "subtotal": subtotal,
                        "zeroed_by": zeroed.get(section.key),
                    }
                )
        steps.append({"step": "source", "source": source, "total": totals[source]})
    return steps + [step for step in notes if isinstance(step, Mapping)]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def groups(
    trace: Iterable[Any], scheme: Scheme, refs: Mapping[str, str] | None = None
) -> list[Group]:
    """The trace in sentences, grouped: each source that rated (the inspections that rated
    it first), then the rest in order. ``refs``: the evidence's words (evidence.ref_words)."""
    by_source: dict[str, Group] = {}
    rest = Group(_("From the checklist to the final score"))
    for stored in trace:
        if not isinstance(stored, Mapping):
            continue
        code = str(stored.get("step", ""))
        source = stored.get("source")
        if code in _PER_SOURCE and isinstance(source, str):
            group = by_source.get(source)
            if group is None:
                label = SOURCE_LABELS.get(source)
                title = str(label) if label is not None else source
                group = by_source[source] = Group(title[:1].upper() + title[1:])
        else:
            group = rest
        group.add(code, sentence(stored, scheme, refs))
    return [*by_source.values(), *([rest] if rest.sentences else [])]
