"""Rating entry on a form: a rater's sheets, one sheet's form that saves as the rater goes,
submitting it, and an admin reopening a submitted sheet with a reason.

A rater reaches only their own sheets (``assigned_to``): any other id is not found (404),
including a sheet about the rater themself. There is no page listing the sheets about a
person, so nobody learns who rated them.

The form works three ways with the same fields (``v.<item key>``):

- with JavaScript, each field is saved as the rater leaves it (HTMX posts that one field to
  ``save_item``, which answers with "saved" or the problem beside the field, and the sheet's
  subtotals swapped in out of band);
- without it, the form posts everything to ``sheet`` (all saved, or none and every problem
  beside its field);
- its "Submit" button posts everything too, then locks the sheet.

The third-party pages (saas/rating/external_views.py) use the same functions with their own
condition and addresses.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import ColumnElement

from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Actor
from saas.rating import service
from saas.rating import todos as _todos  # noqa: F401  registers the start page's to-dos
from saas.rating.audit_words import SHEET_STATUS_LABELS, SOURCE_LABELS
from saas.rating.mine import assigned_to
from saas.rating.service import CRITICAL_EFFECTS, Incomplete
from saas.rating.sheets import OpenSheet, find, listed
from saas.rating.values import shown
from saas.validation import Invalid
from saas.web.fragments import wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("rating", __name__, url_prefix=TENANT_PREFIX + "/rating")

FIELD_LIMIT = 200  # characters of one typed value read; a longer one is refused as it is

# What a page needs to reach its sheet's addresses: the list, the sheet, one field's save.
Urls = dict[str, str]


def _mine() -> ColumnElement[bool]:
    return assigned_to(current_actor())


def _urls(sheet_id: int) -> Urls:
    return {
        "list": url_for("rating.mine"),
        "sheet": url_for("rating.sheet", rating_sheet_id=sheet_id),
        "item": url_for("rating.save_item", rating_sheet_id=sheet_id),
    }


def _found(whose: ColumnElement[bool] | None, sheet_id: int, *, lock: bool = False) -> OpenSheet:
    found = find(tenant_session(), whose, sheet_id, lock=lock)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@requires("rating.enter")
def mine():
    cycles = listed(tenant_session(), _mine())
    return render_template("rating/mine.html", cycles=cycles, sheet_url=None, **labels())


def labels() -> dict[str, Any]:
    return {"source_labels": SOURCE_LABELS, "status_labels": SHEET_STATUS_LABELS}


# -- one sheet -------------------------------------------------------------------------------


def sheet_page(
    found: OpenSheet,
    urls: Urls,
    *,
    status: int = 200,
    errors: dict[str, list[Any]] | None = None,
    typed: dict[str, Any] | None = None,
    missing: list | None = None,
    layout: str = "tenant_base.html",
):
    """The sheet's form, or read-only once submitted or while the cycle is not open;
    ``typed`` keeps what was typed when ``errors`` sends it back."""
    saved = found.sheet.values
    typed = typed or {}
    values = {
        key: typed[key] if key in typed else shown(item, saved.get(key))
        for key, item in service.rated_items(found.scheme).items()
    }
    return render_template(
        "rating/sheet.html",
        found=found,
        scheme=found.scheme,
        values=values,
        errors=errors or {},
        missing=missing or [],
        missing_keys=[item.key for item in missing or []],
        editable=found.editable,
        tally=service.tally(found),
        urls=urls,
        layout=layout,
        critical_effects=CRITICAL_EFFECTS,
        **labels(),
    ), status


@bp.get("/sheets/<int:rating_sheet_id>")
@requires("rating.enter")
def sheet(rating_sheet_id: int):
    return sheet_page(_found(_mine(), rating_sheet_id), _urls(rating_sheet_id))


def _bounded(form) -> dict[str, Any]:
    """The form's item values, each cut to a length no rating needs (so a huge value is
    refused as the wrong value it is, not carried around)."""
    return {key: str(value)[:FIELD_LIMIT] for key, value in form.items()}


def save_whole(found: OpenSheet, actor: Actor, urls: Urls, layout: str = "tenant_base.html") -> Any:
    """A whole form posted: save every value (or none, with every problem shown), apply a
    stepper's −/+ pressed without JavaScript, and submit when asked."""
    session, form = tenant_session(), request.form
    raw = _bounded(service.read_form(found.scheme, form))
    how = form.get("step")
    if how:
        service.step(found.scheme, raw, found.sheet.values, how[:FIELD_LIMIT])
    try:
        service.save_all(session, actor, found, raw)
    except Invalid as error:
        session.rollback()
        found = _reload(found)
        return sheet_page(found, urls, status=400, errors=error.errors, typed=raw, layout=layout)
    session.flush()
    if form.get("do") == "submit":
        try:
            service.submit(session, actor, found)
        except Incomplete as error:
            session.commit()  # what was typed is kept; the sheet stays a draft
            return sheet_page(found, urls, status=400, missing=error.missing, layout=layout)
        session.commit()
        flash(_("Submitted. Thank you: the sheet is now locked."), "success")
        return redirect(urls["sheet"])
    session.commit()
    if how:
        return redirect(f"{urls['sheet']}#item-{how.rpartition(':')[0][:60]}")
    flash(_("Saved."), "success")
    return redirect(urls["sheet"])


