"""The org tree pages: the tree, a unit's details, and every change as an inline HTMX form
with a full-page fallback.

An HTMX request gets a fragment: forms answer in place (400 with the errors), a change that
succeeds redraws the part of the tree it touched (``HX-Retarget``) and says so in the status
line. A plain request gets a full page, and a change that succeeds redirects to the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

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
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saas.auth.accounts import current_scope
from saas.auth.guard import current_actor, requires
from saas.auth.permissions import Refused
from saas.models.org import OrgUnit
from saas.models.people import Employee
from saas.org import units as service
from saas.org.forms import TOP_LEVEL, ConfirmForm, MoveForm, RenameForm, UnitForm
from saas.org.units import UNCHANGED
from saas.validation import Invalid, record_id
from saas.web.fragments import current_page_args, wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("org", __name__, url_prefix=TENANT_PREFIX + "/org")


# Above this many units the tree page draws closed branches only when they are opened.
LAZY_OVER = 400


class TreeText:
    """What every row of a tree repeats — labels and the units' URL prefix — worked out once
    per page: translating and building URLs per row cost more than the rest of the row."""

    def __init__(self) -> None:
        self.kinds = {kind: str(label) for kind, label in service.KIND_LABELS.items()}
        self.actions, self.details = _("Actions"), _("Details")
        self.archived = _("Archived")
        self.toggle = _("Show or hide the units under it")
        self._manager = _("Manager: %(name)s")
        self._people: dict[int, str] = {}

    @cached_property
    def units(self) -> str:
        # Built when a row needs it, not when any page of this blueprint renders: the 404
        # page of an unknown tenant's /org/ URL has no tenant to build it for.
        return url_for("org.tree") + "units/"

    def manager(self, name: str) -> str:
        return self._manager % {"name": name}

    def people(self, num: int) -> str:
        if num not in self._people:
            self._people[num] = ngettext("%(num)d person", "%(num)d people", num)
        return self._people[num]

    def more(self, num: int) -> str:
        return ngettext("Show the unit under it", "Show the %(num)d units under it", num)


@bp.context_processor
def _labels() -> dict:
    return {"KIND_LABELS": service.KIND_LABELS, "org": TreeText()}


# -- pages ----------------------------------------------------------------------------------


@bp.get("/")
@requires("org.view")
def tree():
    roots = _roots(record_id(request.args.get("focus")))
    return render_template(
        "org/tree.html",
        roots=roots,
        show_archived=_show_archived(),
        totals=_totals(roots),
        can_add_top=current_scope().write_all,
        can_change=current_actor().can("org.change"),
        categories=service.category_suggestions(tenant_session()),
        inline=True,
    )


@bp.get("/units/<int:unit_id>")
@requires("org.view")
def unit(unit_id: int):
    found = _unit_or_404(unit_id)
    node = service.load_node(tenant_session(), current_scope(), found, include_archived=True)
    context = {"node": node, "unit": found, "trail": _trail(found), "inline": wants_fragment()}
    if wants_fragment():
        return render_template("org/_panel.html", **context)
    return render_template("org/unit.html", **context)


@bp.get("/units/<int:unit_id>/row")
@requires("org.view")
def row(unit_id: int):
    found = _unit_or_404(unit_id)
    if not wants_fragment():
        return redirect(_tree_url(found.id))
    return render_template("org/_row.html", node=_node(found), inline=True)


@bp.get("/units/<int:unit_id>/children")
@requires("org.view")
def children(unit_id: int):
    """The units under a closed branch of a large tree, drawn when it is opened."""
    found = _unit_or_404(unit_id)
    if not wants_fragment():
        return redirect(url_for("org.unit", unit_id=found.id))
    node = service.load_node(
        tenant_session(),
        current_scope(),
        found,
        include_archived=_show_archived(),
        lazy_over=LAZY_OVER,
    )
    return render_template("org/_children.html", node=node, inline=True)


@bp.get("/managers")
@requires("org.view")
def manager_options():
    """``<option>``s for the manager field's datalist, as the user types."""
    text = request.args.get("manager", "")[:100]
    people = service.manager_suggestions(tenant_session(), current_scope(), text)
    return render_template("org/_manager_options.html", people=people)


# -- changes ----------------------------------------------------------------------------------


