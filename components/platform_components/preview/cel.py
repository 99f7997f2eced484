"""CEL evaluation of CustomResourceDefinition ``x-kubernetes-validations`` rules.

The Kubernetes API server compiles every ``x-kubernetes-validations`` rule of a CRD with cel-go and
evaluates it with ``self`` bound to the value at the schema node that declares it. This module does
the same with cel-python (``celpy``):

* rules are parsed once with the cel-python grammar and transpiled to Python by its
  ``Transpiler`` (about ten times faster than its tree-walking ``Evaluator``, which is kept as the
  fallback for the few constructs the transpiler cannot handle, such as ``list.min()``). The
  transpiled code is rewritten in a few fixed places (see :func:`_rewrite_transpiled`): a bug fix
  for ``has()`` inside ``||``/``&&``/``?:`` and faster runtime helpers with the same semantics;
  the tests check that both evaluators agree on every shipped CRD fixture;
* a rule that calls a function neither cel-python nor this module provides fails to compile, like
  an unknown overload fails the API server's type check;
* the Kubernetes CEL libraries the rules use are implemented here: the string extension library,
  regex ``find``/``findAll``, list helpers, ``quantity``, ``url``, ``ip``/``cidr``, Go durations;
* values are converted to CEL types according to the OpenAPI schema (:func:`to_cel`): integers
  stay ``int``, ``type: number`` becomes ``double``, ``x-kubernetes-int-or-string`` stays as is,
  objects become CEL maps keyed by the Kubernetes-escaped property names (``__dash__``,
  ``__dot__``, ``__slash__``, ``__underscores__``, ``__{keyword}__``);
* transition rules (rules that reference ``oldSelf``) only apply to updates and are skipped on
  creation, unless ``optionalOldSelf`` is set, in which case ``oldSelf`` is an absent optional.

Not modelled: the CEL cost budget, the static type checker (a rule with a type error fails at
evaluation instead of compilation) and optional types beyond ``hasValue``/``orValue``/``value``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import ipaddress
import itertools
import math
import re
import string
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from importlib import import_module, resources
from importlib.metadata import version
from typing import Any, Final, NoReturn, cast

import celpy.evaluation
import lark
import re2  # type: ignore[import-untyped]  # google-re2, a cel-python dependency, ships no types
from celpy import celtypes
from celpy.celparser import CELParser
from celpy.evaluation import Activation, CELEvalError, Evaluator, Transpiler, TranspilerTree

from . import _derived

__all__ = [
    "CELCompileError",
    "CELEvaluationError",
    "Converter",
    "Program",
    "ValidationRule",
    "check_rules",
    "compile_expression",
    "escape_property_name",
    "to_cel",
]


class CELCompileError(ValueError):
    """A rule that the API server would refuse when the CRD is created."""


class CELEvaluationError(Exception):
    """A rule whose evaluation failed (a runtime error in CEL terms)."""


# --------------------------------------------------------------------------------------------
# The Kubernetes CEL libraries
# --------------------------------------------------------------------------------------------
# Every function below is a plain module-level function: cel-python's transpiler refers to
# extension functions by ``module.qualname``. Methods and functions share one namespace in
# cel-python (``x.f(y)`` calls ``f(x, y)``), so functions that exist for several receiver types
# (``indexOf`` for strings and lists, ``ip`` for strings and CIDRs) dispatch on the first argument.


def _fail(message: str) -> NoReturn:
    raise ValueError(message)


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a string, got {type(value).__name__}")
    return str(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what}: expected an int, got {type(value).__name__}")
    return int(value)


def fast_int(value: int) -> celtypes.IntType:
    """``celtypes.IntType(value)`` without its per-call decorator (range check kept)."""
    if not -(2**63) <= value < 2**63:
        raise ValueError("overflow")
    return int.__new__(celtypes.IntType, value)


def cel_size(value: Any) -> celtypes.IntType:
    """``size()`` as cel-python's, with a cheaper ``IntType`` construction (a hot path)."""
    if value is None:
        return fast_int(0)
    if isinstance(value, str | bytes | list | dict):
        return fast_int(len(value))
    raise TypeError(f"no such overload: size({type(value).__name__})")


# --- strings (cel-go ext.Strings, version 3) ---------------------------------------------------


def cel_charAt(text: Any, index: Any) -> celtypes.StringType:
    s, i = _string(text, "charAt"), _int(index, "charAt")
    if i < 0 or i > len(s):
        _fail(f"index out of range: {i}")
    return celtypes.StringType(s[i : i + 1])


def _list_index(items: Sequence[Any], value: Any, *, last: bool) -> celtypes.IntType:
    positions = range(len(items) - 1, -1, -1) if last else range(len(items))
    for position in positions:
        if _cel_equal(items[position], value):
            return celtypes.IntType(position)
    return celtypes.IntType(-1)


def cel_indexOf(target: Any, sub: Any, offset: Any = None) -> celtypes.IntType:
    if isinstance(target, list):
        return _list_index(target, sub, last=False)
    s, needle = _string(target, "indexOf"), _string(sub, "indexOf")
    start = 0 if offset is None else _int(offset, "indexOf")
    if start < 0 or start > len(s):
        _fail(f"index out of range: {start}")
    return celtypes.IntType(s.find(needle, start))


def cel_lastIndexOf(target: Any, sub: Any, offset: Any = None) -> celtypes.IntType:
    if isinstance(target, list):
        return _list_index(target, sub, last=True)
    s, needle = _string(target, "lastIndexOf"), _string(sub, "lastIndexOf")
    end = len(s) if offset is None else _int(offset, "lastIndexOf")
    if end < 0 or end > len(s):
        _fail(f"index out of range: {end}")
    return celtypes.IntType(s.rfind(needle, 0, end + len(needle)))


_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_UPPER: Final = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def cel_lowerAscii(text: Any) -> celtypes.StringType:
    return celtypes.StringType(_string(text, "lowerAscii").translate(_ASCII_LOWER))


def cel_upperAscii(text: Any) -> celtypes.StringType:
    return celtypes.StringType(_string(text, "upperAscii").translate(_ASCII_UPPER))


def cel_replace(text: Any, old: Any, new: Any, limit: Any = None) -> celtypes.StringType:
    s = _string(text, "replace")
    count = -1 if limit is None else _int(limit, "replace")
    return celtypes.StringType(s.replace(_string(old, "replace"), _string(new, "replace"), count))


