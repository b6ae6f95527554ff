"""Errors that services raise with a message a user can read."""


class CompeteError(Exception):
    """A refused operation; `message` is already translated for the current user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(CompeteError):
    """The user may not do this to this object."""


class InvalidInput(CompeteError):
    """The values given break a rule of the domain."""


class Conflict(CompeteError):
    """The operation clashes with data already recorded."""
