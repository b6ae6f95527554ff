"""The flask commands."""

from sqlalchemy import func, select

from compete import demo
from compete.accounts.models import Role, User
from compete.competitions.models import Competition
from compete.extensions import db


def test_create_user_makes_an_account_that_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(
        args=["create-user", "wangfang", "--role", "organizer", "--name", "王芳", "--password", "county2026"]
    )
    assert result.exit_code == 0, result.output
    assert "created organizer wangfang" in result.output
    response = client.post("/login", data={"username": "wangfang", "password": "county2026"})
    assert response.headers["Location"] == "/admin/"


def test_create_user_refuses_a_weak_password_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["create-user", "wangfang", "--password", "12345678"])
    assert result.exit_code == 1
    assert "Error:" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_loads_once_and_prints_the_log_ins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--if-empty"])
    assert "demo data loaded" in first.output
    assert "organizer    organizer2026" in first.output
    second = runner.invoke(args=["demo", "--if-empty"])
    assert "already has data" in second.output
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(Competition)) == 4
        )  # past, current, organizer2's Jincheng, and the contest on its day
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        assert organizer.role == Role.ORGANIZER
        owned = db.session.scalars(select(Competition).where(Competition.owner_id == organizer.id)).all()
        assert {c.name for c in owned} == {demo.names()["past"], demo.names()["current"], demo.names()["today"]}


def test_demo_past_competition_is_the_small_example_with_final_results(app):
    app.test_cli_runner().invoke(args=["demo"])
    with app.app_context():
        from compete.results import services as results

        past = db.session.scalar(select(Competition).where(Competition.name == demo.names()["past"]))
        assert results.is_final(past.id)
        exported = results.results_export(past)
        ranked = [row for event in exported["events"] for row in event["results"] if row["rank"] is not None]
        assert [row["name"] for row in ranked[:2]] == ["张伟", "刘洋"]  # as examples/small.json's marks rank them
