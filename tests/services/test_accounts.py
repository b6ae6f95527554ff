"""Accounts: password rules, unique usernames, sign-in."""

import pytest
from sqlalchemy import select

from compete.accounts import services
from compete.accounts.models import Role
from compete.audit.models import AuditEntry
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.mark.parametrize("password", ["short1", "12345678901", "onlyletters", ""])
def test_weak_passwords_are_refused(password):
    with pytest.raises(InvalidInput) as refused:
        services.create_user(None, username="x", password=password, display_name="x", role=Role.JUDGE)
    assert refused.value.field == "password"


def test_usernames_are_unique_whatever_the_case():
    make_user("Organizer")
    with pytest.raises(Conflict):
        make_user("organizer")


def test_passwords_are_stored_hashed():
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_checks_password_and_active_flag_and_is_audited():
    user = make_user()
    assert services.authenticate("organizer", "wrong-password1") is None
    assert services.authenticate("nobody", PASSWORD) is None
    assert services.authenticate(" ORGANIZER ", PASSWORD) is user
    assert user.last_login_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.sign_in")).actor_id == user.id
    user.active = False
    assert services.authenticate("organizer", PASSWORD) is None