def cel_split(text: Any, separator: Any, limit: Any = None) -> celtypes.ListType:
    s, sep = _string(text, "split"), _string(separator, "split")
    n = -1 if limit is None else _int(limit, "split")
    if n == 0:
        return celtypes.ListType([])
    if sep == "":
        parts = list(s)
        if 0 < n < len(parts):
            parts = [*parts[: n - 1], "".join(parts[n - 1 :])]
    else:
        parts = s.split(sep, n - 1 if n > 0 else -1)
    return celtypes.ListType([celtypes.StringType(p) for p in parts])


def cel_substring(text: Any, start: Any, end: Any = None) -> celtypes.StringType:
    s = _string(text, "substring")
    begin = _int(start, "substring")
    stop = len(s) if end is None else _int(end, "substring")
    if begin < 0 or begin > len(s) or stop < 0 or stop > len(s) or begin > stop:
        _fail(f"substring({begin}, {stop}) out of range for a string of length {len(s)}")
    return celtypes.StringType(s[begin:stop])


def cel_trim(text: Any) -> celtypes.StringType:
    return celtypes.StringType(_string(text, "trim").strip())


def cel_join(items: Any, separator: Any = "") -> celtypes.StringType:
    if not isinstance(items, list):
        raise TypeError("join: expected a list of strings")
    return celtypes.StringType(_string(separator, "join").join(_string(i, "join") for i in items))


def cel_reverse(value: Any) -> Any:
    if isinstance(value, list):
        return celtypes.ListType(list(reversed(value)))
    return celtypes.StringType(_string(value, "reverse")[::-1])


def cel_quote(text: Any) -> celtypes.StringType:
    s = _string(text, "quote")
    escaped = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return celtypes.StringType(f'"{escaped}"')


_FORMAT_VERB: Final = re.compile(r"%(?:\.(\d+))?([sdfeExXobc%])")


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_format_value(k)}: {_format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float):
        return repr(float(value))
    return str(value)


def cel_format(template: Any, arguments: Any) -> celtypes.StringType:
    """``"%s is %d".format([a, b])`` (cel-go ext.Strings ``format``; common verbs only)."""
    fmt = _string(template, "format")
    if not isinstance(arguments, list):
        raise TypeError("format: expected a list of arguments")
    args = iter(arguments)

    def verb(match: re.Match[str]) -> str:
        precision, code = match.group(1), match.group(2)
        if code == "%":
            return "%"
        try:
            value = next(args)
        except StopIteration:
            _fail("format: not enough arguments")
        if code == "s":
            return _format_value(value)
        if code in "dc":
            number = _int(value, "format")
            return chr(number) if code == "c" else str(number)
        if code in "fe":
            digits = 6 if precision is None else int(precision)
            return f"{float(value):.{digits}{code}}"
        if code == "E":
            digits = 6 if precision is None else int(precision)
            return f"{float(value):.{digits}E}"
        if code in "xX":
            out = value.encode().hex() if isinstance(value, str) else format(_int(value, "format"), "x")
            return out.upper() if code == "X" else out
        return format(_int(value, "format"), code)  # "o" and "b"

    return celtypes.StringType(_FORMAT_VERB.sub(verb, fmt))


# --- regex (Kubernetes library: find, findAll) -------------------------------------------------


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> Any:
    try:
        return re2.compile(pattern)
    except re2.error as ex:
        _fail(f"invalid regular expression {pattern!r}: {ex}")


def cel_matches(text: Any, pattern: Any) -> celtypes.BoolType:
    """``matches`` as cel-python's (RE2, unanchored search), with compiled patterns cached."""
    found = _regex(_string(pattern, "matches")).search(_string(text, "matches"))
    return celtypes.BoolType(found is not None)


def cel_find(text: Any, pattern: Any) -> celtypes.StringType:
    match = _regex(_string(pattern, "find")).search(_string(text, "find"))
    return celtypes.StringType(match.group(0) if match else "")


def cel_findAll(text: Any, pattern: Any, limit: Any = None) -> celtypes.ListType:
    n = -1 if limit is None else _int(limit, "findAll")
    if n == 0:
        return celtypes.ListType([])
    found: list[celtypes.StringType] = []
    for match in _regex(_string(pattern, "findAll")).finditer(_string(text, "findAll")):
        found.append(celtypes.StringType(match.group(0)))
        if 0 < n == len(found):
            break
    return celtypes.ListType(found)


# --- lists (Kubernetes library) -----------------------------------------------------------------


def _cel_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    try:
        return bool(a == b)
    except TypeError:
        return False


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def cel_isSorted(items: Any) -> celtypes.BoolType:
    values = _list(items, "isSorted")
    return celtypes.BoolType(all(not (b < a) for a, b in itertools.pairwise(values)))


def cel_sum(items: Any) -> Any:
    values = _list(items, "sum")
    if not values:
        return celtypes.IntType(0)
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def cel_max(items: Any, *more: Any) -> Any:
    values = [items, *more] if more else _list(items, "max")
    if not values:
        _fail("max called on an empty list")
    best = values[0]
    for value in values[1:]:
        if best < value:
            best = value
    return best


def cel_min(items: Any, *more: Any) -> Any:
    values = [items, *more] if more else _list(items, "min")
    if not values:
        _fail("min called on an empty list")
    best = values[0]
    for value in values[1:]:
        if value < best:
            best = value
    return best


# --- quantity (Kubernetes library) --------------------------------------------------------------

_QUANTITY: Final = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
_BINARY: Final = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: Final = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_INT64: Final = (-(2**63), 2**63 - 1)


