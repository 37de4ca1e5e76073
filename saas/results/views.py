"""The results pages of a cycle: the table with the score distribution, and one subject's
result with its breakdown and its trace in sentences.

``results.view``: administrators and committee members read every subject; a manager reads
the subjects of the units they manage and below (a subject outside is not found, 404, in the
table, the chart's counts and the subject's page alike); employees and inspectors are refused
until results are published to them.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_babel import gettext as _

from saas.auth.accounts import current_scope
from saas.auth.guard import requires
from saas.people.employees import unit_choices
from saas.results import queries
from saas.results.breakdown import breakdown_table, headline, shown_final
from saas.results.distribution import chart
from saas.results.evidence import ref_words
from saas.results.trace import full_trace, groups
from saas.runs.service import changes_since
from saas.runs.words import change_text
from saas.schemes.explain import CONSEQUENCE_LABELS, SOURCE_LABELS
from saas.web.fragments import wants_fragment
from saas.web.i18n import select_timezone
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("results", __name__, url_prefix=TENANT_PREFIX + "/cycles")


def _head(cycle_id: int) -> queries.CycleHead:
    head = queries.cycle_head(tenant_session(), cycle_id)
    if head is None:
        abort(404)
    return head


def _cycle_url(cycle_id: int) -> str:
    return url_for("cycles.cycle", cycle_id=cycle_id)


@bp.app_context_processor
def _labels() -> dict:
    return {"CONSEQUENCES": CONSEQUENCE_LABELS, "SOURCES": SOURCE_LABELS}


@bp.app_template_filter("final_score")
def _final_score(value, scheme) -> str:
    """A final score at its scheme's precision, as the subject's page and trace show it."""
    return shown_final(value, scheme) or ""


@bp.get("/<int:cycle_id>/results")
@requires("results.view")
def table(cycle_id: int):
    head = _head(cycle_id)
    session, scope = tenant_session(), current_scope()
    query = queries.ResultsQuery.from_args(request.args)
    context = {
        "head": head,
        "cycle": head.cycle,
        "query": query,
        "cycle_url": _cycle_url(cycle_id),
        "bands": sorted(head.scheme.bands, key=lambda band: band.threshold, reverse=True),
        "page": None,
        "chart": None,
    }
    if head.run is not None:
        context["page"] = queries.results_page(session, scope, head.run.id, query)
        counts = queries.distribution(session, scope, head.run.id, head.scheme.scale, query)
        context["chart"] = chart(counts, head.scheme.scale, head.scheme.bands)
    if wants_fragment("results"):
        response = make_response(render_template("results/_results.html", **context))
    else:
        units, changes = [], []
        if head.run is not None:
            units = unit_choices(session, scope.unit_clause())
            changes = [
                change_text(c)
                for c in changes_since(session, head.cycle, head.run, select_timezone())
            ]
        response = make_response(
            render_template("results/index.html", units=units, changes=changes, **context)
        )
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


@bp.get("/<int:cycle_id>/results/<int:subject_id>")
@requires("results.view")
def subject(cycle_id: int, subject_id: int):
    head = _head(cycle_id)
    run_id = head.run.id if head.run is not None else None
    found = queries.subject_result(tenant_session(), current_scope(), cycle_id, subject_id, run_id)
    if found is None:
        abort(404)
    result = found.result
    context = {
        "head": head,
        "cycle": head.cycle,
        "found": found,
        "result": result,
        "cycle_url": _cycle_url(cycle_id),
        "back": url_for("results.table", cycle_id=cycle_id),
        "title": _("%(name)s: result", name=found.name),
    }
    if result is not None:
        trace = full_trace(result.breakdown or {}, result.trace or [], head.scheme)
        # A disqualifying event is one of the trace's events: the same words name it.
        refs = ref_words(tenant_session(), trace)
        context.update(
            headline=headline(result, head.scheme, refs),
            table=breakdown_table(result.breakdown or {}, head.scheme),
            groups=groups(trace, head.scheme, refs),
        )
    return render_template("results/subject.html", **context)
