"""Kubernetes resource quantities ("250m", "512Mi", "1.5", "2G"), parsed exactly for validation."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[numkMGTPE]|Ki|Mi|Gi|Ti|Pi|Ei)?$")
_SUFFIX = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}


def parse_quantity(value: str | int | float) -> Decimal:
    """The value of a quantity in base units (cores, bytes); raises ValueError naming the accepted forms."""
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(
            f"{value!r} is not a Kubernetes quantity: use a number with an optional suffix, "
            "e.g. '250m' or '0.5' for CPU, '512Mi' or '2Gi' for memory"
        )
    number, suffix = match.group(1), match.group(2) or ""
    try:
        base = Decimal(number)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a Kubernetes quantity") from None
    if suffix not in _SUFFIX:  # a decimal exponent ("1e3", "2E-2"); "Ei" and "E" are units
        return base * (Decimal(10) ** int(suffix[1:]))
    return base * _SUFFIX[suffix]


def check_quantity(value: str | int | float, *, positive: bool = True) -> str:
    """Validate and normalise a quantity to its string form."""
    amount = parse_quantity(value)
    if positive and amount <= 0:
        raise ValueError(f"{value!r} must be greater than zero")
    return str(value).strip()


__all__ = ["check_quantity", "parse_quantity"]
