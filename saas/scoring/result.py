"""What the engine says about one subject: every number of the breakdown and its trace.

The trace is a list of ``Step`` values (a code and its numbers), in the order the score is
built. Steps for items, sections and sources are derived from the breakdown when asked for,
so scoring does not pay for sentences nobody reads; ``saas.schemes.explain`` turns steps into
sentences in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from saas.scoring.scheme import Band

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class ItemScore:
    raters: int
    mean: Decimal  # the mean of the raters' points
    score: Decimal  # the mean, kept within the item's range


@dataclass(frozen=True, slots=True)
class SectionScore:
    sum: Decimal
    subtotal: Decimal  # the sum capped at the section's maximum, or 0 when zeroed
    zeroed_by: str | None = None  # the critical item that zeroed the section


@dataclass(frozen=True)
class Layout:
    """The scheme's items and sections in order, to read a ``Scored`` by (shared, not copied).
    ``points_of(i, value)`` gives the points of one rating value of item i."""

    item_keys: tuple[str, ...]
    item_max: tuple[Decimal, ...]
    item_low: tuple[Decimal, ...]
    section_keys: tuple[str, ...]
    section_max: tuple[Decimal, ...]
    points_of: Callable[[int, Any], Decimal]


@dataclass(frozen=True, slots=True)
class Mean:
    """Several raters' ratings of one item, reduced to their mean points."""

    points: Decimal
    raters: int
    failed: bool = False  # one of them said no to a critical item


@dataclass(frozen=True, slots=True)
class Scored:
    """One source's ratings, compactly: what the breakdown is built from when it is asked for.

    ``row`` holds each item's rating in scheme order: the value one rater gave, a ``Mean``
    when several rated it, None when this source did not; ``sums`` each section's sum
    before its cap; ``zeroed`` the sections a failed critical item zeroed (index → item key).
    """

    row: list[Any]
    sums: list[Decimal]
    zeroed: dict[int, str] | None = None


@dataclass(frozen=True, slots=True)
class Step:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    subject: str
    period: str
    excluded_because: tuple[str, ...] = ()
    scored: dict[str, Scored] = field(default_factory=dict)  # by source, in scheme order
    sources: dict[str, Decimal] = field(default_factory=dict)  # totals of the sources that rated
    weights: dict[str, Decimal] = field(default_factory=dict)  # weights (%) as applied
    checklist: Decimal | None = None
    goals: Decimal | None = None
    base: Decimal = Decimal(0)
    adjustments: Decimal = Decimal(0)
    monthly_tallies: dict[str, Decimal] = field(default_factory=dict)  # "2026-07" → deducted
    fines: Decimal = Decimal(0)
    disqualified: tuple[Step, ...] = ()  # reasons, this period
    disqualified_next: tuple[Step, ...] = ()  # reasons, next period
    unrounded: Decimal = Decimal(0)
    final: Decimal = Decimal(0)
    band: Band | None = None
    award: Decimal = Decimal(0)
    notes: tuple[Step, ...] = ()  # steps after the checklist: goals, events, caps, band
    layout: Layout | None = field(default=None, compare=False, repr=False)

    @classmethod
    def made(cls, **fields: Any) -> Result:
        """A result from every one of its fields, as the engine makes thousands of them: the
        same value as ``Result(**fields)``, without the frozen ``__init__`` setting each field
        through ``object.__setattr__`` (a third of the cost of a result)."""
        result = object.__new__(cls)
        result.__dict__.update(fields)
        return result

    @cached_property
    def items(self) -> dict[str, dict[str, ItemScore]]:
        """source → item key → its raters, mean and score, for the items the source rated."""
        return {source: self._items_of(scored) for source, scored in self.scored.items()}

    def _items_of(self, scored: Scored) -> dict[str, ItemScore]:
        layout = self.layout
        items = {}
        for i, cell in enumerate(scored.row):
            if cell is None:
                continue
            raters, mean = (
                (cell.raters, cell.points) if type(cell) is Mean else (1, layout.points_of(i, cell))
            )
            score = _within(mean, layout.item_low[i], layout.item_max[i])
            items[layout.item_keys[i]] = ItemScore(raters, mean, score)
        return items

    @cached_property
    def sections(self) -> dict[str, dict[str, SectionScore]]:
        """source → section key → its sum, capped subtotal and what zeroed it."""
        layout = self.layout
        sections: dict[str, dict[str, SectionScore]] = {}
        for source, scored in self.scored.items():
            zeroed = scored.zeroed or {}
            sections[source] = {
                key: SectionScore(total, ZERO, zeroed[s])
                if s in zeroed
                else SectionScore(total, min(total, layout.section_max[s]))
                for s, (key, total) in enumerate(zip(layout.section_keys, scored.sums, strict=True))
            }
        return sections

    @property
    def excluded(self) -> bool:
        return bool(self.excluded_because)

    @property
    def is_disqualified(self) -> bool:
        return bool(self.disqualified)

    def trace(self) -> list[Step]:
        """Where every point came from, in the order the score was built."""
        steps: list[Step] = []
        for source, items in self.items.items():
            for item, score in items.items():
                steps.append(
                    Step(
                        "item",
                        {
                            "source": source,
                            "item": item,
                            "raters": score.raters,
                            "mean": score.mean,
                            "score": score.score,
                        },
                    )
                )
            for section, total in self.sections[source].items():
                steps.append(
                    Step(
                        "section",
                        {
                            "source": source,
                            "section": section,
                            "sum": total.sum,
                            "subtotal": total.subtotal,
                            "zeroed_by": total.zeroed_by,
                        },
                    )
                )
            steps.append(Step("source", {"source": source, "total": self.sources[source]}))
        return steps + list(self.notes)

    def to_dict(self, places: int | None = None) -> dict[str, Any]:
        """Plain JSON-ready data; decimals are strings, exact unless ``places`` asks for them
        rounded half-up to that many decimals (as people read them)."""
        quantum = None if places is None else Decimal(1).scaleb(-places)
        return _plain(
            {
                "subject": self.subject,
                "period": self.period,
                "excluded_because": list(self.excluded_because),
                "final": self.final,
                "band": None if self.band is None else self.band.label,
                "consequence": None if self.band is None else self.band.consequence.value,
                "award": self.award,
                "disqualified": [_step(s) for s in self.disqualified],
                "disqualified_next_period": [_step(s) for s in self.disqualified_next],
                "fines": self.fines,
                "checklist": self.checklist,
                "goals": self.goals,
                "base": self.base,
                "adjustments": self.adjustments,
                "unrounded": self.unrounded,
                "sources": self.sources,
                "weights": self.weights,
                "sections": {
                    source: {key: s.subtotal for key, s in sections.items()}
                    for source, sections in self.sections.items()
                },
                "items": {
                    source: {key: i.score for key, i in items.items()}
                    for source, items in self.items.items()
                },
                "monthly_tallies": self.monthly_tallies,
                "trace": [_step(s) for s in self.trace()],
            },
            quantum,
        )


def _within(value: Decimal, low: Decimal, top: Decimal) -> Decimal:
    return top if value > top else low if value < low else value


def _step(step: Step) -> dict[str, Any]:
    return {"step": step.code, **step.params}


def _plain(value: Any, quantum: Decimal | None = None) -> Any:
    if isinstance(value, Decimal):
        if quantum is not None and value.is_finite():
            value = value.quantize(quantum, ROUND_HALF_UP)
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item, quantum) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, quantum) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