class Quantity:
    """A Kubernetes ``resource.Quantity`` as a CEL value (exact, as a fraction)."""

    __slots__ = ("text", "value")

    def __init__(self, text: str, value: Fraction) -> None:
        self.text = text
        self.value = value

    @classmethod
    def parse(cls, text: str) -> Quantity:
        match = _QUANTITY.match(text)
        if not match:
            _fail(f"invalid quantity {text!r}")
        number = Fraction(match.group("number"))
        suffix = match.group("suffix") or ""
        if suffix in _BINARY:
            value = number * _BINARY[suffix]
        elif suffix in _DECIMAL:
            value = number * Fraction(10) ** _DECIMAL[suffix]
        else:
            value = number * Fraction(10) ** int(suffix[1:])
        return cls(text, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Quantity({self.text!r})"


def _quantity(value: Any, what: str) -> Quantity:
    if not isinstance(value, Quantity):
        raise TypeError(f"{what}: expected a quantity, got {type(value).__name__}")
    return value


def cel_quantity(text: Any) -> Quantity:
    return Quantity.parse(_string(text, "quantity"))


def cel_isQuantity(text: Any) -> celtypes.BoolType:
    return celtypes.BoolType(bool(_QUANTITY.match(_string(text, "isQuantity"))))


def cel_isInteger(q: Any) -> celtypes.BoolType:
    value = _quantity(q, "isInteger").value
    return celtypes.BoolType(value.denominator == 1 and _INT64[0] <= value <= _INT64[1])


def cel_asInteger(q: Any) -> celtypes.IntType:
    value = _quantity(q, "asInteger").value
    if value.denominator != 1 or not _INT64[0] <= value <= _INT64[1]:
        _fail(f"cannot convert quantity {q} to an integer without losing precision")
    return celtypes.IntType(int(value))


def cel_asApproximateFloat(q: Any) -> celtypes.DoubleType:
    return celtypes.DoubleType(float(_quantity(q, "asApproximateFloat").value))


def cel_sign(q: Any) -> celtypes.IntType:
    value = _quantity(q, "sign").value
    return celtypes.IntType((value > 0) - (value < 0))


def _quantity_operand(value: Any, what: str) -> Fraction:
    if isinstance(value, Quantity):
        return value.value
    return Fraction(_int(value, what))


def _format_quantity(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    for exponent, suffix in ((-3, "m"), (-6, "u"), (-9, "n")):
        scaled = value / Fraction(10) ** exponent
        if scaled.denominator == 1:
            return f"{scaled.numerator}{suffix}"
    return f"{math.ceil(value * 10**9)}n"


def cel_add(q: Any, other: Any) -> Quantity:
    value = _quantity(q, "add").value + _quantity_operand(other, "add")
    return Quantity(_format_quantity(value), value)


def cel_sub(q: Any, other: Any) -> Quantity:
    value = _quantity(q, "sub").value - _quantity_operand(other, "sub")
    return Quantity(_format_quantity(value), value)


def cel_compareTo(q: Any, other: Any) -> celtypes.IntType:
    a, b = _quantity(q, "compareTo").value, _quantity(other, "compareTo").value
    return celtypes.IntType((a > b) - (a < b))


def cel_isLessThan(q: Any, other: Any) -> celtypes.BoolType:
    return celtypes.BoolType(_quantity(q, "isLessThan").value < _quantity(other, "isLessThan").value)


def cel_isGreaterThan(q: Any, other: Any) -> celtypes.BoolType:
    return celtypes.BoolType(_quantity(q, "isGreaterThan").value > _quantity(other, "isGreaterThan").value)


# --- url (Kubernetes library; parsing follows Go's url.ParseRequestURI) ------------------------

_SCHEME_CHAR: Final = frozenset(string.ascii_letters + string.digits + "+-.")


class URL:
    """A URL parsed like Go's ``url.ParseRequestURI``, as a CEL value."""

    __slots__ = ("host", "opaque", "path", "query", "scheme", "text")

    def __init__(self, text: str) -> None:
        if not text:
            _fail("empty url")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
            _fail("net/url: invalid control character in URL")
        scheme, rest = "", text
        for i, c in enumerate(text):
            if c == ":":
                if i == 0:
                    _fail("missing protocol scheme")
                scheme, rest = text[:i].lower(), text[i + 1 :]
                break
            if c not in _SCHEME_CHAR or (i == 0 and not c.isalpha()):
                break
        rest, _, query = rest.partition("?")
        self.text, self.scheme, self.query, self.host, self.opaque = text, scheme, query, "", ""
        if not rest.startswith("/"):
            if not scheme:
                _fail("invalid URI for request")
            self.opaque, self.path = rest, ""
            return
        if scheme and rest.startswith("//"):
            authority, slash, path = rest[2:].partition("/")
            self.path = slash + path
            _userinfo, _, host = authority.rpartition("@")
            self.host = self._check_host(host)
        else:
            self.path = rest
        if "%" in self.path:
            try:
                urllib.parse.unquote(self.path, errors="strict")
            except UnicodeDecodeError:
                _fail(f"invalid URL escape in {self.path!r}")
            if re.search(r"%(?![0-9A-Fa-f]{2})", self.path):
                _fail(f"invalid URL escape in {self.path!r}")

    @staticmethod
    def _check_host(host: str) -> str:
        if host.startswith("["):
            end = host.find("]")
            if end < 0:
                _fail("missing ']' in host")
            port = host[end + 1 :]
            if port and not re.fullmatch(r":[0-9]*", port):
                _fail(f"invalid port {port!r} after host")
            return host
        name, colon, port = host.rpartition(":") if ":" in host else (host, "", "")
        if colon and not port.isdigit() and port != "":
            _fail(f"invalid port {colon + port!r} after host")
        if any(c in name for c in " <>\"'`{}|\\^"):
            _fail(f"invalid character in host name {name!r}")
        return host

    def hostname(self) -> str:
        host = self.host
        if host.startswith("["):
            return host[1 : host.find("]")]
        return host.rpartition(":")[0] if ":" in host else host

    def port(self) -> str:
        host = self.host
        if host.startswith("["):
            host = host[host.find("]") + 1 :]
        return host.rpartition(":")[2] if ":" in host else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, URL) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text


def _url(value: Any, what: str) -> URL:
    if not isinstance(value, URL):
        raise TypeError(f"{what}: expected a URL, got {type(value).__name__}")
    return value


def cel_url(text: Any) -> URL:
    return URL(_string(text, "url"))


def cel_isURL(text: Any) -> celtypes.BoolType:
    try:
        URL(_string(text, "isURL"))
    except ValueError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


def cel_getScheme(u: Any) -> celtypes.StringType:
    return celtypes.StringType(_url(u, "getScheme").scheme)


def cel_getHost(u: Any) -> celtypes.StringType:
    return celtypes.StringType(_url(u, "getHost").host)


def cel_getHostname(u: Any) -> celtypes.StringType:
    return celtypes.StringType(_url(u, "getHostname").hostname())


def cel_getPort(u: Any) -> celtypes.StringType:
    return celtypes.StringType(_url(u, "getPort").port())


def cel_getEscapedPath(u: Any) -> celtypes.StringType:
    path = _url(u, "getEscapedPath").path
    return celtypes.StringType(urllib.parse.quote(urllib.parse.unquote(path), safe="/!$&'()*+,;=:@"))


def cel_getQuery(u: Any) -> celtypes.MapType:
    parsed = urllib.parse.parse_qs(_url(u, "getQuery").query, keep_blank_values=True)
    return celtypes.MapType(
        {
            celtypes.StringType(k): celtypes.ListType([celtypes.StringType(v) for v in vs])
            for k, vs in parsed.items()
        }
    )


# --- ip and cidr (Kubernetes library) -----------------------------------------------------------

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPInterface = ipaddress.IPv4Interface | ipaddress.IPv6Interface


def _parse_ip(text: str) -> _IPAddress:
    if "%" in text:
        _fail(f"IP address with zone value is not allowed: {text}")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as ex:
        _fail(f"IP Address {text!r} parse error during conversion from string: {ex}")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        _fail(f"IPv4-mapped IPv6 address is not allowed: {text}")
    return address


class IP:
    __slots__ = ("address",)

    def __init__(self, address: _IPAddress) -> None:
        self.address = address

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IP) and self.address == other.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __str__(self) -> str:
        return str(self.address)


