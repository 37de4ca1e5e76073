"""People pages: the employee list and profile, adding and editing employees, and the
eligibility settings (position levels and the rules that exclude people from assessment).

Who may open which page is the permission table's (saas/auth/permissions.py); who sees
which employee follows the user's scope (saas/org/access.py): an employee outside it is not
found (404); a visible employee the user may not change is refused (403).
"""

from __future__ import annotations

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Refused
from saas.models.eligibility import EligibilityRule, RuleKind
from saas.models.org import OrgUnit, PositionLevel
from saas.models.people import Employee
from saas.models.user import Role
from saas.org.access import Scope
from saas.people import eligibility as rules_service
from saas.people import levels as levels_service
from saas.people.contacts import display_mobile
from saas.people.employees import (
    EMPLOYMENT_FORMS,
    STATUS_LABELS,
    EmployeeData,
    EmployeeQuery,
    check_employee,
    create_employee,
    employee_profile,
    find_by_number,
    search_employees,
    suggestions,
    unit_choices,
    update_employee,
    visible_employee,
)
from saas.people.forms import EmployeeForm, LevelForm, LevelRuleForm, ValueRuleForm, choices
from saas.validation import Invalid
from saas.web.fragments import wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("people", __name__, url_prefix=TENANT_PREFIX + "/people")

ROLE_LABELS = {
    Role.TENANT_ADMIN: _l("Tenant admin"),
    Role.COMMITTEE: _l("Committee member"),
    Role.MANAGER: _l("Manager"),
    Role.INSPECTOR: _l("Inspector"),
    Role.EMPLOYEE: _l("Employee"),
    Role.PROVIDER: _l("Provider contact"),
}


bp.add_app_template_filter(display_mobile, "mobile")


@bp.app_context_processor
def _labels() -> dict:
    return {
        "EMPLOYEE_STATUS": STATUS_LABELS,
        "RULE_KINDS": rules_service.KIND_LABELS,
        "ROLE_LABELS": ROLE_LABELS,
    }


# -- list and profile ---------------------------------------------------------------------


@bp.get("/")
@requires("people.view")
def index():
    scope = current_scope()
    if not current_actor().can("people.search"):
        if scope.employee_id is not None:
            return redirect(url_for("people.profile", employee_id=scope.employee_id))
        return render_template("people/no_record.html")
    session = tenant_session()
    query = EmployeeQuery.from_args(request.args)
    page = search_employees(session, scope, query)
    context = {
        "query": query,
        "page": page,
        "can_add": current_actor().can("people.change"),
        "can_create_accounts": current_actor().can("people.accounts"),
        "chosen_unit": _chosen_unit(scope, query),
    }
    if wants_fragment("results"):
        response = make_response(render_template("people/_results.html", **context))
    else:
        units = unit_choices(session, scope.unit_clause())
        response = make_response(render_template("people/index.html", units=units, **context))
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


def _chosen_unit(scope: Scope, query: EmployeeQuery) -> OrgUnit | None:
    """The unit the list is filtered by, if this user may see it."""
    if query.unit is None:
        return None
    return tenant_session().scalar(
        select(OrgUnit).where(OrgUnit.id == query.unit, scope.unit_clause())
    )


@bp.get("/<int:employee_id>")
@requires("people.view")
def profile(employee_id: int):
    scope = current_scope()
    session = tenant_session()
    found = employee_profile(session, scope, employee_id)
    if found is None:
        abort(404)
    eligibility = rules_service.assess_employees(session, Employee.id == employee_id)[employee_id]
    linkable = {
        unit.id
        for unit in [*found.ancestors, found.unit]
        if scope.read_all or scope.can_write_in_unit_path(unit.path)
    }
    return render_template(
        "people/profile.html",
        p=found,
        eligibility=eligibility,
        linkable_units=linkable,
    )


@bp.get("/lookup")
@requires("people.search")
def lookup():
    """<option>s for the manager field's suggestions, as the user types."""
    found = suggestions(tenant_session(), current_scope(), request.args.get("manager", ""))
    return render_template("people/_lookup.html", found=found)


# -- adding and editing -------------------------------------------------------------------


def _employee_form(scope: Scope, **kwargs) -> EmployeeForm:
    session = tenant_session()
    form = EmployeeForm(**kwargs)
    form.set_choices(
        unit_choices(session, scope.writable_unit_clause()),
        levels_service.level_choices(session),
    )
    return form


def _current_manager(employee: Employee | None) -> Employee | None:
    if employee is None or employee.manager_id is None:
        return None
    return tenant_session().get(Employee, employee.manager_id)


