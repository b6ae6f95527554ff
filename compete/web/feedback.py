"""Putting a service's refusal next to the form field it concerns."""

from flask import flash

from compete.errors import CompeteError


def show_error(form, error: CompeteError) -> None:
    """Attach the message to its field (dotted paths reach into lists), else flash it."""
    field = _find_field(form, error.field)
    if field is None:
        flash(str(error.message), "danger")
    else:
        field.errors = [*field.errors, str(error.message)]


def _find_field(form, path: str | None):
    if not path:
        return None
    target = form
    for part in path.split("."):
        if part.isdigit() and hasattr(target, "entries"):
            index = int(part)
            target = target.entries[index].form if index < len(target.entries) else None
        else:
            target = getattr(target, part, None) if target is not None else None
        if target is None:
            return None
    return target if hasattr(target, "errors") else None
