"""How long jobs may run, how often they are retried and how long their results are kept.

The one place these numbers live: every job kind (workers/enqueue.py) names one of these
policies, and nothing else passes a timeout or a retry to RQ.
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class JobPolicy:
    """Timeout (seconds), the wait before each retry, and how long RQ keeps the outcome."""

    timeout: int
    retry_intervals: tuple[int, ...]
    result_ttl: int = DAY  # the page polls the result, then links to what the job made
    failure_ttl: int = DAY  # long enough for someone to read why it failed

    @property
    def retries(self) -> int:
        return len(self.retry_intervals)


# Work on a tenant's data (imports, statements): a transient database or network fault is
# worth a quick second try; a real error fails again and is shown to the user.
STANDARD = JobPolicy(timeout=600, retry_intervals=(1, 5))

# A cycle's scoring run: 10,000 subjects take seconds, a whole company well under the
# timeout. A killed worker or a dropped connection is retried from the start (the run writes
# nothing until its one final transaction); the results are followed on the runs page.
SCORING = JobPolicy(timeout=1800, retry_intervals=(2, 15))

# Mail waits out a slow or briefly unreachable SMTP server over about six minutes; a failed
# send is kept a week so an operator can see it (invitations live 7 days).
MAIL = JobPolicy(timeout=120, retry_intervals=(10, 60, 300), failure_ttl=7 * DAY)

# An idle RQ worker renews its heartbeat about every (ttl - 15) s; a short ttl lets /healthz
# tell a live idle worker from a dead one within two minutes.
WORKER_TTL_SECONDS = 60
