"""What an assessment standard (考核方案) says, as one immutable value.

A scheme is sections (维度) of checklist items (考核细则), the sources that rate them and their
weights, a goals blend, grade bands (等级) and rules (加减分/否决) that turn ledger events into
points, fines and disqualifications. The same value is stored as a scheme version, edited in
the editor, written to and read from scheme files, and scored by ``saas.scoring.engine``.

Pydantic checks each field's type and range; ``saas.scoring.checks`` checks how the fields fit
together. Every field name here is a key of the scheme file (docs/scheme-files.md).
"""

from __future__ import annotations

import enum
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)


class Mode(enum.StrEnum):
    """How an item is rated."""

    POINTS = "points"  # a number of points, 0..max
    YES_NO = "yes_no"  # yes = max, no = 0
    SCALE = "scale"  # a level such as 优/良/中/差, each worth some points
    DEDUCTION = "deduction"  # max minus a deduction per occurrence, down to a floor
    CRITICAL = "critical"  # yes/no; one "no" triggers the item's on_fail effect (一票否决)


class SectionScoring(enum.StrEnum):
    """How a section is rated."""

    ITEMS = "items"  # each item is rated and the items' points are added up
    # The section is rated as one number, 0..max; its items are the standards to check, not
    # separately scored (source 004 gives only the parts' maxima).
    SECTION = "section"


class SourceKind(enum.StrEnum):
    SELF = "self"
    SUPERVISOR = "supervisor"  # the supervisor or the department (部门考核)
    PEER = "peer"
    SUBORDINATE = "subordinate"
    CUSTOMER = "customer"  # customers and service recipients
    COMMITTEE = "committee"  # committee spot checks (考核小组抽查)
    THIRD_PARTY = "third_party"


class MissingSources(enum.StrEnum):
    """What a source's weight does when that source gave no ratings."""

    RENORMALISE = "renormalise"  # the weights of the sources that rated are scaled up to 100%
    ZERO = "zero"  # the missing source counts as zero


class Disqualify(enum.StrEnum):
    NONE = "none"
    THIS_PERIOD = "this_period"
    NEXT_PERIOD = "next_period"


class CriticalEffect(enum.StrEnum):
    DISQUALIFY = "disqualify"  # disqualified this period
    ZERO_SECTION = "zero_section"  # the item's section scores zero for that source


class Consequence(enum.StrEnum):
    NONE = "none"
    RETRAINING = "retraining"  # e.g. one week of off-post training and an exam
    SECOND_REVIEW = "second_review"  # reviewed again after rectification
    BENCHMARK = "benchmark"  # archived as a benchmark sample
    TERMINATION_REVIEW = "termination_review"  # a provider's contract is reviewed


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class Subject(enum.StrEnum):
    EMPLOYEE = "employee"
    UNIT = "unit"
    PROVIDER = "provider"


