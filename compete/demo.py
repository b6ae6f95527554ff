"""Demo data for a first look: accounts for every role, a small registry, and competitions at every stage."""

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from compete.accounts import services as accounts
from compete.accounts.models import Role
from compete.columns import local_now
from compete.competitions import services as competitions
from compete.extensions import db
from compete.honours import selection
from compete.honours.models import SelectionRound, TitleLevel
from compete.people import services as people
from compete.people.models import Region, RegionLevel, UnitKind
from compete.rules import idcard

# The demo's finished competition is one of the shipped example scenarios.
PAST_SCENARIO = Path(__file__).resolve().parent.parent / "examples" / "small.json"

ACCOUNTS = (
    ("admin", "admin2026", Role.ADMIN),
    ("organizer", "organizer2026", Role.ORGANIZER),
    ("organizer2", "organizer2026", Role.ORGANIZER),
    ("chief", "chief2026", Role.CHIEF_JUDGE),
    ("judge", "judge2026", Role.JUDGE),
    ("officer", "officer2026", Role.ENCRYPTION_OFFICER),
    ("supervisor", "supervisor2026", Role.SUPERVISOR),
    ("unit", "unit2026", Role.UNIT_CONTACT),
    ("competitor", "competitor2026", Role.COMPETITOR),
)
DISPLAY_NAMES = {
    "admin": "系统管理员",
    "organizer": "王芳(宿迁市人社局)",
    "organizer2": "赵强(晋城市人社局)",
    "chief": "陈建国",
    "judge": "李明",
    "officer": "周静",
    "supervisor": "孙立",
    "unit": "刘洋(洋河酒厂)",
    "competitor": "张伟",
}
REGIONS = (
    ("320000", "江苏省", RegionLevel.PROVINCE, None),
    ("321300", "宿迁市", RegionLevel.CITY, "320000"),
    ("321302", "宿城区", RegionLevel.COUNTY, "321300"),
    ("321311", "宿豫区", RegionLevel.COUNTY, "321300"),
    ("321322", "沭阳县", RegionLevel.COUNTY, "321300"),
    ("321323", "泗阳县", RegionLevel.COUNTY, "321300"),
    ("321324", "泗洪县", RegionLevel.COUNTY, "321300"),
    ("140000", "山西省", RegionLevel.PROVINCE, None),
    ("140500", "晋城市", RegionLevel.CITY, "140000"),
    ("140502", "城区", RegionLevel.COUNTY, "140500"),
)
UNITS = (
    ("江苏洋河酒厂股份有限公司", UnitKind.EMPLOYER, "321302"),
    ("宿迁技师学院", UnitKind.SCHOOL, "321311"),
    ("沭阳中等专业学校", UnitKind.SCHOOL, "321322"),
    ("双沟酒业股份有限公司", UnitKind.EMPLOYER, "321324"),
    ("国网宿迁供电公司", UnitKind.EMPLOYER, "321302"),
    ("晋城市技师学院", UnitKind.SCHOOL, "140502"),
)
# (name, body of the ID number without its check character, unit index, grade)
PERSONS = (
    ("张伟", "32130219900307001", 0, "g3"),
    ("王秀英", "32131119880512002", 0, "g2"),
    ("李强", "32132219950821003", 3, "g4"),
    ("刘洋", "32132319921103005", 4, "g3"),
    ("陈静", "32132420040215002", 2, "none"),
    ("杨帆", "32131120050630007", 1, "g5"),
    ("周杰", "32130219870415001", 1, "g4"),
    ("吴磊", "32132219930920005", 2, "g4"),
    ("郑浩", "32132419891111003", 4, "g3"),
)
# Judges of the competition-day demo: one from each unit but the last and one from outside them,
# so that avoidance always leaves five of six judges for every station.
JUDGES = (
    ("李明", "32130219750101001", 0),
    ("陈建国", "32131119700202003", 1),
    ("黄振华", "32132219720303005", 2),
    ("徐丽", "32132419780404002", 3),
    ("马超", "32130219690505007", 4),
    ("高峰", "32130219710606009", None),
)
HG_CRITERIA = (
    ("A1", "焊缝外观成形", "measurement", "20", "0.5"),
    ("A2", "焊缝尺寸偏差", "measurement", "30", "0.5"),
    ("A3", "射线探伤检验", "measurement", "30", "1"),
    ("B1", "焊接工艺规范", "judgement", "10", "1"),
    ("B2", "安全文明生产", "judgement", "10", "1"),
)
DG_CRITERIA = (
    ("A1", "电路安装与接线", "measurement", "40", "0.5"),
    ("A2", "PLC编程与调试", "measurement", "40", "0.5"),
    ("B1", "职业素养与安全", "judgement", "20", "1"),
)


