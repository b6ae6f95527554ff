"""Registering, withdrawing and reviewing registrations."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from compete.accounts.models import Role
from compete.audit.models import AuditEntry
from compete.errors import Conflict, InvalidInput
from compete.extensions import db
from compete.people import services as people
from compete.people.models import Region, RegionLevel, Unit, UnitKind
from compete.registration import services
from compete.registration.models import Registration, RegistrationSource, RegistrationStatus
from tests.factories import make_competition, make_event, make_user, valid_id_number

pytestmark = pytest.mark.usefixtures("ctx")
OPEN = datetime(2026, 11, 1, 12)
PORTAL = RegistrationSource.PORTAL


@pytest.fixture
def organizer():
    return make_user()


@pytest.fixture
def event(organizer):
    return make_event(organizer, make_competition(organizer), min_age=18, max_age=60, capacity=2)


@pytest.fixture
def applicant(organizer):
    return make_user("zhangwei", Role.COMPETITOR)


def person(organizer, body="32130219900307001", name="张伟", **extra):
    return people.match_or_add_person(organizer, name=name, id_number=valid_id_number(body), **extra)


def test_a_registration_is_submitted_once_and_audited(event, organizer, applicant):
    zhang = person(organizer)
    registration = services.register(applicant, event, zhang, source=PORTAL, now=OPEN)
    assert registration.status == RegistrationStatus.SUBMITTED
    assert len(registration.ticket_token) >= 32
    with pytest.raises(Conflict):
        services.register(applicant, event, zhang, source=PORTAL, now=OPEN)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.submit")).actor_id == applicant.id
    )


@pytest.mark.parametrize("now", [datetime(2026, 9, 30), datetime(2026, 12, 1, 17), datetime(2027, 1, 1)])
def test_self_service_outside_the_window_is_refused(event, organizer, applicant, now):
    with pytest.raises(InvalidInput):
        services.register(applicant, event, person(organizer), source=PORTAL, now=now)


def test_an_organizer_may_enter_someone_after_the_window(event, organizer):
    registration = services.register(
        organizer, event, person(organizer), source=RegistrationSource.ORGANIZER, now=datetime(2026, 12, 10)
    )
    assert registration.status == RegistrationStatus.SUBMITTED


def test_a_full_event_refuses_new_registrations(event, organizer, applicant):
    for body in ("32130219900307011", "32130219900307021"):
        services.approve(
            organizer,
            services.register(applicant, event, person(organizer, body, name=body[-3:]), source=PORTAL, now=OPEN),
        )
    with pytest.raises(InvalidInput):
        services.register(applicant, event, person(organizer), source=PORTAL, now=OPEN)


def test_withdrawing_then_registering_again_reuses_the_entry(event, organizer, applicant):
    zhang = person(organizer)
    first = services.register(applicant, event, zhang, source=PORTAL, now=OPEN)
    services.withdraw(applicant, first, now=OPEN)
    assert first.status == RegistrationStatus.WITHDRAWN
    again = services.register(applicant, event, zhang, source=PORTAL, now=OPEN)
    assert again is first and again.status == RegistrationStatus.SUBMITTED


def test_an_applicant_cannot_withdraw_after_the_window_but_an_organizer_can(event, organizer, applicant):
    registration = services.register(applicant, event, person(organizer), source=PORTAL, now=OPEN)
    with pytest.raises(InvalidInput):
        services.withdraw(applicant, registration, now=datetime(2026, 12, 2))
    services.withdraw(organizer, registration)
    assert registration.status == RegistrationStatus.WITHDRAWN


def test_a_rejection_needs_a_reason_the_applicant_sees(event, organizer, applicant):
    registration = services.register(applicant, event, person(organizer), source=PORTAL, now=OPEN)
    with pytest.raises(InvalidInput) as refused:
        services.reject(organizer, registration, "  ")
    assert refused.value.field == "reason"
    services.reject(organizer, registration, "证书信息不全")
    assert (registration.status, registration.rejection_reason) == (RegistrationStatus.REJECTED, "证书信息不全")
    assert registration.decided_by == organizer


def test_an_ineligible_applicant_is_approved_only_with_a_reason(event, organizer, applicant):
    young = person(organizer, "32130220100101001", name="小王")  # 16 on the competition date
    registration = services.register(applicant, event, young, source=PORTAL, now=OPEN)
    assert [f.check for f in services.eligibility_failures(registration)] == ["too_young"]
    with pytest.raises(InvalidInput) as refused:
        services.approve(organizer, registration)
    assert refused.value.field == "override_reason"
    assert registration.status == RegistrationStatus.SUBMITTED
    services.approve(organizer, registration, override_reason="经组委会特批")
    assert registration.override_reason == "经组委会特批"


def test_regions_include_the_regions_above_the_unit(organizer, applicant):
    province = Region(code="320000", name="江苏省", level=RegionLevel.PROVINCE)
    city = Region(code="321300", name="宿迁市", level=RegionLevel.CITY, parent=province)
    county = Region(code="321322", name="沭阳县", level=RegionLevel.COUNTY, parent=city)
    elsewhere = Region(code="140500", name="晋城市", level=RegionLevel.CITY)
    db.session.add_all([province, city, county, elsewhere])
    event = make_event(organizer, make_competition(organizer))
    event.eligible_regions = [city]
    local = Unit(name="沭阳中专", kind=UnitKind.SCHOOL, region=county)
    remote = Unit(name="晋城技师学院", kind=UnitKind.SCHOOL, region=elsewhere)
    inside = services.register(applicant, event, person(organizer, unit=local), source=PORTAL, now=OPEN)
    outside = services.register(
        applicant, event, person(organizer, "32130219900307011", name="李四", unit=remote), source=PORTAL, now=OPEN
    )
    assert services.eligibility_failures(inside) == []
    assert [f.check for f in services.eligibility_failures(outside)] == ["region"]


def test_bulk_decisions_report_the_refused_and_decide_the_rest(event, organizer, applicant):
    ok = services.register(applicant, event, person(organizer), source=PORTAL, now=OPEN)
    young = services.register(
        applicant, event, person(organizer, "32130220100101001", name="小王"), source=PORTAL, now=OPEN
    )
    refused = services.decide_many(organizer, [ok, young], approve_them=True)
    assert [registration for registration, _ in refused] == [young]
    assert ok.status == RegistrationStatus.APPROVED and young.status == RegistrationStatus.SUBMITTED


def test_a_known_id_number_under_another_name_is_refused_not_merged(organizer):
    person(organizer)
    with pytest.raises(Conflict) as refused:
        person(organizer, name="张玮")
    assert refused.value.field == "id_number"


def test_matching_a_known_person_updates_contact_details_without_duplicating(organizer):
    first = person(organizer)
    again = person(organizer, phone="13912345678")
    assert again is first and first.phone == "13912345678"
    assert first.birth_date == date(1990, 3, 7)


def test_checking_many_at_once_agrees_with_checking_one_by_one(event, organizer, applicant):
    entries = [
        services.register(
            applicant, event, person(organizer, f"3213021990030701{n}", name=f"选手{n}"), source=PORTAL, now=OPEN
        )
        for n in range(3)
    ]
    for entry in entries[:2]:
        services.approve(organizer, entry)  # capacity 2: now full
    approved = services.approved_count(event)
    for entry in entries:
        assert services.eligibility_failures(entry, approved_in_event=approved) == services.eligibility_failures(entry)
    assert [f.check for f in services.eligibility_failures(entries[2])] == ["capacity"]
