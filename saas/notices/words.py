"""How the notices area words its statuses, moves and refused files, for the pages, the
audit log and the written notice."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "open": _l("awaiting rectification"),
    "answered": _l("answered, awaiting verification"),
    "accepted": _l("rectified and accepted"),
}
# A filter of the list beside the statuses: an open notice whose answer was sent back.
REOPENED = "reopened"
FILTER_LABELS = {**STATUS_LABELS, REOPENED: _l("answer sent back")}
# Why a move is refused from a status it does not follow (service.TRANSITIONS).
MOVE_REFUSED = {
    "answer": _l("This notice is %(status)s: it cannot be answered now."),
    "accept": _l("This notice is %(status)s: there is no answer to accept now."),
    "reject": _l("This notice is %(status)s: there is no answer to send back now."),
}
# Why an uploaded photo was not kept (saas/attachments/files.py codes).
FILE_PROBLEMS = {
    "empty": _l("The file %(name)s is empty."),
    "too_large": _l("The file %(name)s is larger than 10 MB."),
    "not_allowed": _l("The file %(name)s is not a photo or a PDF."),
    "damaged": _l("The file %(name)s cannot be read."),
    "too_many_pixels": _l("The photo %(name)s has too many pixels."),
    "active_pdf": _l("The PDF %(name)s holds active content and was not kept."),
    "too_many": _l("An answer holds at most %(most)s photos."),
}
