"""The audit log page: /t/<slug>/audit/, tenant admins only, read-only (GET is all there is)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, g, request

from saas.audit.forms import FilterForm, filtered
from saas.audit.present import present
from saas.audit.queries import facets, search
from saas.auth.guard import requires
from saas.web.fragments import page_or_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("audit", __name__, url_prefix=TENANT_PREFIX + "/audit")


@bp.get("/")
@requires("audit.view")
def index():
    session = tenant_session()
    form = FilterForm(request.args)
    form.offer(facets(session))
    valid = form.validate()
    page = search(session, form.query(), ZoneInfo(g.tenant.time_zone)) if valid else None
    context = {
        "form": form,
        "page": page,
        "shown": present(session, page.rows) if page else [],
        "filtered": filtered(),
        "log_endpoint": "audit.index",
    }
    body = page_or_fragment("audit/index.html", "audit/_results.html", **context)
    return body, 200 if valid else 400
