"""The cycle pages: the list of cycles and a new cycle, a cycle's page (stage, progress,
subjects, joiners and leavers) and its raters.

Everyone with ``cycles.view`` opens them; a manager sees the subjects, progress and raters
of their own units only (and never who rates them). Changes need ``cycles.manage``; every
change is a plain form (redirect after success), and a refusal by the service is shown
beside its field (400) or as the one refusal page (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.cycles import progress, raters, service, subjects
from saas.cycles.forms import CycleSettings, NewCycle, text, values_of
from saas.models.cycle import Cycle, CycleSubject
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.rating.audit_words import SHEET_STATUS_LABELS
from saas.scoring.scheme import SourceKind
from saas.validation import Invalid, page_number, record_id
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.security import private
from saas.web.tenancy import TENANT_PREFIX, tenant_session, tenant_today

bp = Blueprint("cycles", __name__, url_prefix=TENANT_PREFIX + "/cycles")


@bp.app_context_processor
def _labels() -> dict:
    return {
        "CYCLE_STATUS": service.STATUS_LABELS,
        "SOURCE_LABELS": raters.SOURCE_LABELS,
        "SHEET_STATUS": SHEET_STATUS_LABELS,
    }


def _listed(words) -> str:
    """Words in a list, with the reader's language's separator."""
    return ("、" if get_locale().language == "zh" else ", ").join(str(w) for w in words)


def _cycle_or_404(cycle_id: int, *, lock: bool = False) -> Cycle:
    found = service.find_cycle(tenant_session(), cycle_id, lock=lock)
    if found is None:
        abort(404)
    return found


# -- list and new --------------------------------------------------------------------------


@bp.get("/")
@requires("cycles.view")
def index():
    page = progress.cycle_page(
        tenant_session(), current_scope(), page_number(request.args.get("page"))
    )
    return render_template("cycles/index.html", page=page)


def _new_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    return (
        render_template(
            "cycles/new.html",
            versions=service.published_versions(tenant_session()),
            kinds=service.PERIOD_KIND_LABELS,
            examples=service.PERIOD_EXAMPLES,
            errors=errors or {},
            values=values or {"peer_count": "3"},
        ),
        status,
    )


@bp.get("/new")
@requires("cycles.manage")
def new():
    return _new_page()


@bp.post("/new")
@requires("cycles.manage")
def create():
    session = tenant_session()
    try:
        data = NewCycle.read(request.form)
        cycle = service.create_cycle(
            session,
            current_actor(),
            version_id=data.version_id,
            period=data.period,
            name=data.name,
            rating_due=data.rating_due,
            peer_count=data.peer_count,
        )
    except Invalid as error:
        session.rollback()
        return _new_page(400, error.errors, values_of(request.form))
    session.commit()
    flash(_("The cycle was created as a draft, with its subjects chosen."), "success")
    return redirect(url_for("cycles.cycle", cycle_id=cycle.id))


# -- one cycle -----------------------------------------------------------------------------


def _scheme_of(cycle: Cycle) -> tuple[str, int]:
    row = (
        tenant_session()
        .execute(
            select(AssessmentScheme.name, SchemeVersion.number)
            .join(SchemeVersion, SchemeVersion.scheme_id == AssessmentScheme.id)
            .where(SchemeVersion.id == cycle.scheme_version_id)
        )
        .one()
    )
    return row[0], row[1]


def _which() -> str:
    which = request.args.get("subjects", "included")
    return which if which in subjects.SUBJECT_FILTERS else "included"


def _cycle_page(
    found: Cycle, status: int = 200, errors: dict | None = None, values: dict | None = None
):
    session, scope = tenant_session(), current_scope()
    today = tenant_today()
    which = _which()
    subject_page = subjects.subject_page(
        session, found, scope, which, page_number(request.args.get("page"))
    )
    context: dict[str, Any] = {"cycle": found, "which": which, "subject_page": subject_page}
    if wants_fragment("subjects"):
        return render_template("cycles/_subjects.html", **context), status
    units = progress.by_unit(session, found, scope, today, page_number(request.args.get("units")))
    if wants_fragment("units"):
        return render_template("cycles/_units.html", units=units, **context), status
    late = progress.late_raters(session, found, scope, today, page_number(request.args.get("late")))
    if wants_fragment("late"):
        return render_template("cycles/_late.html", late=late, **context), status
    sources = progress.by_source(session, found, scope, today)
    order = {kind: n for n, kind in enumerate(SourceKind)}
    sources.sort(key=lambda t: order.get(t.key, 99))
    scheme_name, version_number = _scheme_of(found)
    context.update(
        scheme_name=scheme_name,
        version_number=version_number,
        units=units,
        late=late,
        sources=sources,
        overall=progress.total(sources),
        is_late=progress.is_late(found, today),
        moves=service.allowed_moves(found),
        moves_text=_listed(service.STATUS_LABELS[s] for s in service.allowed_moves(found)),
        move_labels=service.MOVE_LABELS,
        needs_reason=service.NEEDS_REASON,
        has_run=found.status == "scoring" and service.has_finished_run(session, found),
        joiners=subjects.joiners(session, found, scope),
        leavers=subjects.leavers(session, found, scope),
        unit_choices=subjects.unit_choices(session, found),
        changeable=found.status in subjects.CHANGEABLE,
        settings_stages=service.SETTINGS_CHANGE,
        kind_label=subjects.KIND_LABELS.get(found.subject_kind),
        errors=errors or {},
        values=values or {},
    )
    return render_template("cycles/cycle.html", **context), status


@bp.get("/<int:cycle_id>")
@requires("cycles.view")
def cycle(cycle_id: int):
    return _cycle_page(_cycle_or_404(cycle_id))


def _settings_page(
    found: Cycle, status: int = 200, errors: dict | None = None, values: dict | None = None
):
    current = {
        "name": found.name,
        "rating_due": found.rating_due.isoformat() if found.rating_due else "",
        "peer_count": str(found.peer_count),
    }
    return (
        render_template(
            "cycles/settings.html",
            cycle=found,
            changeable=found.status in service.SETTINGS_CHANGE,
            most_peers=service.MAX_PEERS,
            errors=errors or {},
            values=values if values is not None else current,
        ),
        status,
    )


@bp.get("/<int:cycle_id>/settings")
@requires("cycles.manage")
def settings(cycle_id: int):
    return _settings_page(_cycle_or_404(cycle_id))


@bp.post("/<int:cycle_id>/settings")
@requires("cycles.manage")
def change_settings(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        data = CycleSettings.read(request.form)
        changed = service.change_settings(
            session,
            current_actor(),
            found,
            name=data.name,
            rating_due=data.rating_due,
            peer_count=data.peer_count,
        )
    except Invalid as error:
        session.rollback()
        return _settings_page(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    flash(_("The settings were saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("cycles.cycle", cycle_id=cycle_id))


def _act(cycle_id: int, change: Callable[[Any, Any, Cycle], object], done: str, page=None):
    """Run one change on a cycle: saved and back to its page, or the page again with the
    service's reasons beside the fields (what was typed kept)."""
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        change(session, current_actor(), found)
    except Invalid as error:
        session.rollback()
        draw = page or _cycle_page
        return draw(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    flash(done, "success")
    endpoint = "cycles.raters_page" if page is not None else "cycles.cycle"
    return redirect(url_for(endpoint, cycle_id=cycle_id))


@bp.post("/<int:cycle_id>/move")
@requires("cycles.manage")
def move(cycle_id: int):
    to = text(request.form, "to")
    return _act(
        cycle_id,
        lambda session, actor, found: service.move(
            session, actor, found, to, text(request.form, "reason")
        ),
        _("The cycle moved to its next stage."),
    )


def _subject(found: Cycle) -> CycleSubject:
    subject = subjects.find_subject(tenant_session(), found, record_id(request.form.get("subject")))
    if subject is None:
        raise Invalid(_("Choose a subject of this cycle."), "subject")
    return subject


@bp.post("/<int:cycle_id>/subjects/add")
@requires("cycles.manage")
def add_subject(cycle_id: int):
    return _act(
        cycle_id,
        lambda session, actor, found: subjects.add_subject(
            session,
            actor,
            found,
            employee_number=text(request.form, "number"),
            unit_id=record_id(request.form.get("unit")),
            reason=text(request.form, "reason"),
        ),
        _("The subject was added."),
    )


@bp.post("/<int:cycle_id>/subjects/remove")
@requires("cycles.manage")
def remove_subject(cycle_id: int):
    return _act(
        cycle_id,
        lambda session, actor, found: subjects.remove_subject(
            session, actor, found, _subject(found), text(request.form, "reason")
        ),
        _("The subject was excluded; ratings already saved are kept."),
    )


@bp.post("/<int:cycle_id>/subjects/keep")
@requires("cycles.manage")
def keep_subject(cycle_id: int):
    return _act(
        cycle_id,
        lambda session, actor, found: subjects.include_subject(
            session, actor, found, _subject(found), text(request.form, "reason")
        ),
        _("The subject is assessed."),
    )


# -- raters --------------------------------------------------------------------------------


def _raters_page(
    found: Cycle,
    status: int = 200,
    errors: dict | None = None,
    values: dict | None = None,
    new_link: str | None = None,
):
    session, scope = tenant_session(), current_scope()
    sources = raters.scheme_sources(session, found)
    source = request.args.get("source")
    source = source if source in sources else None
    options = raters.rater_options(session, found, scope)
    keys = {row.rater_key for row in options}
    rater = request.args.get("rater")
    rater = rater if rater in keys else None
    page = raters.sheet_page(
        session,
        found,
        scope,
        source=source,
        rater=rater,
        page=page_number(request.args.get("page")),
    )
    context = {
        "cycle": found,
        "sheets": page,
        "source": source,
        "rater": rater,
        "sources": sources,
        "sources_text": _listed(raters.SOURCE_LABELS.get(s, s) for s in sources),
        "options": options,
        "editable": found.status in raters.EDITABLE,
        "assignable": [s for s in sources if s in raters.ASSIGNABLE],
        "externals": raters.external_raters(session, found),
        "has_third_party": SourceKind.THIRD_PARTY in sources,
        "units": session.execute(
            select(OrgUnit.id, OrgUnit.name)
            .where(OrgUnit.archived_at.is_(None))
            .order_by(OrgUnit.path)
            .limit(500)
        ).all()
        if current_actor().can("cycles.manage")
        else [],
        "errors": errors or {},
        "values": values or {},
        "new_link": new_link,
    }
    return (
        page_or_fragment("cycles/raters.html", "cycles/_sheets.html", "sheets", **context),
        status,
    )


@bp.get("/<int:cycle_id>/raters")
@requires("cycles.view")
def raters_page(cycle_id: int):
    return _raters_page(_cycle_or_404(cycle_id))


@bp.post("/<int:cycle_id>/raters/generate")
@requires("cycles.manage")
def generate(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    added = raters.generate(session, current_actor(), found)
    session.commit()
    flash(_("%(count)d rating sheets were added.", count=sum(added.values())), "success")
    return redirect(url_for("cycles.raters_page", cycle_id=cycle_id))


def _subject_by_label(found: Cycle, label: str) -> CycleSubject:
    """The cycle's subject an admin names by employee number or unit code."""
    label = label.strip()
    session = tenant_session()
    subject = None
    if label:
        subject = session.scalar(
            select(CycleSubject)
            .outerjoin(Employee, Employee.id == CycleSubject.employee_id)
            .join(OrgUnit, OrgUnit.id == CycleSubject.unit_id)
            .where(
                CycleSubject.cycle_id == found.id,
                (Employee.number == label)
                | ((OrgUnit.code == label) & CycleSubject.employee_id.is_(None)),
            )
            .limit(1)
        )
    if subject is None:
        raise Invalid(_("No subject of this cycle has this number or code."), "subject")
    return subject


@bp.post("/<int:cycle_id>/raters/add")
@requires("cycles.manage")
def add_rater(cycle_id: int):
    return _act(
        cycle_id,
        lambda session, actor, found: raters.add_rater(
            session,
            actor,
            found,
            _subject_by_label(found, text(request.form, "subject")),
            text(request.form, "source"),
            text(request.form, "rater"),
        ),
        _("The rater was assigned."),
        page=_raters_page,
    )


@bp.post("/<int:cycle_id>/raters/remove")
@requires("cycles.manage")
def remove_rater(cycle_id: int):
    def change(session, actor, found):
        sheet = raters.find_sheet(session, found, record_id(request.form.get("sheet")))
        if sheet is None:
            raise Invalid(_("Choose a rating sheet of this cycle."), "sheet")
        raters.remove_sheet(session, actor, found, sheet)

    return _act(cycle_id, change, _("The rater was removed."), page=_raters_page)


@bp.post("/<int:cycle_id>/raters/reassign")
@requires("cycles.manage")
def reassign(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        done = raters.reassign(
            session, current_actor(), found, text(request.form, "from"), text(request.form, "to")
        )
    except Invalid as error:
        session.rollback()
        return _raters_page(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    flash(
        _(
            "%(moved)d sheets were handed over, %(skipped)d skipped.",
            moved=done.moved,
            skipped=done.skipped,
        ),
        "success",
    )
    return redirect(url_for("cycles.raters_page", cycle_id=cycle_id))


@bp.post("/<int:cycle_id>/raters/external")
@requires("cycles.manage")
def add_external(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        rater, token = raters.add_external(
            session,
            current_actor(),
            found,
            name=text(request.form, "name"),
            organisation=text(request.form, "organisation"),
            unit_id=record_id(request.form.get("unit")),
        )
    except Invalid as error:
        session.rollback()
        return _raters_page(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    return _link_once(found, rater.name, token)


def _link_once(found: Cycle, name: str, token: str):
    """The raters page with a third party's link, shown this once (only its digest is
    stored), never cached nor sent on as a Referer."""
    home = url_for("home.index", _external=True).rstrip("/")
    body, status = _raters_page(found, new_link=f"{home}/rate/{token}", values={"external": name})
    return private(make_response(body, status))


def _third_party(found: Cycle):
    chosen = record_id(request.form.get("third_party"))
    rater = raters.find_external(tenant_session(), found, chosen)
    if rater is None:
        raise Invalid(_("Choose a third-party rater of this cycle."), "third_party")
    return rater


@bp.post("/<int:cycle_id>/raters/external/revoke")
@requires("cycles.manage")
def revoke_external(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        rater = _third_party(found)
        revoked = raters.revoke_external(session, current_actor(), found, rater)
    except Invalid as error:
        session.rollback()
        return _raters_page(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    if revoked:
        flash(_("The link of %(name)s is revoked: it no longer opens.", name=rater.name), "success")
    else:
        flash(_("The link of %(name)s was revoked already.", name=rater.name), "success")
    return redirect(url_for("cycles.raters_page", cycle_id=cycle_id))


@bp.post("/<int:cycle_id>/raters/external/new-link")
@requires("cycles.manage")
def new_external_link(cycle_id: int):
    session = tenant_session()
    found = _cycle_or_404(cycle_id, lock=True)
    try:
        rater = _third_party(found)
        token = raters.new_external_link(session, current_actor(), found, rater)
    except Invalid as error:
        session.rollback()
        return _raters_page(_cycle_or_404(cycle_id), 400, error.errors, values_of(request.form))
    session.commit()
    return _link_once(found, rater.name, token)