def _reload(found: OpenSheet) -> OpenSheet:
    """The sheet as stored, after a rolled-back attempt."""
    again = find(tenant_session(), None, found.sheet.id)
    if again is None:  # pragma: no cover - deleted meanwhile
        abort(404)
    return again


@bp.post("/sheets/<int:rating_sheet_id>")
@requires("rating.enter")
def save(rating_sheet_id: int):
    found = _found(_mine(), rating_sheet_id, lock=True)
    return save_whole(found, current_actor(), _urls(rating_sheet_id))


def save_one(found: OpenSheet, actor: Actor, urls: Urls, layout: str = "tenant_base.html") -> Any:
    """One field saved as the rater left it: "saved" (and the new subtotals) or the problem,
    swapped in beside the field. Without HTMX it falls back to the whole page."""
    session = tenant_session()
    key = request.form.get("item", "")[:FIELD_LIMIT]
    raw = request.form.get(f"v.{key}", "")[:FIELD_LIMIT]
    try:
        stored = service.save_item(session, actor, found, key, raw)
    except Invalid as error:
        session.rollback()
        if not wants_fragment():
            return sheet_page(
                _reload(found),
                urls,
                status=400,
                errors=error.errors,
                typed={key: raw},
                layout=layout,
            )
        return render_template("rating/_saved.html", key=key, error=error.message), 400
    session.commit()
    if not wants_fragment():
        return redirect(urls["sheet"])
    return render_template(
        "rating/_saved.html",
        key=key,
        error=None,
        stored=stored,
        found=found,
        scheme=found.scheme,
        tally=service.tally(found),
        **labels(),
    )


@bp.post("/sheets/<int:rating_sheet_id>/item")
@requires("rating.enter")
def save_item(rating_sheet_id: int):
    found = _found(_mine(), rating_sheet_id)
    return save_one(found, current_actor(), _urls(rating_sheet_id))


# -- reopening (admins) ----------------------------------------------------------------------


def _reopen_page(found: OpenSheet, status: int = 200, errors=None, reason: str = ""):
    return render_template(
        "rating/reopen.html",
        found=found,
        scheme=found.scheme,
        values={
            key: shown(item, found.sheet.values.get(key))
            for key, item in service.rated_items(found.scheme).items()
        },
        tally=service.tally(found),
        errors=errors or {},
        reason=reason,
        editable=False,
        missing_keys=[],
        urls={},
        critical_effects=CRITICAL_EFFECTS,
        **labels(),
    ), status


@bp.get("/sheets/<int:rating_sheet_id>/reopen")
@requires("rating.reopen")
def reopen_form(rating_sheet_id: int):
    """A submitted sheet as an admin sees it (any sheet of the tenant: rating.reopen reaches
    all), with the form to give it back to its rater."""
    return _reopen_page(_found(None, rating_sheet_id))


@bp.post("/sheets/<int:rating_sheet_id>/reopen")
@requires("rating.reopen")
def reopen(rating_sheet_id: int):
    session = tenant_session()
    found = _found(None, rating_sheet_id, lock=True)
    reason = request.form.get("reason", "")[: service.REASON_LIMIT + 1]
    try:
        service.reopen(session, current_actor(), found, reason)
    except Invalid as error:
        session.rollback()
        return _reopen_page(_reload(found), 400, error.errors, reason)
    session.commit()
    flash(_("Reopened: the rater can change the sheet and is shown your reason."), "success")
    return redirect(url_for("rating.reopen_form", rating_sheet_id=rating_sheet_id))
