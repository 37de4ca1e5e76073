"""/healthz: is the database reachable, is Redis, and is at least one worker alive?"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from rq import Worker
from sqlalchemy import text

from saas.web.tenancy import database
from tenants.db import utcnow

bp = Blueprint("health", __name__)

# Kaohe's workers renew their heartbeat about every 45 s, idle or busy (workers/worker.py);
# one missed beat is tolerated, two mean the worker is gone.
HEARTBEAT_MAX_AGE_SECONDS = 120


def _database() -> dict:
    try:
        with database().engine.connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _redis() -> dict:
    try:
        current_app.extensions["kaohe.redis"].ping()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def _workers() -> dict:
    try:
        workers = Worker.all(connection=current_app.extensions["kaohe.redis"])
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    now = utcnow()
    alive = [
        w
        for w in workers
        if w.last_heartbeat is not None
        and (now - w.last_heartbeat).total_seconds() < HEARTBEAT_MAX_AGE_SECONDS
    ]
    return {"ok": bool(alive), "alive": len(alive)}


@bp.get("/healthz")
def healthz():
    checks = {"database": _database(), "redis": _redis(), "worker": _workers()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return jsonify(body), 200 if healthy else 503
