"""Certificate number patterns: tokens, widths, every refusal with its code, sequences and their keys."""

import pytest

from compete.rules import numbering
from compete.rules.numbering import PatternError

VALUES = {"year": "2026", "competition": "SQ26", "event": "HG-W", "kind": "HJ"}


@pytest.mark.parametrize(
    ("pattern", "first", "tenth"),
    [
        ("{year}{competition}-{kind}{seq:4}", "2026SQ26-HJ0001", "2026SQ26-HJ0010"),
        ("{seq}", "0001", "0010"),  # no width: four digits
        ("{seq:}", "0001", "0010"),  # an empty width is the default too
        ("{seq:1}", "1", "10"),
        ("{seq:9}", "000000001", "000000010"),
        ("{event}/{seq:3}", "HG-W/001", "HG-W/010"),
        ("ZS.{year}.{seq:6}", "ZS.2026.000001", "ZS.2026.000010"),
        ("{ seq }", "0001", "0010"),  # spaces around the name are forgiven, and not in the number
        ("No_{kind}{seq:2}", "No_HJ01", "No_HJ10"),
        ("{seq:3}-{year}", "001-2026", "010-2026"),  # the sequence need not come last
    ],
)
def test_tokens_and_widths(pattern, first, tenth):
    parsed = numbering.parse(pattern)
    assert numbering.number(parsed, VALUES, 1) == first
    assert numbering.number(parsed, VALUES, 10) == tenth
    assert numbering.example(pattern, VALUES) == first


def test_parse_keeps_literals_and_tokens_in_order():
    parsed = numbering.parse("  ZS{year}-{kind}{seq:5}  ")
    assert parsed.text == "ZS{year}-{kind}{seq:5}"
    assert parsed.parts == ("ZS", ("year",), "-", ("kind",), ("seq",))
    assert parsed.seq_width == 5


@pytest.mark.parametrize(
    ("pattern", "code", "token"),
    [
        ("", "empty", ""),
        ("   ", "empty", ""),
        (None, "empty", ""),
        ("{name}{seq}", "unknown_token", "{name}"),
        ("{Year}{seq}", "unknown_token", "{Year}"),  # names are case-sensitive
        ("{}{seq}", "unknown_token", "{}"),
        ("{seq}-{seq}", "seq_twice", ""),
        ("{year}{competition}-{kind}", "no_seq", ""),
        ("ZS2026", "no_seq", ""),
        ("{year:4}{seq}", "width_not_allowed", "{year:4}"),
        ("{kind:2}{seq}", "width_not_allowed", "{kind:2}"),
        ("A{seq", "unbalanced", ""),
        ("A{seq}}", "unbalanced", ""),
        ("{{seq}}", "unbalanced", ""),
        ("A}{seq}", "unbalanced", ""),
        ("证书{seq}", "bad_character", "证"),
        ("A {seq}", "bad_character", " "),
        ("A#{seq}", "bad_character", "#"),
        ("{seq}号", "bad_character", "号"),
        ("{seq:0}", "bad_width", "{seq:0}"),
        ("{seq:10}", "bad_width", "{seq:10}"),
        ("{seq:x}", "bad_width", "{seq:x}"),
        ("{seq:-1}", "bad_width", "{seq:-1}"),
    ],
)
def test_every_refusal_names_its_reason(pattern, code, token):
    with pytest.raises(PatternError) as refused:
        numbering.parse(pattern)
    assert (refused.value.code, refused.value.token) == (code, token)
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize(
    ("values", "token"),
    [
        ({**VALUES, "event": ""}, "event"),  # a round's certificates have no event
        ({**VALUES, "event": None}, "event"),
        ({**VALUES, "event": "焊工"}, "event"),
        ({**VALUES, "competition": "SQ 26"}, "competition"),
        ({**VALUES, "competition": "SQ/26"}, "competition"),  # a slash is a literal's, never a code's
        ({k: v for k, v in VALUES.items() if k != "year"}, "year"),
    ],
)
def test_a_value_a_number_cannot_carry_is_refused(values, token):
    pattern = numbering.parse("{year}{competition}-{event}-{seq}")
    with pytest.raises(PatternError) as refused:
        numbering.sequence_key(pattern, values)
    assert (refused.value.code, refused.value.token) == ("bad_value", token)


