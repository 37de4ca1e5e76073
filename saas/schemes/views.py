"""The scheme pages: the list, the editor of a draft (every change an HTMX form that redraws
the editor with fresh totals and problems), the read-only view of a published version, the
live preview, and scheme files in and out.

Who may read (``schemes.view``) and who may write (``schemes.edit``: tenant admins) is the
permission table's; a draft is seen only by those who may write it (404 for the others).
Plain (non-HTMX) requests get full pages and redirects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.auth.guard import current_actor, requires
from saas.models.scheme import AssessmentScheme, SchemeVersion
from saas.schemes import editing, explain, files, preview, templates, vocabulary
from saas.schemes import versions as service
from saas.schemes.editor import editor_context, number
from saas.schemes.messages import describe, describe_with_field, describe_with_place
from saas.scoring.checks import parse
from saas.web.fragments import page_or_fragment, wants_fragment
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("schemes", __name__, url_prefix=TENANT_PREFIX + "/schemes")

MAX_FILE_BYTES = files.MAX_FILE_BYTES


def _is_admin() -> bool:
    return current_actor().can("schemes.edit")


def _visible(version: SchemeVersion | None) -> SchemeVersion:
    """The version if this user may see it; drafts are the admins' (404 for others)."""
    if version is None or (version.is_draft and not _is_admin()):
        abort(404)
    return version


def _version(version_id: int, *, lock: bool = False) -> SchemeVersion:
    return _visible(service.find_version(tenant_session(), version_id, lock=lock))


# -- the list, creating and importing ------------------------------------------------------------


@bp.get("/")
@requires("schemes.view")
def index():
    session = tenant_session()
    rows = session.scalars(
        select(AssessmentScheme)
        .options(selectinload(AssessmentScheme.versions))
        .order_by(AssessmentScheme.name, AssessmentScheme.id)
    ).all()
    admin = _is_admin()
    listed = []
    for row in rows:
        versions = [v for v in row.versions if admin or not v.is_draft]
        if versions:
            listed.append((row, versions))
    return render_template(
        "schemes/index.html",
        schemes=listed,
        admin=admin,
        templates=templates.template_names(),
        status_label=service.status_label,
    )


@bp.post("/new")
@requires("schemes.edit")
def create():
    code = request.form.get("template", "")
    name = request.form.get("name", "").strip()
    try:
        scheme = templates.load_template(code) if code else None
    except KeyError:
        abort(400)
    if scheme is None:
        if not name:
            flash(_("Give the new scheme a name, or start from a template."), "error")
            return redirect(url_for("schemes.index"))
        scheme, _issues = parse({"name": name[:120]})
    elif name:
        scheme = scheme.model_copy(update={"name": name[:120]})
    session = tenant_session()
    version = service.create_scheme(session, current_actor(), scheme, template=code or None)
    session.commit()
    flash(_("Scheme %(name)s created as a draft.", name=scheme.name), "success")
    return redirect(url_for("schemes.version", version_id=version.id))


def _read_upload() -> str | None:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    content = upload.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        return ""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ""


def _import_problems(text: str | None) -> tuple[files.Loaded | None, list[str]]:
    if text is None:
        return None, [_("Choose a scheme file (.yaml) to import.")]
    if text == "":
        limit = MAX_FILE_BYTES // 1024
        return None, [_("The file is not a UTF-8 text file of at most %(limit)s KB.", limit=limit)]
    loaded = files.load(text)
    return loaded, [describe_with_place(found) for found in loaded.errors]


@bp.post("/import")
@requires("schemes.edit")
def import_file():
    loaded, problems = _import_problems(_read_upload())
    if problems or loaded is None or loaded.scheme is None:
        return render_template("schemes/import_failed.html", problems=problems), 400
    session = tenant_session()
    version = service.create_scheme(session, current_actor(), loaded.scheme, template=None)
    session.commit()
    flash(_("Scheme %(name)s imported as a draft.", name=loaded.scheme.name), "success")
    return redirect(url_for("schemes.version", version_id=version.id))


@bp.post("/v/<int:version_id>/import")
@requires("schemes.edit")
def import_into(version_id: int):
    """Replace a draft's content with a file; a published version is refused."""
    session = tenant_session()
    version = _version(version_id, lock=True)
    if not version.is_draft:
        return _refused(version, service.frozen(version))
    loaded, problems = _import_problems(_read_upload())
    if problems or loaded is None or loaded.scheme is None:
        return render_template(
            "schemes/import_failed.html", problems=problems, version=version
        ), 400
    service.save(
        session,
        current_actor(),
        version,
        loaded.scheme,
        {
            "what": "import",
            "before": {"name": version.definition.get("name")},
            "after": {"name": loaded.scheme.name},
        },
    )
    session.commit()
    flash(_("The file replaced this draft's content."), "success")
    return redirect(url_for("schemes.version", version_id=version.id))


