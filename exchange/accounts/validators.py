import re

from django.core.exceptions import ValidationError

# Weights of the Korean business registration number (사업자등록번호) check digit.
_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_business_number(value: str) -> str:
    """'123-45-67890' or '1234567890' -> '1234567890'."""
    return re.sub(r"[\s-]", "", value or "")


def business_number_is_valid(value: str) -> bool:
    digits = normalize_business_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    d = [int(c) for c in digits]
    total = sum(x * w for x, w in zip(d[:9], _BRN_WEIGHTS, strict=True)) + (d[8] * 5) // 10
    return (10 - total % 10) % 10 == d[9]


def validate_business_number(value: str) -> None:
    digits = normalize_business_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("must be 10 digits (e.g. 123-45-67890)", code="format")
    if not business_number_is_valid(digits):
        raise ValidationError("check digit does not match; check the number", code="check_digit")


def format_business_number(value: str) -> str:
    digits = normalize_business_number(value)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