@bp.route("/units/new", methods=["GET", "POST"], defaults={"parent_id": None})
@bp.route("/units/<int:parent_id>/new", methods=["GET", "POST"])
@requires("org.change")
def create(parent_id: int | None):
    scope, session = current_scope(), tenant_session()
    parent = _unit_or_404(parent_id) if parent_id is not None else None
    if not (scope.can_write_unit(parent) if parent else scope.write_all):
        raise Refused()
    form = UnitForm()
    if form.validate_on_submit():
        created = _attempt(
            form,
            lambda: service.create_unit(
                session,
                current_actor(),
                parent,
                name=form.name.data,
                code=form.code.data,
                kind=form.kind.data,
                category=form.category.data,
                manager=service.find_manager(session, scope, form.manager.data),
            ),
        )
        if created is not None:
            message = _("Unit %(name)s added.", name=created.name)
            if parent is None:
                # The add form sits above the tree, outside what the redraw replaces.
                html = _tree_html(created.id) + render_template("org/_top_form_clear.html")
                return _done(message, created.id, "#org-tree", html)
            html = _node_html(parent, created.id) + _summary_html()
            return _done(message, created.id, f"#unit-{parent.id}", html)
    return _form_page(
        "org/_unit_form.html",
        form,
        title=_("Add a unit under %(name)s", name=parent.name) if parent else _("Add a unit"),
        action=url_for("org.create", parent_id=parent_id),
        key=f"new-{parent_id or 'top'}",
        unit=parent,
        submit=_("Add unit"),
    )


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@requires("org.change")
def edit(unit_id: int):
    scope, session = current_scope(), tenant_session()
    found = _writable_unit_or_refuse(unit_id)
    if request.method == "POST":
        form = UnitForm()
    else:
        form = UnitForm(data={**service.snapshot(found), "manager": _manager_number(found)})
    if not service.can_restructure(scope, found):
        del form.manager  # who manages this unit is decided one level up
    if form.validate_on_submit():
        changed = _attempt(
            form,
            lambda: service.update_unit(
                session,
                current_actor(),
                found,
                name=form.name.data,
                code=form.code.data,
                kind=form.kind.data,
                category=form.category.data,
                manager=(
                    service.find_manager(session, scope, form.manager.data)
                    if "manager" in form
                    else UNCHANGED
                ),
            ),
        )
        if changed is not None:
            message = _("Unit %(name)s saved.", name=changed.name)
            html = _row_html(changed) + render_template("org/_panel_clear.html", unit=changed)
            return _done(message, changed.id, f"#unit-{changed.id}-row", html)
    return _form_page(
        "org/_unit_form.html",
        form,
        title=_("Edit %(name)s", name=found.name),
        action=url_for("org.edit", unit_id=found.id),
        key=f"edit-{found.id}",
        unit=found,
        submit=_("Save"),
        current_manager=_manager_name(found),
    )


@bp.route("/units/<int:unit_id>/rename", methods=["GET", "POST"])
@requires("org.change")
def rename(unit_id: int):
    session = tenant_session()
    found = _writable_unit_or_refuse(unit_id)
    form = RenameForm() if request.method == "POST" else RenameForm(data={"name": found.name})
    if form.validate_on_submit():
        changed = _attempt(
            form,
            lambda: service.rename_unit(session, current_actor(), found, form.name.data),
        )
        if changed is not None:
            message = _("Unit renamed to %(name)s.", name=changed.name)
            return _done(message, changed.id, f"#unit-{changed.id}-row", _row_html(changed))
    if wants_fragment():
        status = 400 if request.method == "POST" else 200
        return render_template("org/_rename.html", form=form, unit=found, inline=True), status
    return _form_page(
        "org/_rename.html",
        form,
        title=_("Rename %(name)s", name=found.name),
        action=url_for("org.rename", unit_id=found.id),
        key=f"rename-{found.id}",
        unit=found,
        submit=_("Save"),
    )


