"""The talent registry: persons are identified by a valid resident ID number."""

from datetime import date

import pytest

from compete.errors import Conflict, InvalidInput
from compete.people import services
from compete.people.models import Gender
from tests.factories import make_user, valid_id_number

pytestmark = pytest.mark.usefixtures("ctx")


def test_birth_date_and_gender_come_from_the_id_number():
    person = services.add_person(make_user(), name="王秀英", id_number="11010519491231002X")
    assert person.birth_date == date(1949, 12, 31)
    assert person.gender == Gender.FEMALE


def test_full_width_and_lower_case_numbers_are_stored_normalized():
    person = services.add_person(make_user(), name="王秀英", id_number=" １１０１０５１９４９１２３１００２ｘ ")
    assert person.id_number == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "length"),
        ("110105194912310021", "check_character"),
        ("110105194913310025", "birth_date"),
        ("", "empty"),
    ],
)
def test_invalid_numbers_are_refused_with_their_reason(number, reason):
    with pytest.raises(InvalidInput) as refused:
        services.add_person(make_user(), name="某人", id_number=number)
    assert refused.value.field == "id_number"
    assert str(refused.value.message) == str(services.ID_NUMBER_ERRORS[reason])


def test_a_person_is_never_registered_twice():
    organizer = make_user()
    services.add_person(organizer, name="张伟", id_number=valid_id_number())
    with pytest.raises(Conflict):
        services.add_person(organizer, name="张伟", id_number=valid_id_number().lower())


def test_an_unknown_grade_is_refused():
    with pytest.raises(InvalidInput) as refused:
        services.add_person(make_user(), name="张伟", id_number=valid_id_number(), grade="g0")
    assert refused.value.field == "grade"
