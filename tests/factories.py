"""Small builders for test data, going through the same services as the screens."""

from datetime import date, datetime
from decimal import Decimal

from compete.accounts import services as accounts
from compete.accounts.models import Role
from compete.competitions import services as competitions
from compete.extensions import db
from compete.rules import idcard

PASSWORD = "secret123"


def make_user(username="organizer", role=Role.ORGANIZER, **extra):
    return accounts.create_user(None, username=username, password=PASSWORD, display_name=username, role=role, **extra)


def competition_values(**changes) -> dict:
    return {
        "name": "2026年宿迁市职业技能大赛",
        "level": "municipal-1",
        "year": 2026,
        "starts_on": date(2026, 12, 15),
        "ends_on": date(2026, 12, 16),
        "venue": "宿迁技师学院",
        "organizer_body": "宿迁市人力资源和社会保障局",
        "policy_preset": "suqian",
        "description": "",
    } | changes


def event_values(**changes) -> dict:
    return {
        "code": "HG-W",
        "name": "焊工(职工组)",
        "occupation": "焊工",
        "group": "worker",
        "theory_weight": Decimal("0.3"),
        "practical_weight": Decimal("0.7"),
        "aggregation": "trimmed_mean",
        "tie_breaks": "total,time,practical,theory",
        "award_scheme": "medals",
        "pass_mark": Decimal(60),
        "judges_per_station": 5,
        "discrepancy_percent": 20,
        "shared_ranks": True,
        "capacity": 40,
        "registration_opens_at": datetime(2026, 10, 1, 9),
        "registration_closes_at": datetime(2026, 12, 1, 17),
        "min_age": 18,
        "max_age": 60,
        "required_grade": None,
    } | changes


def scheme_rows(*rows) -> list[dict]:
    rows = rows or (("A1", "measurement", "60", "0.5"), ("B1", "judgement", "40", "1"))
    return [
        {"code": code, "name": f"评分项{code}", "kind": kind, "max_mark": Decimal(maximum), "step": Decimal(step)}
        for code, kind, maximum, step in rows
    ]


def make_competition(owner, **changes):
    return competitions.create_competition(owner, competition_values(**changes))


def make_event(owner, competition, *, rows=None, **changes):
    event = competitions.create_event(owner, competition, event_values(**changes))
    competitions.replace_marking_scheme(owner, event, rows if rows is not None else scheme_rows())
    return event


def valid_id_number(body="32130219900307001") -> str:
    return body + idcard.check_character(body)


def sign_in(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def commit():
    db.session.commit()
