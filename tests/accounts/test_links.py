"""One-time links without mail: invitation round trip, expiry, reuse, other tenants, resets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from sqlalchemy import select, update

from saas.accounts.tokens import digest
from saas.app import create_app
from saas.models.audit import AuditEntry
from saas.models.tokens import AccountToken
from saas.models.user import Role
from tenants.slugs import schema_for
from tests.accounts.conftest import (
    NEW_PASSWORD,
    USER_PASSWORD,
    add_user,
    english,
    invite,
    link_in,
    logged_in,
    post,
    set_password,
    user_by_email,
)
from tests.conftest import csrf_token, login


def test_invitation_round_trip(app, admin, db, tenant):
    email = f"mei@{tenant.slug}.example.com"
    link = link_in(invite(admin, tenant, email, ["employee", "inspector"]).get_data(as_text=True))
    visitor = english(app.test_client())
    page = visitor.get(link)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and email in body and "新同事" in body
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = set_password(visitor, link, name="韩梅梅")
    # Setting the password logs them in: straight to the start page.
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/t/{tenant.slug}/")
    user = user_by_email(db, tenant, email)
    assert user.name == "韩梅梅" and user.check_password(NEW_PASSWORD)
    # The new user is logged in and has exactly the roles they were invited with.
    assert visitor.get(f"/t/{tenant.slug}/").status_code == 200
    assert visitor.get(f"/t/{tenant.slug}/accounts/").status_code == 403
    with db.tenant(schema_for(tenant.slug)) as session:
        token = session.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
        assert token.used_at is not None
        accepted = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "user.invitation_accepted")
        )
    assert accepted.actor == email
    assert accepted.before == {"status": "invited", "name": "新同事"}
    assert accepted.after == {"status": "active", "name": "韩梅梅"}
    # The admin's list now shows them active.
    row = admin.get(f"/t/{tenant.slug}/accounts/").get_data(as_text=True)
    assert "韩梅梅" in row


def test_a_used_link_is_refused_with_the_same_page_as_an_unknown_one(app, admin, tenant):
    link = link_in(invite(admin, tenant, f"u@{tenant.slug}.example.com").get_data(as_text=True))
    visitor = english(app.test_client())
    assert set_password(visitor, link, name="U").status_code == 302
    visitor.get(f"/t/{tenant.slug}/login")  # shows (and clears) the "password set" message
    used = visitor.get(link)
    unknown = visitor.get(link.rsplit("/", 1)[0] + "/" + secrets.token_urlsafe(32))
    malformed = visitor.get(link.rsplit("/", 1)[0] + "/short")
    assert used.status_code == unknown.status_code == malformed.status_code == 404
    assert "This link is not valid" in used.get_data(as_text=True)
    assert _main(used) == _main(unknown) == _main(malformed)
    # Posting to a used link changes nothing either.
    replay = visitor.post(link, data={"password": "another-password-1", "confirm": "x"})
    assert replay.status_code in (400, 404)


def _main(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.index("<main") : body.index("</main>")]


def test_an_expired_link_says_so(app, admin, db, tenant):
    email = f"late@{tenant.slug}.example.com"
    link = link_in(invite(admin, tenant, email).get_data(as_text=True))
    with db.tenant(schema_for(tenant.slug)) as session:
        session.execute(
            update(AccountToken).values(
                expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            )
        )
    visitor = english(app.test_client())
    page = visitor.get(link)
    assert page.status_code == 410
    assert "This link has expired" in page.get_data(as_text=True)
    # Even with a valid form, the password is not set.
    token = csrf_token(visitor, f"/t/{tenant.slug}/login")
    visitor.post(
        link,
        data={"name": "L", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )
    assert user_by_email(db, tenant, email).password_hash is None


def test_an_invitation_link_opens_nothing_at_another_tenant(app, make_tenant):
    alpha, beta = make_tenant(), make_tenant()
    admin = logged_in(app, alpha)
    link = link_in(invite(admin, alpha, f"x@{alpha.slug}.example.com").get_data(as_text=True))
    elsewhere = link.replace(f"/t/{alpha.slug}/", f"/t/{beta.slug}/")
    visitor = english(app.test_client())
    assert visitor.get(elsewhere).status_code == 404
    assert set_password(visitor, elsewhere, name="X").status_code == 404
    # The link still works where it belongs.
    assert visitor.get(link).status_code == 200


def test_sending_again_replaces_the_earlier_invitation(admin, db, tenant):
    email = f"again@{tenant.slug}.example.com"
    first = link_in(invite(admin, tenant, email).get_data(as_text=True))
    user = user_by_email(db, tenant, email).id
    second = link_in(post(admin, tenant, f"/accounts/{user}/invitation").get_data(as_text=True))
    assert first != second
    assert admin.get(first).status_code == 404
    assert admin.get(second).status_code == 200


def test_password_rules_on_the_welcome_page(app, admin, db, tenant):
    email = f"pw@{tenant.slug}.example.com"
    link = link_in(invite(admin, tenant, email).get_data(as_text=True))
    visitor = english(app.test_client())
    short = set_password(visitor, link, "short-9ch", name="P")
    assert short.status_code == 400 and "Use 10 to 200 characters" in short.get_data(as_text=True)
    differ = set_password(visitor, link, NEW_PASSWORD, confirm="something-else", name="P")
    assert differ.status_code == 400 and "The two passwords differ" in differ.get_data(as_text=True)
    nameless = set_password(visitor, link, NEW_PASSWORD, name="  ")
    assert nameless.status_code == 400
    assert user_by_email(db, tenant, email).password_hash is None
    assert visitor.get(link).status_code == 200  # failed attempts do not spend the link


def test_a_token_issued_for_an_invitation_does_not_reset_a_password(app, admin, tenant):
    link = link_in(invite(admin, tenant, f"p@{tenant.slug}.example.com").get_data(as_text=True))
    assert admin.get(link.replace("/welcome/", "/reset/")).status_code == 404


# -- password resets ---------------------------------------------------------------------------


def test_admin_issued_reset_link_without_mail(app, admin, db, tenant):
    email = f"forgetful@{tenant.slug}.example.com"
    user = add_user(db, tenant, email, [Role.EMPLOYEE])
    first = link_in(post(admin, tenant, f"/accounts/{user}/reset-link").get_data(as_text=True))
    response = post(admin, tenant, f"/accounts/{user}/reset-link")
    assert response.headers["Cache-Control"] == "no-store"
    second = link_in(response.get_data(as_text=True))
    # A new reset link replaces the older unused one.
    visitor = english(app.test_client())
    assert visitor.get(first).status_code == 404
    assert visitor.get(second).status_code == 200
    assert set_password(visitor, second).status_code == 302
    assert login(visitor, tenant, email=email, password=NEW_PASSWORD).status_code == 302
    assert login(app.test_client(), tenant, email=email, password=USER_PASSWORD).status_code == 400
    assert visitor.get(second).status_code == 404
    with db.tenant(schema_for(tenant.slug)) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.record_id == str(user))
        ).all()
    assert actions.count("user.reset_issued") == 2 and "user.password_reset" in actions


def test_reset_links_expire_after_an_hour(admin, db, tenant):
    user = add_user(db, tenant, f"h@{tenant.slug}.example.com", [Role.EMPLOYEE])
    link = link_in(post(admin, tenant, f"/accounts/{user}/reset-link").get_data(as_text=True))
    with db.tenant(schema_for(tenant.slug)) as session:
        token = session.scalar(select(AccountToken).where(AccountToken.user_id == user))
        lifetime = token.expires_at - token.created_at
        assert dt.timedelta(minutes=59) < lifetime <= dt.timedelta(hours=1, seconds=5)
        token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert admin.get(link).status_code == 410


def test_invitations_live_seven_days_and_only_hashes_are_stored(admin, db, tenant):
    link = link_in(invite(admin, tenant, f"d@{tenant.slug}.example.com").get_data(as_text=True))
    secret = link.rsplit("/", 1)[1]
    with db.tenant(schema_for(tenant.slug)) as session:
        token = session.scalar(select(AccountToken))
    assert token.token_hash == digest(secret) and secret not in token.token_hash
    assert (
        dt.timedelta(days=6, hours=23)
        < token.expires_at - token.created_at
        <= dt.timedelta(days=7, seconds=5)
    )


def test_a_reset_link_for_an_invited_user_sets_their_first_password(app, admin, db, tenant):
    email = f"pending@{tenant.slug}.example.com"
    user = add_user(db, tenant, email, [Role.EMPLOYEE], password=None)
    # An invited user gets "send invitation again", not a reset, on the page; but the route
    # accepts it, so an admin can still help.
    link = link_in(post(admin, tenant, f"/accounts/{user}/reset-link").get_data(as_text=True))
    assert set_password(english(app.test_client()), link).status_code == 302
    assert user_by_email(db, tenant, email).check_password(NEW_PASSWORD)


def test_disabled_users_get_no_links(admin, db, tenant):
    user = add_user(db, tenant, f"off@{tenant.slug}.example.com", [Role.EMPLOYEE], active=False)
    response = post(admin, tenant, f"/accounts/{user}/reset-link")
    assert response.status_code == 400 and "This account is disabled" in response.get_data(
        as_text=True
    )
    active = add_user(db, tenant, f"on@{tenant.slug}.example.com", [Role.EMPLOYEE])
    accepted = post(admin, tenant, f"/accounts/{active}/invitation")
    assert accepted.status_code == 400 and "already accepted" in accepted.get_data(as_text=True)


def test_forgot_password_without_mail_says_ask_your_administrator(app, db, tenant):
    visitor = english(app.test_client())
    page = visitor.get(f"/t/{tenant.slug}/accounts/forgot")
    assert page.status_code == 200 and "Ask your administrator" in page.get_data(as_text=True)
    login_page = visitor.get(f"/t/{tenant.slug}/login").get_data(as_text=True)
    assert f"/t/{tenant.slug}/accounts/forgot" in login_page
    token = csrf_token(visitor, f"/t/{tenant.slug}/login")
    known = visitor.post(
        f"/t/{tenant.slug}/accounts/forgot", data={"email": tenant.admin_email, "csrf_token": token}
    )
    unknown = visitor.post(
        f"/t/{tenant.slug}/accounts/forgot",
        data={"email": "nobody@example.com", "csrf_token": token},
    )
    assert known.status_code == unknown.status_code == 200
    assert _main(known) == _main(unknown)
    with db.tenant(schema_for(tenant.slug)) as session:
        assert session.scalar(select(AccountToken)) is None


def test_forgot_password_is_rate_limited(settings, db, make_tenant):
    strict = dataclasses.replace(
        settings,
        reset_rate_limit="2 per minute",
        smtp_url="smtp://127.0.0.1:9",
        queue_name=f"limits-{secrets.token_hex(4)}",
    )
    app = create_app(strict)
    tenant = make_tenant()
    visitor = app.test_client()
    token = csrf_token(visitor, f"/t/{tenant.slug}/login")

    def ask(email: str):
        return visitor.post(
            f"/t/{tenant.slug}/accounts/forgot", data={"email": email, "csrf_token": token}
        ).status_code

    assert [ask(f"n{i}@example.com") for i in range(2)] == [200, 200]
    assert ask("n3@example.com") == 429
    app.extensions["kaohe.db"].dispose()
