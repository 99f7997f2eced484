"""Label maps and label selectors, as ``k8s.io/apimachinery/pkg/apis/meta/v1/validation`` (v0.35)
validates them: ``ValidateLabels``, ``ValidateLabelName``, ``ValidateLabelSelector`` and
``ValidateLabelSelectorRequirement``. The kinds that hold selectors call these from their own
family modules (workload selectors, NetworkPolicy peers, PDBs, affinity terms)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ._validation import forbidden, invalid, is_label_key, is_label_value, required

SELECTOR_OPERATORS: Final = ("In", "NotIn", "Exists", "DoesNotExist")


def label_name_errors(name: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateLabelName``: a label key (``IsQualifiedName``)."""
    if isinstance(name, str):
        for message in is_label_key(name):
            yield path, invalid(name, message)


def labels_errors(labels: Any, path: str) -> Iterator[tuple[str, str]]:
    """``ValidateLabels``: every key a label key, every value a label value (reported at the map's
    path, as upstream does)."""
    if not isinstance(labels, Mapping):
        return
    for key, value in labels.items():
        yield from label_name_errors(key, path)
        if isinstance(value, str):
            for message in is_label_value(value):
                yield path, invalid(value, message)


def requirement_errors(
    requirement: Any, path: str, *, allow_invalid_values: bool = False
) -> Iterator[tuple[str, str]]:
    """``ValidateLabelSelectorRequirement``: ``In``/``NotIn`` need values, ``Exists``/``DoesNotExist``
    take none, any other operator is invalid; the key is a label key and (unless the caller allows
    invalid label values, as some kinds do) every value a label value."""
    if not isinstance(requirement, Mapping):
        return
    operator = requirement.get("operator")
    values = requirement.get("values")
    values = values if isinstance(values, list) else []
    if operator in ("In", "NotIn"):
        if not values:
            yield f"{path}.values", required("must be specified when `operator` is 'In' or 'NotIn'")
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            yield (
                f"{path}.values",
                forbidden("may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
            )
    else:
        yield f"{path}.operator", invalid(operator, "not a valid selector operator")
    yield from label_name_errors(requirement.get("key", ""), f"{path}.key")
    if not allow_invalid_values:
        for index, value in enumerate(values):
            if isinstance(value, str):
                for message in is_label_value(value):
                    yield f"{path}.values[{index}]", invalid(value, message)


def label_selector_errors(
    selector: Any, path: str, *, allow_invalid_values: bool = False
) -> Iterator[tuple[str, str]]:
    """``ValidateLabelSelector``: its ``matchLabels`` and each of its ``matchExpressions``. An
    absent selector is valid here (kinds that require one say so themselves)."""
    if not isinstance(selector, Mapping):
        return
    yield from labels_errors(selector.get("matchLabels"), f"{path}.matchLabels")
    expressions = selector.get("matchExpressions")
    if isinstance(expressions, list):
        for index, requirement in enumerate(expressions):
            yield from requirement_errors(
                requirement, f"{path}.matchExpressions[{index}]", allow_invalid_values=allow_invalid_values
            )


def selector_matches(selector: Any, labels: Any) -> bool:
    """Whether a label selector selects an object with ``labels`` (``metav1.LabelSelectorAsSelector``
    then ``Matches``); an empty selector selects everything. An invalid selector matches nothing."""
    if not isinstance(selector, Mapping):
        return False
    labels = labels if isinstance(labels, Mapping) else {}
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, Mapping):
        return False
    if any(labels.get(key) != value for key, value in match_labels.items()):
        return False
    expressions = selector.get("matchExpressions") or []
    if not isinstance(expressions, list):
        return False
    for requirement in expressions:
        if not isinstance(requirement, Mapping):
            return False
        key, operator = requirement.get("key"), requirement.get("operator")
        values = requirement.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in SELECTOR_OPERATORS:
            return False
    return True


__all__ = [
    "SELECTOR_OPERATORS",
    "label_name_errors",
    "label_selector_errors",
    "labels_errors",
    "requirement_errors",
    "selector_matches",
]
