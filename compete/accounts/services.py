"""Creating accounts, signing in and personal settings."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from compete.accounts import lockout
from compete.accounts.models import Role, User
from compete.audit import services as audit
from compete.columns import utcnow
from compete.errors import Conflict, InvalidInput
from compete.extensions import db

MIN_PASSWORD_LENGTH = 8
# Compared against when the username is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


# Passwords that meet the length and letters-and-digits rules yet top every leaked list (Chinese sites' included):
# the first ones an attacker tries. Length and a blocklist, not more composition rules (NIST SP 800-63B).
COMMON_PASSWORDS = frozenset(
    [
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "abc12345",
        "abc123456",
        "abcd1234",
        "1234abcd",
        "abcd12345",
        "12345678a",
        "123456789a",
        "a12345678",
        "a123456789",
        "a1234567",
        "1a2b3c4d",
        "a1b2c3d4",
        "aa123456",
        "aa12345678",
        "qq123456",
        "qwer1234",
        "qwerty123",
        "qwerty12",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "q1w2e3r4",
        "zxcv1234",
        "asdf1234",
        "zxcvbnm123",
        "admin123",
        "admin1234",
        "admin888",
        "woaini1314",
        "woaini520",
        "iloveyou1",
        "5201314a",
        "1314520a",
        "abc123abc",
    ]
)


def check_password_rules(password: str, username: str = "") -> None:
    """At least 8 characters of letters and digits together, not the username, not a well-known password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("A password needs at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), "password")
    if password.isdigit() or password.isalpha():
        raise InvalidInput(_l("Use letters and digits together in a password."), "password")
    folded = password.casefold()
    if username and folded in (username.strip().casefold(), username.strip().casefold()[::-1]):
        raise InvalidInput(_l("A password must not be the username."), "password")
    if folded in COMMON_PASSWORDS:
        raise InvalidInput(_l("This password is among the first ones anyone tries: choose another."), "password")


def create_user(actor, *, username: str, password: str, display_name: str, role: Role, unit=None, person=None) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput(_l("Enter a username."), "username")
    taken = db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        raise Conflict(_l("The username %(name)s is already taken.", name=username), "username")
    check_password_rules(password, username)
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        password_hash=generate_password_hash(password),
        role=Role(role),
        unit=unit,
        person=person,
    )
    db.session.add(user)
    audit.record(actor, "user.create", user, after={"username": username, "role": user.role})
    return user


def check_credentials(username: str, password: str) -> User | None:
    """The active user with these credentials, or None (never says which part was wrong); no sign-in.

    Every password prompt comes here (signing in, a supervisor witnessing), so one lockout covers them all:
    raises AccountLocked after too many failures for this username, whatever the password.
    """
    lockout.refuse_if_locked(username)
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        lockout.count_failure(username)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        lockout.count_failure(username, user)
        return None
    lockout.forget_failures(username)
    return user


def authenticate(username: str, password: str) -> User | None:
    """Sign-in: the user with these credentials, their sign-in time recorded, or None."""
    user = check_credentials(username, password)
    if user is None:
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user.sign_in", user)
    return user


def set_locale(user: User, locale: str, languages) -> None:
    if locale not in languages:
        raise InvalidInput(_l("This language is not available."))
    user.locale = locale


def sign_up_competitor(*, name: str, id_number: str, phone, unit, grade: str, username: str, password: str) -> User:
    """A competitor's own account, tied to their registry person (found by ID number, or added)."""
    from compete.people import services as people

    person = people.match_or_add_person(None, name=name, id_number=id_number, phone=phone, unit=unit, grade=grade)
    if db.session.scalar(select(User.id).where(User.person_id == person.id)) is not None:
        raise Conflict(_l("An account already exists for this ID number: sign in with it instead."), "id_number")
    return create_user(
        None,
        username=username,
        password=password,
        display_name=person.name,
        role=Role.COMPETITOR,
        unit=unit,
        person=person,
    )