@bp.route("/units/<int:unit_id>/move", methods=["GET", "POST"])
@requires("org.change")
def move(unit_id: int):
    scope = current_scope()
    found = _writable_unit_or_refuse(unit_id)
    if not service.can_restructure(scope, found):
        raise Refused()
    form = MoveForm()
    form.parent.choices = _move_choices(found)
    if request.method == "GET":
        form.parent.data = str(found.parent_id or TOP_LEVEL)
    if form.validate_on_submit():
        moved = _attempt(form, lambda: _move(found, form.parent.data))
        if moved is not None:
            message = _("Unit %(name)s moved.", name=moved.name)
            return _done(message, moved.id, "#org-tree", _tree_html(moved.id), scroll=True)
    return _form_page(
        "org/_move_form.html",
        form,
        title=_("Move %(name)s", name=found.name),
        action=url_for("org.move", unit_id=found.id),
        key=f"move-{found.id}",
        unit=found,
        submit=_("Move"),
    )


@bp.post("/units/<int:unit_id>/archive")
@requires("org.change")
def archive(unit_id: int):
    return _archive_or_restore(unit_id, service.archive_unit, _("Unit %(name)s archived."))


@bp.post("/units/<int:unit_id>/restore")
@requires("org.change")
def restore(unit_id: int):
    return _archive_or_restore(unit_id, service.restore_unit, _("Unit %(name)s restored."))


