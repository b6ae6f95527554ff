"""Drawing lots (抽签): secure shuffles that can be replayed from their stored seed for audit."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = [
    "SEED_HEX_LENGTH",
    "SeedInvalid",
    "assign_numbers",
    "new_seed",
    "normalize_seed",
    "shuffled",
]

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

_SEED_BYTES = 32
SEED_HEX_LENGTH = 2 * _SEED_BYTES
# An explicit ASCII class: int(..., 16) and bytes.fromhex would also take spaces, underscores or a "0x" prefix.
_SEED_PATTERN = re.compile(rf"[0-9a-f]{{{SEED_HEX_LENGTH}}}")
_COUNTER_BYTES = 8


class SeedInvalid(ValueError):
    """The seed is not 64 hexadecimal characters."""


def new_seed() -> str:
    """A fresh seed from the operating system's secure source: 64 lowercase hex characters."""
    return secrets.token_bytes(_SEED_BYTES).hex()


def normalize_seed(seed: str) -> str:
    """The seed in its stored form (lowercase hex); raises SeedInvalid for anything else."""
    if not isinstance(seed, str):
        raise SeedInvalid(f"seed must be a string of {SEED_HEX_LENGTH} hex characters, got {type(seed).__name__}")
    lowered = seed.lower()
    if not _SEED_PATTERN.fullmatch(lowered):
        raise SeedInvalid(f"seed must be {SEED_HEX_LENGTH} hex characters, got {seed!r}")
    return lowered


class _HmacStream:
    """Bytes HMAC-SHA256(key=seed, message=counter) for counter 0, 1, 2, ..., concatenated."""

    def __init__(self, seed: str) -> None:
        self._key = bytes.fromhex(normalize_seed(seed))
        self._counter = 0
        self._buffer = b""

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            block = hmac.new(self._key, self._counter.to_bytes(_COUNTER_BYTES, "big"), hashlib.sha256).digest()
            self._buffer += block
            self._counter += 1
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken


def _below(stream: _HmacStream, n: int) -> int:
    """A uniform integer in [0, n) from the stream."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if n == 1:
        return 0
    bits = (n - 1).bit_length()
    size = (bits + 7) // 8
    mask = (1 << bits) - 1
    # Rejection instead of a modulo, which would favour small values; with the mask at the
    # bit length of n - 1 more than half of the candidates are accepted.
    while True:
        candidate = int.from_bytes(stream.read(size), "big") & mask
        if candidate < n:
            return candidate


def shuffled(items: Sequence[T], seed: str) -> list[T]:
    """A new list of the items in the order the seed determines (Fisher–Yates); the input is left alone."""
    stream = _HmacStream(seed)
    result = list(items)
    for i in range(len(result) - 1, 0, -1):
        j = _below(stream, i + 1)
        result[i], result[j] = result[j], result[i]
    return result


def assign_numbers(keys: Sequence[K], seed: str, *, first: int = 1) -> dict[K, int]:
    """Key -> drawn number, the numbers being first .. first + len(keys) - 1, in number order.

    Pass the keys in a canonical order (e.g. sorted registration ids): the same keys in another
    order draw other numbers, so the order is part of what makes the draw reproducible.
    """
    duplicates = [key for key, count in Counter(keys).items() if count > 1]
    if duplicates:
        raise ValueError(f"keys must be distinct, repeated: {duplicates!r}")
    return {key: first + position for position, key in enumerate(shuffled(keys, seed))}
