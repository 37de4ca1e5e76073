"""How the audit logs word what the platform area records (see saas/audit/vocabulary.py):
tenants created, suspended, resumed and dropped, and platform admins added."""

from __future__ import annotations

from collections.abc import Collection

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from saas.audit.vocabulary import Record, Words, names_by_id
from saas.web.i18n import LANGUAGES, PLAN_NAMES, TENANT_STATUS
from tenants.registry import PlatformAdmin, Tenant


def _tenant_names(session: Session, slugs: Collection[str]) -> dict[str, str]:
    rows = session.execute(select(Tenant.slug, Tenant.name).where(Tenant.slug.in_(set(slugs))))
    return {row.slug: row.name for row in rows}


WORDS = Words(
    actions={
        "tenant.created": _l("Organisation onboarded"),
        "tenant.suspended": _l("Organisation suspended"),
        "tenant.resumed": _l("Organisation resumed"),
        "tenant.active": _l("Organisation resumed"),  # the code resuming wrote before
        "tenant.dropped": _l("Organisation deleted with all its data"),
        "platform_admin.created": _l("Platform administrator added"),
        "platform_admin.password_changed": _l("Password changed"),
        "platform_admin.logged_out_everywhere": _l("Logged out on every device"),
    },
    records={
        "tenant": Record(
            _l("Client organisation"),
            fields={
                "slug": _l("Slug"),
                "plan": _l("Plan"),
                "seat_limit": _l("Seat limit"),
                "locale": _l("Default language"),
                "time_zone": _l("Time zone"),
            },
            values={"status": TENANT_STATUS, "plan": PLAN_NAMES, "locale": LANGUAGES},
            names=_tenant_names,
        ),
        "platform_admin": Record(
            _l("Platform administrator"),
            names=lambda session, ids: names_by_id(
                session, PlatformAdmin.id, PlatformAdmin.email, ids
            ),
        ),
    },
)
