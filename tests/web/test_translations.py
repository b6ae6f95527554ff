"""The Chinese catalogue covers every user-facing string in the source, and keeps its placeholders.

The catalogue is extracted fresh from the code and templates, so a string added without running
`make extract-messages` and translating it fails here. Nothing reads the compiled .mo.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

REPO_ROOT = Path(__file__).resolve().parents[2]
# Babel reads zh_CN as zh_Hans_CN, whose lookup falls back to the base language folder "zh".
PO_PATH = REPO_ROOT / "compete" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# A named printf placeholder such as %(name)s, %(count)d or %(total).2f.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _forms(value) -> tuple[str, ...]:
    """The text of a singular entry, or every form of a plural one."""
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _key(message) -> str:
    """The singular msgid, which names the entry in failure messages."""
    return _forms(message.id)[0]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


def _bare_percents(text: str) -> int:
    """How many % signs are not part of a named placeholder (literal ones, or %% escapes)."""
    return PLACEHOLDER.sub("", text or "").count("%")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalogue as extracted right now from the source (same settings as `make extract-messages`)."""
    pot = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-o",
                str(pot),
                "--no-location",
                ".",
            ],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    except subprocess.CalledProcessError as error:
        pytest.fail(f"message extraction failed:\n{error.stderr}")
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def chinese():
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="zh_CN")


def _messages(catalog) -> list:
    return [message for message in catalog if message.id]


def test_extraction_finds_the_interface_strings(extracted):
    ids = {_key(message) for message in _messages(extracted)}
    # Strings from Python code (lazy _l), from templates (_()) and from gettext() calls in helpers.
    assert {"Skills Competitions", "Organizer", "Sign in", "; "} <= ids
    assert len(ids) > 100


def test_every_string_in_the_source_is_translated(extracted, chinese):
    missing = []
    for message in _messages(extracted):
        entry = chinese.get(message.id)
        if entry is None or not all(form.strip() for form in _forms(entry.string)):
            missing.append(_key(message))
    assert not missing, (
        f"{len(missing)} message(s) in the source have no Chinese translation in {PO_PATH.relative_to(REPO_ROOT)}; "
        "run `make extract-messages` and translate:\n" + "\n".join(f"  {msgid!r}" for msgid in sorted(missing))
    )


def test_no_translation_of_a_source_string_is_fuzzy(extracted, chinese):
    fuzzy = sorted(
        _key(message)
        for message in _messages(extracted)
        if (entry := chinese.get(message.id)) is not None and entry.fuzzy
    )
    assert not fuzzy, "fuzzy (unchecked) translations; check them and remove the fuzzy flag:\n" + "\n".join(
        f"  {msgid!r}" for msgid in fuzzy
    )


def test_plural_entries_have_every_form(chinese):
    incomplete = sorted(
        _key(message)
        for message in _messages(chinese)
        if message.pluralizable and len(_forms(message.string)) != chinese.num_plurals
    )
    assert not incomplete, "plural entries with the wrong number of forms:\n" + "\n".join(
        f"  {msgid!r}" for msgid in incomplete
    )


def test_translations_keep_the_placeholders(chinese):
    wrong = []
    for message in _messages(chinese):
        expected = set().union(*(_placeholders(text) for text in _forms(message.id)))
        for form in _forms(message.string):
            if form and _placeholders(form) != expected:
                wrong.append(f"  {_key(message)!r}: expected {sorted(expected)}, got {sorted(_placeholders(form))}")
    assert not wrong, "translations whose placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_translations_keep_literal_percent_signs(chinese):
    """A bare % the msgid lacks breaks formatting (templates always format, even without arguments)."""
    wrong = []
    for message in _messages(chinese):
        expected = max(_bare_percents(text) for text in _forms(message.id))
        for form in _forms(message.string):
            if form and _bare_percents(form) != expected:
                wrong.append(f"  {_key(message)!r}: {form!r}")
    assert not wrong, "translations with a different number of literal % signs than the msgid:\n" + "\n".join(wrong)


def test_translations_format_with_the_msgid_arguments(chinese):
    """Each translation formats with exactly the arguments the code passes for its msgid."""
    broken = []
    for message in _messages(chinese):
        names = set().union(*(_placeholders(text) for text in _forms(message.id)))
        if not names:
            continue
        arguments = {re.match(r"%\((\w+)\)", name).group(1): 1 for name in names}
        for form in _forms(message.string):
            try:
                form % arguments
            except (KeyError, TypeError, ValueError) as error:
                broken.append(f"  {_key(message)!r}: {error!r}")
    assert not broken, "translations that fail to format:\n" + "\n".join(broken)


def test_placeholder_pattern():
    assert _placeholders("%(count)d places, %(total)s marks, %(share).1f%%, 10% off") == {
        "%(count)d",
        "%(total)s",
        "%(share).1f",
    }
