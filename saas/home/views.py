"""The home page a tenant user lands on after logging in."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import select

from saas.auth.accounts import tenant_user
from saas.models.statement import Statement
from saas.web.tenancy import TENANT_PREFIX, tenant_session

bp = Blueprint("home", __name__, url_prefix=TENANT_PREFIX)


@bp.get("/")
@login_required
def index():
    statements = tenant_session().scalars(
        select(Statement)
        .where(Statement.user_id == tenant_user().id)
        .order_by(Statement.created_at.desc())
        .limit(5)
    )
    return render_template("home/index.html", statements=list(statements))


@bp.get("")
def bare():
    return redirect(url_for("home.index"))
