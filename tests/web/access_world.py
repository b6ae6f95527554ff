"""The world of the access matrix: two organizers' competitions at every stage, and a user of every role."""

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from compete.accounts.models import Role
from compete.certificates import designs
from compete.certificates import jobs as certificate_jobs
from compete.certificates import services as certificates
from compete.certificates.models import Certificate, PrintFile
from compete.competitions import services as competitions
from compete.extensions import db
from compete.honours import policies, selection
from compete.honours import targets as target_services
from compete.honours.models import Outcome
from compete.jobs import services as jobs
from compete.people import services as people
from compete.people.models import Region, RegionLevel, Unit
from compete.registration import importing
from compete.registration import jobs as registration_jobs
from compete.registration import services as registration
from compete.registration.models import Registration, RegistrationSource
from compete.registration.sheet_template import template_workbook
from compete.results import appeals
from compete.results import services as results
from compete.venue import judging
from compete.venue import services as venue
from compete.venue.models import DrawStage, Judge, PanelRole
from tests import certificate_world
from tests.factories import PASSWORD, make_competition, make_event, make_user
from tests.venue_world import person, score_the_day

MINE = "2026年宿迁市宿城区职业技能竞赛"  # the venue competition of "organizer": published, an appeal open
MINE_FINAL = "2026年宿迁市职业技能大赛"  # the small example, final, certificates issued (also "organizer"'s)
THEIRS = "2026年晋城市城区职业技能竞赛"  # the small example again, final, owned by "other_organizer"
# Names that exist only in MINE's event: a page refused to someone must not show them.
NEWCOMERS = ("欧阳明月", "司马青山", "上官海棠")
UNITLESS = "独孤求败"  # signed up without a unit, registered for MINE's open event
IMPORT_TOKEN = "accessmatrixtoken-0123456789"

# How each column of the matrix signs in: a username with the password, or a judge's badge link.
PASSWORD_USERS = {
    "competitor": "competitor",
    "unit_contact": "unit_contact",
    "venue_account": "chief_account",
    "encryption_officer": "officer",
    "supervisor": "supervisor",
    "other_organizer": "other_organizer",
    "organizer": "organizer",
    "admin": "admin",
}
LINK_USERS = ("judge", "chief_judge")


def _judge_named(name: str) -> Judge:
    from compete.people.models import Person

    return db.session.scalar(select(Judge).join(Person).where(Person.name == name))


def _certificate_of(competition_id: int, id_number: str) -> Certificate:
    return next(
        c
        for c in certificates.certificates_of(competition_id=competition_id)
        if c.person.id_number == id_number and c.status.value == "valid"
    )


def _users() -> dict:
    users = {
        "admin": make_user("admin", Role.ADMIN),
        "organizer": make_user("organizer", Role.ORGANIZER),
        "other_organizer": make_user("other_organizer", Role.ORGANIZER),
        "supervisor": make_user("supervisor", Role.SUPERVISOR),
        "officer": make_user("officer", Role.ENCRYPTION_OFFICER),
        "other_officer": make_user("other_officer", Role.ENCRYPTION_OFFICER),
        "chief_account": make_user("chief_account", Role.CHIEF_JUDGE),
        # A unit contact whose account was made without a unit: a slip the accounts screen allows.
        "unitless_contact": make_user("unitless_contact", Role.UNIT_CONTACT),
    }
    return users


