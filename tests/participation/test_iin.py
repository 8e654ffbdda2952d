import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from participation.iin import birth_date, check_digit, is_valid_iin, make_iin, validate_iin


def test_it_accepts_a_valid_iin():
    """A real-format IIN with the right check digit passes."""
    iin = make_iin(dt.date(1990, 5, 17), female=False, serial=1234)
    assert iin.startswith("9005173")
    assert is_valid_iin(iin)
    validate_iin(iin)


def test_it_computes_the_check_digit_with_two_weight_sequences():
    """The first weights give the digit; a 10 switches to the second; a second 10 is unissuable."""
    # 8 5 0 1 0 1 3 0 0 0 0 · (1..11) = 8+10+0+4+0+6+21 = 49; 49 % 11 = 5.
    assert check_digit("85010130000") == 5
    assert is_valid_iin("850101300005")
    # 9 0 0 5 1 7 3 1 2 3 4 · (1..11) = 197; 197 % 11 = 10, so
    # · (3..11, 1, 2) = 27+0+0+30+7+56+27+10+22+3+8 = 190; 190 % 11 = 3.
    assert check_digit("90051731234") == 3
    # 9 0 0 5 1 7 3 0 2 6 0: 175 with both sequences; 175 % 11 = 10 twice: never issued.
    assert check_digit("90051730260") is None


def test_it_rejects_a_wrong_check_digit():
    iin = make_iin(dt.date(2001, 12, 31), female=True, serial=42)
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        validate_iin(wrong)
    assert error.value.code == "iin_checksum"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345", "iin_format"),
        ("1234567890123", "iin_format"),
        ("12345678901a", "iin_format"),
        ("１２３４５６７８９０１２", "iin_format"),  # full-width digits are not ASCII digits
        ("901332300005", "iin_birth_date"),  # month 13
        ("900230300005", "iin_birth_date"),  # 30 February
        ("900101700005", "iin_birth_date"),  # century digit 7 does not exist
    ],
)
def test_it_rejects_malformed_iins_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_iin(value)
    assert error.value.code == code


def test_it_reads_the_century_and_date_of_birth():
    assert birth_date("850101300005") == dt.date(1985, 1, 1)
    assert birth_date(make_iin(dt.date(2003, 7, 9), female=True, serial=7)) == dt.date(2003, 7, 9)
    assert birth_date(make_iin(dt.date(1899, 7, 9), female=False, serial=7)) == dt.date(1899, 7, 9)
