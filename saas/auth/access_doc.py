"""docs/access.md, written out from the permission table and the app's tenant routes:
``python -m saas.auth.access_doc > docs/access.md`` (``tests/web/test_access.py`` fails when the
file and the table differ). Kept apart from the table so that the table imports no app."""

from __future__ import annotations

from typing import Any

from saas.auth.permissions import (
    _TABLE,
    ADMIN,
    ALL,
    COMMITTEE,
    EMPLOYEE,
    INSPECTOR,
    MANAGED,
    MANAGER,
    SELF,
)

ROLE_COLUMNS = (ADMIN, COMMITTEE, MANAGER, INSPECTOR, EMPLOYEE)
_REACH_WORDS = {
    ALL: "all",
    MANAGED: "managed units",
    SELF: "own",
    MANAGED | SELF: "managed units, own",
}


def access_markdown(routes: list[tuple[str, str, str]] = ()) -> str:
    """docs/access.md: the table above, written out, then ``routes`` (method, path,
    permission) — every tenant page and the permission it declares."""
    head = "| permission | allows | " + " | ".join(r.value for r in ROLE_COLUMNS) + " |"
    rows = [head, "|" + "---|" * (len(ROLE_COLUMNS) + 2)]
    for p in _TABLE:
        cells = [_REACH_WORDS[p.reach[r]] if r in p.reach else "—" for r in ROLE_COLUMNS]
        rows.append(f"| `{p.name}` | {p.does} | " + " | ".join(cells) + " |")
    pages = ["| method | path | permission |", "|---|---|---|"]
    pages += [f"| {method} | `{path}` | `{name}` |" for method, path, name in routes]
    return _DOC.format(table="\n".join(rows), pages="\n".join(pages))


def tenant_routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, permission) of every tenant route of ``app``, in path order."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/t/<tenant_slug>"):
            name = getattr(app.view_functions[rule.endpoint], "permission", "?")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule.removeprefix("/t/<tenant_slug>") or "/", name))
    return sorted(found, key=lambda route: (route[1], route[0]))


_DOC = """\
# Who may do what

Generated from `saas/auth/permissions.py` by `python -m saas.auth.access_doc > docs/access.md`;
`tests/web/test_access.py` fails when the two differ. Do not edit by hand.

Every page of a tenant (`/t/<tenant>/…`) declares the permission it needs with
`@requires("…")`; a role without it gets 403 ("You do not have access to this page"), and the
menu and buttons leading there are not shown. Login, logout, the welcome and password-reset
pages are public (`@public`).

Where a permission reaches: **all** — every record of the tenant; **managed units** — the
subtrees of the units the user manages (a manager of no unit has nothing there); **own** — the
user's own records (their employee record, goals, statements). Records outside a user's reach
are not found (404). A user with several roles has the union of what each allows.

{table}

Some refusals depend on the record, beyond the table: nobody approves their own goal or the goal
of the unit they manage, a top-level unit is added or moved by an administrator only, a draft
scheme is seen by those who may edit schemes only, a goal's approver is the manager of the
unit above it, and a cycle's raters are generated only while the cycle is a draft or open.

## Every page and the permission it needs

Paths are under `/t/<tenant>`; `public` needs no login.

{pages}
"""


def _main() -> None:  # pragma: no cover
    from flask import Flask

    from saas.app import register_blueprints

    app = Flask("access")
    register_blueprints(app)
    print(access_markdown(tenant_routes(app)), end="")


if __name__ == "__main__":  # pragma: no cover
    _main()