class CIDR:
    __slots__ = ("interface",)

    def __init__(self, interface: _IPInterface) -> None:
        self.interface = interface

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CIDR) and self.interface == other.interface

    def __hash__(self) -> int:
        return hash(self.interface)

    def __str__(self) -> str:
        return str(self.interface)


def _parse_cidr(text: str) -> CIDR:
    address, slash, prefix = text.partition("/")
    if not slash or not prefix.isdigit() or (len(prefix) > 1 and prefix.startswith("0")):
        _fail(f"network address parse error during conversion from string: {text!r}")
    ip_value = _parse_ip(address)
    if int(prefix) > ip_value.max_prefixlen:
        _fail(f"network address parse error during conversion from string: {text!r}")
    return CIDR(ipaddress.ip_interface(f"{ip_value}/{prefix}"))


def cel_ip(value: Any) -> IP:
    if isinstance(value, CIDR):
        return IP(value.interface.ip)
    return IP(_parse_ip(_string(value, "ip")))


def cel_isIP(text: Any) -> celtypes.BoolType:
    try:
        _parse_ip(_string(text, "isIP"))
    except ValueError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


def cel_cidr(text: Any) -> CIDR:
    return _parse_cidr(_string(text, "cidr"))


def cel_isCIDR(text: Any) -> celtypes.BoolType:
    try:
        _parse_cidr(_string(text, "isCIDR"))
    except ValueError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


def _ip(value: Any, what: str) -> _IPAddress:
    if not isinstance(value, IP):
        raise TypeError(f"{what}: expected an IP, got {type(value).__name__}")
    return value.address


def _cidr(value: Any, what: str) -> _IPInterface:
    if isinstance(value, str):
        return _parse_cidr(value).interface
    if not isinstance(value, CIDR):
        raise TypeError(f"{what}: expected a CIDR, got {type(value).__name__}")
    return value.interface


def cel_family(value: Any) -> celtypes.IntType:
    return celtypes.IntType(_ip(value, "family").version)


def cel_isUnspecified(value: Any) -> celtypes.BoolType:
    return celtypes.BoolType(_ip(value, "isUnspecified").is_unspecified)


def cel_isLoopback(value: Any) -> celtypes.BoolType:
    return celtypes.BoolType(_ip(value, "isLoopback").is_loopback)


def cel_isLinkLocalMulticast(value: Any) -> celtypes.BoolType:
    address = _ip(value, "isLinkLocalMulticast")
    if address.version == 4:
        return celtypes.BoolType(address in ipaddress.ip_network("224.0.0.0/24"))
    return celtypes.BoolType(address in ipaddress.ip_network("ff02::/16"))


def cel_isLinkLocalUnicast(value: Any) -> celtypes.BoolType:
    address = _ip(value, "isLinkLocalUnicast")
    return celtypes.BoolType(address.is_link_local and not address.is_multicast)


def cel_isGlobalUnicast(value: Any) -> celtypes.BoolType:
    """Go's ``netip.Addr.IsGlobalUnicast``: not unspecified, loopback, multicast, link-local."""
    address = _ip(value, "isGlobalUnicast")
    broadcast = address.version == 4 and address == ipaddress.IPv4Address("255.255.255.255")
    return celtypes.BoolType(
        not (address.is_unspecified or address.is_loopback or address.is_multicast)
        and not address.is_link_local
        and not broadcast
    )


def cel_containsIP(value: Any, other: Any) -> celtypes.BoolType:
    network = _cidr(value, "containsIP").network
    address = _parse_ip(other) if isinstance(other, str) else _ip(other, "containsIP")
    return celtypes.BoolType(address.version == network.version and address in network)


def cel_containsCIDR(value: Any, other: Any) -> celtypes.BoolType:
    outer, inner = _cidr(value, "containsCIDR").network, _cidr(other, "containsCIDR").network
    return celtypes.BoolType(
        outer.version == inner.version
        and inner.prefixlen >= outer.prefixlen
        and inner.network_address in outer
    )


def cel_masked(value: Any) -> CIDR:
    network = _cidr(value, "masked").network
    return CIDR(ipaddress.ip_interface(str(network)))


def cel_prefixLength(value: Any) -> celtypes.IntType:
    return celtypes.IntType(_cidr(value, "prefixLength").network.prefixlen)


# --- durations and timestamps -------------------------------------------------------------------

_GO_DURATION: Final = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)")
_NANOS: Final = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "μs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


@lru_cache(maxsize=1024)
def parse_go_duration(text: str) -> datetime.timedelta:
    """Go's ``time.ParseDuration`` ("720h", "1h30m", "1.5s", "-300ms", "0")."""
    body = text[1:] if text[:1] in "+-" else text
    if body == "0":
        return datetime.timedelta(0)
    if not body:
        _fail(f"time: invalid duration {text!r}")
    position, total = 0, Fraction(0)
    for match in _GO_DURATION.finditer(body):
        number = match.group(1)
        if match.start() != position or number in ("", "."):
            _fail(f"time: invalid duration {text!r}")
        total += Fraction(number) * _NANOS[match.group(2)]
        position = match.end()
    if position != len(body):
        _fail(f"time: invalid duration {text!r}")
    nanos = int(total) * (-1 if text.startswith("-") else 1)
    return datetime.timedelta(microseconds=nanos / 1000)


def cel_duration(value: Any) -> celtypes.DurationType:
    if isinstance(value, datetime.timedelta):
        return celtypes.DurationType(value)
    return celtypes.DurationType(parse_go_duration(_string(value, "duration")))


# --- optional values (only what optionalOldSelf needs) ------------------------------------------


class OptionalValue:
    """A CEL optional: ``oldSelf`` of ``optionalOldSelf`` rules (``optional.none()`` on creation)."""

    __slots__ = ("present", "value")

    def __init__(self, present: bool, value: Any = None) -> None:
        self.present = present
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OptionalValue) and (self.present, self.value) == (other.present, other.value)

    def __hash__(self) -> int:
        return hash(self.present)

    def __repr__(self) -> str:
        return f"optional.of({self.value!r})" if self.present else "optional.none()"