# -- one version ----------------------------------------------------------------------------------


def _editor(
    version: SchemeVersion,
    status: int = 200,
    open_form: dict | None = None,
    message: str | None = None,
) -> Response:
    editable = version.is_draft and _is_admin()
    context = editor_context(
        version,
        editable=editable,
        vocabulary=vocabulary.load(tenant_session()) if editable else None,
        open_form=open_form,
        message=message,
    )
    context["can_admin"] = _is_admin()
    body = page_or_fragment("schemes/version.html", "schemes/_editor.html", **context)
    response = make_response(body, status)
    if status == 200 and request.method == "POST":
        response.headers["HX-Trigger"] = "scheme-changed"
    return response


@bp.get("/v/<int:version_id>")
@requires("schemes.view")
def version(version_id: int):
    return _editor(_version(version_id))


@bp.get("/v/<int:version_id>/export")
@requires("schemes.view")
def export(version_id: int):
    found = _version(version_id)
    text = files.dump(service.definition(found))
    slug = re.sub(r"[^\w.-]+", "-", found.definition.get("name", "scheme")).strip("-") or "scheme"
    return send_file(
        BytesIO(text.encode()),
        mimetype="application/x-yaml",
        download_name=f"{slug}-v{found.number}.yaml",
        as_attachment=True,
    )


def _refused(found: SchemeVersion, error: service.SchemeError) -> Response:
    tenant_session().rollback()
    problems = [describe_with_field(issue) for issue in error.issues]
    if wants_fragment():
        return _editor(found, 400, message=" ".join([str(error.message), *problems]))
    flash(" ".join([str(error.message), *problems]), "error")
    return redirect(url_for("schemes.version", version_id=found.id))


def _lifecycle(version_id: int, change: Callable, done: str) -> Response:
    session = tenant_session()
    found = _version(version_id, lock=True)
    try:
        result = change(session, current_actor(), found)
    except service.SchemeError as error:
        return _refused(found, error)
    session.commit()
    flash(done, "success")
    target = result.id if isinstance(result, SchemeVersion) else found.id
    return _go(url_for("schemes.version", version_id=target))


