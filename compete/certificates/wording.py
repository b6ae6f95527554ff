"""A certificate's wording: the organizer's text with placeholders such as {{ name }}, in a sandbox.

The sandbox has no loader (no include, import or extends: a wording reads nothing but the facts it is given) and
rejects unknown placeholders; its output is plain text, escaped where the certificate's HTML prints it.
"""

import functools

import jinja2
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jinja2.sandbox import SandboxedEnvironment

from compete.errors import InvalidInput

PLACEHOLDERS = {
    "name": _l("the holder's name"),
    "competition": _l("the competition"),
    "event": _l("the event"),
    "occupation": _l("the occupation"),
    "group": _l("the group"),
    "rank": _l("the rank, e.g. 1st place"),
    "award": _l("the award, e.g. gold medal"),
    "title": _l("the title awarded"),
    "grade_from": _l("the grade held before"),
    "grade_to": _l("the grade promoted to"),
    "year": _l("the year"),
    "authority": _l("the issuing authority"),
}
MAX_LENGTH = 1000
_environment = SandboxedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined, loader=None)


@functools.lru_cache(maxsize=64)
def _compiled(wording: str) -> jinja2.Template:
    # A batch prints one wording per kind on hundreds of pages: compiled once, not once a page.
    return _environment.from_string(wording)


def render(wording: str, facts: dict) -> str:
    """The wording with its placeholders filled in; InvalidInput says what is wrong, in the user's language."""
    if len(wording) > MAX_LENGTH:
        raise InvalidInput(_l("The wording is too long: at most %(count)d characters.", count=MAX_LENGTH), "wording")
    try:
        template = _compiled(wording)
        return template.render({name: str(facts.get(name, "")) for name in PLACEHOLDERS})
    except jinja2.TemplateSyntaxError as error:
        raise InvalidInput(
            _(
                "The wording has a placeholder error on line %(line)d: %(problem)s",
                line=error.lineno,
                problem=error.message,
            ),
            "wording",
        ) from error
    except jinja2.UndefinedError as error:
        raise InvalidInput(
            _(
                "The wording uses an unknown placeholder (%(problem)s). Use only: %(names)s.",
                problem=error.message,
                names=", ".join("{{ " + name + " }}" for name in PLACEHOLDERS),
            ),
            "wording",
        ) from error
    except TypeError as error:
        if "no loader" in str(error):  # {% include %}, {% import %}, {% extends %}: there is nothing to read
            raise InvalidInput(
                _("The wording may not include, import or extend other templates."), "wording"
            ) from error
        raise InvalidInput(_("The wording cannot be used: %(problem)s", problem=str(error)), "wording") from error
    except (jinja2.TemplateError, ValueError, ArithmeticError, AttributeError) as error:
        # Includes the sandbox's SecurityError and "no loader" for {% include %}: nothing outside the facts.
        raise InvalidInput(_("The wording cannot be used: %(problem)s", problem=str(error)), "wording") from error


def paragraphs(text: str) -> list[dict]:
    """Each line a paragraph; a line ending in a colon is a salutation (张伟同志：), printed without indent."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return [{"text": line, "salutation": line.endswith(("：", ":")) and index == 0} for index, line in enumerate(lines)]
