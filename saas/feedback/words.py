"""The words of customer feedback: its kinds and its fixed list of categories.

The categories are a fixed list (not tenant settings), so every page, the ledger note and the
tests agree on them; each is stored by its key and shown in the reader's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from saas.models.feedback import FeedbackKind

KIND_LABELS = {
    FeedbackKind.PRAISE.value: _l("Praise"),
    FeedbackKind.COMPLAINT.value: _l("Complaint"),
}

# Key → label, in the order the form lists them ("other" last).
CATEGORY_LABELS = {
    "attitude": _l("Attitude"),
    "quality": _l("Quality of service"),
    "speed": _l("Speed"),
    "cleanliness": _l("Cleanliness"),
    "other": _l("Other"),
}