def _venue_event(users: dict, unit_a: Unit, unit_b: Unit, unit_c: Unit) -> dict:
    """MINE's event on its day: registered, checked in, drawn, judged, locked, decrypted, reviewed."""
    organizer = users["organizer"]
    competition = make_competition(organizer, name=MINE)
    competitions.set_announced(organizer, competition, True)
    event = make_event(organizer, competition, judges_per_station=2, aggregation="mean", code="HG-M")
    open_event = make_event(organizer, competition, code="DG-M", name="电工(职工组)", occupation="电工")
    zhang, liu, wang = (
        certificate_world.person(number)
        for number in (certificate_world.ZHANG, certificate_world.LIU, certificate_world.WANG)
    )
    entrants = [
        (zhang, unit_a),
        (liu, unit_a),
        (wang, unit_b),
        (person(NEWCOMERS[0], 301, unit_b), unit_b),
        (person(NEWCOMERS[1], 302, unit_c), unit_c),
        (person(NEWCOMERS[2], 303, unit_c), unit_c),
    ]
    registered = []
    for someone, unit in entrants:
        entered = registration.register(organizer, event, someone, source=RegistrationSource.ORGANIZER, unit=unit)
        registration.approve(organizer, entered)
        registered.append(entered)
    supervisor = users["supervisor"]
    venue.assign_officer(organizer, event, users["officer"])
    for entry in venue.entries(event):
        venue.check_in(organizer, event, entry)
    venue.close_check_in(organizer, event)
    witness = venue.witness("supervisor", PASSWORD)
    venue.run_draw(organizer, event, DrawStage.COMPETITOR_NUMBERS, witness)
    venue.run_draw(organizer, event, DrawStage.STATIONS, witness)
    # The small example's judges work in none of the competitors' units: no one has to stand aside.
    # The chief judge marks no station: only judges' seats take stations.
    judge, chief, third = _judge_named("李明"), _judge_named("周敏"), _judge_named("吴刚")
    judging.seat_judge(organizer, event, judge, PanelRole.JUDGE)
    chief_seat = judging.seat_judge(organizer, event, chief, PanelRole.CHIEF)
    third_seat = judging.seat_judge(organizer, event, third, PanelRole.JUDGE)
    stations = sorted(venue.station_numbers(event))
    judging.assign_station_judges(organizer, event, dict.fromkeys(stations, (judge.id, third.id)))
    judge_link = judging.issue_link(organizer, event, judge)
    chief_link = judging.issue_link(organizer, event, chief)
    third_link = judging.issue_link(organizer, event, third)
    score_the_day({"event": event, "organizer": organizer, "supervisor": supervisor})
    results.review(organizer, event, supervisor)
    results.publish(organizer, competition, publicity_days=7, appeal_hours=72)
    loner = registration.register(
        organizer, open_event, person(UNITLESS, 304, None), source=RegistrationSource.PORTAL, unit=None
    )
    competitor_entry = appeals.entry_of(registered[0])
    appeal = appeals.file_appeal(users["competitor"], competitor_entry, "计时有误")
    return {
        "competition": competition,
        "event": event,
        "open_event": open_event,
        "registrations": registered,
        "unitless_registration": loner,
        "entries": [appeals.entry_of(r) for r in registered],
        "station": stations[0],
        "criterion": event.criteria[0],
        "seat": third_seat,
        "chief_seat": chief_seat,
        "links": {"judge": judge_link, "chief_judge": chief_link, "third": third_link},
        "appeal": appeal,
    }


def remove_upload() -> None:
    """The checked upload that build() leaves in the storage folder, if the tests did not import it."""
    folder = Path(current_app.config["STORAGE_FOLDER"]) / "imports"
    for path in folder.glob(f"event-*-{IMPORT_TOKEN}.xlsx"):
        path.unlink()


