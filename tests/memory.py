"""How much this process's resident memory peaked during a block (Linux)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1))


@contextmanager
def peak_growth() -> Iterator[list[float]]:
    """Yields a list that holds, after the block, how many MB the peak resident size of this
    process rose above its size at the start (writing 5 to clear_refs resets the peak)."""
    Path("/proc/self/clear_refs").write_text("5")
    start = _kib("VmHWM")
    grown: list[float] = []
    yield grown
    grown.append((_kib("VmHWM") - start) / 1024)