class EligibilityKind(enum.StrEnum):
    LEVEL_AT_LEAST = "level_at_least"  # excluded from this position level up
    UNIT_CATEGORY = "unit_category"  # excluded when the unit has this category
    EMPLOYMENT_FORM = "employment_form"  # excluded with this employment form


Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Points = Annotated[Decimal, Field(ge=0, le=10000, decimal_places=2)]
PositivePoints = Annotated[Decimal, Field(gt=0, le=10000, decimal_places=2)]
SignedPoints = Annotated[Decimal, Field(ge=-10000, le=10000, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, le=100_000_000, decimal_places=2)]
Coefficient = Annotated[Decimal, Field(ge=0, le=10, decimal_places=3)]
# Fields whose value is Kaohe's default, not the source's, each with that default value: the
# UI and the file say so. A value changed (in the editor, in a file, by an import) is the
# author's own, so the mark goes with the change. A plain list of names, as first written,
# marks those fields at whatever value they have.
Defaulted = dict[Key, Any]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _canonical(value: Any) -> Any:
    """A value as it compares with a default recorded in a file, a form or stored JSON, where
    6.67 may be a Decimal, a string or an int and an enum its text."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, int | Decimal | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return str(value).strip()
        return format(number.normalize(), "f") if number.is_finite() else str(value)
    if isinstance(value, BaseModel):
        return _canonical(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_canonical(item) for item in value)
    return value


class _Marked(_Part):
    """An entry some of whose values may be Kaohe's defaults: its ``defaulted`` field, declared
    last in each subclass so files list it after the values it marks."""

    @field_validator("defaulted", mode="before", check_fields=False)
    @classmethod
    def _from_names(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return {name: None for name in value}  # None: not recorded, whatever it is now
        return value

    @model_validator(mode="after")
    def _still_default(self) -> _Marked:
        """Keep only the marks of fields still at their recorded default, each with its value."""
        fields = type(self).model_fields
        kept: dict[str, Any] = {}
        for name, recorded in self.defaulted.items():  # type: ignore[attr-defined]
            if name not in fields or name == "defaulted":
                kept[name] = recorded  # not a field: ``checks`` says so
                continue
            current = getattr(self, name)
            if recorded is None or _canonical(recorded) == _canonical(current):
                kept[name] = current
        if self.defaulted:  # type: ignore[attr-defined]
            object.__setattr__(self, "defaulted", kept)  # values as typed: 3 as Decimal("3")
        return self


class ScaleLevel(_Part):
    label: ShortText
    points: Points


class Item(_Marked):
    key: Key
    text: Text
    # Required in a section scored item by item; left out in a section rated as a whole.
    max: PositivePoints | None = None
    mode: Mode = Mode.POINTS
    scale: tuple[ScaleLevel, ...] = ()  # scale mode only
    per_occurrence: PositivePoints | None = None  # deduction mode only
    floor: Points = Decimal(0)  # deduction mode only: the lowest the item can go
    on_fail: CriticalEffect = CriticalEffect.DISQUALIFY  # critical mode only
    note: Note | None = None  # shown to everyone who reads the scheme
    reference: Note | None = None  # where the source says it; shown to scheme admins only
    defaulted: Defaulted = Field(default_factory=dict)


class Section(_Marked):
    key: Key
    title: ShortText
    max: PositivePoints
    scoring: SectionScoring = SectionScoring.ITEMS
    note: Note | None = None
    reference: Note | None = None
    items: tuple[Item, ...] = ()
    defaulted: Defaulted = Field(default_factory=dict)

    def as_item(self) -> Item:
        """A section rated as a whole, as the one item raters rate: its key, title and max."""
        return Item(key=self.key, text=self.title, max=self.max)


class Source(_Marked):
    kind: SourceKind
    weight: Percent
    note: Note | None = None
    reference: Note | None = None
    defaulted: Defaulted = Field(default_factory=dict)


class Goals(_Marked):
    """The share of the score that comes from goal attainment (目标完成情况)."""

    share: Percent = Decimal(0)
    # A goal's attainment counts up to this percentage: 120 lets over-achievement count a little.
    attainment_cap: Annotated[Decimal, Field(ge=100, le=1000, decimal_places=2)] = Decimal(100)
    # Without approved goals: renormalise = the checklist alone; zero = the goals part counts 0.
    when_missing: MissingSources = MissingSources.RENORMALISE
    defaulted: Defaulted = Field(default_factory=dict)


class Band(_Marked):
    threshold: Points  # the band holds every score ≥ threshold below the next band up
    label: ShortText
    award: Money = Decimal(0)
    pay_coefficient: Coefficient | None = None  # e.g. a provider's payment tier (分档付酬)
    consequence: Consequence = Consequence.NONE
    quota: Percent | None = None  # at most this share of the cohort (强制分布)
    note: Note | None = None
    reference: Note | None = None
    defaulted: Defaulted = Field(default_factory=dict)


class Rule(_Marked):
    """What a ledger event of one type does (额外加减分项, 否决项).

    One event type carries all its effects, entered once: a lost work card is a fine, a
    deduction in the month's tally and a disqualification together. A pending event, or one
    ruled invalid, has none of them."""

    event: Key
    label: ShortText  # in the scheme's language
    label_en: ShortText | None = None  # in English, for English pages; else ``label``
    # Counted only once ruled valid (有效); without a decision it is pending. Otherwise an
    # event counts unless it is pending or ruled invalid.
    needs_validity: bool = False
    # Its effects, any combination of them:
    points: SignedPoints = Decimal(0)  # to the period score
    # Deducted in the month's tally (月度部门考核), which tally limits look at: zero or less.
    monthly_points: Annotated[Decimal, Field(ge=-10000, le=0, decimal_places=2)] = Decimal(0)
    fine: Money = Decimal(0)
    disqualify: Disqualify = Disqualify.NONE
    note: Note | None = None
    reference: Note | None = None
    defaulted: Defaulted = Field(default_factory=dict)


class TallyLimit(_Marked):
    """Deducting this many points or more in any one month disqualifies (含本数)."""

    deducted_at_least: PositivePoints
    disqualify: Disqualify = Disqualify.THIS_PERIOD
    note: Note | None = None
    reference: Note | None = None
    defaulted: Defaulted = Field(default_factory=dict)


class EligibilityRule(_Part):
    kind: EligibilityKind
    value: ShortText  # a position level's name, a unit category or an employment form
    note: Note | None = None
    reference: Note | None = None


class InspectionSettings(_Marked):
    """What makes a scheme an inspection checklist (检查表), and what its findings do.

    A checklist is scored by the same engine, once per inspection. Its result rates the
    inspected unit as the ``feeds`` source of that unit's assessment; a failed item raises a
    rectification notice due ``rectify_days`` later; and the ``*_event`` keys, when set, turn
    failed items and overdue notices into ledger events that the assessed scheme's rules
    price (e.g. −2 per failed critical item, −5 per overdue notice)."""

    rectify_days: Annotated[int, Field(ge=1, le=365)] = 7
    feeds: SourceKind = SourceKind.COMMITTEE
    failed_item_event: Key | None = None
    failed_critical_event: Key | None = None
    overdue_notice_event: Key | None = None
    note: Note | None = None
    defaulted: Defaulted = Field(default_factory=dict)


class Scheme(_Marked):
    name: ShortText
    description: Note | None = None
    provenance: Note | None = None  # where the standard comes from; shown to scheme admins only
    subject: Subject = Subject.EMPLOYEE
    period: PeriodKind = PeriodKind.QUARTER
    unit_categories: tuple[ShortText, ...] = ()  # the unit categories it is written for
    scale: PositivePoints = Decimal(100)
    precision: Annotated[int, Field(ge=0, le=4)] = 2  # decimals of the final score
    cap_at_scale: bool = True  # may bonuses take the final score above the scale?
    sources: tuple[Source, ...] = ()
    missing_sources: MissingSources = MissingSources.RENORMALISE
    third_party_cap: Percent = Decimal(20)  # the most a third party may weigh
    goals: Goals = Goals()
    sections: tuple[Section, ...] = ()
    bands: tuple[Band, ...] = ()
    rules: tuple[Rule, ...] = ()
    tally_limits: tuple[TallyLimit, ...] = ()
    eligibility: tuple[EligibilityRule, ...] = ()
    # Set: the scheme is an inspection checklist, run per inspection (docs/inspections.md).
    inspection: InspectionSettings | None = None
    defaulted: Defaulted = Field(default_factory=dict)

    def rated(self) -> list[tuple[int, Item]]:
        """What the raters rate, in scheme order, each with its section's index: the items of
        a section scored item by item, and a section rated as a whole as one item."""
        rated: list[tuple[int, Item]] = []
        for s, section in enumerate(self.sections):
            if section.scoring is SectionScoring.SECTION:
                rated.append((s, section.as_item()))
            else:
                rated.extend((s, item) for item in section.items)
        return rated