def _data_from(form: EmployeeForm, scope: Scope, employee: Employee | None) -> EmployeeData:
    """The form's values for the service; raises Invalid with every problem at once."""
    errors: dict[str, list] = {}
    manager_id = None
    number = (form.manager.data or "").strip()
    current = _current_manager(employee)
    if current is not None and number == current.number:
        # Unchanged: keep them even if they sit outside this user's scope (a manager's boss).
        manager_id = current.id
    elif number:
        manager = find_by_number(tenant_session(), scope, number)
        if manager is None:
            errors["manager"] = [_("No employee with number %(number)s.", number=number)]
        else:
            manager_id = manager.id
    data = EmployeeData(
        number=form.number.data,
        name=form.name.data,
        unit_id=form.unit_id.data,
        position=form.position.data,
        position_level_id=form.position_level_id.data,
        employment_form=form.employment_form.data,
        manager_id=manager_id,
        hire_date=form.hire_date.data,
        status=form.status.data,
        mobile=form.mobile.data,
        email=form.email.data,
    )
    if errors:
        # Report the other fields' problems too, not only the unknown manager.
        for name, messages in check_employee(tenant_session(), scope, data, employee).items():
            errors.setdefault(name, []).extend(messages)
        raise Invalid.many(errors)
    return data


def _render_form(form: EmployeeForm, employee: Employee | None, status: int):
    return (
        render_template(
            "people/form.html",
            form=form,
            employee=employee,
            employment_forms=EMPLOYMENT_FORMS,
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires("people.change")
def new():
    scope = current_scope()
    form = _employee_form(scope)
    if form.validate_on_submit():
        session = tenant_session()
        try:
            employee = create_employee(session, current_actor(), _data_from(form, scope, None))
            session.commit()
        except Invalid as exc:
            session.rollback()
            form.add_errors(exc.errors)
        else:
            flash(_("%(name)s was added.", name=employee.name), "success")
            return redirect(url_for("people.profile", employee_id=employee.id))
    return _render_form(form, None, 200 if request.method == "GET" else 400)


@bp.route("/<int:employee_id>/edit", methods=["GET", "POST"])
@requires("people.change")
def edit(employee_id: int):
    scope = current_scope()
    session = tenant_session()
    employee = visible_employee(session, scope, employee_id)
    if employee is None:
        abort(404)
    unit = session.get(OrgUnit, employee.unit_id)
    if not scope.can_write_in_unit_path(unit.path):
        raise Refused()
    form = _employee_form(scope, obj=employee)
    if request.method == "GET":
        manager = _current_manager(employee)
        form.manager.data = manager.number if manager else ""
    if form.validate_on_submit():
        try:
            update_employee(session, current_actor(), employee, _data_from(form, scope, employee))
            session.commit()
        except Invalid as exc:
            session.rollback()
            form.add_errors(exc.errors)
        else:
            flash(_("Changes to %(name)s were saved.", name=employee.name), "success")
            return redirect(url_for("people.profile", employee_id=employee.id))
    return _render_form(form, employee, 200 if request.method == "GET" else 400)


# -- eligibility settings (tenant admins) -------------------------------------------------


@bp.get("/settings/")
@requires("people.settings")
def settings():
    return redirect(url_for("people.levels"))


def _levels_page(add_form=None, row_forms=None, level_error=None, status=200):
    session = tenant_session()
    uses = levels_service.list_levels(session)
    row_forms = row_forms or {}
    for use in uses:
        if use.level.id not in row_forms:
            row_forms[use.level.id] = LevelForm(
                formdata=None, obj=use.level, prefix=f"level-{use.level.id}"
            )
    return (
        render_template(
            "people/levels.html",
            uses=uses,
            add_form=add_form or LevelForm(formdata=None),
            row_forms=row_forms,
            level_error=level_error,
            reference=levels_service.REFERENCE_LADDER,
            reference_rule=levels_service.REFERENCE_RULE_NOTE,
            missing_reference=levels_service.reference_missing(session),
        ),
        status,
    )


@bp.route("/settings/levels", methods=["GET", "POST"])
@requires("people.settings")
def levels():
    if request.method == "GET":
        return _levels_page()
    form = LevelForm()
    if form.validate_on_submit():
        session = tenant_session()
        try:
            level = levels_service.add_level(
                session, current_actor(), form.name.data, form.rank.data
            )
            session.commit()
        except Invalid as exc:
            session.rollback()
            _put_errors(form, exc)
        else:
            flash(_("Position level %(name)s was added.", name=level.name), "success")
            return redirect(url_for("people.levels"))
    return _levels_page(add_form=form, status=400)


def _level_or_404(level_id: int) -> PositionLevel:
    level = tenant_session().get(PositionLevel, level_id)
    if level is None:
        abort(404)
    return level


@bp.post("/settings/levels/<int:level_id>")
@requires("people.settings")
def update_level(level_id: int):
    level = _level_or_404(level_id)
    form = LevelForm(prefix=f"level-{level_id}")
    if form.validate_on_submit():
        session = tenant_session()
        try:
            levels_service.update_level(
                session, current_actor(), level, form.name.data, form.rank.data
            )
            session.commit()
        except Invalid as exc:
            session.rollback()
            _put_errors(form, exc)
        else:
            flash(_("Position level %(name)s was saved.", name=level.name), "success")
            return redirect(url_for("people.levels"))
    return _levels_page(row_forms={level_id: form}, status=400)


@bp.post("/settings/levels/<int:level_id>/delete")
@requires("people.settings")
def delete_level(level_id: int):
    level = _level_or_404(level_id)
    session = tenant_session()
    name = level.name
    try:
        levels_service.delete_level(session, current_actor(), level)
        session.commit()
    except Invalid as exc:
        session.rollback()
        return _levels_page(level_error=(level_id, exc.errors["level"][0]), status=400)
    flash(_("Position level %(name)s was deleted.", name=name), "success")
    return redirect(url_for("people.levels"))


@bp.post("/settings/levels/reference")
@requires("people.settings")
def seed_reference():
    session = tenant_session()
    added = levels_service.seed_reference_levels(session, current_actor())
    session.commit()
    if added:
        flash(_("Added: %(items)s.", items="、".join(added)), "success")
    else:
        flash(_("The default ladder and rule are already there."), "success")
    return redirect(url_for("people.levels"))


def _put_errors(form, exc: Invalid) -> None:
    for name, messages in exc.errors.items():
        target = getattr(form, name, None)
        if target is None:
            target = next(iter(form))
        target.errors = [*target.errors, *messages]


def _rule_forms(**posted) -> dict:
    forms = {
        RuleKind.LEVEL_AT_LEAST: LevelRuleForm(formdata=None, prefix="level"),
        RuleKind.UNIT_CATEGORY: ValueRuleForm(formdata=None, prefix="category"),
        RuleKind.EMPLOYMENT_FORM: ValueRuleForm(formdata=None, prefix="form"),
    }
    forms.update(posted)
    forms[RuleKind.LEVEL_AT_LEAST].position_level_id.choices = choices(
        _("Choose a level"), levels_service.level_choices(tenant_session())
    )
    forms[RuleKind.UNIT_CATEGORY].value.label.text = _("Unit category")
    forms[RuleKind.EMPLOYMENT_FORM].value.label.text = _("Employment form")
    return forms


def _rules_page(forms: dict, status: int = 200):
    session = tenant_session()
    categories = session.scalars(
        select(OrgUnit.category)
        .where(OrgUnit.category.is_not(None), OrgUnit.category != "")
        .distinct()
        .order_by(OrgUnit.category)
    )
    in_use = session.scalars(
        select(Employee.employment_form)
        .where(Employee.employment_form.is_not(None))
        .distinct()
        .order_by(Employee.employment_form)
    )
    results = rules_service.assess_employees(session).values()
    counts = {"total": len(results), "assessed": sum(r.assessed for r in results)}
    return (
        render_template(
            "people/rules.html",
            counts=counts,
            rules=rules_service.list_rules(session),
            forms=forms,
            categories=list(categories),
            employment_forms=sorted(set(EMPLOYMENT_FORMS) | set(in_use)),
            reference_rule=levels_service.REFERENCE_RULE_NOTE,
        ),
        status,
    )


@bp.get("/settings/rules")
@requires("people.settings")
def rules():
    return _rules_page(_rule_forms())


_RULE_PREFIXES = {
    RuleKind.LEVEL_AT_LEAST: "level",
    RuleKind.UNIT_CATEGORY: "category",
    RuleKind.EMPLOYMENT_FORM: "form",
}


@bp.post("/settings/rules/<kind>")
@requires("people.settings")
def add_rule(kind: str):
    if kind not in _RULE_PREFIXES:
        abort(404)
    form_class = LevelRuleForm if kind == RuleKind.LEVEL_AT_LEAST else ValueRuleForm
    form = form_class(prefix=_RULE_PREFIXES[kind])
    forms = _rule_forms(**{kind: form})
    if form.validate_on_submit():
        session = tenant_session()
        try:
            rules_service.add_rule(
                session,
                current_actor(),
                kind,
                position_level_id=getattr(form, "position_level_id", None)
                and form.position_level_id.data,
                value=getattr(form, "value", None) and form.value.data,
                note=form.note.data,
            )
            session.commit()
        except Invalid as exc:
            session.rollback()
            _put_errors(form, exc)
        else:
            flash(_("The rule was added."), "success")
            return redirect(url_for("people.rules"))
    return _rules_page(forms, status=400)


@bp.post("/settings/rules/<int:rule_id>/delete")
@requires("people.settings")
def delete_rule(rule_id: int):
    session = tenant_session()
    rule = session.get(EligibilityRule, rule_id)
    if rule is None:
        abort(404)
    rules_service.delete_rule(session, current_actor(), rule)
    session.commit()
    flash(_("The rule was removed."), "success")
    return redirect(url_for("people.rules"))
