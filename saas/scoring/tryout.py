"""Sample inputs for trying a scheme out: `kaohe scheme try SCHEME INPUTS` (docs/scheme-inputs.md).

An inputs file (YAML, or JSON, which is YAML too) names a period and some subjects with their
ratings, goal attainments, ledger events and eligibility facts (position level, unit category,
employment form; ``levels`` orders the position levels). ``read_inputs`` checks it against the
scheme and reports every problem with its line and the path of the field, the way scheme files
are checked, so an author can fix them all in one go; ``run`` scores the subjects as one cohort
with ``score_cohort``, the code a cycle's scoring run uses: the scheme's eligibility rules apply
to the facts and its band quotas across the file's subjects. Problems are codes with
parameters, said in the user's language by ``saas.schemes.messages``.

Values are read from the YAML text itself, not from PyYAML's guesses: a level called "1" stays
a label, a score of 8.5 is an exact ``Decimal``, and the key ``on`` is not read as ``True``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from saas.scoring import yamlguard
from saas.scoring.cohort import SubjectFacts, name_key, score_cohort
from saas.scoring.engine import Engine
from saas.scoring.inputs import Event, GoalAttainment, Rating, SubjectInput, Validity
from saas.scoring.period import Period, PeriodError
from saas.scoring.result import Result
from saas.scoring.scheme import Item, Mode, Scheme, SectionScoring

Path = tuple[str | int, ...]

# An inputs file lists many subjects, so it may be larger than a scheme file; still bounded,
# since reading YAML costs seconds per megabyte.
MAX_FILE_BYTES = 2 * 1024 * 1024


_YES = {"yes", "true", "y", "是"}
_NO = {"no", "false", "n", "否"}


@dataclass(frozen=True)
class InputProblem:
    line: int | None  # 1-based
    path: Path
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    column: int | None = None  # 1-based, for a file that is not YAML

    @property
    def field(self) -> str:
        """subjects[0].ratings[2].value"""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


@dataclass
class Inputs:
    period: Period | None
    subjects: list[SubjectInput]
    names: dict[str, str]  # subject key → name, for the subjects that have one
    problems: list[InputProblem]
    facts: dict[str, SubjectFacts] = field(default_factory=dict)  # for those that give any
    level_ranks: dict[str, int] | None = None  # level name → rank (0: most junior)

    @property
    def ok(self) -> bool:
        return not self.problems and self.period is not None


# -- reading ---------------------------------------------------------------------------------------

_TOP = {"period": True, "levels": False, "subjects": True}
_SUBJECT = {"key": True, "name": False, "level": False, "unit_category": False,
            "employment_form": False, "excluded_because": False, "ratings": False,
            "goals": False, "events": False}  # fmt: skip
_FACTS = ("level", "unit_category", "employment_form")
_RATING = {"item": True, "source": True, "rater": False, "value": True}
_GOAL = {"goal": True, "weight": True, "attainment": True}
_EVENT = {"event": True, "on": True, "validity": False, "ref": False}
_SPAN = {"start": True, "end": True}


def _found(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "fields"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return repr(node.value) if node.value != "" else "nothing"


class _Reader:
    """Walks the composed YAML, keeping each value's line, and collects every problem."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        # What ratings name: items, and sections rated as a whole (as one item each).
        self.items: dict[str, Item] = {item.key: item for _s, item in scheme.rated()}
        self.standards: dict[str, str] = {  # a standard's key → its whole-rated section's
            item.key: section.key
            for section in scheme.sections
            if section.scoring is SectionScoring.SECTION
            for item in section.items
        }
        self.sources = [source.kind.value for source in scheme.sources]
        self.events = [rule.event for rule in scheme.rules]
        self.problems: list[InputProblem] = []
        self.level_ranks: dict[str, int] | None = None

    def problem(self, node: yaml.Node | None, path: Path, code: str, **params: Any) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(InputProblem(line, path, code, params))

    # -- shapes

    def fields(self, node: yaml.Node, path: Path, spec: dict[str, bool]) -> dict[str, yaml.Node]:
        """The mapping's values by key; unknown, repeated and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, "field.not_a_mapping", found=_found(node))
            return {}
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name not in spec:
                self.problem(key, (*path, name), "field.unknown", field=name, known=list(spec))
            elif name in found:
                self.problem(key, (*path, name), "field.repeated", field=name)
            else:
                found[name] = value
        for name, required in spec.items():
            if required and name not in found:
                self.problem(node, (*path, name), "field.missing", field=name)
        return found

    def entries(self, node: yaml.Node | None, path: Path) -> list[yaml.Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, "field.not_a_list", found=_found(node))
            return []
        return list(node.value)

    def text(self, node: yaml.Node | None, path: Path, *, required: bool = True) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, "field.not_text", found=_found(node))
            return None
        value = str(node.value).strip()
        if not value and required:
            self.problem(node, path, "field.empty")
            return None
        return value

    def number(self, node: yaml.Node | None, path: Path) -> Decimal | None:
        raw = self.text(node, path)
        if raw is None:
            return None
        value = _decimal(raw)
        if value is None:
            self.problem(node, path, "number.invalid", value=raw)
        elif value < 0:
            self.problem(node, path, "number.negative", value=raw)
            return None
        return value

    def date(self, node: yaml.Node | None, path: Path) -> dt.date | None:
        raw = self.text(node, path)
        if raw is None:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.problem(node, path, "date.invalid", value=raw)
            return None

    # -- the file

    def read(self, root: yaml.Node) -> Inputs:
        top = self.fields(root, (), _TOP)
        period = self.period(top.get("period"), ("period",))
        self.level_ranks = self.levels(top.get("levels"), ("levels",))
        subjects: list[SubjectInput] = []
        names: dict[str, str] = {}
        facts: dict[str, SubjectFacts] = {}
        seen: set[str] = set()
        listed = top.get("subjects")
        entries = self.entries(listed, ("subjects",))
        empty = isinstance(listed, yaml.SequenceNode) or (listed is not None and _is_null(listed))
        if empty and not entries:
            self.problem(listed, ("subjects",), "subjects.none")
        for index, node in enumerate(entries):
            subject, name, known = self.subject(node, ("subjects", index))
            if subject is None:
                continue
            if known is not None:
                facts[subject.key] = known
            if subject.key in seen:
                self.problem(node, ("subjects", index, "key"), "subject.repeated", key=subject.key)
            seen.add(subject.key)
            subjects.append(subject)
            if name:
                names[subject.key] = name
        return Inputs(period, subjects, names, self.problems, facts, self.level_ranks)

    def levels(self, node: yaml.Node | None, path: Path) -> dict[str, int] | None:
        """Position levels, most junior first: each name → its rank."""
        if node is None or _is_null(node):
            return None
        ranks: dict[str, int] = {}
        for n, entry in enumerate(self.entries(node, path)):
            name = self.text(entry, (*path, n))
            if name is None:
                continue
            if name_key(name) in {name_key(known) for known in ranks}:
                self.problem(entry, (*path, n), "levels.repeated", value=name)
                continue
            ranks[name] = len(ranks)
        return ranks

    def facts(self, found: dict[str, yaml.Node], path: Path) -> SubjectFacts | None:
        """The subject's eligibility facts; None when it gives none."""
        given = {
            name: self.text(found.get(name), (*path, name)) for name in _FACTS if name in found
        }
        if not given:
            return None
        level, rank = given.get("level"), None
        if level is not None and self.level_ranks is not None:
            ranks = {name_key(name): r for name, r in self.level_ranks.items()}
            rank = ranks.get(name_key(level))
            if rank is None:
                self.problem(
                    found["level"],
                    (*path, "level"),
                    "level.unknown",
                    value=level,
                    known=list(self.level_ranks),
                )
        return SubjectFacts(level, rank, given.get("unit_category"), given.get("employment_form"))

    def period(self, node: yaml.Node | None, path: Path) -> Period | None:
        if node is None:
            return None
        if isinstance(node, yaml.MappingNode):
            span = self.fields(node, path, _SPAN)
            start = self.date(span.get("start"), (*path, "start"))
            end = self.date(span.get("end"), (*path, "end"))
            if start is None or end is None:
                return None
            if end < start:
                self.problem(node, path, "period.reversed", start=start, end=end)
                return None
            return Period.between(start, end)
        raw = self.text(node, path)
        if raw is None:
            return None
        try:
            return Period.parse(raw)
        except PeriodError:
            self.problem(node, path, "period.invalid", value=raw)
            return None

    def subject(
        self, node: yaml.Node, path: Path
    ) -> tuple[SubjectInput | None, str | None, SubjectFacts | None]:
        found = self.fields(node, path, _SUBJECT)
        key = self.text(found.get("key"), (*path, "key"))
        name = self.text(found.get("name"), (*path, "name"), required=False)
        known = self.facts(found, path)
        excluded = [
            reason
            for n, entry in enumerate(
                self.entries(found.get("excluded_because"), (*path, "excluded_because"))
            )
            if (reason := self.text(entry, (*path, "excluded_because", n))) is not None
        ]
        ratings = self.each(found.get("ratings"), (*path, "ratings"), self.rating)
        goals = self.each(found.get("goals"), (*path, "goals"), self.goal)
        events = self.each(found.get("events"), (*path, "events"), self.event)
        if key is None:
            return None, None, None
        subject = SubjectInput(key, tuple(ratings), tuple(goals), tuple(events), tuple(excluded))
        return subject, name, known

    def each(
        self, node: yaml.Node | None, path: Path, read: Callable[[yaml.Node, Path], Any]
    ) -> list[Any]:
        """Every entry of a list read with ``read``, leaving out those with problems."""
        values = [read(entry, (*path, n)) for n, entry in enumerate(self.entries(node, path))]
        return [value for value in values if value is not None]

    def rating(self, node: yaml.Node, path: Path) -> Rating | None:
        found = self.fields(node, path, _RATING)
        item_key = self.text(found.get("item"), (*path, "item"))
        source = self.text(found.get("source"), (*path, "source"))
        rater = self.text(found.get("rater"), (*path, "rater"), required=False) or ""
        item = self.items.get(item_key) if item_key is not None else None
        if item_key in self.standards:
            self.problem(
                found["item"],
                (*path, "item"),
                "rating.rate_the_section",
                value=item_key,
                section=self.standards[item_key],
            )
        elif item_key is not None and item is None:
            self.problem(found["item"], (*path, "item"), "rating.unknown_item", value=item_key)
        if source is not None and source not in self.sources:
            self.problem(
                found["source"],
                (*path, "source"),
                "rating.unknown_source",
                value=source,
                known=self.sources,
            )
            source = None
        value = None
        if item is not None and "value" in found:
            value = self.value(item, found["value"], (*path, "value"))
        if item is None or source is None or value is None:
            return None
        return Rating(item.key, source, rater, value)

    def value(self, item: Item, node: yaml.Node, path: Path) -> Decimal | int | bool | str | None:
        raw = self.text(node, path)
        if raw is None:
            return None
        mode = item.mode
        if mode in (Mode.YES_NO, Mode.CRITICAL):
            answer = raw.lower()
            if answer in _YES or answer in _NO:
                return answer in _YES
            self.problem(node, path, "value.not_yes_no", value=raw)
        elif mode is Mode.SCALE:
            levels = [level.label for level in item.scale]
            if raw in levels:
                return raw
            self.problem(node, path, "value.unknown_level", value=raw, known=levels)
        elif mode is Mode.DEDUCTION:
            count = _decimal(raw)
            if count is not None and count >= 0 and count == count.to_integral_value():
                return int(count)
            self.problem(node, path, "value.not_a_count", value=raw)
        else:
            points = _decimal(raw)
            if points is None:
                self.problem(node, path, "value.not_a_number", value=raw)
            elif not 0 <= points <= item.max:
                self.problem(node, path, "value.out_of_range", value=raw, max=item.max)
            else:
                return points
        return None

    def goal(self, node: yaml.Node, path: Path) -> GoalAttainment | None:
        found = self.fields(node, path, _GOAL)
        goal = self.text(found.get("goal"), (*path, "goal"))
        weight = self.number(found.get("weight"), (*path, "weight"))
        attainment = self.number(found.get("attainment"), (*path, "attainment"))
        if goal is None or weight is None or attainment is None:
            return None
        return GoalAttainment(goal, weight, attainment)

    def event(self, node: yaml.Node, path: Path) -> Event | None:
        found = self.fields(node, path, _EVENT)
        kind = self.text(found.get("event"), (*path, "event"))
        if kind is not None and kind not in self.events:
            self.problem(
                found["event"], (*path, "event"), "event.unknown", value=kind, known=self.events
            )
            kind = None
        on = self.date(found.get("on"), (*path, "on"))
        validity = self.validity(found.get("validity"), (*path, "validity"))
        ref = self.text(found.get("ref"), (*path, "ref"), required=False) or ""
        if kind is None or on is None or validity is False:
            return None
        return Event(kind, on, validity, ref)

    def validity(self, node: yaml.Node | None, path: Path) -> Validity | bool | None:
        """The decision, None when there is none, False when it is not one (a problem)."""
        if node is None or _is_null(node):
            return None
        raw = self.text(node, path)
        if raw is None:
            return False
        try:
            return Validity(raw)
        except ValueError:
            self.problem(
                node, path, "validity.invalid", value=raw, known=[v.value for v in Validity]
            )
            return False


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace("_", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def read_inputs(text: str, scheme: Scheme) -> Inputs:
    """Read an inputs file and check it against the scheme; ``problems`` lists what is wrong."""
    try:
        root, _loader = yamlguard.compose(text, MAX_FILE_BYTES)
    except yamlguard.Refused as refused:
        problem = InputProblem(refused.line, (), refused.code, refused.params, refused.column)
        return Inputs(None, [], {}, [problem])
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        return Inputs(None, [], {}, [InputProblem(line, (), "file.not_a_mapping")])
    return _Reader(scheme).read(root)


# -- scoring ---------------------------------------------------------------------------------------


def results(scheme: Scheme, inputs: Inputs) -> list[Result]:
    """Every subject's result, in the order of the file, scored as one cohort: the scheme's
    eligibility rules applied to the subjects' facts, its band quotas across them all."""
    if not inputs.ok:
        raise ValueError("the inputs have problems; see Inputs.problems")
    return score_cohort(
        Engine(scheme), inputs.subjects, inputs.period, inputs.facts, inputs.level_ranks
    )


def run(scheme: Scheme, inputs: Inputs) -> list[dict[str, Any]]:
    """Each subject's ``Result.to_dict()`` with its ``name`` (None when the file gives none)."""
    return [
        {**result.to_dict(), "name": inputs.names.get(result.subject)}
        for result in results(scheme, inputs)
    ]