@pytest.mark.parametrize(
    ("pattern", "competition", "refused"),
    [
        ("{competition}{seq:4}", "C" * 36, False),  # 36 + 4 = 40 characters exactly
        ("{competition}{seq:4}", "C" * 37, True),
        ("{competition}{seq:9}", "C" * 31, False),
        ("{competition}{seq:9}", "C" * 32, True),
        ("{year}-{competition}-{seq:9}", "C" * 25, False),  # 4 + 1 + 25 + 1 + 9 = 40
        ("{year}-{competition}-{seq:9}", "C" * 26, True),
    ],
)
def test_numbers_longer_than_forty_characters_are_refused(pattern, competition, refused):
    parsed = numbering.parse(pattern)
    values = {**VALUES, "competition": competition}
    if refused:
        with pytest.raises(PatternError) as error:
            numbering.sequence_key(parsed, values)
        assert error.value.code == "too_long"
    else:
        assert len(numbering.number(parsed, values, 1)) == numbering.MAX_LENGTH


def test_a_sequence_is_named_by_its_prefix_so_equal_prefixes_share_one():
    same = numbering.parse("{year}-{kind}{seq:4}")
    assert numbering.sequence_key(same, VALUES) == numbering.sequence_key(
        same, {**VALUES, "competition": "OTHER", "event": "DG-S"}
    )  # tokens the pattern does not use do not split the sequence
    # A literal spelling the same text as a token gives the same key: one counter, no collision.
    literal = numbering.parse("2026-HJ{seq:4}")
    assert numbering.sequence_key(literal, {}) == numbering.sequence_key(same, VALUES) == "2026-HJ" + numbering.SEQ_MARK
    # A wider sequence with the same prefix shares the counter: its numbers differ in length, never collide.
    wider = numbering.parse("{year}-{kind}{seq:6}")
    assert numbering.sequence_key(wider, VALUES) == numbering.sequence_key(same, VALUES)


@pytest.mark.parametrize(
    ("values", "same"),
    [
        ({**VALUES, "year": "2027"}, False),
        ({**VALUES, "kind": "RY"}, False),
        ({**VALUES, "competition": "SQ27"}, False),
        ({**VALUES, "event": "DG-S"}, False),
        (dict(VALUES), True),
    ],
)
def test_every_token_the_pattern_uses_splits_the_sequence(values, same):
    pattern = numbering.parse("{year}{competition}{event}{kind}{seq}")
    assert (numbering.sequence_key(pattern, values) == numbering.sequence_key(pattern, VALUES)) is same


@pytest.mark.parametrize(
    ("width", "sequence", "expected"),
    [
        (1, 9, "A-9"),
        (1, 10, "A-10"),
        (2, 99, "A-99"),
        (2, 100, "A-100"),
        (4, 9999, "A-9999"),
        (4, 10000, "A-10000"),
        (4, 123456, "A-123456"),
    ],
)
def test_a_sequence_outgrowing_its_width_gets_more_digits_and_never_wraps(width, sequence, expected):
    assert numbering.number(numbering.parse(f"A-{{seq:{width}}}"), {}, sequence) == expected


def test_numbers_of_one_sequence_are_all_different_even_past_the_width():
    pattern = numbering.parse("A{seq:2}")
    assert len({numbering.number(pattern, {}, sequence) for sequence in range(1, 1500)}) == 1499


@pytest.mark.parametrize("sequence", [0, -1])
def test_sequences_start_at_one(sequence):
    with pytest.raises(ValueError, match="start at 1"):
        numbering.number(numbering.parse("{seq}"), {}, sequence)


def test_example_refuses_like_parse():
    with pytest.raises(PatternError) as refused:
        numbering.example("{year}", VALUES)
    assert refused.value.code == "no_seq"
