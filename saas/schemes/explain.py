"""Words for a scheme's choices, and a sentence for each step of a score's trace.

The label dicts name the values of the scheme's enums wherever Kaohe shows them: the editor's
choices, scheme summaries, statements. ``explain`` turns one ``Step`` of
``saas.scoring.result.Result.trace()`` into a sentence that names items, sections and sources
as the scheme calls them. Numbers are shown to at most two decimals (the final score to the
scheme's precision); the exact values stay in the result's data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from saas.scoring.inputs import Validity
from saas.scoring.result import Step
from saas.scoring.scheme import (
    Consequence,
    CriticalEffect,
    Disqualify,
    EligibilityKind,
    MissingSources,
    Mode,
    PeriodKind,
    Rule,
    Scheme,
    SectionScoring,
    SourceKind,
    Subject,
)

SOURCE_LABELS = {
    SourceKind.SELF: _l("self"),
    SourceKind.SUPERVISOR: _l("supervisor or department"),
    SourceKind.PEER: _l("peers"),
    SourceKind.SUBORDINATE: _l("subordinates"),
    SourceKind.CUSTOMER: _l("customers"),
    SourceKind.COMMITTEE: _l("committee spot checks"),
    SourceKind.THIRD_PARTY: _l("third party"),
}
MODE_LABELS = {
    Mode.POINTS: _l("points"),
    Mode.YES_NO: _l("yes/no"),
    Mode.SCALE: _l("scale"),
    Mode.DEDUCTION: _l("deduction per occurrence"),
    Mode.CRITICAL: _l("critical item"),
}
SECTION_SCORING_LABELS = {
    SectionScoring.ITEMS: _l("item by item"),
    SectionScoring.SECTION: _l("as a whole (one number)"),
}
# Also what goals.when_missing means: "renormalise" leaves the goals part out.
MISSING_LABELS = {
    MissingSources.RENORMALISE: _l("leave it out and scale the other weights up"),
    MissingSources.ZERO: _l("count it as zero"),
}
DISQUALIFY_LABELS = {
    Disqualify.NONE: _l("does not disqualify"),
    Disqualify.THIS_PERIOD: _l("disqualifies this period"),
    Disqualify.NEXT_PERIOD: _l("disqualifies next period"),
}
CRITICAL_EFFECT_LABELS = {
    CriticalEffect.DISQUALIFY: _l("disqualifies this period"),
    CriticalEffect.ZERO_SECTION: _l("its section scores zero"),
}
CONSEQUENCE_LABELS = {
    Consequence.NONE: _l("none"),
    Consequence.RETRAINING: _l("retraining: off-post training and an exam"),
    Consequence.SECOND_REVIEW: _l("second review after rectification"),
    Consequence.BENCHMARK: _l("archived as a benchmark"),
    Consequence.TERMINATION_REVIEW: _l("contract review"),
}
PERIOD_LABELS = {
    PeriodKind.MONTH: _l("month"),
    PeriodKind.QUARTER: _l("quarter"),
    PeriodKind.HALF_YEAR: _l("half year"),
    PeriodKind.YEAR: _l("year"),
}
SUBJECT_LABELS = {
    Subject.EMPLOYEE: _l("employees"),
    Subject.UNIT: _l("departments and units"),
    Subject.PROVIDER: _l("service providers"),
}
ELIGIBILITY_LABELS = {
    EligibilityKind.LEVEL_AT_LEAST: _l("position level, and every level above it"),
    EligibilityKind.UNIT_CATEGORY: _l("unit category"),
    EligibilityKind.EMPLOYMENT_FORM: _l("employment form"),
}
VALIDITY_LABELS = {
    Validity.VALID: _l("valid"),
    Validity.INVALID: _l("invalid"),
    Validity.PENDING: _l("pending"),
}

_CENT = Decimal("0.01")
_TEXT_SHOWN = 40  # characters of an item's text shown after its key


# -- how numbers and names are shown -----------------------------------------------------------


def _number(value: Any, places: Decimal = _CENT) -> str:
    """20, 7.5, 8.33: rounded half-up to two decimals, without trailing zeros."""
    if value is None:
        return "0"
    if isinstance(value, str):
        value = Decimal(value)
    if isinstance(value, int):
        return str(value)
    shown = value.quantize(places, ROUND_HALF_UP) if value.is_finite() else value
    if shown == shown.to_integral_value():
        return str(shown.to_integral_value())
    return format(shown.normalize(), "f")


def _signed(value: Any) -> str:
    shown = _number(value)
    return shown if shown.startswith("-") or shown == "0" else f"+{shown}"


def _join(parts: list[str]) -> str:
    return _(", ").join(parts)


def event_label(rule: Rule | dict[str, Any]) -> str:
    """A rule's event (a rule, or one as stored) as the reader says it: its English label on
    English pages when it has one, else the label it was written with."""
    label, english = (
        (rule.get("label", ""), rule.get("label_en"))
        if isinstance(rule, dict)
        else (rule.label, rule.label_en)
    )
    locale = get_locale()
    if english and locale is not None and locale.language == "en":
        return english
    return label


class _Names:
    """What the scheme calls its items, sections, sources and events, and what a trace's
    references stand for (``refs``: reference → words, saas/results/evidence.py)."""

    def __init__(self, scheme: Scheme, refs: Mapping[str, str] | None = None) -> None:
        self.scheme = scheme
        self.refs = refs or {}

    def whole(self, key: str) -> str | None:
        """The title of the section with this key if it is rated as a whole."""
        for section in self.scheme.sections:
            if section.key == key and section.scoring is SectionScoring.SECTION:
                return section.title
        return None

    def event(self, p: dict[str, Any]) -> str:
        rule = next((rule for rule in self.scheme.rules if rule.event == p.get("event")), None)
        return event_label(rule) if rule is not None else str(p.get("label") or p.get("event"))

    def item(self, key: str) -> str:
        for section in self.scheme.sections:
            for item in section.items:
                if item.key == key:
                    text = item.text
                    if len(text) > _TEXT_SHOWN:
                        text = text[: _TEXT_SHOWN - 1] + "…"
                    return f"{key} {text}"
        return key

    def section(self, key: str) -> str:
        return next((s.title for s in self.scheme.sections if s.key == key), key)

    @staticmethod
    def source(kind: str) -> str:
        label = SOURCE_LABELS.get(kind)
        return str(label) if label is not None else kind

    def sources(self, kinds: list[str]) -> str:
        return _join([self.source(kind) for kind in kinds])


def _event_name(p: dict[str, Any], names: _Names) -> dict[str, str]:
    """The event's date and name; the ledger entry's reference follows in brackets, in words
    when it stands for evidence (an inspection's failed item, an overdue notice)."""
    label = names.event(p)
    if p.get("ref"):
        label = f"{label} ({names.refs.get(p['ref']) or p['ref']})"
    on = p.get("on")
    return {"on": on.isoformat() if hasattr(on, "isoformat") else str(on or ""), "label": label}


# -- the steps -----------------------------------------------------------------------------------


def _item(p: dict[str, Any], names: _Names) -> str:
    section = names.whole(p["item"])
    if section is not None:
        return _whole(p, names, section)
    values = {
        "source": names.source(p["source"]),
        "item": names.item(p["item"]),
        "mean": _number(p["mean"]),
        "score": _number(p["score"]),
    }
    if p["mean"] == p["score"]:
        return ngettext(
            "%(source)s · %(item)s: %(num)s rater, mean %(mean)s, score %(score)s",
            "%(source)s · %(item)s: %(num)s raters, mean %(mean)s, score %(score)s",
            p["raters"],
            **values,
        )
    return ngettext(
        "%(source)s · %(item)s: %(num)s rater, mean %(mean)s, kept within the item's range: "
        "score %(score)s",
        "%(source)s · %(item)s: %(num)s raters, mean %(mean)s, kept within the item's range: "
        "score %(score)s",
        p["raters"],
        **values,
    )


def _whole(p: dict[str, Any], names: _Names, section: str) -> str:
    """A section rated as a whole: its raters' mean, kept within 0 and its maximum."""
    values = {
        "source": names.source(p["source"]),
        "section": section,
        "mean": _number(p["mean"]),
        "score": _number(p["score"]),
    }
    if p["mean"] == p["score"]:
        return ngettext(
            "%(source)s · %(section)s, rated as a whole: %(num)s rater, mean %(mean)s, "
            "score %(score)s",
            "%(source)s · %(section)s, rated as a whole: %(num)s raters, mean %(mean)s, "
            "score %(score)s",
            p["raters"],
            **values,
        )
    return ngettext(
        "%(source)s · %(section)s, rated as a whole: %(num)s rater, mean %(mean)s, kept "
        "within the section's range: score %(score)s",
        "%(source)s · %(section)s, rated as a whole: %(num)s raters, mean %(mean)s, kept "
        "within the section's range: score %(score)s",
        p["raters"],
        **values,
    )


def _section(p: dict[str, Any], names: _Names) -> str:
    values = {
        "source": names.source(p["source"]),
        "section": names.section(p["section"]),
        "sum": _number(p["sum"]),
        "subtotal": _number(p["subtotal"]),
    }
    if p.get("zeroed_by"):
        return _(
            "%(source)s · %(section)s: scores 0 because the critical item %(item)s failed",
            item=names.item(p["zeroed_by"]),
            **values,
        )
    if p["sum"] != p["subtotal"]:
        return _(
            "%(source)s · %(section)s: items add up to %(sum)s, capped at the section's "
            "maximum of %(subtotal)s",
            **values,
        )
    return _("%(source)s · %(section)s: subtotal %(subtotal)s", **values)


def _source(p: dict[str, Any], names: _Names) -> str:
    return _(
        "%(source)s: total %(total)s", source=names.source(p["source"]), total=_number(p["total"])
    )


def _checklist(p: dict[str, Any], names: _Names) -> str:
    weights = _join(
        [
            _("%(source)s %(weight)s%%", source=names.source(source), weight=_number(weight))
            for source, weight in p["weights"].items()
        ]
    )
    values = {"checklist": _number(p["checklist"]), "weights": weights}
    if not p["missing"]:
        return _("Checklist score %(checklist)s, weighing %(weights)s", **values)
    missing = names.sources(p["missing"])
    if p["policy"] == MissingSources.ZERO:
        return _(
            "Checklist score %(checklist)s, weighing %(weights)s: %(missing)s gave no "
            "ratings, so their part counts as zero",
            missing=missing,
            **values,
        )
    return _(
        "Checklist score %(checklist)s, weighing %(weights)s: %(missing)s gave no ratings, "
        "so the weights of the sources that did were scaled up to 100%%",
        missing=missing,
        **values,
    )


def _goals(p: dict[str, Any], names: _Names) -> str:
    return ngettext(
        "Goals: %(num)s goal, weighted attainment %(attainment)s%% (a goal counts up to "
        "%(cap)s%%), %(component)s points",
        "Goals: %(num)s goals, weighted attainment %(attainment)s%% (a goal counts up to "
        "%(cap)s%%), %(component)s points",
        p["goals"],
        attainment=_number(p["attainment"]),
        cap=_number(p["cap"]),
        component=_number(p["component"]),
    )


def _blend(p: dict[str, Any], names: _Names) -> str:
    share = p["share"]
    return _(
        "Base score %(base)s = checklist %(checklist)s × %(checklist_share)s%% + goals "
        "%(goals)s × %(share)s%%",
        base=_number(p["base"]),
        checklist=_number(p["checklist"]),
        checklist_share=_number(Decimal(100) - share),
        goals=_number(p["goals"]),
        share=_number(share),
    )


def _effects(p: dict[str, Any]) -> list[str]:
    effects = []
    if p.get("points"):
        effects.append(_("%(points)s points", points=_signed(p["points"])))
    if p.get("monthly_points"):
        effects.append(
            _("%(points)s points in the month's tally", points=_signed(p["monthly_points"]))
        )
    if p.get("fine"):
        effects.append(_("fine ¥%(fine)s", fine=_number(p["fine"])))
    disqualify = p.get("disqualify", Disqualify.NONE)
    if disqualify != Disqualify.NONE:
        effects.append(str(DISQUALIFY_LABELS[Disqualify(disqualify)]))
    return effects


def _event(p: dict[str, Any], names: _Names) -> str:
    evidence = names.refs.get(str(p.get("ref") or ""))
    if evidence:
        return _evidence_event(p, evidence)
    effects = _effects(p)
    if not effects:
        return _("%(on)s %(label)s: no effect", **_event_name(p, names))
    return _("%(on)s %(label)s: %(effects)s", effects=_join(effects), **_event_name(p, names))


def _evidence_event(p: dict[str, Any], evidence: str) -> str:
    """An event recorded from evidence, its points first: "−2: 员工餐厅卫生检查 2026-08-03,
    item HY-1.4 failed"."""
    effects = _effects({**p, "points": None})
    if p.get("points"):
        effects.insert(0, _signed(p["points"]).replace("-", "\u2212"))
    if not effects:
        return _("%(evidence)s: no effect", evidence=evidence)
    return _("%(effects)s: %(evidence)s", effects=_join(effects), evidence=evidence)


def _inspection(p: dict[str, Any], names: _Names) -> str:
    """An inspection that rated the subject as one of a source's raters."""
    values = {
        "source": names.source(p["source"]),
        "on": p["on"].isoformat() if hasattr(p["on"], "isoformat") else str(p["on"]),
    }
    inspector = names.refs.get(str(p.get("ref") or ""))
    if p.get("score") is None:
        if inspector:
            return _(
                "%(source)s: inspection of %(on)s by %(inspector)s", inspector=inspector, **values
            )
        return _("%(source)s: inspection of %(on)s", **values)
    values["score"] = _number(p["score"])
    if inspector:
        return _(
            "%(source)s: inspection of %(on)s by %(inspector)s, %(score)s points",
            inspector=inspector,
            **values,
        )
    return _("%(source)s: inspection of %(on)s, %(score)s points", **values)


def _event_pending(p: dict[str, Any], names: _Names) -> str:
    if p.get("undecided"):
        return _(
            "%(on)s %(label)s: pending, no validity decision yet; it counts for nothing until "
            "it is ruled valid",
            **_event_name(p, names),
        )
    return _(
        "%(on)s %(label)s: pending; it counts for nothing until it is ruled valid",
        **_event_name(p, names),
    )


def _event_previous(p: dict[str, Any], names: _Names) -> str:
    if p.get("disqualify") == Disqualify.THIS_PERIOD:
        return _(
            "%(on)s %(label)s: in the previous period; disqualifies this period",
            **_event_name(p, names),
        )
    return _(
        "%(on)s %(label)s: in the previous period; no effect on this period's score",
        **_event_name(p, names),
    )


def _tally_limit(p: dict[str, Any], names: _Names) -> str:
    return _(
        "%(month)s: %(deducted)s points deducted in one month, at or above the limit of %(limit)s",
        month=p["month"],
        deducted=_number(p["deducted"]),
        limit=_number(p["limit"]),
    )


def _critical(p: dict[str, Any], names: _Names) -> str:
    return _(
        "The critical item %(item)s failed (%(source)s)",
        item=names.item(p["item"]),
        source=names.source(p["source"]),
    )


def _final(p: dict[str, Any], names: _Names) -> str:
    final = p["final"]
    # The final score is already rounded to the scheme's precision: shown as it is.
    shown = format(final, "f") if isinstance(final, Decimal) else str(final)
    return _(
        "Final score %(final)s (base %(base)s, adjustments %(adjustments)s)",
        final=shown,
        base=_number(p["base"]),
        adjustments=_signed(p["adjustments"]),
    )


def _band(p: dict[str, Any], names: _Names) -> str:
    values = {"label": p["label"], "threshold": _number(p["threshold"])}
    if p.get("award"):
        band = _(
            "Band %(label)s (from %(threshold)s points), award ¥%(award)s",
            award=_number(p["award"]),
            **values,
        )
    else:
        band = _("Band %(label)s (from %(threshold)s points)", **values)
    consequence = p.get("consequence", Consequence.NONE)
    if consequence == Consequence.NONE:
        return band
    return _(
        "%(band)s; consequence: %(consequence)s",
        band=band,
        consequence=CONSEQUENCE_LABELS[Consequence(consequence)],
    )


def _disqualified(code: str) -> Callable[[dict[str, Any], _Names], str]:
    """A disqualification reason, as a step of the trace."""
    return lambda p, names: _("Disqualified: %(reason)s", reason=_REASONS[code](p, names))


_REASONS: dict[str, Callable[[dict[str, Any], _Names], str]] = {
    "critical": _critical,
    "rule": lambda p, n: _("%(label)s on %(on)s", **_event_name(p, n)),
    "previous_period": lambda p, n: _(
        "%(label)s on %(on)s, in the previous period", **_event_name(p, n)
    ),
    "tally_limit": _tally_limit,
}

_STEPS: dict[str, Callable[[dict[str, Any], _Names], str]] = {
    "item": _item,
    "section": _section,
    "source": _source,
    "checklist": _checklist,
    "no_ratings": lambda p, n: _("No ratings: the checklist scores 0"),
    "goals": _goals,
    "goals_missing": lambda p, n: _("No approved goals: the base score is the checklist alone"),
    "checklist_missing": lambda p, n: _("No checklist ratings: the checklist part counts as 0"),
    "blend": _blend,
    "event": _event,
    "event_unknown": lambda p, n: _(
        "%(on)s %(label)s: the scheme has no rule for this event; not counted",
        **_event_name(p, n),
    ),
    "event_outside": lambda p, n: _(
        "%(on)s %(label)s: outside this period and the one before; not counted",
        **_event_name(p, n),
    ),
    "event_pending": _event_pending,
    "event_invalid": lambda p, n: _(
        "%(on)s %(label)s: ruled invalid; not counted", **_event_name(p, n)
    ),
    "event_previous": _event_previous,
    "tally": lambda p, n: _(
        "%(month)s: %(deducted)s points deducted in the month's tally",
        month=p["month"],
        deducted=_number(p["deducted"]),
    ),
    "tally_limit": _tally_limit,
    "critical": _disqualified("critical"),
    "rule": _disqualified("rule"),
    "previous_period": _disqualified("previous_period"),
    "floor": lambda p, n: _(
        "The score %(score)s is below 0 and counts as 0", score=_number(p["score"])
    ),
    "cap": lambda p, n: _(
        "The score %(score)s is above the scale and is capped at %(scale)s",
        score=_number(p["score"]),
        scale=_number(p["scale"]),
    ),
    "final": _final,
    "band": _band,
    "no_band": lambda p, n: _("The score is below every band: no band and no award"),
    "award_withheld": lambda p, n: _(
        "Disqualified: the award of ¥%(award)s is withheld", award=_number(p["award"])
    ),
    "excluded": lambda p, n: _("Not assessed: %(reasons)s", reasons=_join(p["reasons"])),
    "quota": lambda p, n: _(
        "%(from)s is over its quota of %(quota)s%%: moved down to %(to)s",
        **{"from": p["from"], "to": p["to"], "quota": _number(p["quota"])},
    ),
}


# Steps a scoring run adds to the engine's (saas/runs/inputs.py): the evidence it read.
RUN_STEPS: dict[str, Callable[[dict[str, Any], _Names], str]] = {"inspection": _inspection}


def _sentence(text: str) -> str:
    """Source labels are lower case to be used mid-sentence; a sentence starts upper case."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def explain(step: Step, scheme: Scheme, refs: Mapping[str, str] | None = None) -> str:
    """One sentence for one step of a trace (or a disqualification reason), in the current
    locale; ``refs`` words the evidence its references stand for."""
    say = _STEPS.get(step.code) or RUN_STEPS.get(step.code)
    if say is None:
        return _("Step %(code)s", code=step.code)
    return _sentence(say(step.params, _Names(scheme, refs)))


def explain_reason(step: Step, scheme: Scheme, refs: Mapping[str, str] | None = None) -> str:
    """Why a subject is disqualified, as a phrase: "The critical item A3 … failed
    (customers)", "表扬信 on 2026-08-03"; for ``Result.disqualified`` and
    ``Result.disqualified_next`` alike."""
    say = _REASONS.get(step.code)
    if say is None:
        return explain(step, scheme, refs)
    return _sentence(say(step.params, _Names(scheme, refs)))
