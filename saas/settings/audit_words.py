"""How the audit log words what the settings area records (see saas/audit/vocabulary.py):
a tenant admin switching a setting on or off, shown by the setting's name."""

from __future__ import annotations

from collections.abc import Collection

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from saas.audit.vocabulary import Record, Words
from saas.settings.service import SETTINGS

_ON_OFF = {True: _l("on"), False: _l("off")}


def _setting_names(session: Session, keys: Collection[str]) -> dict[str, str]:
    return {s.key: str(s.label) for s in SETTINGS if s.key in keys}


WORDS = Words(
    actions={"setting.change": _l("Setting changed")},
    records={
        "setting": Record(
            _l("Setting"),
            fields={"value": _l("Value")},
            values={"value": _ON_OFF},
            names=_setting_names,
        ),
    },
)
