"""Certificate number patterns: tokens such as {year}, {competition}, {event}, {kind} and a zero-padded {seq}.

A pattern is refused with a code (and the offending token) a screen can translate. Numbers run in sequences: the
pattern with every token but {seq} filled in names its sequence, so two competitions whose patterns produce the
same prefix share one counter, and their numbers never collide.
"""

import re
from dataclasses import dataclass

TOKENS = ("year", "competition", "event", "kind", "seq")
DEFAULT_SEQ_WIDTH = 4
MAX_SEQ_WIDTH = 9
MAX_LENGTH = 40
# Literal characters a number may carry: it is typed into search boxes, read over the phone, printed in monospace.
_LITERAL = re.compile(r"[A-Za-z0-9._/-]*")
_TOKEN = re.compile(r"\{([^{}]*)\}")
# Codes filled into a pattern (a competition or event code) must be as plain as the literals.
_VALUE = re.compile(r"[A-Za-z0-9._-]+")
# Where the sequence goes in a sequence key: a character neither literals nor codes may hold, and PostgreSQL text can.
SEQ_MARK = "#"


class PatternError(ValueError):
    """A pattern that cannot number certificates: ``code`` says why, ``token`` names what was wrong."""

    def __init__(self, code: str, token: str = ""):
        super().__init__(f"{code}: {token}" if token else code)
        self.code = code
        self.token = token


@dataclass(frozen=True)
class Pattern:
    text: str
    parts: tuple  # literal strings and token names, in order
    seq_width: int


def parse(text: str) -> Pattern:
    text = (text or "").strip()
    if not text:
        raise PatternError("empty")
    parts: list[str | tuple[str]] = []
    seq_width = None
    position = 0
    for match in _TOKEN.finditer(text):
        _literal(text[position : match.start()], parts)
        name, _, width = match.group(1).partition(":")
        name = name.strip()
        if name not in TOKENS:
            raise PatternError("unknown_token", match.group(0))
        if name == "seq":
            if seq_width is not None:
                raise PatternError("seq_twice")
            seq_width = _width(width, match.group(0))
        elif width:
            raise PatternError("width_not_allowed", match.group(0))
        parts.append((name,))
        position = match.end()
    _literal(text[position:], parts)
    if seq_width is None:
        raise PatternError("no_seq")
    return Pattern(text, tuple(parts), seq_width)


def _literal(literal: str, parts: list) -> None:
    if "{" in literal or "}" in literal:
        raise PatternError("unbalanced")
    if not _LITERAL.fullmatch(literal):
        bad = next(character for character in literal if not _LITERAL.fullmatch(character))
        raise PatternError("bad_character", bad)
    if literal:
        parts.append(literal)


def _width(width: str, token: str) -> int:
    if not width:
        return DEFAULT_SEQ_WIDTH
    if not width.isdigit() or not 1 <= int(width) <= MAX_SEQ_WIDTH:
        raise PatternError("bad_width", token)
    return int(width)


def sequence_key(pattern: Pattern, values: dict[str, str]) -> str:
    """The name of the counter a number comes from: the pattern filled in, with a mark where {seq} goes."""
    pieces = []
    for part in pattern.parts:
        if isinstance(part, str):
            pieces.append(part)
        elif part[0] == "seq":
            pieces.append(SEQ_MARK)
        else:
            value = str(values.get(part[0]) or "")
            if not _VALUE.fullmatch(value):
                raise PatternError("bad_value", part[0])
            pieces.append(value)
    key = "".join(pieces)
    if len(key) - 1 + pattern.seq_width > MAX_LENGTH:
        raise PatternError("too_long")
    return key


def number(pattern: Pattern, values: dict[str, str], sequence: int) -> str:
    """The number at this place of its sequence; a sequence that outgrows its width gets more digits, never wraps."""
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return sequence_key(pattern, values).replace(SEQ_MARK, f"{sequence:0{pattern.seq_width}d}")


def example(text: str, values: dict[str, str]) -> str:
    """The first number a pattern would give, for the settings screen."""
    return number(parse(text), values, 1)
