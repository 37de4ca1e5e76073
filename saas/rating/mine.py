"""Whose sheets these are: a rater reaches only the rating sheets assigned to them.

Every read and write of rating sheets on behalf of a rater goes through ``assigned_to``, so
no page can show a rater a sheet that is not theirs, whatever id it is sent. A subject never
reads the sheets about them (peer and subordinate raters stay unknown to them); admins reach
sheets through the cycle pages, not through this rule.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from saas.auth.permissions import Actor
from saas.models.cycle import RatingSheet


def assigned_to(actor: Actor) -> ColumnElement[bool]:
    """The condition on ``RatingSheet`` that holds for the sheets ``actor`` is to fill in:
    as the employee they are, or as the user they are (a committee member without an
    employee record)."""
    conditions = []
    if actor.employee_id is not None:
        conditions.append(RatingSheet.rater_employee_id == actor.employee_id)
    if actor.user_id is not None:
        conditions.append(RatingSheet.rater_user_id == actor.user_id)
    return or_(*conditions) if conditions else false()