OPTIONAL_NONE: Final = OptionalValue(False)


def _optional(value: Any, what: str) -> OptionalValue:
    if not isinstance(value, OptionalValue):
        raise TypeError(f"{what}: expected an optional value, got {type(value).__name__}")
    return value


def cel_hasValue(value: Any) -> celtypes.BoolType:
    return celtypes.BoolType(_optional(value, "hasValue").present)


def cel_orValue(value: Any, fallback: Any) -> Any:
    optional = _optional(value, "orValue")
    return optional.value if optional.present else fallback


def cel_value(value: Any) -> Any:
    optional = _optional(value, "value")
    if not optional.present:
        _fail("optional.none() dereference")
    return optional.value


# The extension functions by CEL name; they take precedence over cel-python's base functions.
FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    name.removeprefix("cel_"): function
    for name, function in sorted(globals().items())
    if name.startswith("cel_") and callable(function)
}

# Macros and macro-like functions the grammar treats specially; they need no implementation here.
_MACROS: Final = frozenset({"has", "dyn", "all", "exists", "exists_one", "map", "filter", "reduce", "min"})


def known_functions() -> frozenset[str]:
    return frozenset(FUNCTIONS) | frozenset(celpy.evaluation.base_functions) | _MACROS


# --------------------------------------------------------------------------------------------
# Compilation
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    """A private parser for the cel-python grammar.

    ``celpy.CELParser`` keeps one process-wide Lark parser built with the tree class of whoever
    created it first; building our own avoids depending on (or changing) that singleton.
    """
    grammar = resources.files("celpy").joinpath("cel.lark").read_text(encoding="utf-8")
    return lark.Lark(
        grammar,
        parser="lalr",
        start="expr",
        g_regex_flags=re.M,
        lexer_callbacks={"IDENT": CELParser.ambiguous_literals},
        propagate_positions=True,
        maybe_placeholders=False,
        priority="invert",
        tree_class=TranspilerTree,
    )


def _base_activation() -> Activation:
    return Activation(functions=FUNCTIONS)


_ALL_FUNCTIONS: Final[dict[str, Any]] = {}  # filled below, once FUNCTIONS is complete


class FastActivation:
    """The part of cel-python's ``Activation`` that transpiled code uses, without its cost.

    ``Activation.__getattr__`` evaluates ``typing.cast(Union[...], ...)`` (a typing-cache lookup)
    on every variable access and ``nested_activation`` builds a ``NameContainer`` per macro
    iteration; together they were two thirds of the evaluation time of a NodePool.
    """

    __slots__ = ("_parent", "_vars")

    def __init__(self, variables: dict[str, Any], parent: FastActivation | None = None) -> None:
        self._vars = variables
        self._parent = parent

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        activation: FastActivation | None = self
        while activation is not None:
            if name in activation._vars:
                return activation._vars[name]
            activation = activation._parent
        return _ALL_FUNCTIONS[name]  # KeyError: cel-python reports an undeclared reference

    def resolve_variable(self, name: str) -> Any:
        return self.__getattr__(name)

    def resolve_function(self, name: str) -> Any:
        return _ALL_FUNCTIONS[name]

    def nested_activation(
        self,
        annotations: Mapping[str, Any] | None = None,
        vars: Mapping[str, Any] | None = None,  # noqa: A002 - cel-python's keyword
    ) -> FastActivation:
        return FastActivation(dict(vars or {}), self)


# Faster equivalents of cel-python's runtime helpers, with the same semantics. cel-python's
# comparison operators build a ``functools.wraps`` wrapper per call, ``result`` logs every value,
# and the macros evaluate ``typing.cast(Callable[...], ...)`` per call; with dozens of rules per
# object these dominated the evaluation time.
_TRUE: Final = celtypes.BoolType(True)
_FALSE: Final = celtypes.BoolType(False)
_CHECKED: Final = (ValueError, KeyError, TypeError, ZeroDivisionError, OverflowError, IndexError, NameError)
_Expr = Callable[[Any], Any]
_Gen = Callable[[Any], Iterable[Any]]


def _checked_error(ex: Exception) -> CELEvalError:
    """The ``CELEvalError`` ``celpy.evaluation.result`` makes of a Python exception."""
    if isinstance(ex, KeyError):
        key = ex.args[0] if ex.args else ""
        message = f"no such member in mapping: {str(key) if isinstance(key, str) else key!r}"
    elif isinstance(ex, NameError):
        message = f"undeclared reference to {ex.args[0]!r}" if ex.args else "undeclared reference"
    else:
        message = {
            TypeError: "no such overload",
            ZeroDivisionError: "divide by zero",
            IndexError: "invalid_argument",
        }.get(type(ex), "return error for overflow")
    error = CELEvalError(message, ex.__class__, ex.args)
    error.__cause__ = ex
    return error


def _result(activation: Any, expr: _Expr) -> Any:
    try:
        return expr(activation)
    except _CHECKED as ex:
        return _checked_error(ex)


def _has(activation: Any, expr: _Expr) -> celtypes.BoolType:
    try:
        value = expr(activation)
    except _CHECKED:
        return _FALSE
    return _FALSE if isinstance(value, CELEvalError) else _TRUE


def _macro_map(activation: Any, bind: str, expr: _Expr, gen: _Gen) -> celtypes.ListType:
    return celtypes.ListType([expr(activation.nested_activation(vars={bind: v})) for v in gen(activation)])


def _macro_filter(activation: Any, bind: str, expr: _Expr, gen: _Gen) -> celtypes.ListType:
    return celtypes.ListType(
        [v for v in gen(activation) if bool(expr(activation.nested_activation(vars={bind: v})))]
    )


def _macro_exists_one(activation: Any, bind: str, expr: _Expr, gen: _Gen) -> celtypes.BoolType:
    count = sum(1 for v in gen(activation) if expr(activation.nested_activation(vars={bind: v})))
    return _TRUE if count == 1 else _FALSE


def _macro_exists(activation: Any, bind: str, expr: _Expr, gen: _Gen) -> celtypes.BoolType:
    outcome: Any = _FALSE
    for v in gen(activation):
        outcome = celtypes.logical_or(outcome, _result(activation.nested_activation(vars={bind: v}), expr))
    return celtypes.BoolType(outcome)


def _macro_all(activation: Any, bind: str, expr: _Expr, gen: _Gen) -> celtypes.BoolType:
    outcome: Any = _TRUE
    for v in gen(activation):
        outcome = celtypes.logical_and(outcome, _result(activation.nested_activation(vars={bind: v}), expr))
    return celtypes.BoolType(outcome)


