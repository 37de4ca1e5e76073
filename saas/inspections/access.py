"""Who sees an inspection and who may run it.

- Administrators, committee members and inspectors (``inspections.view`` for all) see every
  inspection.
- A manager sees the inspections of the units of their subtrees; a provider's contact those
  of their provider units (``Scope.provider_unit_ids``).
- **Hidden until done**: an unannounced inspection (a spot check or 暗访 planned without
  notice, and every mystery visit) is not shown to the inspected unit's managers nor to the
  provider's contact until it is done: not in the list, not by its number (404), not its
  photos. A cancelled one stays hidden.
- Only the assigned inspector, or an administrator, runs an inspection; a done or cancelled
  one is read-only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import Session

from saas.auth.permissions import Actor, Reach
from saas.models.inspection import Inspection, InspectionMethod, InspectionStatus
from saas.models.org import OrgUnit
from saas.models.user import Role

OPEN_STATUSES = (InspectionStatus.PLANNED.value, InspectionStatus.IN_PROGRESS.value)


def hidden_from_the_inspected() -> ColumnElement[bool]:
    """An inspection the inspected unit may not know of yet."""
    return (Inspection.status != InspectionStatus.DONE) & (
        Inspection.unannounced.is_(True) | (Inspection.method == InspectionMethod.MYSTERY)
    )


def visible(actor: Actor) -> ColumnElement[bool]:
    """The inspections ``actor`` may see, as a clause on Inspection."""
    reach = actor.reach("inspections.view")
    if Reach.ALL in reach:
        return true()
    reached = []
    if Reach.MANAGED in reach and actor.scope.managed_paths:
        units = select(OrgUnit.id).where(actor.scope.unit_clause())
        reached.append(Inspection.unit_id.in_(units))
    if Reach.SELF in reach and actor.scope.provider_unit_ids:
        reached.append(Inspection.unit_id.in_(actor.scope.provider_unit_ids))
    if not reached:
        return false()
    return or_(*reached) & ~hidden_from_the_inspected()


def find(
    session: Session, actor: Actor, inspection_id: int, *, lock: bool = False
) -> Inspection | None:
    """The inspection if ``actor`` may see it, else None (the page answers 404)."""
    query = select(Inspection).where(Inspection.id == inspection_id, visible(actor))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def may_run(actor: Actor, inspection: Inspection) -> bool:
    """The assigned inspector, or an administrator, while it is not done or cancelled."""
    if not actor.can("inspections.run") or inspection.status not in OPEN_STATUSES:
        return False
    assigned = actor.user_id is not None and actor.user_id == inspection.inspector_id
    return assigned or actor.has_role(Role.TENANT_ADMIN)


def readable(session: Session, actor: Actor, inspection_id: int) -> bool:
    """For attachments: an inspection's photos are readable exactly when it is."""
    if not actor.can("inspections.view"):
        return False
    return find(session, actor, inspection_id) is not None
