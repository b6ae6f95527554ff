"""Locking a username after repeated failed sign-ins, counted in the rate limiter's shared storage.

The counter lives where Flask-Limiter keeps its own (Redis when configured), so every app server sees the same
count; a fixed window starts at the first failure, and once the count is reached the username is refused, with
the right password too, until that window ends. Unknown usernames are counted and locked alike, so the lock says
nothing about whether an account exists. No table holds it: a restart of the storage forgets every lock.
"""

import math
import time

from flask import current_app, g
from flask_babel import ngettext
from limits import RateLimitItemPerMinute

from compete.errors import NotAllowed
from compete.extensions import limiter

NAMESPACE = "login-lock"


class AccountLocked(NotAllowed):
    """Too many failed sign-ins for this username: refused until the window ends, whatever the password."""

    def __init__(self, minutes: int):
        super().__init__(
            ngettext(
                "Too many failed sign-ins for this account. Wait %(num)d minute and try again.",
                "Too many failed sign-ins for this account. Wait %(num)d minutes and try again.",
                minutes,
            ),
            "password",
        )
        self.minutes = minutes


def _rule() -> RateLimitItemPerMinute | None:
    """The lockout rule, or None when it is off (no attempts configured, or rate limiting switched off)."""
    config = current_app.config
    attempts = int(config["LOGIN_LOCKOUT_ATTEMPTS"])
    # RATELIMIT_ENABLED is Flask-Limiter's one switch for every counter it stores, this one included.
    if attempts <= 0 or not config.get("RATELIMIT_ENABLED", True) or not (limiter.enabled and limiter.initialized):
        return None
    return RateLimitItemPerMinute(attempts, int(config["LOGIN_LOCKOUT_MINUTES"]))


def _key(username: str) -> str:
    return username.strip().casefold()


def _minutes_left(rule, key: str) -> int:
    reset_at = limiter.limiter.get_window_stats(rule, NAMESPACE, key).reset_time
    return max(1, math.ceil((reset_at - time.time()) / 60))


def refuse_if_locked(username: str) -> None:
    """Raise AccountLocked while this username's window of failures is full."""
    rule = _rule()
    if rule is not None and not limiter.limiter.test(rule, NAMESPACE, _key(username)):
        raise AccountLocked(_minutes_left(rule, _key(username)))


def count_failure(username: str, user=None) -> None:
    """One more failure; the one that fills the window locks the username (and is reported as the lock)."""
    rule = _rule()
    if rule is None:
        return
    key = _key(username)
    limiter.limiter.hit(rule, NAMESPACE, key)
    if limiter.limiter.test(rule, NAMESPACE, key):
        return
    minutes = _minutes_left(rule, key)
    # Kept past the request, whose own work is rolled back: see compete.web.security.keep_lockout_audit.
    g.setdefault("lockouts", []).append(
        {"user_id": user.id if user is not None else None, "username": key, "minutes": minutes}
    )
    raise AccountLocked(minutes)


def forget_failures(username: str) -> None:
    """A successful sign-in starts the count again."""
    rule = _rule()
    if rule is not None:
        limiter.limiter.clear(rule, NAMESPACE, _key(username))


def pending_lockouts() -> list[dict]:
    """The lockouts this request caused, once (the caller writes their audit entries)."""
    return g.pop("lockouts", [])