def _compare(result: Any) -> Any:
    if result is NotImplemented:
        return result
    return _TRUE if result else _FALSE


def op_eq(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a == b)


def op_ne(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a != b)


def op_lt(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a < b)


def op_le(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a <= b)


def op_gt(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a > b)


def op_ge(a: Any, b: Any) -> Any:
    if isinstance(a, CELEvalError):
        return a
    if isinstance(b, CELEvalError):
        return b
    return _compare(a >= b)


def op_in(item: Any, container: Any) -> Any:
    """``item in container`` with cel-python's semantics (type errors only matter if not found)."""
    if isinstance(item, CELEvalError):
        return item
    if isinstance(container, CELEvalError):
        return container
    outcome: Any = _FALSE
    for candidate in container:
        try:
            if candidate == item:
                return _TRUE
        except TypeError as ex:
            outcome = CELEvalError("no such overload", ex.__class__, ex.args)
    return outcome


FUNCTIONS.update(
    {"_in_": op_in, "_==_": op_eq, "_!=_": op_ne, "_<_": op_lt, "_<=_": op_le, "_>_": op_gt, "_>=_": op_ge}
)
_ALL_FUNCTIONS.update({**celpy.evaluation.base_functions, **FUNCTIONS})

_RUNTIME_HELPERS: Final = {
    "_result": _result,
    "_has": _has,
    "_macro_map": _macro_map,
    "_macro_filter": _macro_filter,
    "_macro_exists_one": _macro_exists_one,
    "_macro_exists": _macro_exists,
    "_macro_all": _macro_all,
}


@lru_cache(maxsize=1)
def _exec_globals() -> dict[str, Any]:
    """Globals for the transpiled code: cel-python's evaluation module plus this package.

    The transpiler names extension functions ``platform_components.preview.cel.cel_find``; each program
    gets a private copy of these globals, so nothing is written into ``celpy.evaluation``.
    """
    namespace = dict(vars(celpy.evaluation))
    top = __name__.partition(".")[0]
    namespace[top] = import_module(top)
    namespace.update(_RUNTIME_HELPERS)
    return namespace


def _called_functions(tree: lark.Tree[Any]) -> Iterator[tuple[str, lark.Token]]:
    for node in tree.iter_subtrees():
        if node.data in ("member_dot_arg", "ident_arg", "dot_ident_arg"):
            token = next(c for c in node.children if isinstance(c, lark.Token) and c.type == "IDENT")
            yield str(token.value), token


def _identifiers(tree: lark.Tree[Any]) -> set[str]:
    names: set[str] = set()
    for node in tree.iter_subtrees():
        if node.data in ("ident", "dot_ident"):
            names.update(str(c.value) for c in node.children if isinstance(c, lark.Token))
    return names


# Rewrites of cel-python 0.5's transpiled Python (its lines come from fixed templates):
# * ``has(x.f)`` becomes a lambda returning a Python ``bool``, which cel-python's own ``||``,
#   ``&&`` and ``?:`` reject ("no such overload"; the interpreter returns a ``BoolType``): it
#   calls ``_has`` instead, which returns a ``BoolType``;
# * ``result`` and the macros call the faster equivalents above;
# * integer literals and field names are built once per program instead of once per evaluation
#   (field names as the interned keys of :class:`KubeMap`);
# * the final ``CEL = result(base_activation, ...)`` statement becomes a function of the
#   activation, so the module is executed once per program instead of once per evaluation.
_TRANSPILED_HAS: Final = re.compile(
    r"= lambda activation: not isinstance\(celpy\.evaluation\.result\(activation, (ex_\d+_h)\), CELEvalError\)$",
    re.MULTILINE,
)
_TRANSPILED_MACRO: Final = re.compile(
    r"^(ex_\d+ = lambda activation: )celpy\.evaluation\.macro_(map|filter|exists_one|exists|all)\(",
    re.MULTILINE,
)
_TRANSPILED_INT: Final = re.compile(r"celpy\.celtypes\.IntType\((-?[0-9]+)\)")
_TRANSPILED_FIELD: Final = re.compile(r"\.get\('([A-Za-z_][A-Za-z0-9_]*)'\)")
_TRANSPILED_FINAL: Final = re.compile(r"^CEL = _result\(base_activation, ", re.MULTILINE)


def _rewrite_transpiled(cel_source: str, source: str) -> tuple[str, dict[str, Any]]:
    if "celpy" in cel_source or "_lit_" in cel_source or ".get(" in cel_source:
        raise CELCompileError("not rewritten: the expression mentions the transpiler's names")
    constants: dict[str, Any] = {}

    def literal(match: re.Match[str]) -> str:
        name = f"_lit_{len(constants)}"
        constants[name] = fast_int(int(match.group(1)))
        return name

    source = _TRANSPILED_HAS.sub(r"= lambda activation: _has(activation, \1)", source)
    source = _TRANSPILED_MACRO.sub(r"\1_macro_\2(", source)
    source = source.replace("celpy.evaluation.result(", "_result(")
    source = _TRANSPILED_INT.sub(literal, source)

    def field(match: re.Match[str]) -> str:
        name = f"_lit_{len(constants)}"
        constants[name] = field_key(match.group(1))
        return f".get({name})"

    source = _TRANSPILED_FIELD.sub(field, source)
    source, count = _TRANSPILED_FINAL.subn("CEL = lambda base_activation: _result(base_activation, ", source)
    if count != 1:
        raise CELCompileError("unexpected transpiled code")
    return source, constants


