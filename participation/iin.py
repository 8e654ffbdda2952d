"""The Kazakh individual identification number (IIN, ЖСН / ИИН).

Twelve digits: YYMMDD date of birth, one digit for century and sex, four
digits of serial number, and a check digit computed modulo 11 with two weight
sequences (the second used when the first gives 10; a second 10 means the
number was never issued).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def check_digit(first_eleven: str) -> int | None:
    """The 12th digit for the given first 11, or None if no valid IIN has them."""
    digits = [int(c) for c in first_eleven]
    for weights in (_WEIGHTS_1, _WEIGHTS_2):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def birth_date(iin: str) -> dt.date | None:
    century = _CENTURY.get(iin[6])
    if century is None:
        return None
    try:
        return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def is_valid_iin(value: str) -> bool:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    if birth_date(value) is None:
        return False
    return check_digit(value[:11]) == int(value[11])


def validate_iin(value: str) -> None:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("An IIN is exactly 12 digits."), code="iin_format")
    if birth_date(value) is None:
        raise ValidationError(
            _("The first seven digits of this IIN are not a valid date of birth."),
            code="iin_birth_date",
        )
    if check_digit(value[:11]) != int(value[11]):
        raise ValidationError(
            _("This IIN's check digit is wrong: please check for a typo."), code="iin_checksum"
        )


def make_iin(born: dt.date, *, female: bool, serial: int) -> str:
    """A valid IIN for tests and demo data (serial 0–9999; skips unissuable ones)."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + int(female)
    for candidate in range(serial, serial + 10000):
        head = f"{born:%y%m%d}{century_digit}{candidate % 10000:04d}"
        digit = check_digit(head)
        if digit is not None:
            return f"{head}{digit}"
    raise ValueError("no valid IIN")  # unreachable: most serials have a check digit
