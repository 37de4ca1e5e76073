"""Assessment periods: parsing the labels, the period before, and which days belong where."""

from __future__ import annotations

import datetime as dt

import pytest

from saas.scoring.period import Period, PeriodError

D = dt.date


@pytest.mark.parametrize(
    ("label", "start", "end", "previous_start"),
    [
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30), D(2026, 4, 1)),
        ("2026-Q1", D(2026, 1, 1), D(2026, 3, 31), D(2025, 10, 1)),
        ("2026-Q4", D(2026, 10, 1), D(2026, 12, 31), D(2026, 7, 1)),
        ("2026-H2", D(2026, 7, 1), D(2026, 12, 31), D(2026, 1, 1)),
        ("2026-H1", D(2026, 1, 1), D(2026, 6, 30), D(2025, 7, 1)),
        ("2026-07", D(2026, 7, 1), D(2026, 7, 31), D(2026, 6, 1)),
        ("2026-01", D(2026, 1, 1), D(2026, 1, 31), D(2025, 12, 1)),
        ("2028-02", D(2028, 2, 1), D(2028, 2, 29), D(2028, 1, 1)),
        ("2026-12", D(2026, 12, 1), D(2026, 12, 31), D(2026, 11, 1)),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), D(2025, 1, 1)),
    ],
)
def test_parse_gives_the_span_and_the_previous_start(
    label: str, start: dt.date, end: dt.date, previous_start: dt.date
) -> None:
    period = Period.parse(label)
    assert (period.label, period.start, period.end, period.previous_start) == (
        label,
        start,
        end,
        previous_start,
    )


def test_parse_ignores_surrounding_spaces() -> None:
    period = Period.parse("  2026-Q3 \n")
    assert period.label == "2026-Q3"
    assert period.start == D(2026, 7, 1)


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026-Q0",
        "2026-H3",
        "2026-7",
        "26-Q1",
        "2026Q1",
        "2026-q1",
        "x",
        "",
        "0000",
        "0001-Q1",  # its previous quarter would be in year 0
        "9999-Q4",  # it would end in year 10000
    ],
)
def test_bad_labels_raise_period_error(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_contains_includes_both_ends() -> None:
    period = Period.parse("2026-Q3")
    assert not period.contains(D(2026, 6, 30))
    assert period.contains(D(2026, 7, 1))
    assert period.contains(D(2026, 9, 30))
    assert not period.contains(D(2026, 10, 1))


def test_in_previous_runs_from_previous_start_to_the_day_before_start() -> None:
    period = Period.parse("2026-Q3")
    assert not period.in_previous(D(2026, 3, 31))
    assert period.in_previous(D(2026, 4, 1))
    assert period.in_previous(D(2026, 6, 30))
    assert not period.in_previous(D(2026, 7, 1))
    assert not period.in_previous(D(2026, 9, 30))


def test_in_previous_crosses_the_year_boundary() -> None:
    period = Period.parse("2026-Q1")
    assert not period.in_previous(D(2025, 9, 30))
    assert period.in_previous(D(2025, 10, 1))
    assert period.in_previous(D(2025, 12, 31))
    assert not period.in_previous(D(2026, 1, 1))


def test_between_is_any_span_with_a_previous_span_of_the_same_length() -> None:
    period = Period.between(D(2026, 7, 10), D(2026, 7, 19))  # ten days
    assert period.label == "2026-07-10..2026-07-19"
    assert period.previous_start == D(2026, 6, 30)  # ten days: 06-30 .. 07-09
    assert period.contains(D(2026, 7, 10)) and period.contains(D(2026, 7, 19))
    assert not period.contains(D(2026, 7, 20))
    assert period.in_previous(D(2026, 6, 30)) and period.in_previous(D(2026, 7, 9))
    assert not period.in_previous(D(2026, 6, 29))


def test_between_one_day() -> None:
    period = Period.between(D(2026, 1, 1), D(2026, 1, 1))
    assert period.previous_start == D(2025, 12, 31)
    assert period.in_previous(D(2025, 12, 31))
    assert not period.in_previous(D(2025, 12, 30))


def test_between_rejects_an_end_before_the_start() -> None:
    with pytest.raises(PeriodError):
        Period.between(D(2026, 7, 2), D(2026, 7, 1))
