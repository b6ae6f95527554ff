"""Tests for drawing lots: permutations, replay from the seed, pinned answers and fairness."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compete.rules import draw
from compete.rules.draw import SeedInvalid, assign_numbers, new_seed, normalize_seed, shuffled

ZERO_SEED = "00" * 32

seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
distinct_ints = st.lists(st.integers(), max_size=200, unique=True)


def test_new_seed_is_64_lowercase_hex_and_fresh():
    made = {new_seed() for _ in range(50)}
    assert len(made) == 50
    for seed in made:
        assert len(seed) == 64
        assert set(seed) <= set("0123456789abcdef")
        assert normalize_seed(seed) == seed


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (ZERO_SEED, ZERO_SEED),
        ("AB" * 32, "ab" * 32),
        ("aB" * 32, "ab" * 32),
        ("0123456789abcdefABCDEF" * 2 + "0" * 20, ("0123456789abcdef" + "abcdef") * 2 + "0" * 20),
    ],
)
def test_normalize_seed(seed, expected):
    assert normalize_seed(seed) == expected


@pytest.mark.parametrize(
    "seed",
    [
        "",
        "00" * 31,  # 62 characters
        "00" * 32 + "0",  # 65 characters
        "00" * 33,
        "g" + "0" * 63,
        "0x" + "0" * 62,
        " " + "0" * 63,
        "0" * 63 + "\n",
        # 64 hex characters plus surrounding whitespace: the stored seed must be exactly what was used.
        " " + "0" * 64,
        "0" * 64 + "\n",
        "0" * 32 + "_" + "0" * 31,
        "\uff10" * 64,  # full-width digits are digits to str.isdigit, not hex here
        "\u0660" * 64,  # Arabic-Indic digits
        b"\x00" * 32,
        None,
        0,
    ],
)
def test_bad_seeds_raise(seed):
    with pytest.raises(SeedInvalid):
        normalize_seed(seed)
    with pytest.raises(SeedInvalid):
        shuffled([1, 2, 3], seed)
    # Even with nothing to shuffle, so a bad seed is never stored alongside an empty draw.
    with pytest.raises(SeedInvalid):
        shuffled([], seed)
    with pytest.raises(SeedInvalid):
        assign_numbers([], seed)


def test_seed_invalid_is_a_value_error():
    assert issubclass(SeedInvalid, ValueError)


def test_stream_is_hmac_sha256_of_a_big_endian_counter():
    # Spelled out so an auditor can replay a draw with any HMAC implementation.
    key = bytes.fromhex("5a" * 32)
    expected = b"".join(hmac.new(key, i.to_bytes(8, "big"), hashlib.sha256).digest() for i in range(3))
    stream = draw._HmacStream("5A" * 32)
    assert stream.read(5) + stream.read(27) + stream.read(1) + stream.read(63) == expected


@pytest.mark.parametrize(
    ("seed", "items", "expected"),
    [
        # Pinned outputs: any change to the algorithm breaks replay of stored draws, so it must fail here.
        (ZERO_SEED, range(10), [4, 1, 9, 7, 8, 6, 2, 0, 5, 3]),
        (
            ZERO_SEED,
            range(20),
            [0, 7, 18, 12, 9, 5, 3, 6, 2, 13, 17, 16, 11, 14, 15, 1, 4, 8, 10, 19],
        ),
        (ZERO_SEED, "abcd", ["c", "a", "b", "d"]),
        (ZERO_SEED, [], []),
        (ZERO_SEED, ["only"], ["only"]),
    ],
)
def test_known_answers(seed, items, expected):
    assert shuffled(items, seed) == expected


def test_known_answer_for_assign_numbers():
    assert assign_numbers(["a", "b", "c", "d"], "AB" * 32, first=101) == {"c": 101, "a": 102, "d": 103, "b": 104}


@given(distinct_ints, seeds)
def test_shuffle_is_a_permutation(items, seed):
    result = shuffled(items, seed)
    assert sorted(result) == sorted(items)
    assert len(result) == len(items)


@given(distinct_ints, seeds)
def test_same_seed_reproduces_and_input_is_untouched(items, seed):
    before = list(items)
    first = shuffled(items, seed)
    assert shuffled(items, seed) == first
    assert shuffled(tuple(items), seed.upper()) == first
    assert items == before


def test_different_seeds_give_different_orders():
    items = list(range(20))
    orders = {tuple(shuffled(items, new_seed())) for _ in range(20)}
    # 20! orders: two equal ones among 20 fresh seeds would point at a broken stream, not at luck.
    assert len(orders) == 20


def test_seeds_one_bit_apart_give_different_orders():
    items = list(range(20))
    flipped = "01" + ZERO_SEED[2:]
    assert shuffled(items, flipped) != shuffled(items, ZERO_SEED)


@pytest.mark.parametrize("n", range(1, 11))
def test_below_covers_every_value_for_small_n(n):
    stream = draw._HmacStream(ZERO_SEED)
    values = [draw._below(stream, n) for _ in range(40 * n)]
    assert set(values) == set(range(n))


@given(seeds, st.integers(min_value=1, max_value=2**80))
def test_below_stays_below_n(seed, n):
    stream = draw._HmacStream(seed)
    for _ in range(5):
        assert 0 <= draw._below(stream, n) < n


def test_below_has_no_modulo_bias():
    # With n = 3 a masked value taken modulo 3 would give 0 half of the time; rejection gives a third.
    stream = draw._HmacStream(ZERO_SEED)
    counts = Counter(draw._below(stream, 3) for _ in range(6000))
    assert all(1800 <= counts[value] <= 2200 for value in range(3)), counts


@pytest.mark.parametrize("n", [0, -1])
def test_below_rejects_empty_range(n):
    with pytest.raises(ValueError):
        draw._below(draw._HmacStream(ZERO_SEED), n)


def test_each_item_is_first_about_a_quarter_of_the_time():
    # 750 expected per item, standard deviation about 24: the bounds are six deviations away.
    firsts = Counter(shuffled("abcd", new_seed())[0] for _ in range(3000))
    assert set(firsts) == set("abcd")
    assert all(600 <= firsts[item] <= 900 for item in "abcd"), firsts


@given(distinct_ints, seeds, st.integers(min_value=-1000, max_value=1000))
def test_assign_numbers_uses_exactly_first_to_last(keys, seed, first):
    numbers = assign_numbers(keys, seed, first=first)
    assert set(numbers) == set(keys)
    assert sorted(numbers.values()) == list(range(first, first + len(keys)))


@given(distinct_ints, seeds)
def test_assign_numbers_follows_the_shuffle(keys, seed):
    numbers = assign_numbers(keys, seed)
    assert list(numbers) == shuffled(keys, seed)
    assert list(numbers.values()) == list(range(1, len(keys) + 1))


@pytest.mark.parametrize(
    "keys",
    [
        [1, 1],
        [3, 1, 2, 3],
        ["a", "b", "a"],
        (7, 7, 7),
    ],
)
def test_assign_numbers_rejects_repeated_keys(keys):
    with pytest.raises(ValueError, match="distinct"):
        assign_numbers(keys, ZERO_SEED)


def test_assign_numbers_of_nothing():
    assert assign_numbers([], ZERO_SEED) == {}