def schedule(today: date | None = None) -> dict[str, date]:
    """First days relative to today, so a fresh demo always has an event open for registration and one on its day."""
    today = today or local_now().date()
    upcoming = today + timedelta(days=35)
    past = upcoming - timedelta(days=365)
    return {"past": past, "current": upcoming, "jincheng": upcoming - timedelta(days=7), "today": today}


def names(today: date | None = None) -> dict[str, str]:
    """The demo competitions' names, which carry their year."""
    days = schedule(today)
    return {
        "past": f"{days['past'].year}年宿迁市职业技能大赛",
        "current": f"{days['current'].year}年宿迁市职业技能大赛",
        "jincheng": f"{days['jincheng'].year}年晋城市城区职业技能竞赛",
        "today": f"{days['today'].year}年宿迁市焊工技能比武",
    }


def load() -> None:
    users = {
        username: accounts.create_user(
            None, username=username, password=password, display_name=DISPLAY_NAMES[username], role=role
        )
        for username, password, role in ACCOUNTS
    }
    admin, organizer = users["admin"], users["organizer"]
    regions = {}
    for code, name, level, parent in REGIONS:
        regions[code] = people.add_region(admin, code=code, name=name, level=level, parent=regions.get(parent))
    units = [people.add_unit(admin, name=name, kind=kind, region=regions[region]) for name, kind, region in UNITS]
    users["unit"].unit = units[0]
    persons = []
    for name, body, unit_index, grade in PERSONS:
        person = people.add_person(
            admin, name=name, id_number=body + idcard.check_character(body), unit=units[unit_index], grade=grade
        )
        persons.append(person)
        if name == "张伟":
            users["competitor"].person = person
    days = schedule()
    current = _competition(organizer, days["current"])
    _event(organizer, current, "HG-W", "焊工(职工组)", "焊工", "worker", HG_CRITERIA, regions["321300"])
    _event(organizer, current, "DG-S", "电工(学生组)", "电工", "student", DG_CRITERIA, regions["321300"])
    competitions.set_announced(organizer, current, True)
    _jincheng(users["organizer2"], regions["140500"], days["jincheng"])
    _competition_day(users, units, persons, regions["321300"], days["today"])
    _past_competition(organizer, days["past"])
    _honours(admin, organizer, regions)


def _competition(owner, starts_on: date, name: str | None = None):
    year = starts_on.year
    return competitions.create_competition(
        owner,
        {
            "name": name or f"{year}年宿迁市职业技能大赛",
            "level": "municipal-1",
            "year": year,
            "starts_on": starts_on,
            "ends_on": starts_on + timedelta(days=1),
            "venue": "宿迁技师学院实训中心",
            "organizer_body": "宿迁市人力资源和社会保障局",
            "policy_preset": "suqian",
            "description": "报名对象:宿迁市行政区域内企业职工及院校在校学生。报名截止后不再受理。",
        },
    )


def _event(owner, competition, code, name, occupation, group, criteria, region):
    student = group == "student"
    event = competitions.create_event(
        owner,
        competition,
        {
            "code": code,
            "name": name,
            "occupation": occupation,
            "group": group,
            "theory_weight": Decimal("0.2" if student else "0.3"),
            "practical_weight": Decimal("0.8" if student else "0.7"),
            "aggregation": "mean" if student else "trimmed_mean",
            "tie_breaks": "total,time,practical,theory",
            "award_scheme": "prize_shares" if student else "medals",
            "pass_mark": Decimal(60),
            "judges_per_station": 3 if student else 5,
            "discrepancy_percent": 20,
            "shared_ranks": True,
            "capacity": 60,
            # Opens ten weeks before and closes two weeks before the first day, as bureaus usually do.
            "registration_opens_at": datetime.combine(competition.starts_on - timedelta(weeks=10), time(9)),
            "registration_closes_at": datetime.combine(competition.starts_on - timedelta(weeks=2), time(17)),
            "min_age": 16,
            "max_age": 25 if student else 60,
            "required_grade": None,
        },
        regions=[region],
    )
    competitions.replace_marking_scheme(
        owner,
        event,
        [{"code": c, "name": n, "kind": k, "max_mark": Decimal(m), "step": Decimal(s)} for c, n, k, m, s in criteria],
    )
    return event


