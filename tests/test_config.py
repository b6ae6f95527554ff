"""Settings for many servers from the environment: pool size, shared storage folder, job queue."""

from flask import Flask

from compete.config import load_config

PG = "postgresql+psycopg://compete@10.0.0.10/compete"


def configured(monkeypatch, tmp_path, **environment) -> dict:
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    app = Flask("compete", instance_path=str(tmp_path / "instance"))
    load_config(app)
    return app.config


def test_the_pool_size_bounds_each_processs_postgresql_connections(monkeypatch, tmp_path):
    config = configured(monkeypatch, tmp_path, COMPETE_DATABASE_URL=PG, COMPETE_DATABASE_POOL_SIZE="2")
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 2}


def test_sqlite_keeps_its_own_pool(monkeypatch, tmp_path):
    config = configured(monkeypatch, tmp_path, COMPETE_DATABASE_POOL_SIZE="2")
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}


def test_uploads_wait_in_the_instance_folder_unless_a_shared_one_is_named(monkeypatch, tmp_path):
    assert configured(monkeypatch, tmp_path)["STORAGE_FOLDER"] == str(tmp_path / "instance")
    shared = configured(monkeypatch, tmp_path, COMPETE_STORAGE_FOLDER="/srv/compete-shared")
    assert shared["STORAGE_FOLDER"] == "/srv/compete-shared"


def test_redis_sends_jobs_to_rq_on_the_named_queue_and_shares_the_login_counters(monkeypatch, tmp_path):
    config = configured(
        monkeypatch, tmp_path, COMPETE_REDIS_URL="redis://10.0.0.11:6379/0", COMPETE_JOBS_QUEUE="compete-suqian"
    )
    assert (config["JOBS_RUNNER"], config["JOBS_QUEUE"]) == ("rq", "compete-suqian")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://10.0.0.11:6379/0"
    assert configured(monkeypatch, tmp_path, COMPETE_REDIS_URL="")["JOBS_RUNNER"] == "thread"