class Program:
    """One compiled CEL expression.

    Evaluated by the transpiled Python when cel-python's transpiler handles the expression,
    otherwise by cel-python's interpreter (``interpret=True`` forces the interpreter).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        tree = _parse(source)
        known = known_functions()
        for name, token in _called_functions(tree):
            if name not in known:
                raise CELCompileError(
                    f"undeclared reference to '{name}' (line {token.line}, column {token.column})"
                )
        self.identifiers = frozenset(_identifiers(tree))
        self._tree: lark.Tree[Any] | None = tree
        self._entry: Callable[[FastActivation], Any] | None = None
        self.python_source = ""
        self._constants: dict[str, Any] = {}
        try:
            transpiler = Transpiler(ast=cast(TranspilerTree, tree), activation=_base_activation())
            transpiler.transpile()
            python_source, constants = _rewrite_transpiled(source, transpiler.source_text)
            self._load(python_source, constants)
        except Exception:  # the transpiler's gaps (e.g. list.min()) fall back to the interpreter
            self._entry, self.python_source, self._constants = None, "", {}

    def _load(self, python_source: str, constants: dict[str, Any]) -> None:
        namespace = dict(_exec_globals())
        namespace.update(constants)
        exec(compile(python_source, "<cel>", "exec"), namespace)
        self.python_source, self._constants, self._entry = python_source, constants, namespace["CEL"]

    @property
    def tree(self) -> lark.Tree[Any]:
        """The parse tree (parsed on first use when the program came from the cache)."""
        if self._tree is None:
            self._tree = _parse(self.source)
        return self._tree

    def as_cached(self) -> dict[str, Any]:
        """What :func:`compile_expression` keeps in the user cache (:mod:`._derived`)."""
        constants = [
            [name, "int", int(value)] if isinstance(value, celtypes.IntType) else [name, "field", str(value)]
            for name, value in self._constants.items()
        ]
        return {"identifiers": sorted(self.identifiers), "python": self.python_source, "constants": constants}

    @classmethod
    def from_cached(cls, source: str, entry: dict[str, Any]) -> Program:
        """The program :meth:`as_cached` described, without parsing or transpiling again."""
        program = cls.__new__(cls)
        program.source = source
        program.identifiers = frozenset(entry["identifiers"])
        program._tree, program._entry, program.python_source, program._constants = None, None, "", {}
        if entry["python"]:
            constants = {
                name: fast_int(int(value)) if kind == "int" else field_key(str(value))
                for name, kind, value in entry["constants"]
            }
            program._load(str(entry["python"]), constants)
        return program

    @property
    def transpiled(self) -> bool:
        return self._entry is not None

    def evaluate(self, variables: Mapping[str, Any], *, interpret: bool = False) -> Any:
        """The value of the expression; :class:`CELEvaluationError` when evaluation fails."""
        try:
            if self._entry is not None and not interpret:
                value = self._entry(FastActivation(dict(variables)))
            else:
                activation = Activation(vars=dict(variables), functions=FUNCTIONS)
                tree = self.tree
                value = Evaluator(ast=tree, activation=activation).visit(tree)
        except RecursionError as ex:
            raise CELEvaluationError("expression nested too deeply") from ex
        except Exception as ex:
            raise CELEvaluationError(_describe(ex)) from ex
        if isinstance(value, CELEvalError):
            raise CELEvaluationError(_describe(value))
        return value


def _describe(error: BaseException) -> str:
    """A one-line reason from cel-python's (nested) error objects."""
    while isinstance(error, CELEvalError) and error.args:
        message = str(error.args[0])
        kind = error.args[1] if len(error.args) > 1 else None
        details = error.args[2] if len(error.args) > 2 else None
        detail = (
            details[0] if isinstance(details, tuple) and details and isinstance(details[0], str) else None
        )
        if detail and "CELEvalError" not in detail:
            if kind is ValueError or detail in message:
                return detail if kind is ValueError else message  # a library error says it all
            return f"{message}: {detail}"
        cause = error.__cause__
        if isinstance(cause, BaseException) and cause is not error:
            error = cause
            continue
        return message
    text = str(error) or type(error).__name__
    return text.splitlines()[0]


def _parse(source: str) -> lark.Tree[Any]:
    try:
        return _parser().parse(source)
    except lark.exceptions.LarkError as ex:
        context = ex.get_context(source) if isinstance(ex, lark.exceptions.UnexpectedInput) else ""
        raise CELCompileError(f"syntax error: {str(ex).splitlines()[0]}\n{context}".rstrip()) from ex


@lru_cache(maxsize=1)
def _cache_kind() -> str:
    """The cache entries' name: what compiled them (this module's code and cel-python's version)."""
    return "cel-program-" + _derived.code_digest(__file__, version("cel-python"))


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> Program:
    """Compile (once per process) a CEL expression; :class:`CELCompileError` if it is invalid.

    A compiled program is also kept in the user cache (:mod:`._derived`, keyed by the expression,
    this module's code and cel-python's version), so that later processes skip the parser and the
    transpiler; an invalid expression is compiled again each time, for its error."""
    cached = _derived.load(_cache_kind(), source)
    if isinstance(cached, dict):
        try:
            return Program.from_cached(source, cached)
        except Exception:  # an entry this code cannot use: compile afresh and replace it
            pass
    program = Program(source)
    _derived.store(_cache_kind(), source, program.as_cached())
    return program


# --------------------------------------------------------------------------------------------
# Kubernetes values -> CEL values
# --------------------------------------------------------------------------------------------

_RESERVED: Final = frozenset(
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
        "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    }
)  # fmt: skip
_ESCAPABLE: Final = re.compile(r"^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$")


def escape_property_name(name: str) -> str | None:
    """The CEL field name of an object property (Kubernetes escaping), ``None`` if inaccessible."""
    if name in _RESERVED:
        return f"__{name}__"
    if not _ESCAPABLE.match(name):
        return None
    return (
        name.replace("__", "__underscores__")
        .replace(".", "__dot__")
        .replace("-", "__dash__")
        .replace("/", "__slash__")
    )


_ROOT_IMPLICIT: Final = ("apiVersion", "kind")
_METADATA_VISIBLE: Final = ("name", "generateName")


class KubeMap(celtypes.MapType):
    """A CEL map built from a Kubernetes object, with a cheaper field lookup.

    Transpiled field selection (``x.f``) calls ``x.get('f')``; ``MapType.get`` checks the key type
    and looks the key up twice. Keys here are always strings, interned by :func:`field_key`, and
    the transpiled code passes the same interned objects, so the lookup is one identity hit.
    """

    __slots__ = ()

    def __init__(self, items: Mapping[Any, Any] | None = None) -> None:
        dict.__init__(self, items or {})

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            if default is not None:
                return default
            raise


@lru_cache(maxsize=8192)
def field_key(name: str) -> celtypes.StringType:
    """The (interned) CEL string for a field name or map key."""
    return celtypes.StringType(name)


def to_cel(value: Any, schema: Mapping[str, Any] | None = None, *, root: bool = False) -> Any:
    """Convert a JSON value to CEL types as the API server does for the schema node ``schema``."""
    return Converter().convert(value, schema or {}, root=root)


