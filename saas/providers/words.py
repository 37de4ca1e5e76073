"""What the providers pages call things, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# A contract's period as of today (saas/providers/service.py ``period_state``).
PERIOD_LABELS = {
    "current": _l("current"),
    "expiring": _l("ends within 30 days"),
    "expired": _l("expired"),
    "upcoming": _l("not started yet"),
}
# Why a graded month shows no payable figure (saas/providers/lists.py ``payable``).
NO_FIGURE_LABELS = {
    "no_contract": _l("no contract covers this period"),
    "no_fee": _l("the contract has no monthly fee"),
    "no_band": _l("the score is below every band"),
    "no_tier": _l("the contract has no share for this band"),
}