def _go(url: str) -> Response:
    """Load another page: a real navigation for HTMX too, so the address, the preview and the
    flash message all follow."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


@bp.post("/v/<int:version_id>/publish")
@requires("schemes.edit")
def publish(version_id: int):
    return _lifecycle(
        version_id, service.publish, _("Published. This version can no longer change.")
    )


@bp.post("/v/<int:version_id>/archive")
@requires("schemes.edit")
def archive(version_id: int):
    return _lifecycle(version_id, service.archive, _("Archived."))


@bp.post("/v/<int:version_id>/restore")
@requires("schemes.edit")
def restore(version_id: int):
    return _lifecycle(version_id, service.restore, _("Restored."))


@bp.post("/v/<int:version_id>/new-version")
@requires("schemes.edit")
def new_version(version_id: int):
    return _lifecycle(version_id, service.draft_from, _("A new draft was made from this version."))


@bp.post("/v/<int:version_id>/discard")
@requires("schemes.edit")
def discard(version_id: int):
    session = tenant_session()
    found = _version(version_id, lock=True)
    try:
        remaining = service.discard(session, current_actor(), found)
    except service.SchemeError as error:
        return _refused(found, error)
    session.commit()
    flash(_("The draft was deleted."), "success")
    if remaining is None:
        return _go(url_for("schemes.index"))
    newest = session.scalar(
        select(SchemeVersion.id)
        .where(SchemeVersion.scheme_id == remaining)
        .order_by(SchemeVersion.number.desc())
        .limit(1)
    )
    return _go(url_for("schemes.version", version_id=newest))


# -- editing a draft -------------------------------------------------------------------------------


def _edit(version_id: int, make: Callable[[dict], editing.Edit], open_form: dict) -> Response:
    """Apply one change to a draft: saved and the editor redrawn, or the form shown again with
    what to fix (400) and nothing saved."""
    session = tenant_session()
    found = _version(version_id, lock=True)
    if not found.is_draft:
        return _refused(found, service.frozen(found))
    try:
        edit = make(found.definition)
    except editing.StaleEdit:
        session.rollback()
        return _editor(
            found,
            400,
            message=_(
                "That part of the scheme changed since this page was opened. Here is the current "
                "version; make your change again."
            ),
        )
    if not edit.ok:
        session.rollback()
        errors = {
            name: [describe(issue) for issue in issues]
            for name, issues in edit.field_issues().items()
        }
        return _editor(
            found, 400, open_form={**open_form, "errors": errors, "values": request.form.to_dict()}
        )
    service.save(session, current_actor(), found, edit.scheme, edit.change)
    session.commit()
    if not wants_fragment():
        return redirect(url_for("schemes.version", version_id=found.id))
    return _editor(found)


@bp.post("/v/<int:version_id>/general")
@requires("schemes.edit")
def edit_general(version_id: int):
    return _edit(
        version_id,
        lambda d: editing.edit_general(d, request.form),
        {"kind": "general", "id": "general"},
    )


@bp.post("/v/<int:version_id>/goals")
@requires("schemes.edit")
def edit_goals(version_id: int):
    return _edit(
        version_id, lambda d: editing.edit_goals(d, request.form), {"kind": "goals", "id": "goals"}
    )


@bp.post("/v/<int:version_id>/sections")
@requires("schemes.edit")
def add_section(version_id: int):
    return _edit(
        version_id,
        lambda d: editing.add_section(d, request.form),
        {"kind": "section", "id": "new-section"},
    )


@bp.post("/v/<int:version_id>/sections/<key>")
@requires("schemes.edit")
def edit_section(version_id: int, key: str):
    return _edit(
        version_id,
        lambda d: editing.edit_section(d, key, request.form),
        {"kind": "section", "id": f"section-{key}"},
    )


@bp.post("/v/<int:version_id>/sections/<key>/delete")
@requires("schemes.edit")
def delete_section(version_id: int, key: str):
    return _edit(version_id, lambda d: editing.delete_section(d, key), {"kind": "", "id": ""})


@bp.post("/v/<int:version_id>/sections/<key>/move")
@requires("schemes.edit")
def move_section(version_id: int, key: str):
    delta = -1 if request.form.get("direction") == "up" else 1
    return _edit(version_id, lambda d: editing.move_section(d, key, delta), {"kind": "", "id": ""})


@bp.post("/v/<int:version_id>/sections/<key>/items")
@requires("schemes.edit")
def add_item(version_id: int, key: str):
    return _edit(
        version_id,
        lambda d: editing.add_item(d, key, request.form),
        {"kind": "item", "id": f"new-item-{key}"},
    )


@bp.post("/v/<int:version_id>/items/<key>")
@requires("schemes.edit")
def edit_item(version_id: int, key: str):
    return _edit(
        version_id,
        lambda d: editing.edit_item(d, key, request.form),
        {"kind": "item", "id": f"item-{key}"},
    )


@bp.post("/v/<int:version_id>/items/<key>/delete")
@requires("schemes.edit")
def delete_item(version_id: int, key: str):
    return _edit(version_id, lambda d: editing.delete_item(d, key), {"kind": "", "id": ""})


@bp.post("/v/<int:version_id>/items/<key>/move")
@requires("schemes.edit")
def move_item(version_id: int, key: str):
    delta = -1 if request.form.get("direction") == "up" else 1
    return _edit(version_id, lambda d: editing.move_item(d, key, delta), {"kind": "", "id": ""})


def _list_kind(kind: str) -> str:
    if kind not in editing.LISTS:
        abort(404)
    return kind


@bp.post("/v/<int:version_id>/<kind>")
@requires("schemes.edit")
def add_entry(version_id: int, kind: str):
    kind = _list_kind(kind)
    return _edit(
        version_id,
        lambda d: editing.add_entry(d, kind, request.form),
        {"kind": kind, "id": f"new-{kind}"},
    )


@bp.post("/v/<int:version_id>/<kind>/<int:index>")
@requires("schemes.edit")
def edit_entry(version_id: int, kind: str, index: int):
    kind = _list_kind(kind)
    seen = request.form.get("seen", "")
    return _edit(
        version_id,
        lambda d: editing.edit_entry(d, kind, index, seen, request.form),
        {"kind": kind, "id": f"{kind}-{index}"},
    )


@bp.post("/v/<int:version_id>/<kind>/<int:index>/delete")
@requires("schemes.edit")
def delete_entry(version_id: int, kind: str, index: int):
    kind = _list_kind(kind)
    seen = request.form.get("seen", "")
    return _edit(
        version_id, lambda d: editing.delete_entry(d, kind, index, seen), {"kind": "", "id": ""}
    )


@bp.get("/v/<int:version_id>/edit/<form_id>")
@requires("schemes.edit")
def open_form(version_id: int, form_id: str):
    """An entry's form, opened in place (HTMX) or as the editor with that form open."""
    found = _version(version_id)
    if not found.is_draft:
        abort(404)
    return _editor(found, open_form={"id": form_id})


# -- the live preview ---------------------------------------------------------------------------


@bp.post("/v/<int:version_id>/preview")
@requires("schemes.view")
def preview_score(version_id: int):
    found = _version(version_id)
    scheme = service.definition(found)
    sample = preview.read(scheme, request.form)
    whole = request.args.get("whole") == "1"
    return render_template(
        "schemes/_preview.html" if whole else "schemes/_preview_result.html",
        version=found,
        scheme=scheme,
        sample=sample,
        labels=explain,
        number=number,
        oob=not whole,  # the summary at the foot of the panel follows the result
        **preview.outcome(scheme, sample),
    )