class Converter:
    """Schema-aware conversion with memoisation of already converted containers."""

    def __init__(self) -> None:
        self._memo: dict[tuple[int, int], Any] = {}
        self._keep: list[Any] = []  # keeps the memo's ids valid for the converter's lifetime

    def convert(self, value: Any, schema: Mapping[str, Any], *, root: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, dict | list):
            key = (id(value), id(schema))
            cached = self._memo.get(key)
            if cached is not None:
                return cached
            result = self._container(value, schema, root=root)
            self._memo[key] = result
            self._keep.append(value)
            return result
        return _scalar(value, schema)

    def _container(self, value: dict[str, Any] | list[Any], schema: Mapping[str, Any], *, root: bool) -> Any:
        if isinstance(value, list):
            items = schema.get("items")
            item_schema = items if isinstance(items, Mapping) else {}
            return celtypes.ListType([self.convert(v, item_schema) for v in value])
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        out: dict[Any, Any] = {}
        if isinstance(properties, Mapping) or root:
            props: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
            for name, item in value.items():
                sub = props.get(name)
                if root and name == "metadata":
                    if isinstance(item, dict):
                        visible = {k: item[k] for k in _METADATA_VISIBLE if k in item}
                        out[field_key("metadata")] = self.convert(
                            visible,
                            {
                                "type": "object",
                                "properties": {k: {"type": "string"} for k in _METADATA_VISIBLE},
                            },
                        )
                    continue
                if sub is None:
                    if root and name in _ROOT_IMPLICIT:
                        sub = {"type": "string"}
                    elif isinstance(additional, Mapping):
                        out[field_key(name)] = self.convert(item, additional)
                        continue
                    else:
                        # preserved unknown fields keep their raw name
                        out[field_key(name)] = self.convert(item, {})
                        continue
                escaped = escape_property_name(name)
                if escaped is not None:
                    out[field_key(escaped)] = self.convert(item, sub)
        else:
            sub_schema = additional if isinstance(additional, Mapping) else {}
            for name, item in value.items():
                out[field_key(name)] = self.convert(item, sub_schema)
        return KubeMap(out)


def _scalar(value: Any, schema: Mapping[str, Any]) -> Any:
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if schema.get("type") == "number":
            return celtypes.DoubleType(float(value))
        return fast_int(value)
    if isinstance(value, float):
        if schema.get("type") == "integer" and value.is_integer():
            return celtypes.IntType(int(value))
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        fmt = schema.get("format") if schema.get("type") == "string" else None
        if fmt is not None:
            converted = _formatted_string(value, fmt)
            if converted is not None:
                return converted
        return celtypes.StringType(value)
    return value


def _formatted_string(value: str, fmt: str) -> Any:
    """Strings whose format gives them a CEL type (duration, date/date-time, byte)."""
    try:
        if fmt == "duration":
            return cel_duration(value)
        if fmt in ("date-time", "datetime"):
            return celtypes.TimestampType(value)
        if fmt == "date":
            return celtypes.TimestampType(f"{value}T00:00:00Z")
        if fmt == "byte":
            return celtypes.BytesType(base64.b64decode(value, validate=True))
    except (ValueError, TypeError, binascii.Error):
        return None
    return None


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationRule:
    """One entry of ``x-kubernetes-validations``."""

    rule: str
    message: str | None = None
    message_expression: str | None = None
    field_path: str | None = None
    reason: str | None = None
    optional_old_self: bool = False

    @classmethod
    def from_schema(cls, raw: Mapping[str, Any]) -> ValidationRule:
        return cls(
            rule=str(raw["rule"]),
            message=raw.get("message"),
            message_expression=raw.get("messageExpression"),
            field_path=raw.get("fieldPath"),
            reason=raw.get("reason"),
            optional_old_self=bool(raw.get("optionalOldSelf", False)),
        )

    def compile(self) -> Program:
        """Compile the rule (and its messageExpression); :class:`CELCompileError` if invalid."""
        program = compile_expression(self.rule)
        if self.message_expression:
            compile_expression(self.message_expression)
        return program

    @property
    def is_transition_rule(self) -> bool:
        return "oldSelf" in self.compile().identifiers

    def failure_message(self, variables: Mapping[str, Any]) -> str:
        if self.message_expression:
            try:
                text = compile_expression(self.message_expression).evaluate(variables)
            except (CELEvaluationError, CELCompileError):
                text = None
            if isinstance(text, str) and text.strip():
                return str(text)
        if self.message and self.message.strip():
            return self.message
        return f"failed rule: {self.rule}"


_FIELD_PATH_PART: Final = re.compile(
    r"\.(?P<name>[A-Za-z_$][A-Za-z0-9_$-]*)|\[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]|\[\s*(?P<index>[0-9]+)\s*\]"
)


def join_path(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def resolve_field_path(path: str, field_path: str | None) -> str:
    """``path`` extended by a rule's ``fieldPath`` (``.a.b``, ``['key.with.dots']``, ``[0]``)."""
    if not field_path:
        return path
    position = 0
    while position < len(field_path):
        match = _FIELD_PATH_PART.match(field_path, position)
        if match is None:
            return f"{path}{field_path}" if field_path.startswith((".", "[")) else join_path(path, field_path)
        if match.group("name") is not None:
            path = join_path(path, match.group("name"))
        elif match.group("quoted") is not None:
            path = join_path(path, re.sub(r"\\(.)", r"\1", match.group("quoted")))
        else:
            path = join_path(path, int(match.group("index")))
        position = match.end()
    return path


NO_OLD_VALUE: Final = object()
"""``old_value`` of :func:`check_rules` on creation (or when no old value correlates)."""


def check_rules(
    rules: Iterable[ValidationRule], value: Any, path: str, *, old_value: Any = NO_OLD_VALUE
) -> Iterator[tuple[str, str]]:
    """Errors ``(field path, message)`` of ``rules`` evaluated with ``self`` = ``value`` (CEL-typed).

    Transition rules (rules that reference ``oldSelf``) only run when there is an old value,
    i.e. on an update, with ``oldSelf`` = ``old_value``; on creation they are skipped, except
    ``optionalOldSelf`` rules, for which ``oldSelf`` is ``optional.none()``.
    """
    for rule in rules:
        try:
            program = rule.compile()
        except CELCompileError as ex:
            yield path, f"rule compilation error: {ex} (rule: {rule.rule})"
            continue
        variables: dict[str, Any] = {"self": value}
        if "oldSelf" in program.identifiers:
            has_old = old_value is not NO_OLD_VALUE
            if rule.optional_old_self:
                variables["oldSelf"] = OptionalValue(True, old_value) if has_old else OPTIONAL_NONE
            elif has_old:
                variables["oldSelf"] = old_value
            else:
                continue
        try:
            outcome = program.evaluate(variables)
        except CELEvaluationError as ex:
            yield (
                resolve_field_path(path, rule.field_path),
                f"rule evaluation error: {ex} (rule: {rule.rule})",
            )
            continue
        if not isinstance(outcome, bool | celtypes.BoolType):
            yield path, f"rule did not evaluate to a bool (rule: {rule.rule})"
        elif not outcome:
            yield resolve_field_path(path, rule.field_path), rule.failure_message(variables)
