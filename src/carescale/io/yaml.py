"""The strict YAML reader every carescale file goes through.

Duplicate keys are refused, only names and numbers may be keys, only true/false are booleans
(YAML 1.2), dates stay text, numbers such as 1e308 are numbers, and a document's shape is bounded
(nesting depth, values after aliases are expanded, file size), so a hostile file cannot exhaust
memory or crash the parser. Any problem is one :class:`~carescale.errors.InputFileError` line
naming the file (and the line and column where the parser knows them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputFileError
from .paths import display_path

class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of silently keeping the last one."""


class _FastStrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same rules on libyaml's parser (several times faster). Its messages differ from the
    pure-Python parser's, so a file it refuses is parsed again by :class:`_StrictLoader` for
    the message (valid files, the usual case, are parsed once)."""


#: Limits on a YAML file's shape (no real carescale file comes near them): nesting depth, and
#: values after aliases are expanded (so that "billion laughs" aliases cannot exhaust memory).
MAX_YAML_DEPTH = 64
MAX_YAML_NODES = 200_000
#: Largest YAML file read (the largest shipped file is about 40 KB).
MAX_YAML_BYTES = 5_000_000


class YAMLShapeError(yaml.MarkedYAMLError):
    """A YAML document refused for its shape (too deep, too many values, an alias loop)."""

    def __init__(self, problem: str, mark: Any = None):
        super().__init__(problem=problem, problem_mark=mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_node_graph(root: yaml.Node) -> None:
    """Refuse a composed document nested deeper than :data:`MAX_YAML_DEPTH`, with more than
    :data:`MAX_YAML_NODES` values once aliases are expanded, or with an alias inside itself.
    Iterative, and linear in the composed (unexpanded) size."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            size[nid] = 1 + sum(size[id(c)] for c in _children(node))
            if size[nid] > MAX_YAML_NODES:
                raise YAMLShapeError(
                    f"more than {MAX_YAML_NODES:,} values once aliases are expanded; carescale files "
                    f"are far smaller (remove the aliases that repeat large parts)", node.start_mark
                )
            continue
        if nid in size:
            continue
        if nid in on_path:
            raise YAMLShapeError("an alias refers to a value that contains it (a loop)", node.start_mark)
        if depth > MAX_YAML_DEPTH:
            raise YAMLShapeError(f"nested more than {MAX_YAML_DEPTH} levels deep", node.start_mark)
        on_path.add(nid)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node) if id(c) not in size)


def text_nesting_bound(text: str) -> int:
    """A cheap upper bound on a YAML text's nesting depth, checked before any parser sees it
    (libyaml's composer recurses in C: a document nested 100,000 deep crashes the process).
    Counts open flow brackets and indentation levels (each ``- `` opens one too)."""
    flow = max_flow = 0
    indents: list[int] = []
    max_block = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        dashes = 0
        rest = stripped
        while rest.startswith("- ") or rest == "-":
            dashes += 1
            rest = rest[2:].lstrip(" ")
        max_block = max(max_block, len(indents) + dashes)
        for ch in line:
            if ch in "[{":
                flow += 1
                max_flow = max(max_flow, flow)
            elif ch in "]}":
                flow = max(0, flow - 1)
    return max_block + max_flow


_KEY_TYPES = (str, int, float, bool, type(None))


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            what = "a list" if isinstance(key_node, yaml.SequenceNode) else "a mapping"
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a name or a number, not {what}", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, _KEY_TYPES):  # pragma: no cover - scalars construct to these
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a name or a number, not {type(key).__name__}", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


def _construct_document(loader: Any, node: yaml.Node) -> Any:
    check_node_graph(node)
    return yaml.constructor.SafeConstructor.construct_document(loader, node)


_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# YAML 1.2 reads 1e308 and 2E-3 as numbers; PyYAML's 1.1 rules need a dot (1.0e308) and would
# read them as text, so a number a person wrote would be refused as "text, not a number".
_FLOAT_TAG = "tag:yaml.org,2002:float"
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$")

