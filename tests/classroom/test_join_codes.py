"""Join codes are read aloud and typed from a projector (classroom/models.py)."""

from __future__ import annotations

from classroom.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, new_join_code


def test_join_codes_are_six_unambiguous_characters_from_the_alphabet() -> None:
    codes = [new_join_code() for _ in range(1000)]
    assert JOIN_CODE_LENGTH == 6
    assert all(len(code) == 6 for code in codes)
    assert set("".join(codes)) <= set(JOIN_CODE_ALPHABET)
    assert not set("".join(codes)) & set("0O1I")
    assert not set(JOIN_CODE_ALPHABET) & set("0O1I")


def test_join_codes_use_the_whole_alphabet_and_rarely_repeat() -> None:
    codes = [new_join_code() for _ in range(1000)]
    assert set("".join(codes)) == set(JOIN_CODE_ALPHABET)  # 6,000 draws from 32 letters
    assert len(set(codes)) > 990  # 32**6 ≈ 10**9 codes
