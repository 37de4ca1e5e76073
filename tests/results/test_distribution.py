"""The score distribution's numbers (saas/results/distribution.py), without a database."""

from __future__ import annotations

from decimal import Decimal

from saas.results.distribution import BINS, Counted, chart
from saas.scoring.scheme import Band

BANDS = [
    Band(threshold=Decimal(90), label="优秀"),
    Band(threshold=Decimal(60), label="合格"),
    Band(threshold=Decimal(0), label="不合格"),
]


def row(bucket, band, count, *, over=False, excluded=False, disqualified=False) -> Counted:
    return Counted(bucket, over, band, excluded, disqualified, count)


def test_bins_bands_and_thresholds():
    drawn = chart(
        [
            row(19, "优秀", 3),  # 90–95
            row(21, "优秀", 2),  # exactly 100: the top bin
            row(21, "优秀", 1, disqualified=True),
            row(13, "合格", 4),  # 60–65
            row(1, "不合格", 1),
            row(None, None, 2, excluded=True),
        ],
        Decimal(100),
        BANDS,
    )
    counts = [bar.count for bar in drawn.bars]
    assert len(counts) == BINS and counts[18] == 3 and counts[19] == 3 and counts[12] == 4
    assert (drawn.scored, drawn.excluded, drawn.disqualified) == (11, 2, 1)
    assert [(b.label, b.count, b.disqualified) for b in drawn.bands] == [
        ("优秀", 6, 1),
        ("合格", 4, 0),
        ("不合格", 1, 0),
    ]
    assert [m.threshold for m in drawn.markers] == [90, 60]  # 0 is the axis itself
    assert drawn.markers[0].x > drawn.markers[1].x
    assert drawn.bars[18].tone == 0 and drawn.bars[12].tone == 1 and drawn.bars[0].tone == 2
    assert drawn.peak.count == 4 and drawn.peak.low == 60
    # The tallest bar reaches the top of a "nice" axis: 4 → 5.
    assert [value for _, value in drawn.y_ticks] == [0, 5]


def test_scores_above_the_scale_get_a_bar_of_their_own():
    drawn = chart([row(21, "优秀", 2, over=True), row(20, "优秀", 1)], Decimal(100), BANDS)
    assert len(drawn.bars) == BINS + 1
    assert drawn.bars[-1].count == 2 and drawn.bars[-1].high is None
    assert drawn.bars[-2].count == 1


def test_nothing_scored_draws_nothing():
    drawn = chart([row(None, None, 3, excluded=True)], Decimal(100), BANDS)
    assert drawn.empty and drawn.excluded == 3 and drawn.peak is None


def test_a_count_too_wide_for_its_bar_is_left_to_the_tooltip():
    drawn = chart([row(10, "合格", 12345)], Decimal(100), BANDS)
    assert not drawn.bars[9].label_fits
    assert chart([row(10, "合格", 12)], Decimal(100), BANDS).bars[9].label_fits
