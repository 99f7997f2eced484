"""Quantities as ``resource.ParseQuantity`` reads them: binary and decimal suffixes, decimal exponents."""

from decimal import Decimal

import pytest
from platform_components.kube.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250m", Decimal("0.25")),
        ("512Mi", Decimal(512 * 2**20)),
        ("2E", Decimal(2 * 10**18)),  # exa, a unit
        ("1Ei", Decimal(2**60)),  # exbi, a unit (once read as a malformed exponent)
        ("1e3", Decimal(1000)),  # a decimal exponent
        ("5E-1", Decimal("0.5")),
        (3, Decimal(3)),
    ],
)
def test_parse_quantity(text: str | int, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Mi", "1.2.3", "1Xi", "1 Gi"])
def test_a_malformed_quantity_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="quantity"):
        parse_quantity(text)
