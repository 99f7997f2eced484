"""``platformctl``: offline preview of a stack, its admission policies, and the CrossGuard policy pack.

Exit codes (docs/cli.md has the table, tests/test_cli_docs.py holds it equal to these constants):
0 clean; 1 policy violations (mandatory) or schema errors; 2 bad config, bad usage, missing stack,
a YAML syntax error or a missing extra (one clear line on stderr, never a traceback); 130
interrupted; 141 the reader of stdout went away (``platformctl rules | head``).

Colour, the progress display and the error lines are :mod:`platform_components._console` and
:mod:`platform_components._progress`; a renamed flag keeps its old name through
:mod:`platform_components._deprecated_flags`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _console
from ._progress import ProgressDisplay, progress_mode
from .errors import PlatformError

if TYPE_CHECKING:
    from .preview.engine import PreviewResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a shell reports for ``cat`` writing into a closed pipe."""
JSON_SCHEMA_VERSION = 1
"""``schema_version`` of ``rules --json`` and ``policy-pack --json`` (the preview's outputs carry
their own, :data:`~platform_components.preview.report.REPORT_SCHEMA_VERSION`)."""


def pack_directory() -> Path:
    """The CrossGuard pack shipped inside the package (``pulumi preview --policy-pack <this>``)."""
    return Path(__file__).resolve().parent / "policies" / "pack"


def version_line() -> str:
    """``platformctl --version``: this package's version and the Pulumi SDK's it runs with."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(distribution: str) -> str:
        try:
            return version(distribution)
        except PackageNotFoundError:
            return "not installed"

    return f"platformctl {installed('platform-components')} (pulumi SDK {installed('pulumi')})"


class _Version(argparse.Action):
    """``--version``: print :func:`version_line` and exit 0 (read only when asked for)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        sys.stdout.write(version_line() + "\n")
        parser.exit(EXIT_CLEAN)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _console.error(message)
        raise SystemExit(EXIT_USAGE)


