"""``selectors``: apimachinery's ``pkg/apis/meta/v1/validation`` (``ValidateLabelName``,
``ValidateLabels``, ``ValidateLabelSelectorRequirement``, ``ValidateLabelSelector``) and
``LabelSelectorAsSelector``/``Matches`` (``selector_matches``)."""

from __future__ import annotations

from platform_components.preview.apiserver.selectors import (
    label_name_errors,
    label_selector_errors,
    labels_errors,
    requirement_errors,
    selector_matches,
)


def test_validate_label_name() -> None:
    """ValidateLabelName: IsQualifiedName."""
    assert list(label_name_errors("example.com/app", "k")) == []
    errors = list(label_name_errors("example.com/", "k"))
    assert errors[0] == ("k", 'Invalid value: "example.com/": name part must be non-empty')
    assert len(errors) == 2  # upstream also reports the (empty) name part against the regex
    assert list(label_name_errors(None, "k")) == []


def test_validate_labels() -> None:
    """ValidateLabels: keys and values, reported at the map's path."""
    assert list(labels_errors({"app": "", "tier": "web-1"}, "m")) == []
    errors = list(labels_errors({"app": "-web"}, "m"))
    assert (
        len(errors) == 1
        and errors[0][0] == "m"
        and errors[0][1].startswith('Invalid value: "-web": a valid label')
    )


def test_validate_label_selector_requirement_operators() -> None:
    """ValidateLabelSelectorRequirement: In/NotIn need values, Exists/DoesNotExist take none, others invalid."""
    assert list(requirement_errors({"key": "a", "operator": "In", "values": ["x"]}, "r")) == []
    assert list(requirement_errors({"key": "a", "operator": "Exists"}, "r")) == []
    assert list(requirement_errors({"key": "a", "operator": "NotIn", "values": []}, "r")) == [
        ("r.values", "Required value: must be specified when `operator` is 'In' or 'NotIn'")
    ]
    assert list(requirement_errors({"key": "a", "operator": "DoesNotExist", "values": ["x"]}, "r")) == [
        ("r.values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
    ]
    assert list(requirement_errors({"key": "a", "operator": "Equals", "values": ["x"]}, "r")) == [
        ("r.operator", 'Invalid value: "Equals": not a valid selector operator')
    ]


def test_validate_label_selector_requirement_key_and_values() -> None:
    """ValidateLabelSelectorRequirement: the key a label key, values label values (unless allowed)."""
    errors = list(requirement_errors({"key": "a b", "operator": "In", "values": ["ok", "not ok"]}, "r"))
    assert [path for path, _ in errors] == ["r.key", "r.values[1]"]
    assert (
        list(
            requirement_errors(
                {"key": "a", "operator": "In", "values": ["not ok"]}, "r", allow_invalid_values=True
            )
        )
        == []
    )


def test_validate_label_selector() -> None:
    """ValidateLabelSelector: matchLabels and each matchExpressions entry; absent is valid."""
    assert list(label_selector_errors(None, "s")) == []
    assert list(label_selector_errors({}, "s")) == []
    selector = {"matchLabels": {"a": "b c"}, "matchExpressions": [{"key": "k", "operator": "Bad"}]}
    assert [path for path, _ in label_selector_errors(selector, "s")] == [
        "s.matchLabels",
        "s.matchExpressions[0].operator",
    ]


def test_selector_matches() -> None:
    """LabelSelectorAsSelector + Matches: every requirement must hold; an empty selector selects everything."""
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({}, labels)
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not selector_matches({"matchLabels": {"app": "db"}}, labels)
    expressions = [
        {"key": "tier", "operator": "In", "values": ["front", "back"]},
        {"key": "env", "operator": "NotIn", "values": ["prod"]},
        {"key": "app", "operator": "Exists"},
        {"key": "legacy", "operator": "DoesNotExist"},
    ]
    assert selector_matches({"matchExpressions": expressions}, labels)
    assert not selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, labels
    )
    assert not selector_matches({"matchExpressions": [{"key": "x", "operator": "Bad"}]}, labels)
    assert not selector_matches(None, labels)
