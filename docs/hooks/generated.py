"""MkDocs hook: the site's generated parts, made from the code at build time (nothing is committed).

A page asks for them with a marker line of its own:

* ``<!-- args: SecureWorkloadArgs ProbeArgs -->``: the argument table of each named public model,
  the same tables the README shows (``platform_components._reference.model_table``); every model of
  ``_reference.SECTIONS`` is documented on some page (``tests/docs/test_site.py``).
* ``<!-- rule-catalogue -->``: every rule of the policy pack (``policies.rule_catalogue()``, what
  ``platformctl rules`` prints), resource rules then stack rules, each with its own fix and the
  exemption that would waive it.

Docstrings are written for Sphinx-style readers: ``on_page_content`` shows a role such as
``:class:`~platform_components.refs.ExternalRef``` as the code name it points at.

An unknown model fails the build with one line naming the page and the model.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from mkdocs.exceptions import PluginError
from platform_components import _reference
from platform_components.policies import EXEMPT_PREFIX, rule_catalogue
from pydantic import BaseModel

_MARKER = re.compile(r"^<!-- (?:args:(?P<models>[^>]*)|(?P<catalogue>rule-catalogue)) -->$", re.MULTILINE)


def public_model(name: str) -> type[BaseModel] | None:
    """A public pydantic model: a name of the package's ``__all__``, or ``module.Name`` of a public
    module's ``__all__`` (``platform_components.admission_policies.AdmissionPoliciesArgs``)."""
    module_name, _, attribute = name.rpartition(".")
    try:
        module = importlib.import_module(module_name or "platform_components")
    except ImportError:
        return None
    if not module.__name__.startswith("platform_components") or attribute not in getattr(
        module, "__all__", ()
    ):
        return None
    value = getattr(module, attribute, None)
    return value if isinstance(value, type) and issubclass(value, BaseModel) else None


_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):<code>(?P<tilde>~?)(?P<target>[\w.]+)</code>")
_KINDS = {
    "resource": "Resource rules: one object at a time",
    "stack": "Stack rules: several objects of a stack together",
}


def args_tables(names: list[str], page: str) -> str:
    """The argument tables of the named models, one ``###`` heading each."""
    models = {name: public_model(name) for name in names}
    unknown = [name for name, model in models.items() if model is None]
    if unknown or not names:
        raise PluginError(
            f"{page}: <!-- args: ... --> names {unknown or 'no model'}; "
            "name public models: platform_components.<Name> or <module>.<Name> in the module's __all__"
        )
    return "\n\n".join(
        _reference.model_table(model).replace("#### ", "### ", 1) for model in models.values() if model
    )


def _rule_entry(rule: dict[str, Any]) -> str:
    rule_id = str(rule["id"])
    kinds = ", ".join(f"`{kind}`" for kind in rule["applies_to"]) or "the whole stack"
    lines = [
        f"### `{rule_id}`",
        "",
        str(rule["description"]),
        "",
        f"- **severity**: {rule['severity']}; **enforcement**: {rule['enforcement']} "
        f"({'fails a preview' if rule['enforcement'] == 'mandatory' else 'a warning'})",
        f"- **enforced at**: {rule['enforced_at']}"
        + (f" ({rule['preview_only']})" if rule["preview_only"] else ""),
        f"- **applies to**: {kinds} ({rule['kind']} rule)",
        f"- **fix**: {rule['fix']}",
        f'- **exemption**: a justified exception is the annotation `{EXEMPT_PREFIX}{rule_id}: "<reason>"` '
        f"(a component's `policy_exemptions: {{{rule_id}: <reason>}}`)",
    ]
    return "\n".join(lines)


def rule_catalogue_page() -> str:
    """Every rule, resource rules then stack rules (``##``), one ``###`` entry per rule, by id."""
    rules = rule_catalogue()
    parts = [f"{len(rules)} rules."]
    for kind, title in _KINDS.items():
        parts.append(f"## {title}")
        parts.extend(_rule_entry(rule) for rule in rules if rule["kind"] == kind)
    return "\n\n".join(parts)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Replace each marker line of a page by what it asks for; any other comment stays as it is."""

    def replace(match: re.Match[str]) -> str:
        if match["catalogue"]:
            return rule_catalogue_page()
        return args_tables(match["models"].split(), page.file.src_uri)

    return _MARKER.sub(replace, markdown)


def on_page_content(html: str, **_: Any) -> str:
    """Show each Sphinx role of a rendered docstring as its name (``~`` keeps the last part only)."""
    return _ROLE.sub(
        lambda match: (
            f"<code>{match['target'].rsplit('.', 1)[-1] if match['tilde'] else match['target']}</code>"
        ),
        html,
    )
