"""Static check that compete.rules stays free of web, ORM and app imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "compete" / "rules"
RULES_PACKAGE = "compete.rules"

FORBIDDEN_TOP_LEVEL = frozenset({"flask", "sqlalchemy", "werkzeug", "jinja2"})


def module_name(path: Path) -> tuple[str, bool]:
    """Return the dotted module name of ``path`` under REPO_ROOT and whether it is a package."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imported_names(source: str, module: str, *, is_package: bool = False):
    """Yield (lineno, statement, absolute name) for every import in ``source``.

    ``from X import a`` yields ``X.a`` because ``a`` may itself be a module (as in
    ``from .. import models``); ``from X import *`` yields ``X``. A relative import
    that climbs above the top-level package yields a name starting with "<beyond>".
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, ast.unparse(node), alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                if node.level - 1 >= len(parts):
                    base = "<beyond>." + base
                else:
                    anchor = ".".join(parts[: len(parts) - (node.level - 1)])
                    base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                name = base if alias.name == "*" else f"{base}.{alias.name}"
                yield node.lineno, ast.unparse(node), name


def is_forbidden(name: str) -> bool:
    top = name.split(".")[0]
    if top in FORBIDDEN_TOP_LEVEL or top.startswith("flask_") or top == "<beyond>":
        return True
    if top == "compete":
        return not (name == RULES_PACKAGE or name.startswith(RULES_PACKAGE + "."))
    return False


def find_violations(source: str, module: str, *, is_package: bool = False, filename: str = "<string>") -> list[str]:
    """Return one "file:line: statement (-> name)" message per forbidden import."""
    return [
        f"{filename}:{lineno}: {statement} (-> {name})"
        for lineno, statement, name in imported_names(source, module, is_package=is_package)
        if is_forbidden(name)
    ]


def rules_files() -> list[Path]:
    return sorted(RULES_DIR.rglob("*.py"))


def test_rules_files_are_found():
    # Without this a wrong path would make the purity check pass vacuously.
    names = {p.name for p in rules_files()}
    assert {"__init__.py", "grades.py", "idcard.py"} <= names


def test_rules_package_has_no_forbidden_imports():
    problems = []
    for path in rules_files():
        module, is_package = module_name(path)
        problems += find_violations(
            path.read_text(encoding="utf-8"),
            module,
            is_package=is_package,
            filename=str(path.relative_to(REPO_ROOT)),
        )
    assert not problems, "forbidden imports in compete/rules:\n" + "\n".join(problems)


# The presets are YAML files in rules/presets: reading plain data is the one thing allowed beyond the stdlib.
DATA_READERS = {"yaml"}


def test_rules_package_imports_only_stdlib():
    problems = []
    for path in rules_files():
        module, is_package = module_name(path)
        source = path.read_text(encoding="utf-8")
        for lineno, statement, name in imported_names(source, module, is_package=is_package):
            top = name.split(".")[0]
            inside = name == RULES_PACKAGE or name.startswith(RULES_PACKAGE + ".")
            if not inside and top not in sys.stdlib_module_names and top not in DATA_READERS:
                problems.append(f"{path.relative_to(REPO_ROOT)}:{lineno}: {statement}")
    assert not problems, "non-stdlib imports in compete/rules:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (RULES_DIR / "__init__.py", ("compete.rules", True)),
        (RULES_DIR / "grades.py", ("compete.rules.grades", False)),
        (RULES_DIR / "sub" / "x.py", ("compete.rules.sub.x", False)),
    ],
)
def test_module_name(path, expected):
    assert module_name(path) == expected


@pytest.mark.parametrize(
    ("source", "module", "is_package", "expected_name"),
    [
        ("import flask", "compete.rules.x", False, "flask"),
        ("from sqlalchemy import select", "compete.rules.x", False, "sqlalchemy.select"),
        ("from ..models import X", "compete.rules.x", False, "compete.models.X"),
        ("from .. import models", "compete.rules.x", False, "compete.models"),
        ("from ..models import X", "compete.rules", True, "compete.models.X"),
        ("from ...x import y", "compete.rules.x", False, "<beyond>.x.y"),
        ("import flask_login", "compete.rules.x", False, "flask_login"),
        (
            "from flask_sqlalchemy import SQLAlchemy",
            "compete.rules.x",
            False,
            "flask_sqlalchemy.SQLAlchemy",
        ),
        ("import sqlalchemy.orm as orm", "compete.rules.x", False, "sqlalchemy.orm"),
        (
            "from werkzeug.security import check_password_hash",
            "compete.rules.x",
            False,
            "werkzeug.security.check_password_hash",
        ),
        ("from jinja2 import Template", "compete.rules.x", False, "jinja2.Template"),
        ("import compete", "compete.rules.x", False, "compete"),
        ("import compete.models", "compete.rules.x", False, "compete.models"),
        ("from compete import create_app", "compete.rules.x", False, "compete.create_app"),
        ("from compete.rulesx import y", "compete.rules.x", False, "compete.rulesx.y"),
        ("from flask import *", "compete.rules.x", False, "flask"),
        ("def f():\n    import flask\n", "compete.rules.x", False, "flask"),
        ("import os, flask", "compete.rules.x", False, "flask"),
        (
            "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n",
            "compete.rules.x",
            False,
            "sqlalchemy.orm.Session",
        ),
    ],
)
def test_checker_catches_violation(source, module, is_package, expected_name):
    problems = find_violations(source, module, is_package=is_package, filename="compete/rules/x.py")
    assert len(problems) == 1
    assert problems[0].startswith("compete/rules/x.py:")
    assert problems[0].endswith(f"(-> {expected_name})")


@pytest.mark.parametrize(
    ("source", "module", "is_package"),
    [
        ("import datetime", "compete.rules.x", False),
        ("from __future__ import annotations", "compete.rules.x", False),
        ("from dataclasses import dataclass", "compete.rules.x", False),
        ("from . import grades", "compete.rules.x", False),
        ("from . import grades", "compete.rules", True),
        ("from .grades import get", "compete.rules.x", False),
        ("from .sub import y", "compete.rules", True),
        ("from .. import grades", "compete.rules.sub.x", False),
        ("from compete.rules import idcard", "compete.rules.x", False),
        ("import compete.rules.grades", "compete.rules.x", False),
        ("from compete import rules", "compete.rules.x", False),
        ("import flasky", "compete.rules.x", False),
        ("import competent", "compete.rules.x", False),
    ],
)
def test_checker_allows_clean_imports(source, module, is_package):
    assert find_violations(source, module, is_package=is_package) == []


def test_violation_message_names_file_line_and_statement():
    source = "import os\n\nfrom ..models import Person\n"
    assert find_violations(source, "compete.rules.x", filename="compete/rules/x.py") == [
        "compete/rules/x.py:3: from ..models import Person (-> compete.models.Person)"
    ]
