"""The engine's results are the golden ones, bit for bit: a faster engine computes the same.

See tests/scoring/golden.py for what the fixture holds and how to regenerate it.
"""

from __future__ import annotations

import gzip
import json

from saas.scoring.engine import Engine
from tests.scoring.golden import FIXTURE, PERIOD, lines


def test_every_golden_result_is_unchanged():
    expected = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    actual = lines(lambda scheme, subjects: Engine(scheme).score_many(subjects, PERIOD))
    assert len(actual) == len(expected) == 360
    for want, got in zip(expected, actual, strict=True):
        if want != got:  # the first difference, readably
            assert json.loads(got) == json.loads(want)
        assert got == want


def test_one_at_a_time_scores_as_many_at_once():
    """``score`` and ``score_many`` share their cached per-value work: the order a value is
    first met in must not matter."""
    expected = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    actual = lines(
        lambda scheme, subjects: [Engine(scheme).score(s, PERIOD) for s in reversed(subjects)]
    )
    assert sorted(actual) == sorted(expected)


def test_the_engine_sets_every_field_of_its_results():
    """``Result.made`` skips ``__init__``: every field must be given, none left to a default."""
    import dataclasses

    from tests.scoring.golden import cohorts

    scheme, subjects = cohorts()[0]
    result = Engine(scheme).score(subjects[0], PERIOD)
    assert {f.name for f in dataclasses.fields(result)} <= set(vars(result))
