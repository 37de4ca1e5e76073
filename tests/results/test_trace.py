"""A stored trace back in sentences (saas/results/trace.py): every step the engine takes,
stored as a scoring run stores it and read back, says what the live step says, in zh and en."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale

from saas.results.breakdown import breakdown_table, headline
from saas.results.trace import groups, reason, sentence, step_of
from saas.schemes import explain as explaining
from saas.schemes.explain import explain, explain_reason
from tests.results.scored import cohort_inputs, rich_scheme, score

KEYS = [f"s{n:02d}" for n in range(12)]


@pytest.fixture(scope="module")
def scored():
    scheme = rich_scheme()
    return scheme, score(scheme, "2026-Q3", cohort_inputs(KEYS))


def stored(result) -> dict:
    """As the database hands it back: JSON through and through."""
    return json.loads(json.dumps(result.to_dict()))


def test_the_cohort_takes_every_step_explain_knows(scored):
    _scheme, results = scored
    seen = set()
    for result in results:
        data = stored(result)
        seen |= {step["step"] for step in data["trace"]}
        seen |= {step["step"] for step in data["disqualified"] + data["disqualified_next_period"]}
    assert set(explaining._STEPS) <= seen
    assert {"critical", "rule", "previous_period", "tally_limit", "quota", "excluded"} <= seen


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_stored_step_reads_as_the_live_one(app, scored, locale):
    scheme, results = scored
    with app.test_request_context(), force_locale(locale):
        for result in results:
            data = stored(result)
            live = result.trace()
            assert len(live) == len(data["trace"])
            for step, kept in zip(live, data["trace"], strict=True):
                said = sentence(kept, scheme)
                if step.code != "excluded":  # said with the eligibility rule's words
                    assert said == explain(step, scheme), step
                assert "Step “" not in said and "步骤“" not in said, said
            for step, kept in zip(result.disqualified, data["disqualified"], strict=True):
                assert reason(kept, scheme) == explain_reason(step, scheme)
            for step, kept in zip(
                result.disqualified_next, data["disqualified_next_period"], strict=True
            ):
                assert reason(kept, scheme) == explain_reason(step, scheme)


def test_numbers_come_back_as_decimals_and_names_stay_text():
    step = step_of(
        {
            "step": "item",
            "source": "peer",
            "item": "1",
            "raters": 2,
            "mean": "17.5000",
            "score": "17.5",
        }
    )
    assert step.params["item"] == "1" and step.params["raters"] == 2
    assert str(step.params["mean"]) == "17.5000" and step.params["score"] == step.params["mean"]
    goals = step_of({"step": "goals", "goals": 2, "cap": "120", "attainment": "114"})
    assert goals.params["goals"] == 2
    blend = step_of({"step": "blend", "goals": "96", "checklist": None, "share": "20"})
    assert str(blend.params["goals"]) == "96" and blend.params["checklist"] is None
    weights = step_of({"step": "checklist", "weights": {"supervisor": "66.6667"}})
    assert str(weights.params["weights"]["supervisor"]) == "66.6667"
    # Zero is falsy again, so "no award", "no fine" read as such.
    event = step_of({"step": "event", "points": "0", "fine": "0"})
    assert not event.params["points"] and not event.params["fine"]


def test_a_step_of_no_known_code_or_without_its_numbers_still_reads(app, scored):
    scheme, _ = scored
    with app.test_request_context(), force_locale("en"):
        assert sentence({"step": "mystery", "factor": "1.5"}, scheme) == (
            "Step “mystery”: factor: 1.5"
        )
        assert sentence({"step": "mystery"}, scheme) == "Step “mystery”"
        assert "item" in sentence({"step": "item", "source": "peer"}, scheme)
        assert sentence({"step": "final", "final": "oops"}, scheme).startswith("Step “final”")
        assert reason({"step": "rule"}, scheme).startswith("Step “rule”")
    with app.test_request_context(), force_locale("zh_CN"):
        assert "mystery" in sentence({"step": "mystery", "factor": "1.5"}, scheme)


def test_groups_put_each_source_first_then_the_rest(app, scored):
    scheme, results = scored
    data = stored(results[0])
    with app.test_request_context(), force_locale("en"):
        found = groups([*data["trace"], "not a step", None], scheme)
    assert [g.title for g in found] == [
        "Supervisor or department",
        "Peers",
        "From the checklist to the final score",
    ]
    assert found[0].codes[-1] == "source" and "final" in found[-1].codes
    with app.test_request_context(), force_locale("zh_CN"):
        found = groups(data["trace"], scheme)
    assert found[-1].title == "从考核细则得分到最终得分"


def test_the_excluded_reason_is_said_in_words(app, scored):
    scheme, results = scored
    data = stored(results[10])
    with app.test_request_context(), force_locale("en"):
        said = sentence(data["trace"][0], scheme)
    assert said == "Not assessed: position level, and every level above it: 部门主管"


def test_the_breakdown_table_and_headline(app, scored):
    scheme, results = scored

    class Row:  # the columns a CycleResult has
        def __init__(self, result):
            data = stored(result)
            self.breakdown = {k: v for k, v in data.items() if k != "trace"}
            self.final, self.band, self.award = result.final, data["band"], result.award
            self.fines, self.excluded = result.fines, result.excluded
            self.disqualified = bool(result.disqualified)
            self.consequence = data["consequence"]
            self.pay_coefficient = None if result.band is None else result.band.pay_coefficient

    with app.test_request_context(), force_locale("en"):
        table = breakdown_table(Row(results[0]).breakdown, scheme)
        assert [label for _, label in table.sources] == ["Supervisor or department", "Peers"]
        section_a = table.lines[0]
        assert (section_a.kind, section_a.key, str(section_a.max)) == ("section", "A", "40")
        a1 = next(line for line in table.lines if line.key == "A1")
        assert [str(score) for score in a1.scores] == ["18", "17"]  # the peers' mean of 18, 16
        assert str(table.weights[0]).startswith("66.66")
        assert table.summary == [
            ("Checklist score", "96"),
            ("Goals component", "108"),
            ("Base score", "98.4"),
            ("Adjustments", "+10"),
        ]

        out = headline(Row(results[5]), scheme)
        assert out.disqualified == ["Valid complaint (C-1) on 2026-07-10"]
        assert out.award == 0 and out.award_withheld is not None
        lost = headline(Row(results[6]), scheme)
        assert lost.fines == 400
        assert lost.disqualified_next == [
            "Badge lost (B-1) on 2026-08-01",
            "Badge lost (B-2) on 2026-08-20",
        ]
        assert lost.disqualified == [
            "2026-08: 16 points deducted in one month, at or above the limit of 15"
        ]
        excluded = headline(Row(results[10]), scheme)
        assert excluded.final is None and excluded.excluded
