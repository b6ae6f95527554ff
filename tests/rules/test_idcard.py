"""Tests for resident ID number parsing, masking and age calculation."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compete.rules import idcard
from compete.rules.idcard import IdCard, InvalidIdNumber

TODAY = date(2024, 6, 15)


def full_width(text: str) -> str:
    """Return ``text`` with ASCII digits and x/X in full-width form, as typed via a Chinese IME."""
    table = {str(d): chr(0xFF10 + d) for d in range(10)} | {"X": "\uff38", "x": "\uff58"}
    return "".join(table.get(ch, ch) for ch in text)


def test_full_width_helper():
    assert full_width("09Xx-") == "\uff10\uff19\uff38\uff58-"
    assert DEVANAGARI_BODY.isdigit() and len(DEVANAGARI_BODY) == 17


def reference_check(body: str) -> str:
    """Independent GB 11643 checksum (ISO 7064 MOD 11-2) used to build expectations."""
    # ISO 7064 MOD 11-2 weights each digit by 2**k mod 11, with k counted from the
    # check position, so this shares no table with the code under test.
    total = sum(int(ch) * pow(2, 17 - i, 11) for i, ch in enumerate(body))
    return "10X98765432"[total % 11]


def valid(body: str) -> str:
    return body + reference_check(body)


def wrong(body: str) -> str:
    right = reference_check(body)
    return body + ("0" if right != "0" else "1")


def test_reference_check_matches_published_weights():
    # Guard the test oracle itself against the weight table in the standard.
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    assert weights == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize(
    ("number", "region", "birth", "gender"),
    [
        ("11010519491231002X", "110105", date(1949, 12, 31), "female"),
        ("321302199003070019", "321302", date(1990, 3, 7), "male"),
    ],
)
def test_known_numbers(number, region, birth, gender):
    assert reference_check(number[:17]) == number[17]
    assert idcard.parse(number, today=TODAY) == IdCard(number, region, birth, gender)
    assert idcard.is_valid(number)


@pytest.mark.parametrize(
    ("body", "gender"),
    [
        ("32010219900101001", "male"),
        ("32010219900101003", "male"),
        ("32010219900101005", "male"),
        ("32010219900101007", "male"),
        ("32010219900101009", "male"),
        ("32010219900101000", "female"),
        ("32010219900101002", "female"),
        ("32010219900101004", "female"),
        ("32010219900101006", "female"),
        ("32010219900101008", "female"),
    ],
)
def test_gender_from_17th_character(body, gender):
    assert idcard.parse(valid(body), today=TODAY).gender == gender


@pytest.mark.parametrize(
    "body",
    [
        "11010519491231002",
        "32130219900307001",
        "44030420000229123",
        "00000019000101000",
        "99999920240615999",
        "65010119791231871",
    ],
)
def test_check_character_matches_reference(body):
    assert idcard.check_character(body) == reference_check(body)


def test_check_character_produces_x():
    body = "11010519491231002"
    assert reference_check(body) == "X"
    assert idcard.check_character(body) == "X"


@pytest.mark.parametrize(
    "first17",
    [
        "",
        "1101051949123100",
        "110105194912310021",
        "1101051949123100X",
        full_width("11010519491231002"),
    ],
)
def test_check_character_rejects_bad_input(first17):
    with pytest.raises(ValueError):
        idcard.check_character(first17)


BASE = valid("11010519491231002")  # 11010519491231002X


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("  11010519491231002X\t\n", "11010519491231002X"),
        ("\u300011010519491231002x\u3000", "11010519491231002X"),
        (full_width("11010519491231002X"), "11010519491231002X"),
        (full_width("11010519491231002x"), "11010519491231002X"),
        (
            "\u3000" + full_width("110105") + "19491231002" + full_width("x") + " ",
            "11010519491231002X",
        ),
        # normalize does not validate.
        ("", ""),
        ("   ", ""),
        ("abc", "abc"),
        ("12 34", "12 34"),
        (full_width("123"), "123"),
    ],
)
def test_normalize(raw, expected):
    assert idcard.normalize(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "\u300011010519491231002X\u3000",
        full_width("11010519491231002X"),
        full_width("11010519491231002x"),
    ],
)
def test_parse_normalizes_input(raw):
    card = idcard.parse(raw, today=TODAY)
    assert card.number == "11010519491231002X"
    assert card.birth_date == date(1949, 12, 31)
    assert card.gender == "female"


# Devanagari digits pass str.isdigit() but are not valid ID characters.
DEVANAGARI_BODY = "".join(chr(0x0966 + int(d)) for d in "11010519491231002")

REASON_CASES = [
    # empty
    ("", "empty"),
    ("   ", "empty"),
    ("\u3000\t\n", "empty"),
    # length, including old 15-digit numbers and inner spaces
    ("1", "length"),
    ("110105491231002", "length"),
    ("11010519491231002", "length"),
    ("11010519491231002X0", "length"),
    ("110105 19491231002X", "length"),
    ("11010519491231002 ", "length"),
    ("abc", "length"),
    # characters
    ("1101051949123100XX", "characters"),
    ("A1010519491231002X", "characters"),
    ("11010519491231002Y", "characters"),
    ("110105-9491231002X", "characters"),
    ("1101051949123100 2", "characters"),
    (DEVANAGARI_BODY + "X", "characters"),
    # characters is checked before the date and checksum
    ("110105194913990AAX", "characters"),
    # birth_date
    (valid("11010518991231002"), "birth_date"),
    (valid("11010500000101002"), "birth_date"),
    (valid("11010519491301002"), "birth_date"),
    (valid("11010519490001002"), "birth_date"),
    (valid("11010519490100002"), "birth_date"),
    (valid("11010519490431002"), "birth_date"),
    (valid("11010519490230002"), "birth_date"),
    (valid("11010519000229002"), "birth_date"),  # 1900 is not a leap year
    (valid("11010520230229002"), "birth_date"),
    # birth_date is checked before the checksum
    (wrong("11010519491301002"), "birth_date"),
    # future_birth_date
    (valid("11010520240616002"), "future_birth_date"),
    (valid("11010520990101002"), "future_birth_date"),
    (wrong("11010520240616002"), "future_birth_date"),
    # check_character
    (wrong("11010519491231002"), "check_character"),
    ("110105194912310021", "check_character"),
    ("321302199003070018", "check_character"),
    ("32130219900307001X", "check_character"),
]


@pytest.mark.parametrize(("raw", "reason"), REASON_CASES)
def test_parse_reasons(raw, reason):
    with pytest.raises(InvalidIdNumber) as excinfo:
        idcard.parse(raw, today=TODAY)
    assert excinfo.value.reason == reason
    assert excinfo.value.number == raw


def test_every_reason_is_exercised():
    assert {reason for _, reason in REASON_CASES} == set(idcard.REASONS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", True),
        (" " + full_width("11010519491231002x") + " ", True),
        ("321302199003070019", True),
        ("321302199003070018", False),
        ("110105491231002", False),
        ("", False),
        ("not a number", False),
    ],
)
def test_is_valid(raw, expected):
    assert idcard.is_valid(raw) is expected


def test_reasons_order():
    assert idcard.REASONS == (
        "empty",
        "length",
        "characters",
        "birth_date",
        "future_birth_date",
        "check_character",
    )


@pytest.mark.parametrize(
    ("body", "birth"),
    [
        ("11010520000229002", date(2000, 2, 29)),  # 2000 is a leap year
        ("11010519960229002", date(1996, 2, 29)),
        ("11010519000101002", date(1900, 1, 1)),
        ("11010520240615002", date(2024, 6, 15)),  # born "today" is not in the future
    ],
)
def test_boundary_birth_dates_are_valid(body, birth):
    assert idcard.parse(valid(body), today=TODAY).birth_date == birth


def test_future_date_depends_on_today():
    number = valid("11010520240616002")
    with pytest.raises(InvalidIdNumber) as excinfo:
        idcard.parse(number, today=date(2024, 6, 15))
    assert excinfo.value.reason == "future_birth_date"
    assert idcard.parse(number, today=date(2024, 6, 16)).birth_date == date(2024, 6, 16)


def test_today_defaults_to_current_date():
    far_future = valid("11010520991231002")
    with pytest.raises(InvalidIdNumber) as excinfo:
        idcard.parse(far_future)
    assert excinfo.value.reason == "future_birth_date"
    assert not idcard.is_valid(far_future)


def test_invalid_id_number_is_value_error():
    err = InvalidIdNumber("length", "123")
    assert isinstance(err, ValueError)
    assert (err.reason, err.number) == ("length", "123")
    # The number is personal data and must not leak into messages.
    assert "123" not in str(err)
    assert "length" in str(err)


def test_invalid_id_number_pickles():
    err = pickle.loads(pickle.dumps(InvalidIdNumber("check_character", "x")))
    assert (err.reason, err.number) == ("check_character", "x")


def test_invalid_id_number_rejects_unknown_reason():
    with pytest.raises(ValueError):
        InvalidIdNumber("bogus", "123")


def test_id_card_is_frozen():
    card = idcard.parse(BASE, today=TODAY)
    with pytest.raises(AttributeError):
        card.gender = "male"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("32010219900101123X", "3201**********123X"),
        ("11010519491231002X", "1101**********002X"),
        ("110105491231002", "1101*******1002"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("1234", "****"),
        ("1", "*"),
        ("", ""),
    ],
)
def test_mask(number, masked):
    assert idcard.mask(number) == masked
    assert len(idcard.mask(number)) == len(number)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 3, 7), date(1990, 3, 7), 0),
        (date(1990, 3, 7), date(2024, 3, 6), 33),  # birthday eve
        (date(1990, 3, 7), date(2024, 3, 7), 34),  # birthday
        (date(1990, 3, 7), date(2024, 3, 8), 34),
        (date(1990, 3, 7), date(2024, 12, 31), 34),
        (date(1990, 3, 7), date(2025, 1, 1), 34),
        (date(1949, 12, 31), date(2024, 12, 30), 74),
        (date(1949, 12, 31), date(2024, 12, 31), 75),
        (date(2000, 1, 1), date(2017, 12, 31), 17),
        (date(2000, 1, 1), date(2018, 1, 1), 18),
        # 29 Feb birthdays
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 2, 29), date(2004, 3, 1), 4),
        # Someone born 1 Mar is not older than someone born 29 Feb.
        (date(2000, 3, 1), date(2001, 2, 28), 0),
        (date(2000, 3, 1), date(2001, 3, 1), 1),
    ],
)
def test_age_on(birth, on, age):
    assert idcard.age_on(birth, on) == age


def test_age_on_before_birth_raises():
    with pytest.raises(ValueError):
        idcard.age_on(date(2000, 1, 2), date(2000, 1, 1))


_DIGIT = st.sampled_from("0123456789")


@st.composite
def bodies(draw):
    region = "".join(draw(st.lists(_DIGIT, min_size=6, max_size=6)))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sequence = "".join(draw(st.lists(_DIGIT, min_size=3, max_size=3)))
    return region + born.strftime("%Y%m%d") + sequence


@given(bodies())
def test_property_only_the_right_check_character_parses(body):
    right = idcard.check_character(body)
    card = idcard.parse(body + right, today=TODAY)
    assert card.number == body + right
    assert card.region_code == body[:6]
    assert card.birth_date.strftime("%Y%m%d") == body[6:14]
    for other in "0123456789X".replace(right, ""):
        with pytest.raises(InvalidIdNumber) as excinfo:
            idcard.parse(body + other, today=TODAY)
        assert excinfo.value.reason == "check_character"
