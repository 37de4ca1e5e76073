"""Progress reporting from inside a job, read by the UI's polling progress bar."""

from __future__ import annotations

from rq import get_current_job


def report(percent: int, stage: str = "") -> None:
    """Store progress in ``job.meta``; a no-op when called outside a worker (tests, CLI)."""
    job = get_current_job()
    if job is None:
        return
    job.meta["progress"] = max(0, min(100, int(percent)))
    job.meta["stage"] = stage
    job.save_meta()
