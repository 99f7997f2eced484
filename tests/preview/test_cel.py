"""CEL evaluation of x-kubernetes-validations rules (platform_components.preview.cel)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from platform_components.preview import cel, crds
from platform_components.preview.cel import (
    CELCompileError,
    CELEvaluationError,
    ValidationRule,
    check_rules,
    compile_expression,
    escape_property_name,
    to_cel,
)

# --------------------------------------------------------------------------------------------
# Every rule of every shipped CRD compiles
# --------------------------------------------------------------------------------------------


def _rules(schema: Any) -> Iterator[Mapping[str, Any]]:
    """Every x-kubernetes-validations entry of a schema, wherever it is nested."""
    if not isinstance(schema, Mapping):
        return
    yield from schema.get("x-kubernetes-validations") or ()
    for key, value in schema.items():
        if key == "properties" and isinstance(value, Mapping):
            for sub in value.values():
                yield from _rules(sub)
        elif key in ("items", "additionalProperties", "not"):
            yield from _rules(value)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            for sub in value:
                yield from _rules(sub)


# the issue's number for Karpenter, Gateway API, Argo CD, Flux and Istio (all versions); the Flux
# notification-controller CRDs (5 rules) were added later and are counted apart
ISSUE_PROJECTS = ("karpenter", "gateway-api", "argocd", "flux", "istio")
ISSUE_RULE_COUNT = 783
FLUX_NOTIFICATION_RULE_COUNT = 5
ALL_RULE_COUNT = 837


def _project(source: str) -> str:
    if source.startswith("flux/notification.toolkit.fluxcd.io_"):
        return "flux-notification"
    return source.split("/")[0]


def test_every_rule_of_every_shipped_crd_compiles() -> None:
    per_project: Counter[str] = Counter()
    failures: list[str] = []
    interpreted: list[str] = []
    for crd in crds.crd_versions():  # every CRD, every version (served or not)
        for raw in _rules(crd.schema):
            per_project[_project(crd.source)] += 1
            rule = ValidationRule.from_schema(raw)
            try:
                program = rule.compile()
            except CELCompileError as ex:
                failures.append(f"{crd.api_version} {crd.kind}: {rule.rule!r}: {ex}")
                continue
            if not program.transpiled:
                interpreted.append(rule.rule)
    assert failures == []
    assert sum(per_project[p] for p in ISSUE_PROJECTS) == ISSUE_RULE_COUNT
    assert per_project["flux-notification"] == FLUX_NOTIFICATION_RULE_COUNT
    assert sum(per_project.values()) == ALL_RULE_COUNT
    assert set(per_project) >= {
        "karpenter",
        "gateway-api",
        "istio",
        "flux",
        "external-secrets",
        "cloudnative-pg",
    }
    # every shipped rule runs as transpiled Python (the interpreter is only a fallback)
    assert interpreted == []


def test_rules_with_unknown_functions_or_bad_syntax_do_not_compile() -> None:
    with pytest.raises(CELCompileError, match="undeclared reference to 'frobnicate'"):
        compile_expression("self.frobnicate(1)")
    with pytest.raises(CELCompileError, match="syntax error"):
        compile_expression("self.a ==")


def test_compilation_is_cached() -> None:
    assert compile_expression("self.x == 1") is compile_expression("self.x == 1")


# --------------------------------------------------------------------------------------------
# The Kubernetes CEL libraries
# --------------------------------------------------------------------------------------------


def evaluate(expression: str, value: Any = None, schema: Mapping[str, Any] | None = None) -> Any:
    program = compile_expression(expression)
    variables = {"self": to_cel(value, schema)}
    result = program.evaluate(variables)
    # the interpreter (fallback for what the transpiler cannot handle) agrees
    assert program.evaluate(variables, interpret=True) == result
    return result


TRUE_EXPRESSIONS = [
    # strings (ext.Strings)
    "'hello'.charAt(1) == 'e' && 'hello'.charAt(5) == ''",
    "'hello hello'.indexOf('llo') == 2 && 'hello hello'.indexOf('llo', 3) == 8 && 'abc'.indexOf('z') == -1",
    "'hello hello'.lastIndexOf('llo') == 8 && 'hello hello'.lastIndexOf('llo', 7) == 2",
    "'TacoCat'.lowerAscii() == 'tacocat' && 'TacoCat'.upperAscii() == 'TACOCAT'",
    "'a-b-c'.replace('-', '+') == 'a+b+c' && 'a-b-c'.replace('-', '+', 1) == 'a+b-c'",
    "'a,b,c'.split(',') == ['a', 'b', 'c'] && 'a,b,c'.split(',', 2) == ['a', 'b,c'] && 'a,b'.split(',', 0) == []",
    "'kubernetes'.substring(4) == 'rnetes' && 'kubernetes'.substring(0, 4) == 'kube'",
    "'  x \\t'.trim() == 'x'",
    "['a', 'b'].join() == 'ab' && ['a', 'b'].join('/') == 'a/b'",
    "'abc'.reverse() == 'cba'",
    "'%s has %d items, %.2f full'.format(['cart', 3, 0.5]) == 'cart has 3 items, 0.50 full'",
    "'abc'.startsWith('ab') && 'abc'.endsWith('bc') && 'abc'.contains('b')",
    # regex
    "'al2023@latest'.find('^[^@]+') == 'al2023' && 'abc'.find('[0-9]+') == ''",
    "'a1b22c333'.findAll('[0-9]+') == ['1', '22', '333'] && 'a1b22c333'.findAll('[0-9]+', 2) == ['1', '22']",
    "'Foo.Bar'.matches(r'''^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$''') && !'1x'.matches('^[a-z]')",
    # lists
    "[1, 2, 3].isSorted() && !['b', 'a'].isSorted()",
    "[1, 2, 3].sum() == 6 && [].sum() == 0 && [1.5, 2.5].sum() == 4.0",
    "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3",
    "[1, 2, 3, 2].indexOf(2) == 1 && [1, 2, 3, 2].lastIndexOf(2) == 3 && [1].indexOf(5) == -1",
    # quantities
    "isQuantity('1.5Gi') && !isQuantity('1.5GB') && quantity('1Gi') == quantity('1024Mi')",
    "quantity('500m').isLessThan(quantity('1')) && quantity('2').isGreaterThan(quantity('1999m'))",
    "quantity('1k').compareTo(quantity('1000')) == 0 && quantity('1M').compareTo(quantity('1Mi')) == -1",
    "quantity('2').isInteger() && !quantity('1500m').isInteger() && quantity('5k').asInteger() == 5000",
    "quantity('250m').asApproximateFloat() == 0.25 && quantity('-1').sign() == -1 && quantity('0').sign() == 0",
    "quantity('1').add(quantity('500m')) == quantity('1500m') && quantity('1').sub(1) == quantity('0')",
    "quantity('1e3') == quantity('1k')",
    # urls
    "isURL('https://example.com:8443/a%20b?x=1&x=2&y') && !isURL('example.com/path') && !isURL('')",
    "url('https://user@example.com:8443/a/b?x=1').getScheme() == 'https'",
    "url('https://example.com:8443/a/b').getHost() == 'example.com:8443'",
    "url('https://example.com:8443/a/b').getHostname() == 'example.com' && url('https://example.com/').getPort() == ''",
    "url('https://[::1]:80/').getHostname() == '::1' && url('https://[::1]:80/').getPort() == '80'",
    "url('https://example.com/a b').getEscapedPath() == '/a%20b'",
    "url('https://example.com/?x=1&x=2&y=').getQuery() == {'x': ['1', '2'], 'y': ['']}",
    "url('/relative/path').getScheme() == '' && url('oci://ghcr.io/x').getScheme() == 'oci'",
    # ip and cidr
    "isIP('10.0.0.1') && isIP('2001:db8::1') && !isIP('10.0.0.01') && !isIP('::ffff:10.0.0.1') && !isIP('fe80::1%eth0')",
    "ip('10.0.0.1').family() == 4 && ip('::1').family() == 6 && ip('::1').isLoopback()",
    "ip('0.0.0.0').isUnspecified() && ip('169.254.1.1').isLinkLocalUnicast() && ip('224.0.0.5').isLinkLocalMulticast()",
    "ip('8.8.8.8').isGlobalUnicast() && !ip('127.0.0.1').isGlobalUnicast()",
    "isCIDR('10.0.0.0/8') && !isCIDR('10.0.0.0') && !isCIDR('10.0.0.0/33')",
    "cidr('10.0.0.0/8').containsIP('10.1.2.3') && cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))",
    "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16') && !cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')",
    "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8') && cidr('10.1.2.3/8').ip() == ip('10.1.2.3')",
    "cidr('192.168.0.0/24').prefixLength() == 24 && string(ip('10.0.0.1')) == '10.0.0.1'",
    # durations and timestamps
    "duration('720h') == duration('30d'.replace('30d', '720h')) && duration('1h30m') == duration('90m')",
    "duration('1.5s') == duration('1500ms') && duration('0') == duration('0s') && duration('-1m') < duration('0s')",
    "duration('300ms') < duration('1s') && duration('1us') < duration('1ms')",
    "timestamp('2024-01-02T03:04:05Z') < timestamp('2024-01-02T03:04:06Z')",
    "timestamp('2024-01-02T00:00:00Z') + duration('24h') == timestamp('2024-01-03T00:00:00Z')",
    # core CEL: macros, has(), conditionals
    "[1, 2, 3].all(x, x > 0) && [1, 2, 3].exists(x, x == 2) && [1, 2, 3].exists_one(x, x == 2)",
    "[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x > 1) == [2, 3]",
    "{'a': 1, 'b': 2}.all(k, k in ['a', 'b']) && !{'a': 1}.exists_one(k, k == 'z')",
    "int('42') == 42 && string(42) == '42' && double(1) == 1.0 && size('abc') == 3",
]


@pytest.mark.parametrize("expression", TRUE_EXPRESSIONS)
def test_kubernetes_cel_library(expression: str) -> None:
    assert evaluate(expression) is not None
    assert bool(evaluate(expression)) is True, expression


@pytest.mark.parametrize(
    "expression",
    [
        "'abc'.substring(2, 1)",
        "'abc'.charAt(4)",
        "quantity('1GB')",
        "quantity('1.5').asInteger()",
        "url('no-scheme')",
        "ip('300.1.1.1')",
        "cidr('10.0.0.0')",
        "duration('1d')",
        "duration('1h30')",
        "[].min()",
        "'x'.find('(')",
    ],
)
def test_library_errors_are_evaluation_errors(expression: str) -> None:
    with pytest.raises(CELEvaluationError):
        compile_expression(expression).evaluate({})


def test_functions_cover_what_the_shipped_rules_call() -> None:
    """Every function or method a shipped rule calls exists (compile() checks it; this lists it)."""
    called: set[str] = set()
    for crd in crds.crd_versions():
        for raw in _rules(crd.schema):
            tree = cel._parser().parse(raw["rule"])
            called.update(name for name, _token in cel._called_functions(tree))
    assert called <= cel.known_functions()
    # the Kubernetes library functions the shipped CRDs rely on
    assert {"find", "split", "substring", "url", "getScheme", "isURL", "isIP", "duration"} <= called


# --------------------------------------------------------------------------------------------
# Values: schema-aware conversion, escaping
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("replicas", "replicas"),
        ("namespace", "__namespace__"),
        ("in", "__in__"),
        ("true", "__true__"),
        ("x-y", "x__dash__y"),
        ("a.b", "a__dot__b"),
        ("x/y", "x__slash__y"),
        ("a__b", "a__underscores__b"),
        ("has space", None),
    ],
)
def test_property_name_escaping(name: str, escaped: str | None) -> None:
    assert escape_property_name(name) == escaped


def test_rules_reference_escaped_property_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "namespace": {"type": "string"},
            "max-surge": {"type": "integer"},
            "app.kubernetes.io/name": {"type": "string"},
            "some__thing": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    value = {
        "namespace": "apps",
        "max-surge": 2,
        "app.kubernetes.io/name": "web",
        "some__thing": "x",
        "labels": {"app.kubernetes.io/name": "web"},
    }
    assert evaluate("self.__namespace__ == 'apps' && has(self.__namespace__)", value, schema)
    assert evaluate("self.max__dash__surge == 2", value, schema)
    assert evaluate("self.app__dot__kubernetes__dot__io__slash__name == 'web'", value, schema)
    assert evaluate("self.some__underscores__thing == 'x'", value, schema)
    # map keys (additionalProperties) are not escaped
    assert evaluate(
        "self.labels['app.kubernetes.io/name'] == 'web' && 'app.kubernetes.io/name' in self.labels",
        value,
        schema,
    )


def test_values_are_typed_by_the_schema() -> None:
    schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "ratio": {"type": "number"},
            "port": {"x-kubernetes-int-or-string": True},
            "name": {"type": "string"},
            "when": {"type": "string", "format": "date-time"},
            "items": {"type": "array", "items": {"type": "integer"}},
            "sub": {"type": "object", "properties": {"a": {"type": "string"}}},
        },
    }
    value = {
        "count": 3,
        "ratio": 1,
        "port": "http",
        "name": "x",
        "when": "2024-01-01T00:00:00Z",
        "items": [1],
        "sub": {},
    }
    converted = to_cel(value, schema)
    assert type(converted["count"]).__name__ == "IntType"
    assert type(converted["ratio"]).__name__ == "DoubleType"  # number: an integral JSON value is a double
    assert type(converted["port"]).__name__ == "StringType"  # int-or-string stays as given
    assert type(converted["when"]).__name__ == "TimestampType"  # format: date-time is a timestamp
    assert evaluate("self.count + 1 == 4 && self.ratio == 1.0 && self.items[0] == 1", value, schema)
    assert evaluate("!has(self.sub.a) && has(self.sub) && !has(self.missing)", value, schema)
    assert evaluate("self.when < timestamp('2025-01-01T00:00:00Z')", value, schema)
    assert evaluate("self.port == 'http'", {"port": "http"}, schema)
    assert evaluate("self.port == 8080", {"port": 8080}, schema)


# --------------------------------------------------------------------------------------------
# Rules: messages, field paths, transition rules
# --------------------------------------------------------------------------------------------


def rule(**raw: Any) -> ValidationRule:
    return ValidationRule.from_schema(raw)


def test_failing_rule_reports_its_message_at_the_node_path() -> None:
    errors = list(
        check_rules([rule(rule="self.a > 1", message="a must exceed 1")], to_cel({"a": 1}), "spec.x")
    )
    assert errors == [("spec.x", "a must exceed 1")]


def test_message_expression_field_path_and_default_message() -> None:
    value = to_cel({"a": 1, "b": {"c": 2}})
    errors = list(
        check_rules(
            [
                rule(rule="self.a > 1", messageExpression="'a is ' + string(self.a) + ', want > 1'"),
                rule(rule="self.b.c > 5", message="c too small", fieldPath=".b.c"),
                rule(rule="self.a == 2", fieldPath=".b['odd.key']"),
                rule(rule="self.a == 3", messageExpression="1 + 1", message="fallback message"),
            ],
            value,
            "spec",
        )
    )
    assert errors == [
        ("spec", "a is 1, want > 1"),
        ("spec.b.c", "c too small"),
        ("spec.b.odd.key", "failed rule: self.a == 2"),
        ("spec", "fallback message"),  # a messageExpression that is not a string falls back
    ]


def test_evaluation_errors_are_reported() -> None:
    ((path, message),) = check_rules([rule(rule="self.missing == 1", message="m")], to_cel({}), "spec")
    assert path == "spec"
    assert "rule evaluation error" in message and "missing" in message


def test_transition_rules_are_skipped_on_creation_and_checked_on_update() -> None:
    immutable = rule(rule="self == oldSelf", message="immutable")
    assert list(check_rules([immutable], to_cel("a"), "spec.x")) == []
    assert list(check_rules([immutable], to_cel("a"), "spec.x", old_value=to_cel("a"))) == []
    assert list(check_rules([immutable], to_cel("b"), "spec.x", old_value=to_cel("a"))) == [
        ("spec.x", "immutable")
    ]


def test_optional_old_self_rules_run_on_creation_with_an_absent_old_self() -> None:
    optional = rule(
        rule="!oldSelf.hasValue() || self >= oldSelf.value()",
        message="may not decrease",
        optionalOldSelf=True,
    )
    assert list(check_rules([optional], to_cel(1), "spec.n")) == []
    assert list(check_rules([optional], to_cel(1), "spec.n", old_value=to_cel(2))) == [
        ("spec.n", "may not decrease")
    ]
    creation_only = rule(rule="oldSelf.orValue(0) == 0", message="set on creation only", optionalOldSelf=True)
    assert list(check_rules([creation_only], to_cel(5), "spec.n")) == []
    assert list(check_rules([creation_only], to_cel(5), "spec.n", old_value=to_cel(5))) == [
        ("spec.n", "set on creation only")
    ]


def test_has_inside_logical_operators() -> None:
    """cel-python's transpiled has() returned a Python bool that its own ||, && and ?: reject."""
    value = {"a": 1}
    assert evaluate("!has(self.b) || self.b > 0", value)
    assert evaluate("has(self.a) && self.a == 1", value)
    assert evaluate("(has(self.b) ? self.b : 0) + (has(self.a) ? 1 : 0) == 1", value)
