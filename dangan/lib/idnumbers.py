"""居民身份证号码 (GB 11643-1999): 18 characters whose last is a check digit over the first 17."""

import datetime
import re

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def is_valid_id_number(value: str) -> bool:
    value = value.strip().upper()
    if not _PATTERN.match(value):
        return False
    try:
        datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return id_check_digit(value[:17]) == value[17]


def mask_id_number(value: str) -> str:
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else value
