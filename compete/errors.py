"""Errors that services raise with a message a user can read."""


class CompeteError(Exception):
    """A refused operation; `message` is already translated for the current user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(CompeteError):
    """The user may not do this to this object."""


class NotFound(CompeteError):
    """What the request names does not exist, or not where it says (a criterion of another event)."""


class InvalidInput(CompeteError):
    """The values given break a rule of the domain."""


class Conflict(CompeteError):
    """The operation clashes with data already recorded."""


class RowErrors(CompeteError):
    """Several rows of one submission were refused; nothing of it may be kept."""

    def __init__(self, errors: list[tuple[int, CompeteError]]):
        super().__init__(errors[0][1].message if errors else "")
        self.errors = errors
