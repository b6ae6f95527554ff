"""Chinese resident identity card numbers (GB 11643-1999, 18 characters)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "REASONS",
    "IdCard",
    "InvalidIdNumber",
    "age_on",
    "check_character",
    "is_valid",
    "mask",
    "normalize",
    "parse",
]

REASONS = (
    "empty",
    "length",
    "characters",
    "birth_date",
    "future_birth_date",
    "check_character",
)

_LENGTH = 18
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
# str.isdigit() also accepts other scripts' digits and superscripts, none of
# which may appear in an ID number.
_DIGITS = frozenset("0123456789")
_MIN_BIRTH_YEAR = 1900

# People type numbers with a Chinese IME, which produces full-width forms.
_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "\uff38": "X", "\uff58": "X", "x": "X"})


class InvalidIdNumber(ValueError):
    """An ID number failed validation; ``reason`` is one of REASONS."""

    def __init__(self, reason: str, number: str):
        if reason not in REASONS:
            raise ValueError(f"unknown reason: {reason!r}")
        # Passing both to ValueError keeps the exception picklable.
        super().__init__(reason, number)
        self.reason = reason
        self.number = number

    def __str__(self) -> str:
        # The number is personal data, so keep it out of messages and logs.
        return f"invalid ID number: {self.reason}"


@dataclass(frozen=True)
class IdCard:
    number: str
    region_code: str
    birth_date: date
    gender: str


def normalize(raw: str) -> str:
    """Strip whitespace and convert full-width digits and x/X to ASCII; do not validate."""
    # str.strip() with no argument also removes U+3000 IDEOGRAPHIC SPACE.
    return raw.strip().translate(_FULL_WIDTH)


def check_character(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits."""
    if len(first17) != len(_WEIGHTS) or not set(first17) <= _DIGITS:
        raise ValueError("expected exactly 17 ASCII digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: date | None = None) -> IdCard:
    """Normalize and validate ``raw``; raise InvalidIdNumber with the first failing reason."""
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber("empty", raw)
    if len(number) != _LENGTH:
        raise InvalidIdNumber("length", raw)
    body, last = number[:17], number[17]
    if not set(body) <= _DIGITS or not (last in _DIGITS or last == "X"):
        raise InvalidIdNumber("characters", raw)

    year, month, day = int(body[6:10]), int(body[10:12]), int(body[12:14])
    if year < _MIN_BIRTH_YEAR:
        raise InvalidIdNumber("birth_date", raw)
    try:
        birth = date(year, month, day)
    except ValueError:
        raise InvalidIdNumber("birth_date", raw) from None
    if birth > (today if today is not None else date.today()):
        raise InvalidIdNumber("future_birth_date", raw)

    if check_character(body) != last:
        raise InvalidIdNumber("check_character", raw)

    return IdCard(
        number=number,
        region_code=body[:6],
        birth_date=birth,
        gender="male" if int(body[16]) % 2 else "female",
    )


def is_valid(raw: str) -> bool:
    """Return whether ``raw`` parses as a valid ID number today."""
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True


def mask(number: str) -> str:
    """Hide all but the first and last four characters; hide strings under 9 entirely."""
    # Below 9 characters the kept ends would cover the whole string.
    if len(number) < 9:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def age_on(birth_date: date, on: date) -> int:
    """Return the whole years completed on ``on``; 29 Feb birthdays count from 1 Mar."""
    if on < birth_date:
        raise ValueError("'on' is before the birth date")
    # Tuple comparison makes (2, 28) < (2, 29) <= (3, 1), which is exactly the
    # 1 Mar rule for people born on 29 Feb.
    birthday_reached = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if birthday_reached else 1)
