"""The third-party rater's pages, opened with their link and no account: their sheets in
their one cycle, and the same form as everyone's (saas/rating/views.py).

A token that names nobody is 404; a link revoked or whose cycle is not open is 410, with a
page saying so. The link reaches nothing else: its sheets are found only with the rater's
own condition (``of_external``), and the pages have no menu.
"""

from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template, url_for

from saas.auth.guard import public
from saas.models.cycle import Cycle, ExternalRater
from saas.rating import external
from saas.rating.sheets import find, listed, of_external
from saas.rating.views import labels, save_one, save_whole, sheet_page
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("rate", __name__, url_prefix=TENANT_PREFIX + "/rate")

LAYOUT = "rating/external_base.html"


def _rater(token: str) -> tuple[ExternalRater, Cycle]:
    found = external.find_rater(tenant_session(), token)
    if found is None:
        abort(404)
    rater, cycle = found
    closed = external.closed_because(rater, cycle)
    if closed is not None:
        abort(_gone(closed, cycle))
    g.external_rater = rater
    return rater, cycle


def _gone(closed: external.Closed, cycle: Cycle):
    body = render_template("rating/external_gone.html", closed=closed.value, cycle=cycle)
    return make_response(body, 410)


def _urls(token: str, sheet_id: int) -> dict[str, str]:
    return {
        "list": url_for("rate.start", rater_token=token),
        "sheet": url_for("rate.sheet", rater_token=token, rating_sheet_id=sheet_id),
        "item": url_for("rate.save_item", rater_token=token, rating_sheet_id=sheet_id),
    }


def _sheet(token: str, sheet_id: int, *, lock: bool = False):
    rater, _cycle = _rater(token)
    found = find(tenant_session(), of_external(rater), sheet_id, lock=lock)
    if found is None:
        abort(404)
    return rater, found


@bp.get("/<rater_token>")
@public
def start(rater_token: str):
    rater, cycle = _rater(rater_token)
    cycles = listed(tenant_session(), of_external(rater))
    return render_template(
        "rating/external_list.html",
        rater=rater,
        cycle=cycle,
        cycles=cycles,
        sheet_url=lambda sheet_id: url_for(
            "rate.sheet", rater_token=rater_token, rating_sheet_id=sheet_id
        ),
        **labels(),
    )


@bp.get("/<rater_token>/sheets/<int:rating_sheet_id>")
@public
def sheet(rater_token: str, rating_sheet_id: int):
    _rater_row, found = _sheet(rater_token, rating_sheet_id)
    return sheet_page(found, _urls(rater_token, rating_sheet_id), layout=LAYOUT)


@bp.post("/<rater_token>/sheets/<int:rating_sheet_id>")
@public
def save(rater_token: str, rating_sheet_id: int):
    rater, found = _sheet(rater_token, rating_sheet_id, lock=True)
    urls = _urls(rater_token, rating_sheet_id)
    return save_whole(found, external.actor_of(rater), urls, layout=LAYOUT)


@bp.post("/<rater_token>/sheets/<int:rating_sheet_id>/item")
@public
def save_item(rater_token: str, rating_sheet_id: int):
    rater, found = _sheet(rater_token, rating_sheet_id)
    urls = _urls(rater_token, rating_sheet_id)
    return save_one(found, external.actor_of(rater), urls, layout=LAYOUT)