def _jincheng(owner, region, starts_on: date) -> None:
    competition = competitions.create_competition(
        owner,
        {
            "name": f"{starts_on.year}年晋城市城区职业技能竞赛",
            "level": "district",
            "year": starts_on.year,
            "starts_on": starts_on,
            "ends_on": starts_on,
            "venue": "晋城市技师学院",
            "organizer_body": "晋城市城区人力资源和社会保障局",
            "policy_preset": "jincheng",
            "description": "",
        },
    )
    _event(owner, competition, "DG-S", "电工(学生组)", "电工", "student", DG_CRITERIA, region)


def _competition_day(users, units, persons, region, today: date) -> None:
    """A contest on its day: approved competitors waiting for check-in, a judge registry, an officer named."""
    from compete.extensions import db
    from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
    from compete.venue import judging
    from compete.venue import services as venue

    organizer = users["organizer"]
    competition = _competition(organizer, today, names(today)["today"])
    competitions.set_announced(organizer, competition, True)
    event = _event(organizer, competition, "HG-W", "焊工(职工组)", "焊工", "worker", HG_CRITERIA, region)
    for person in persons:
        db.session.add(
            Registration(
                event=event,
                person=person,
                unit=person.unit,
                status=RegistrationStatus.APPROVED,
                source=RegistrationSource.ORGANIZER,
                submitted_by=organizer,
                decided_by=organizer,
                decided_at=local_now(),
            )
        )
    for name, body, unit_index in JUDGES:
        unit = units[unit_index] if unit_index is not None else None
        person = people.add_person(users["admin"], name=name, id_number=body + idcard.check_character(body), unit=unit)
        judging.add_judge(users["admin"], person, occupations="焊工", qualification="国家职业技能竞赛裁判员")
    venue.assign_officer(organizer, event, users["officer"])


def _past_competition(organizer, starts_on: date) -> None:
    """Last year's contest with final results: the small example scenario, dated a year back."""
    from compete.scenarios import loader

    scenario = json.loads(PAST_SCENARIO.read_text(encoding="utf-8"))
    scenario["competition"].update(name=names()["past"], year=starts_on.year, date=starts_on.isoformat())
    loader.load(scenario, organizer, finalize=True)


def _honours(admin, organizer, regions) -> None:
    """The seeds' annual targets, the title catalogue and this year's selection rounds."""
    from compete.honours import targets

    targets.demo_targets(regions, admin)
    selection_rounds(organizer)


DEMO_TITLES = (
    ("宿迁市技术能手", TitleLevel.MUNICIPAL, "宿迁市人力资源和社会保障局"),
    ("宿迁市企业首席技师", TitleLevel.MUNICIPAL, "宿迁市人力资源和社会保障局"),
    ("江苏省技术能手", TitleLevel.PROVINCIAL, "江苏省人力资源和社会保障厅"),
    ("全国技术能手", TitleLevel.NATIONAL, "人力资源和社会保障部"),
    ("天津市技术能手", TitleLevel.MUNICIPAL, "天津市人力资源和社会保障局"),
    ("城区技术能手", TitleLevel.DISTRICT, "晋城市城区人力资源和社会保障局"),
    ("哈尔滨市首席技师", TitleLevel.MUNICIPAL, "哈尔滨市人力资源和社会保障局"),
    ("龙江技术能手", TitleLevel.PROVINCIAL, "黑龙江省人力资源和社会保障厅"),
)
# The Suqian targets (DOMAIN.md §1): 50 Technical Experts and 20 enterprise Chief Technicians a year.
DEMO_ROUNDS = (("宿迁市技术能手", 50, []), ("宿迁市企业首席技师", 20, [{"kind": "min_grade", "grade": "g2"}]))
SUQIAN_CODE = "321300"


def selection_rounds(owner) -> list[SelectionRound]:
    """The demo's title catalogue and this year's two Suqian rounds, taking recommendations; safe to run twice."""
    by_name = {title.name: title for title in selection.titles()}
    for name, level, body in DEMO_TITLES:
        if name not in by_name:
            by_name[name] = selection.add_title(owner, name=name, level=level.value, awarding_body=body)
    region = db.session.scalar(select(Region).where(Region.code == SUQIAN_CODE))
    year = local_now().year
    created = []
    for name, quota, eligibility in DEMO_ROUNDS:
        title = by_name[name]
        existing = db.session.scalar(
            select(SelectionRound).where(SelectionRound.title_id == title.id, SelectionRound.year == year)
        )
        created.append(
            existing
            or selection.create_round(
                owner, title=title, year=year, quota=quota, region=region, eligibility=eligibility
            )
        )
    return created