def _archive_or_restore(unit_id: int, change, message: str):
    scope, session = current_scope(), tenant_session()
    found = _writable_unit_or_refuse(unit_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        done = _attempt(form, lambda: change(session, current_actor(), found))
        if done is not None:
            return _done(
                message % {"name": found.name}, found.id, "#org-tree", _tree_html(found.id)
            )
    elif not form.form_errors:
        form.form_errors.append(_("The form expired. Reload the page and try again."))
    node = service.load_node(session, scope, found, include_archived=True)
    context = {"node": node, "unit": found, "trail": _trail(found), "inline": wants_fragment()}
    if wants_fragment():
        return render_template("org/_archive_form.html", form=form, **context), 400
    return render_template("org/unit.html", archive_form=form, **context), 400


# -- helpers ----------------------------------------------------------------------------------


def _attempt(form: FlaskForm, change: Callable):
    """Run ``change`` and commit; on invalid input roll back and put the message on the form.
    A ``Refused`` goes on to the app's 403 handler."""
    session = tenant_session()
    try:
        result = change()
        session.commit()
        return result
    except Invalid as exc:
        session.rollback()
        _attach(form, exc.field, str(exc))
    except IntegrityError:
        # Someone else took the code between our check and the insert.
        session.rollback()
        _attach(form, "code", _("Another unit already has this code."))
    return None


def _attach(form: FlaskForm, field: str | None, message: str) -> None:
    if field and field in form:
        form[field].errors = [*form[field].errors, message]
    else:
        form.form_errors.append(message)


def _move(unit: OrgUnit, target: str) -> OrgUnit:
    scope, session = current_scope(), tenant_session()
    new_parent = None
    if target != TOP_LEVEL:
        parent_id = record_id(target)
        new_parent = service.visible_unit(session, scope, parent_id) if parent_id else None
        if new_parent is None:
            raise Invalid(_("Choose a unit from the list."), "parent")
    return service.move_unit(session, current_actor(), unit, new_parent)


def _move_choices(unit: OrgUnit) -> list[tuple[str, str]]:
    """Where ``unit`` may go, indented like the tree; the top level for admins."""
    scope = current_scope()
    targets = service.in_tree_order(service.move_targets(tenant_session(), scope, unit))
    top_depth = min((t.depth for t in targets), default=0)
    choices = [("", _("Choose…"))]
    if scope.write_all:
        choices.append((TOP_LEVEL, _("Top level (no unit above)")))
    for target in targets:
        indent = "\u3000" * min(target.depth - top_depth, 8)
        choices.append((str(target.id), f"{indent}{target.name}"))
    return choices


def _done(message: str, unit_id: int, target: str, html: str, scroll: bool = False):
    """A change succeeded: redraw ``target`` for HTMX, else redirect to the tree."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(_tree_url(unit_id))
    html += render_template("org/_status.html", message=message)
    response = make_response(html)
    response.headers["HX-Retarget"] = target
    swap = "outerHTML"
    if scroll:
        swap += f" show:#unit-{unit_id}-row:top"
    response.headers["HX-Reswap"] = swap
    return response


def _form_page(template: str, form: FlaskForm, **context):
    """The form as a fragment for HTMX or as a full page; 400 after a refused POST."""
    status = 400 if request.method == "POST" else 200
    _prepare_fields(form, context["key"])
    context.update(form=form, inline=wants_fragment())
    if isinstance(form, UnitForm):
        context["categories"] = service.category_suggestions(tenant_session())
    if wants_fragment():
        return render_template(template, **context), status
    unit = context.get("unit")
    trail = _trail(unit) if unit is not None else []
    return render_template("org/form_page.html", body=template, trail=trail, **context), status


def _prepare_fields(form: FlaskForm, key: str) -> None:
    """Ids unique on the tree page (several forms can be open), and the manager search."""
    for field in form:
        field.id = f"{key}-{field.name}"
    if "manager" in form:
        options = f"{key}-managers"
        form.manager.render_kw = {
            **(form.manager.render_kw or {}),
            "list": options,
            "autocomplete": "off",
            "hx-get": url_for("org.manager_options"),
            "hx-trigger": "input changed delay:250ms, focus once",
            "hx-target": f"#{options}",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }


def _roots(focus: int | None = None) -> list[service.TreeNode]:
    return service.load_tree(
        tenant_session(),
        current_scope(),
        include_archived=_show_archived(),
        focus=focus,
        lazy_over=LAZY_OVER,
    )


def _tree_html(focus: int) -> str:
    """The redrawn tree, and the page's counts above it (out of band)."""
    roots = _roots(focus)
    tree = render_template(
        "org/_tree.html", roots=roots, inline=True, can_add_top=current_scope().write_all
    )
    return tree + _summary_html(roots)


def _summary_html(roots: list[service.TreeNode] | None = None) -> str:
    """The page's unit and people counts, swapped in out of band after a change."""
    totals = _totals(_roots() if roots is None else roots)
    return render_template("org/_summary.html", totals=totals, oob=True)


def _node_html(unit: OrgUnit, focus: int | None = None) -> str:
    node = service.load_node(
        tenant_session(),
        current_scope(),
        unit,
        include_archived=_show_archived(),
        lazy_over=LAZY_OVER,
    )
    node.open, node.lazy = True, False
    for child in node.children:
        child.focus = child.id == focus
    return render_template("org/_node.html", node=node, inline=True)


def _row_html(unit: OrgUnit) -> str:
    return render_template("org/_row.html", node=_node(unit), inline=True)


def _node(unit: OrgUnit) -> service.TreeNode:
    return service.load_node(tenant_session(), current_scope(), unit, include_archived=True)


def _unit_or_404(unit_id: int) -> OrgUnit:
    found = service.visible_unit(tenant_session(), current_scope(), unit_id)
    if found is None:
        abort(404)
    return found


def _writable_unit_or_refuse(unit_id: int) -> OrgUnit:
    """The unit, if in scope (else 404) and this user may change it (else 403)."""
    found = _unit_or_404(unit_id)
    if not current_scope().can_write_unit(found):
        raise Refused()
    return found


def _manager_number(unit: OrgUnit) -> str:
    if unit.manager_id is None:
        return ""
    return tenant_session().scalar(select(Employee.number).where(Employee.id == unit.manager_id))


def _manager_name(unit: OrgUnit) -> str | None:
    if unit.manager_id is None:
        return None
    return tenant_session().scalar(select(Employee.name).where(Employee.id == unit.manager_id))


def _trail(unit: OrgUnit) -> list[OrgUnit]:
    """The visible units above ``unit``, top first."""
    ids = unit.ancestor_ids
    if not ids:
        return []
    found = tenant_session().scalars(
        select(OrgUnit).where(OrgUnit.id.in_(ids), current_scope().unit_clause())
    )
    return sorted(found, key=lambda u: u.depth)


def _totals(roots: list[service.TreeNode]) -> dict[str, int]:
    units, stack = 0, list(roots)
    while stack:
        node = stack.pop()
        units += 1
        stack.extend(node.children)
    return {"units": units, "people": sum(root.total_people for root in roots)}


def _show_archived() -> bool:
    """Archived units are shown when the tree page was opened with ``?archived=1``."""
    if request.htmx and request.htmx.current_url:
        return current_page_args().get("archived") == ["1"]
    return request.args.get("archived") == "1"


def _tree_url(unit_id: int) -> str:
    archived = "1" if _show_archived() else None
    return url_for("org.tree", focus=unit_id, archived=archived, _anchor=f"unit-{unit_id}")
