"""The score distribution chart: a histogram of final scores with the band thresholds marked,
drawn as inline SVG by templates/results/_chart.html.

Pure: it takes the counts one aggregate query gives (``saas.results.queries.distribution``:
per ``width_bucket`` of the final score, band, excluded and disqualified) and the scheme's
scale and bands, and returns every coordinate, label and count the template draws. The SVG is
drawn in a 360-unit-wide box, the width of a phone's screen, so its text is read at its size
there; wider screens show it larger up to the chart's maximum width (kaohe.css).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from saas.scoring.scheme import Band

BINS = 20  # 5-point bins on a 100-point scale
WIDTH = 360
HEIGHT = 200
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 26, 24  # the plot's margins, for the axes' labels
DIGIT = Decimal("5.6")  # how wide one digit of the bars' 9-unit counts is drawn


@dataclass(frozen=True)
class Counted:
    """One row of the aggregate: how many results share these values."""

    bucket: int | None  # width_bucket(final, 0, scale, BINS): 1…BINS, BINS + 1 at or above
    over: bool  # above the scale (a scheme that lets bonuses pass it)
    band: str | None
    excluded: bool
    disqualified: bool
    count: int


@dataclass(frozen=True)
class Bar:
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal
    count: int
    low: Decimal
    high: Decimal | None  # None: the bin above the scale
    tone: int  # the band its scores fall in by threshold, 0 for the top band
    label_fits: bool  # the count is written above the bar when it fits its width

    @property
    def label_x(self) -> Decimal:
        return _round(self.x + self.width / 2)

    @property
    def label_y(self) -> Decimal:
        return _round(self.y - Decimal("2.5"))


@dataclass(frozen=True)
class Marker:
    x: Decimal
    threshold: Decimal
    label: str


@dataclass(frozen=True)
class BandCount:
    label: str | None  # None: scored below every band
    threshold: Decimal | None
    count: int
    disqualified: int
    tone: int


@dataclass
class Chart:
    bars: list[Bar]
    markers: list[Marker]
    x_ticks: list[tuple[Decimal, Decimal]]  # (x, score)
    y_ticks: list[tuple[Decimal, int]]  # (y, count)
    bands: list[BandCount]
    scored: int  # results with a final score (drawn)
    excluded: int
    disqualified: int
    scale: Decimal
    step: Decimal
    peak: Bar | None = None
    width: int = WIDTH
    height: int = HEIGHT
    plot: dict[str, Decimal] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.scored == 0


def _bands_down(bands: Iterable[Band]) -> list[Band]:
    return sorted(bands, key=lambda band: band.threshold, reverse=True)


def _tone(low: Decimal, bands: Sequence[Band]) -> int:
    """The index (top band first) of the band a bin's lowest score falls in."""
    for index, band in enumerate(bands):
        if band.threshold <= low:
            return index
    return len(bands)


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"))


def _nice_top(peak: int) -> int:
    """The y axis's top: the peak rounded up to 1, 2, 5 × a power of ten (at least 1)."""
    if peak <= 1:
        return 1
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10


def chart(
    rows: Iterable[Counted], scale: Decimal, bands: Iterable[Band], bins: int = BINS
) -> Chart:
    rows = list(rows)
    ordered = _bands_down(bands)
    step = scale / bins
    counts = [0] * bins
    over = 0
    excluded = disqualified = 0
    per_band: dict[str | None, list[int]] = {}
    for row in rows:
        if row.excluded:
            excluded += row.count
            continue
        if row.bucket is None:  # not excluded yet without a score: nothing to draw
            continue
        if row.over:
            over += row.count
        else:
            counts[min(max(row.bucket, 1), bins) - 1] += row.count
        tally = per_band.setdefault(row.band, [0, 0])
        tally[0] += row.count
        if row.disqualified:
            tally[1] += row.count
            disqualified += row.count
    columns = bins + (1 if over else 0)
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    column = plot_w / columns
    top = _nice_top(max([*counts, over, 0]))
    bars = []
    for index, count in enumerate([*counts, *([over] if over else [])]):
        low = step * index if index < bins else scale
        high = step * (index + 1) if index < bins else None
        height = plot_h * count / top
        bars.append(
            Bar(
                x=_round(LEFT + column * index + Decimal("1")),
                y=_round(TOP + plot_h - height),
                width=_round(column - 2),
                height=_round(height),
                count=count,
                low=low,
                high=high,
                tone=_tone(low, ordered),
                label_fits=count > 0 and DIGIT * len(str(count)) <= column + 2,
            )
        )
    markers = [
        Marker(
            x=_round(LEFT + plot_w * (band.threshold / scale) * bins / columns),
            threshold=band.threshold,
            label=band.label,
        )
        for band in ordered
        if 0 < band.threshold < scale
    ]
    x_ticks = [
        (_round(LEFT + column * index), step * index)
        for index in range(0, bins + 1, max(1, bins // 5))
    ]
    y_ticks = [(_round(TOP + plot_h - plot_h * value / top), value) for value in (0, top)]
    if top >= 4 and top % 2 == 0:
        y_ticks.insert(1, (_round(TOP + plot_h / 2), top // 2))
    band_counts = [
        BandCount(band.label, band.threshold, *per_band.pop(band.label, [0, 0]), tone=index)
        for index, band in enumerate(ordered)
    ]
    # Labels no longer in the scheme (never, for a published version) and "no band" last.
    unbanded = per_band.pop(None, None)
    for label, (count, out) in sorted(per_band.items()):
        band_counts.append(BandCount(label, None, count, out, tone=len(ordered)))
    if unbanded:
        band_counts.append(BandCount(None, None, *unbanded, tone=len(ordered)))
    scored = sum(counts) + over
    drawn = [bar for bar in bars if bar.count]
    return Chart(
        bars=bars,
        markers=markers,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        bands=band_counts,
        scored=scored,
        excluded=excluded,
        disqualified=disqualified,
        scale=scale,
        step=step,
        peak=max(drawn, key=lambda bar: bar.count) if drawn else None,
        plot={
            "left": Decimal(LEFT),
            "right": Decimal(WIDTH - RIGHT),
            "top": Decimal(TOP),
            "bottom": Decimal(HEIGHT - BOTTOM),
        },
    )