class _CommandParser(_Parser):
    """Every command's parser: it takes the options all commands share (``--color``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--color",
            choices=_console.COLOR_MODES,
            default="auto",
            help="colour the output: auto (on a terminal, unless NO_COLOR is set), always or never",
        )


def _stack_arguments(command: argparse.ArgumentParser) -> None:
    """PROJECT_DIR and --stack NAME, as every command that reads one stack takes them."""
    command.add_argument("project_dir", nargs="?", default=".", metavar="PROJECT_DIR", help="default: .")
    command.add_argument("--stack", "-s", required=True, help="stack name (stacks/Pulumi.<stack>.yaml)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="platformctl", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--version", action=_Version, help="print the versions of platformctl and the Pulumi SDK"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)
    preview = sub.add_parser(
        "preview",
        help="run a stack offline: render, schema-check and police every resource",
        description="Run a Pulumi program under mocks with a stack's config; no cloud or cluster needed.",
    )
    _stack_arguments(preview)
    preview.add_argument("--out", type=Path, default=None, help="output directory (default: out/<stack>)")
    preview.add_argument("--json", action="store_true", help="print report.json to stdout instead of a table")
    preview.add_argument(
        "--kubernetes-version", default=None, help="schema minor (default: the stack's kubernetes_version)"
    )
    preview.add_argument("--quiet", "-q", action="store_true", help="no progress display on stderr")
    preview.add_argument("--debug", action="store_true", help="show tracebacks of program errors")
    pack = sub.add_parser("policy-pack", help="print the directory of the CrossGuard policy pack")
    pack.add_argument("--json", action="store_true", help="print a JSON object instead of the bare path")
    rules = sub.add_parser("rules", help="list the policy rules and where each is enforced")
    rules.add_argument("--json", action="store_true", help="print the rules as JSON instead of a table")
    admission = sub.add_parser(
        "admission",
        help="print the ValidatingAdmissionPolicies and bindings a stack installs, as YAML for a GitOps repository",
        description="Print (or write with --out) the ValidatingAdmissionPolicies and bindings the stack "
        "installs: the pack's rules for what GitOps or kubectl applies.",
    )
    _stack_arguments(admission)
    admission.add_argument(
        "--json", action="store_true", help="a JSON List (kubectl apply -f takes it) instead of YAML"
    )
    admission.add_argument("--quiet", "-q", action="store_true", help="no 'Wrote <file>' line on stderr")
    admission.add_argument("--out", type=Path, default=None, help="write to this file instead of stdout")
    schema = sub.add_parser(
        "schema",
        help="print the JSON Schema of stack files (Pulumi.<stack>.yaml) for editors",
        description="Print (or write with --out) the JSON Schema of a whole stack file, generated from the "
        "platform config model; point an editor at it with '# yaml-language-server: $schema=<path>'.",
    )
    schema.add_argument("--out", type=Path, default=None, help="write to this file instead of stdout")
    graph = sub.add_parser(
        "graph",
        help="print a stack's component tree as a Mermaid flowchart",
        description="Preview a stack offline and print (or write with --out) its components as a Mermaid "
        "flowchart, with the resources each one creates counted per kind (every one with --resources).",
    )
    _stack_arguments(graph)
    graph.add_argument("--out", type=Path, default=None, help="write to this file instead of stdout")
    graph.add_argument("--resources", action="store_true", help="a node for every resource, not counts")
    diff = sub.add_parser(
        "diff",
        help="show what differs between two stacks' rendered objects",
        description="Preview two stacks offline and show the objects only in one of them and, for the "
        "objects in both, the changed fields with both values (secrets masked). Exit 0 when it ran.",
    )
    diff.add_argument("project_dir", nargs="?", default=".", metavar="PROJECT_DIR", help="default: .")
    diff.add_argument("--stack", "-s", action="append", help="a stack name; give two: --stack A --stack B")
    diff.add_argument("--json", action="store_true", help="print the difference as JSON")
    return parser


def _run_preview(args: argparse.Namespace, say: ProgressDisplay) -> tuple[PreviewResult, dict[str, Path]]:
    """Preview the stack and write its outputs; a PlatformError for anything that fails."""
    from .preview.engine import explain_exception, preview
    from .preview.report import write_outputs

    try:
        result = preview(
            args.project_dir, args.stack, kubernetes_version=args.kubernetes_version, progress=say
        )
    except PlatformError:
        raise
    except Exception as exc:  # the engine itself failed; still one line unless --debug
        raise explain_exception(exc, None) from exc
    out = args.out if args.out is not None else Path("out") / args.stack
    say(f"writing {out}{os.sep}")
    try:
        return result, write_outputs(result, out)
    except OSError as exc:
        raise PlatformError(
            f"cannot write the outputs to {out}: {exc.strerror or exc}; choose --out"
        ) from exc


def _cmd_preview(args: argparse.Namespace) -> int:
    from .preview.engine import one_line
    from .preview.report import render_summary, report_dict

    mode = progress_mode(sys.stderr, quiet=args.quiet, machine_output=args.json)
    try:
        with ProgressDisplay(sys.stderr, mode) as say:
            result, outputs = _run_preview(args, say)
    except PlatformError as exc:
        if args.debug:
            raise
        _console.error(one_line(str(exc)), args.color)
        return EXIT_USAGE
    if args.json:
        sys.stdout.write(json.dumps(report_dict(result), indent=2) + "\n")
    else:
        colour = _console.colour_enabled(sys.stdout, args.color)
        sys.stdout.write(render_summary(result, sys.stdout, outputs, colour=colour))
    return result.exit_code


def _cmd_policy_pack(args: argparse.Namespace) -> int:
    if args.json:
        document = {"schema_version": JSON_SCHEMA_VERSION, "directory": str(pack_directory())}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write(f"{pack_directory()}\n")
    return EXIT_CLEAN


def _cmd_rules(args: argparse.Namespace) -> int:
    from .policies import rule_catalogue

    catalogue = rule_catalogue()
    if args.json:
        sys.stdout.write(
            json.dumps({"schema_version": JSON_SCHEMA_VERSION, "rules": catalogue}, indent=2) + "\n"
        )
        return EXIT_CLEAN
    style = _console.Style(_console.colour_enabled(sys.stdout, args.color))
    painted = {"critical": style.red, "high": style.red, "medium": style.yellow}
    for rule in catalogue:
        name = str(rule["severity"])
        severity = painted.get(name, str)(name) + " " * (9 - len(name))
        sys.stdout.write(
            f"{rule['id']:<32} {severity} {rule['enforcement']:<10} {rule['enforced_at']:<20} "
            f"{rule['description']}\n"
        )
    return EXIT_CLEAN


def _cmd_admission(args: argparse.Namespace) -> int:
    import yaml

    from .config import config_key, validate_config
    from .environment import stack_admission_documents
    from .preview.project import load_project

    project = load_project(args.project_dir)
    stack_file = project.stack_file(args.stack)
    key = config_key(project.name)
    config = validate_config(
        stack_file.config.get(key),
        source=stack_file.display,
        locate=lambda loc: stack_file.line_of(["config", key, *loc]),
    )
    documents = stack_admission_documents(config)
    if args.json:
        text = json.dumps({"apiVersion": "v1", "kind": "List", "items": documents}, indent=2) + "\n"
    else:
        text = yaml.safe_dump_all(documents, sort_keys=False, width=120)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        if not args.quiet:
            sys.stderr.write(f"Wrote {args.out}\n")
    return EXIT_CLEAN


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "policy-pack":
        return _cmd_policy_pack(args)
    if args.command == "rules":
        return _cmd_rules(args)
    if args.command == "admission":
        return _cmd_admission(args)
    if args.command == "schema":
        from .stack_schema import run_schema

        return run_schema(args.out)
    if args.command == "graph":
        from .graph import run_graph

        return run_graph(args.project_dir, args.stack, out=args.out, resources=args.resources)
    if args.command == "diff":
        from .stack_diff import run_diff

        return run_diff(args.project_dir, args.stack, as_json=args.json)
    return _cmd_preview(args)


def main(argv: Sequence[str] | None = None) -> int:
    from ._collector import one_shot_process

    with one_shot_process():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = _dispatch(args)
        sys.stdout.flush()  # a closed pipe shows up here rather than at interpreter exit
        return code
    except PlatformError as exc:  # e.g. a missing extra: one line naming it
        if getattr(args, "debug", False):
            raise
        _console.error(str(exc), args.color)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`platformctl rules | head`): stop quietly, as cat does. Python would
        # otherwise print a second traceback when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_CLEAN",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "JSON_SCHEMA_VERSION",
    "main",
    "pack_directory",
    "version_line",
]


if __name__ == "__main__":
    raise SystemExit(main())
