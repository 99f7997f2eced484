"""SelectorIndex (policies/_pod.py): the candidates it gives for a pod are exactly the items whose
selector can match it, in the order they were added, so rules judge the same items as a full scan."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from platform_components.policies._pod import SelectorIndex, selector_anchor, selector_matches

KEYS = st.sampled_from(["app", "tier", "team"])
VALUES = st.sampled_from(["a", "b", "c"])
LABELS = st.dictionaries(KEYS, VALUES, max_size=3)
SELECTORS = st.one_of(
    st.none(),
    st.just({}),
    st.builds(lambda m: {"matchLabels": m}, LABELS),
    st.builds(
        lambda m, k, vs: {"matchLabels": m, "matchExpressions": [{"key": k, "operator": "In", "values": vs}]},
        LABELS,
        KEYS,
        st.lists(VALUES, max_size=2),
    ),
    st.just({"matchLabels": {"app": ["not", "hashable"]}}),
    st.just({"matchLabels": "malformed"}),
    st.just("malformed"),
)
NAMESPACES = st.sampled_from(["one", "two"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAMESPACES, SELECTORS), max_size=12), NAMESPACES, LABELS)
def test_candidates_hold_every_match_in_order(
    items: list[tuple[str, Any]], ns: str, pod: dict[str, str]
) -> None:
    index: SelectorIndex[int] = SelectorIndex()
    for position, (item_ns, selector) in enumerate(items):
        index.add(item_ns, selector, position)
    candidates = index.candidates(ns, pod)
    assert candidates == sorted(candidates)
    assert all(items[i][0] == ns for i in candidates)
    matching = [
        i for i, (item_ns, selector) in enumerate(items) if item_ns == ns and selector_matches(selector, pod)
    ]
    assert [i for i in candidates if selector_matches(items[i][1], pod)] == matching


def test_the_anchor_is_a_label_every_match_carries() -> None:
    assert selector_anchor({"matchLabels": {"app": "a", "tier": "b"}}) == ("app", "a")
    assert selector_anchor({"matchLabels": {}}) is None
    assert selector_anchor({"matchExpressions": [{"key": "app", "operator": "Exists"}]}) is None
    assert selector_anchor({"matchLabels": {"app": ["x"]}}) is None
    assert selector_anchor(None) is None and selector_anchor("x") is None
    index: SelectorIndex[str] = SelectorIndex()
    index.add("ns", {"matchLabels": {"app": "a"}}, "anchored")
    index.add("ns", None, "every pod")
    assert index.candidates("ns", {"app": "b"}) == ["every pod"]
    assert index.candidates("ns", {"app": "a"}) == ["anchored", "every pod"]
    assert index.candidates("other", {"app": "a"}) == []