def build() -> dict:
    """Everything the matrix fills its URLs with; call inside a request context, then commit."""
    users = _users()
    organizer, other = users["organizer"], users["other_organizer"]
    mine_final = certificate_world.final(organizer)
    theirs = certificate_world.final(other, name=THEIRS)
    unit_a = certificate_world.person(certificate_world.ZHANG).unit
    unit_b = certificate_world.person(certificate_world.WANG).unit
    unit_c = certificate_world.person(certificate_world.LI).unit
    users["competitor"] = make_user(
        "competitor", Role.COMPETITOR, person=certificate_world.person(certificate_world.ZHANG)
    )
    users["unit_contact"] = make_user("unit_contact", Role.UNIT_CONTACT, unit=unit_a)
    day = _venue_event(users, unit_a, unit_b, unit_c)
    certificates.issue_certificates(organizer, mine_final)
    certificates.issue_certificates(other, theirs)
    issuer = designs.issuer_of_competition(mine_final)
    their_issuer = designs.issuer_of_competition(theirs)
    selection_round = certificate_world.closed_round(organizer)
    their_title = selection.add_title(other, name="晋城市技术能手", level="municipal", awarding_body="晋城市人社局")
    their_round = selection.create_round(other, title=their_title, year=2026, quota=1)
    their_candidate = selection.recommend(other, their_round, certificate_world.person(certificate_world.CHEN))
    region = people.add_region(organizer, code="321300", name="宿迁市", level=RegionLevel.CITY)
    target = target_services.set_target(organizer, region=region, year=2026, kind="promotions", value=5)
    own_policy = policies.copy_preset(organizer, "suqian")
    print_job = jobs.create_job(
        organizer, certificate_jobs.PRINT, certificate_jobs.print_params(issuer, None), locale="en"
    )
    check_job = jobs.create_job(
        organizer, registration_jobs.CHECK, {"event_id": day["event"].id, "token": IMPORT_TOKEN}, locale="en"
    )
    # A print file as the print job leaves it; rendering a real batch would cost seconds and prove nothing here.
    printed = PrintFile(
        owner_id=organizer.id, competition_id=mine_final.id, file_name="prints.pdf", count=1, pdf=b"%PDF-1.4"
    )
    db.session.add(printed)
    importing.upload_path(day["event"], IMPORT_TOKEN).write_bytes(template_workbook())
    outcome = db.session.scalars(select(Outcome).where(Outcome.competition_id == mine_final.id)).first()
    their_outcome = db.session.scalars(select(Outcome).where(Outcome.competition_id == theirs.id)).first()
    their_event = next(e for e in theirs.events if e.code == "HG-W")
    their_registration = db.session.scalars(
        select(Registration).where(Registration.event_id == their_event.id).order_by(Registration.id)
    ).first()
    db.session.flush()
    event = day["event"]
    registrations = day["registrations"]
    return {
        "secrets": (MINE, MINE_FINAL, *NEWCOMERS, UNITLESS),
        "tokens": {role: day["links"][role].token for role in LINK_USERS},
        "third_token": day["links"]["third"].token,
        "ticket_token": registrations[0].ticket_token,
        "verify_token": _certificate_of(mine_final.id, certificate_world.ZHANG).token,
        "args": {
            "competition_id": day["competition"].id,
            "event_id": event.id,
            "event_code": event.code,
            "seat_id": day["seat"].id,
            "link_id": day["links"]["third"].id,
            "stage": DrawStage.COMPETITOR_NUMBERS.value,
            "registration_id": registrations[0].id,
            "appeal_id": day["appeal"].id,
            "station": day["station"],
            "criterion_id": day["criterion"].id,
            "certificate_id": _certificate_of(mine_final.id, certificate_world.ZHANG).id,
            "issuer_id": issuer.id,
            "kind": "award",
            "print_id": printed.id,
            "outcome_id": outcome.id,
            "round_id": selection_round.id,
            "person_id": registrations[0].person_id,
            "target_id": target.id,
            "policy_id": own_policy.id,
            "preset_id": "suqian",
            "job_id": print_job.id,
            "token": IMPORT_TOKEN,
            "check_job_id": check_job.id,
            "judge_id": day["links"]["judge"].judge_id,
            "entry_id": day["entries"][0].id,
            "region_id": region.id,
        },
        "mine_final": mine_final.id,
        "open_event": day["open_event"].id,
        "entries": [entry.id for entry in day["entries"]],
        "registrations": [r.id for r in registrations],
        "unitless_registration": day["unitless_registration"].id,
        "their": {
            "competition": theirs.id,
            "event": their_event.id,
            "criterion": their_event.criteria[0].id,
            "registration": their_registration.id,
            "entry": appeals.entry_of(their_registration).id,
            "certificate": _certificate_of(theirs.id, certificate_world.ZHANG).id,
            "issuer": their_issuer.id,
            "outcome": their_outcome.id,
            "round": their_round.id,
            "candidate": their_candidate.id,
        },
        "certificates": {
            "colleague": _certificate_of(mine_final.id, certificate_world.LIU).id,
            "other_unit": _certificate_of(mine_final.id, certificate_world.WANG).id,
        },
        "units": {"a": unit_a.id, "b": unit_b.id},
        "region": db.session.scalar(select(Region.id).where(Region.code == "321300")),
    }
