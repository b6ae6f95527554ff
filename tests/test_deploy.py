"""The production files in deploy/ agree with the app: settings gunicorn knows, every variable documented."""

import re
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

from compete.config import ENV_OVERRIDES, DefaultConfig

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
GUNICORN_ENV = ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_LOG_LEVEL", "FORWARDED_ALLOW_IPS")
# Commands Flask and its extensions add outside app.cli.
BUILT_IN_COMMANDS = {"db", "routes", "shell", "run"}


def _gunicorn_settings(monkeypatch, **environment) -> dict:
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return {name: value for name, value in runpy.run_path(str(GUNICORN_CONF)).items() if not name.startswith("_")}


def test_gunicorn_config_sets_only_settings_gunicorn_knows(monkeypatch):
    # gunicorn skips a misspelt name in a config file without a word.
    settings = _gunicorn_settings(monkeypatch, RUNTIME_DIRECTORY="/run/compete")
    config = Config()
    for name, value in settings.items():
        if name == "os":
            continue
        assert name in config.settings, f"deploy/gunicorn.conf.py sets {name}, which gunicorn does not know"
        config.set(name, value)  # runs gunicorn's own validation
    assert config.worker_class_str == "sync"
    assert config.preload_app is False
    assert config.control_socket == "/run/compete/gunicorn.ctl"


def test_gunicorn_config_reads_the_environment(monkeypatch):
    settings = _gunicorn_settings(
        monkeypatch, GUNICORN_BIND="10.0.0.21:8000", WEB_CONCURRENCY="3", GUNICORN_TIMEOUT="300"
    )
    assert settings["bind"] == ["10.0.0.21:8000"]
    assert settings["workers"] == 3
    assert settings["timeout"] == 300
    defaults = _gunicorn_settings(monkeypatch)
    assert defaults["bind"] == ["127.0.0.1:8000"]
    assert defaults["workers"] >= 3


@pytest.mark.parametrize("variable", sorted(ENV_OVERRIDES))
def test_every_app_variable_is_documented(variable):
    assert f"`{variable}`" in (DEPLOY / "README.md").read_text(encoding="utf-8"), f"document {variable}"
    assert variable in (DEPLOY / "compete.env.example").read_text(encoding="utf-8")


def test_every_gunicorn_variable_is_documented():
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for variable in GUNICORN_ENV:
        assert f"`{variable}`" in readme, f"document {variable}"
        assert variable in GUNICORN_CONF.read_text(encoding="utf-8")


def test_nginx_lets_the_app_answer_too_large_uploads():
    nginx = (DEPLOY / "nginx" / "compete.conf").read_text(encoding="utf-8")
    nginx_limit = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1)) * 1024 * 1024
    # Just above the app's limit: the app refuses with its own page, nginx stops anything bigger.
    assert DefaultConfig.MAX_CONTENT_LENGTH < nginx_limit <= DefaultConfig.MAX_CONTENT_LENGTH + 1024 * 1024


def test_nginx_waits_longer_than_gunicorn(monkeypatch):
    nginx = (DEPLOY / "nginx" / "compete.conf").read_text(encoding="utf-8")
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert read_timeout > _gunicorn_settings(monkeypatch)["timeout"]


def test_documented_commands_exist(app):
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    text += "".join(path.read_text(encoding="utf-8") for path in (DEPLOY / "systemd").glob("*.service"))
    documented = set(re.findall(r"(?:compete-flask|flask --app wsgi) ([a-z][a-z-]*)", text))
    assert {"db", "create-user", "worker"} <= documented
    assert documented <= BUILT_IN_COMMANDS | set(app.cli.commands)


def test_units_run_what_the_repository_has():
    root = DEPLOY.parent
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for path in re.findall(r"/opt/compete/([\w./-]+)", unit.read_text(encoding="utf-8")):
            if path.startswith((".venv/", "instance")):
                continue
            assert (root / path).exists(), f"{unit.name} names {path}, which the repository does not have"