# Dates stay text: each schema parses the dates it expects, so an impossible one (2026-02-30)
# gets that field's own message rather than PyYAML's bare error. Only true/false are booleans
# (YAML 1.2): 'yes', 'no', 'on', 'off' stay text, so 'yes' is never read as the number 1.
for _loader in (_StrictLoader, _FastStrictLoader):
    _loader.construct_document = _construct_document  # type: ignore[method-assign]
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(_BOOL_TAG, _BOOL, list("tTfF"))
    _loader.add_implicit_resolver(_FLOAT_TAG, _EXPONENT_FLOAT, list("-+0123456789."))
    _loader.add_constructor(
        yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping  # type: ignore[arg-type]
    )
    _loader.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )


class _Dumper(yaml.SafeDumper):
    """Writes YAML that the strict loader reads back as written: text that the loader would take
    for a number (``1e5``, which YAML 1.2 reads as a float) is quoted."""


_Dumper.add_implicit_resolver(_FLOAT_TAG, _EXPONENT_FLOAT, list("-+0123456789."))

#: Characters YAML reads as line breaks inside a plain or single-quoted scalar (NEL, the Unicode
#: line and paragraph separators): such text is written double-quoted, where they are escaped, so
#: that it reads back as written rather than folded into spaces.
_FOLDED_BREAKS = frozenset("\x85\u2028\u2029")


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if _FOLDED_BREAKS.intersection(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    return dumper.represent_str(text)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any, **options: Any) -> str:
    """``data`` as YAML text that :func:`parse_yaml_text` reads back equal (block style, keys in
    their order, Unicode kept, lines up to 100 characters unless ``options`` say otherwise)."""
    options = {"sort_keys": False, "allow_unicode": True, "width": 100, **options}
    return yaml.dump(data, Dumper=_Dumper, **options)


def read_yaml(path: Path) -> Any:
    return parse_yaml_text(read_user_text(path), display_path(path))


def read_user_text(path: Path | str, what: str = "YAML file") -> str:
    """A text file's contents; a folder, a file over :data:`MAX_YAML_BYTES`, a missing or
    unreadable file or one not in UTF-8 is one :class:`InputFileError` line naming it."""
    name = display_path(Path(path))
    try:
        if Path(path).is_dir():
            raise InputFileError(f"{name}: is a folder, not a {what}")
        size = Path(path).stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputFileError(
                f"{name}: the file is {size:,} bytes; a carescale {what} may be at most "
                f"{MAX_YAML_BYTES:,} bytes: is this the right file?"
            )
        with open(path, "rb") as fh:  # at most the limit, whatever the file claims (a device never ends)
            raw = fh.read(MAX_YAML_BYTES + 1)
        if len(raw) > MAX_YAML_BYTES:
            raise InputFileError(
                f"{name}: the file is more than {MAX_YAML_BYTES:,} bytes; a carescale {what} may be at most "
                f"{MAX_YAML_BYTES:,} bytes: is this the right file?"
            )
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise InputFileError(f"{name}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{name}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise InputFileError(f"{name}: cannot be read ({exc.strerror})") from None
    return text


def parse_yaml_text(text: str, name: str) -> Any:
    """Parse a YAML document the way every carescale file is parsed: duplicate keys refused,
    only names and numbers as keys, only true/false as booleans, dates kept as text, and its
    shape bounded (:data:`MAX_YAML_DEPTH`, :data:`MAX_YAML_NODES`). Returns a mapping; any
    problem is one :class:`InputFileError` line starting with ``name``."""
    if text_nesting_bound(text) > MAX_YAML_DEPTH:
        raise InputFileError(
            f"{name}: not valid YAML: nested more than {MAX_YAML_DEPTH} levels deep; carescale "
            f"files are a few levels deep"
        )
    try:
        try:
            data = yaml.load(text, Loader=_FastStrictLoader)  # noqa: S506 - strict SafeLoader subclass
        except (yaml.YAMLError, ValueError):
            data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - the same, for its message
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputFileError(f"{name}: {where}not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked YAML errors are rare
        raise InputFileError(f"{name}: not valid YAML: {exc}") from None
    except ValueError as exc:  # any other value PyYAML's constructors cannot build
        raise InputFileError(f"{name}: not valid YAML: {exc}") from None
    except RecursionError:  # pragma: no cover - text_nesting_bound refuses such files first
        raise InputFileError(f"{name}: not valid YAML: nested too deeply") from None
    if data is None:
        raise InputFileError(f"{name}: the file is empty")
    if not isinstance(data, dict):
        raise InputFileError(
            f"{name}: the top level must be a mapping of keys to values, not a {type(data).__name__}"
        )
    return data

