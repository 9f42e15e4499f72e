"""Loading definitions from YAML: the evidence library, area profiles, overlaps and sources.

Files are read with a strict YAML loader (duplicate keys are an error), validated into the frozen
pydantic models of :mod:`carescale.schema`, then checked against each other (every reference
names a known document, every cohort and spend line is in the vocabulary). Any problem becomes a
one-line :class:`~carescale.errors.InputFileError` naming the file, the field, the value and what
is valid.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any, Iterable, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputFileError, ModelError, SettingsError, UnknownIdError, expect
from ..schema import (
    Area,
    Intervention,
    OverlapSet,
    PortfolioSet,
    Quantity,
    Reference,
    SourceSet,
    Vocabulary,
)

from ..schema.case_study import CaseStudy

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

DATA_DIR = Path(str(resources.files("carescale") / "data"))


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


def display_path(path: Path) -> str:
    """A short path for messages: relative to the packaged data folder or the working folder."""
    path = Path(path)
    for base in (DATA_DIR, Path.cwd()):
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


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


def format_loc(loc: Iterable[Any], data: Any = None) -> str:
    """``('segments', 0, 'rate')`` -> ``segments[older-people].rate``: list items are named by
    their ``id`` in the file where they have one, else by position."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            label = item.get("id") if isinstance(item, dict) else None
            out += f"[{label if label is not None else part}]"
            node = item
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def format_validation_error(name: str, exc: ValidationError, data: Any = None) -> str:
    """One line for a pydantic error: the first problem, and how many more there are.

    Errors from the ``None`` branch of optional fields (``none_required``) only repeat the real
    problem, so they are left out, as are errors about a container that only echo a more specific
    error inside it."""
    every = exc.errors(include_url=False)
    locs = [tuple(e["loc"]) for e in every]
    errors = [
        e
        for e in every
        if e["type"] != "none_required"
        # a container error that only echoes a more specific error inside it
        and not any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locs)
    ] or every
    first = errors[0]
    loc = format_loc([p for p in first["loc"] if p not in ("Quantity",)], data)
    kind = first["type"]
    if kind == "missing":
        msg = "required key is missing"
    elif kind == "value_error":
        msg = str(first["msg"]).removeprefix("Value error, ")
    else:
        msg = f"{first['msg'][0].lower()}{first['msg'][1:]} (got {first.get('input')!r})"
    more = len(errors) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{name}: {loc + ': ' if loc else ''}{msg}{tail}"


def parse_model(model: type[M], data: Any, name: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputFileError(format_validation_error(name, exc, data)) from None


def load_model(model: type[M], path: Path) -> M:
    return parse_model(model, read_yaml(path), display_path(path))


def iter_instances(obj: Any, cls: type[T], loc: str = "") -> Iterable[tuple[str, T]]:
    """Every instance of ``cls`` inside a model, with its dotted location (list items are named
    by their ``id`` where they have one)."""
    if isinstance(obj, cls):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for key in type(obj).model_fields:
            yield from iter_instances(getattr(obj, key), cls, f"{loc}.{key}" if loc else key)
    elif isinstance(obj, dict):
        for key, val in obj.items():
            yield from iter_instances(val, cls, f"{loc}.{key}" if loc else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, val in enumerate(obj):
            label = getattr(val, "id", None) or i
            yield from iter_instances(val, cls, f"{loc}[{label}]")


def iter_quantities(obj: Any) -> Iterable[tuple[str, Quantity]]:
    return iter_instances(obj, Quantity)


def iter_references(obj: Any) -> Iterable[tuple[str, Reference]]:
    return iter_instances(obj, Reference)


@dataclass(frozen=True)
class Library:
    """Every definition carescale knows about, checked against each other."""

    interventions: dict[str, Intervention]
    areas: dict[str, Area]
    overlaps: OverlapSet
    vocabulary: Vocabulary
    sources: SourceSet
    portfolios: PortfolioSet
    files: dict[str, Path] = field(default_factory=dict)
    case_studies: dict[str, CaseStudy] = field(default_factory=dict)
    #: Saved area profiles (``carescale areas import``) whose file no longer loads: id -> the
    #: one-line problem. They are left out, so one broken file does not break every command;
    #: asking for one of them gives its problem.
    broken_areas: dict[str, str] = field(default_factory=dict)

    # -- look-ups ------------------------------------------------------------------------------
    def intervention(self, iid: str) -> Intervention:
        try:
            return self.interventions[iid]
        except KeyError:
            raise UnknownIdError("intervention", iid, list(self.interventions)) from None

    def area(self, aid: str) -> Area:
        if not isinstance(aid, str):
            raise SettingsError(f"area: give an area id as text, not {type(aid).__name__} {aid!r}")
        try:
            return self.areas[aid]
        except KeyError:
            if aid in self.broken_areas:
                raise InputFileError(
                    f"{self.broken_areas[aid]} (fix the file, or remove it with 'carescale areas remove {aid}')"
                ) from None
            raise UnknownIdError("area", aid, list(self.areas)) from None

    def portfolio(self, pid: str | None = None) -> tuple[Intervention, ...]:
        """The interventions of a named portfolio (the default one if ``pid`` is None)."""
        pid = pid or self.portfolios.default
        if pid not in self.portfolios.portfolios:
            raise UnknownIdError("portfolio", pid, list(self.portfolios.portfolios))
        return tuple(self.intervention(i) for i in self.portfolios.portfolios[pid].interventions)

    def select(self, ids: Iterable[str] | None) -> tuple[Intervention, ...]:
        """The named interventions, or the default portfolio when ``ids`` is None. Each may be
        named once; a bare string is refused (it is not a list of ids)."""
        if ids is not None:
            ids = check_id_list(ids, "interventions")
        chosen = self.portfolio() if ids is None else tuple(self.intervention(i) for i in ids)
        for iv in chosen:
            self.require_runnable(iv)
        return chosen

    @property
    def runnable(self) -> dict[str, Intervention]:
        """The interventions the engine can run (``status: runnable``)."""
        return {i: iv for i, iv in self.interventions.items() if iv.status == "runnable"}

    def require_runnable(self, iv: Intervention) -> Intervention:
        """``iv``, or a :class:`ModelError` if it is a promising model (no numbers to run it)."""
        if iv.status != "runnable":
            raise ModelError(
                f"intervention {iv.id!r} cannot be run: it is a promising model and the seeds do "
                f"not give {'; '.join(iv.missing_numbers)} (see 'carescale evidence show {iv.id}'); "
                f"runnable models are: {', '.join(sorted(self.runnable))}"
            )
        return iv

    def case_study(self, cid: str) -> CaseStudy:
        try:
            return self.case_studies[cid]
        except KeyError:
            raise UnknownIdError("case study", cid, list(self.case_studies)) from None

    # -- checks across files -------------------------------------------------------------------
    def check_area(self, area: Area, name: str) -> Area:
        vocab = self.vocabulary
        for key in area.cohorts:
            if key not in vocab.cohorts:
                raise InputFileError(
                    f"{name}: cohorts.{key}: unknown cohort; valid cohorts are: "
                    f"{', '.join(sorted(vocab.cohorts))}"
                )
        for key in area.spend:
            if key not in vocab.spend_lines:
                raise InputFileError(
                    f"{name}: spend.{key}: unknown spend line; valid spend lines are: "
                    f"{', '.join(sorted(vocab.spend_lines))}"
                )
        for key, q in area.cohorts.items():
            parent = vocab.cohorts[key].within
            if parent and parent in area.cohorts and q.value > area.cohorts[parent].value:
                raise InputFileError(
                    f"{name}: cohorts.{key}: {q.value:,.0f} is larger than the cohort it belongs "
                    f"to, {parent} ({area.cohorts[parent].value:,.0f})"
                )
        for iid, segs in area.provision.items():
            if iid not in self.interventions:
                raise InputFileError(
                    f"{name}: provision.{iid}: unknown intervention; valid ids are: "
                    f"{', '.join(sorted(self.interventions))}"
                )
            valid = [s.id for s in self.interventions[iid].segments]
            for sid in segs:
                if sid not in valid:
                    raise InputFileError(
                        f"{name}: provision.{iid}.{sid}: unknown segment; valid segments of "
                        f"{iid} are: {', '.join(valid)}"
                    )
        self.check_refs(area, name)
        return area

    def check_intervention(self, iv: Intervention, name: str) -> Intervention:
        vocab = self.vocabulary
        for seg in iv.segments:
            c = seg.sizing.cohort
            if c and c not in vocab.cohorts:
                raise InputFileError(
                    f"{name}: segments[{seg.id}].sizing.cohort: unknown cohort {c!r}; valid "
                    f"cohorts are: {', '.join(sorted(vocab.cohorts))}"
                )
            for red in seg.spend_reductions:
                if red.spend_line not in vocab.spend_lines:
                    raise InputFileError(
                        f"{name}: segments[{seg.id}].spend_reductions[{red.id}].spend_line: "
                        f"unknown spend line {red.spend_line!r}; valid spend lines are: "
                        f"{', '.join(sorted(vocab.spend_lines))}"
                    )
        if iv.source and iv.source.area and iv.source.area not in self.areas:
            raise InputFileError(
                f"{name}: source.area: unknown area {iv.source.area!r}; valid areas are: "
                f"{', '.join(sorted(self.areas))}"
            )
        self.check_refs(iv, name)
        return iv

    def check_refs(self, obj: BaseModel, name: str) -> None:
        docs = self.sources.documents
        for loc, ref in iter_references(obj):
            if ref.document not in docs:
                raise InputFileError(
                    f"{name}: {loc}.document: unknown document {ref.document!r}; valid documents "
                    f"are: {', '.join(sorted(docs))}"
                )

    def with_area(self, area: Area, name: str = "<area>") -> "Library":
        """A copy of the library with one more (or a replaced) area profile."""
        self.check_area(area, name)
        broken = {k: v for k, v in self.broken_areas.items() if k != area.id}
        return replace(self, areas={**self.areas, area.id: area}, broken_areas=broken)

    def with_documents(self, documents: dict[str, Any], name: str = "<file>") -> "Library":
        """A copy of the library whose references may also name a file's own ``documents``
        (a local business case); an id of a document in sources.yaml may not be reused."""
        if not documents:
            return self
        clash = sorted(d for d in documents if d in self.sources.documents)
        if clash:
            raise InputFileError(
                f"{name}: documents.{clash[0]}: this id is a document in sources.yaml already; "
                "refer to it without redefining it, or give yours another id"
            )
        return replace(self, sources=SourceSet(documents={**self.sources.documents, **documents}))

    def with_intervention(
        self, iv: Intervention, name: str = "<intervention>", documents: dict[str, Any] | None = None
    ) -> "Library":
        """A copy of the library with one more intervention (a logic model turned into an
        :class:`Intervention`) and the documents its references name, checked like a file of
        the library. An id already used by the library's own models is refused."""
        if iv.id in self.interventions and f"interventions/{iv.id}" in self.files:
            raise InputFileError(
                f"{name}: id: {iv.id!r} is a model in the evidence library; give your model its own id"
            )
        lib = self.with_documents(documents or {}, name)
        lib.check_intervention(iv, name)
        return replace(lib, interventions={**lib.interventions, iv.id: iv})


def load_area_file(path: Path | str, library: Library | None = None) -> Area:
    """Read and check one area profile: a YAML file, or a filled-in template (``.csv`` or
    ``.xlsx``, see :mod:`carescale.areas`)."""
    expect(path, (str, PathLike), "path", "the path of an area file (str or pathlib.Path)")
    lib = library or default_library()
    path = Path(path)
    if path.suffix.lower() in (".csv", ".xlsx"):
        from ..areas import read_area_file

        return read_area_file(path, lib).area
    area = load_model(Area, path)
    return lib.check_area(area, display_path(path))


def load_intervention_file(path: Path | str, library: Library | None = None) -> Intervention:
    """Read and check one intervention YAML file."""
    lib = library or default_library()
    path = Path(path)
    iv = load_model(Intervention, path)
    return lib.check_intervention(iv, display_path(path))


def validate_file(path: Path | str, library: Library | None = None) -> Intervention | Area | CaseStudy:
    """Check a data file of any kind: an intervention (it has ``segments`` or a
    ``transformation_area``), a case study (it has ``what_was_done``) or an area."""
    lib = library or default_library()
    path = Path(path)
    name = display_path(path)
    if path.suffix.lower() in (".csv", ".xlsx", ".xls", ".ods"):
        raise InputFileError(
            f"{name}: 'carescale validate' checks YAML files; to check a filled-in area template "
            f"use 'carescale areas import {name}' (it checks every row and saves nothing unless "
            f"the whole file is valid)"
        )
    data = read_yaml(path)
    if "what_was_done" in data:
        from ..evidence import check_case_study

        return check_case_study(lib, parse_model(CaseStudy, data, name), name)
    if "segments" in data or "transformation_area" in data:
        return lib.check_intervention(parse_model(Intervention, data, name), name)
    return lib.check_area(parse_model(Area, data, name), name)


def load_library(data_dir: Path | str = DATA_DIR) -> Library:
    """Load a whole library from a folder laid out like ``carescale/data``."""
    expect(data_dir, (str, PathLike), "data_dir", "the path of a folder laid out like carescale/data")
    data_dir = Path(data_dir)
    sources = load_model(SourceSet, data_dir / "sources.yaml")
    vocabulary = load_model(Vocabulary, data_dir / "vocabulary.yaml")
    files: dict[str, Path] = {}

    def load_dir(sub: str, model: type[M]) -> dict[str, M]:
        out: dict[str, M] = {}
        for path in sorted((data_dir / sub).glob("*.yaml")):
            obj = load_model(model, path)
            oid = getattr(obj, "id")
            if oid != path.stem:
                raise InputFileError(
                    f"{display_path(path)}: id: {oid!r} does not match the file name; "
                    f"it must be {path.stem!r}"
                )
            out[oid] = obj
            files[f"{sub}/{oid}"] = path
        return out

    loaded = load_dir("interventions", Intervention)
    # The paper's order: by transformation area (1-5), then by id.
    interventions = dict(sorted(loaded.items(), key=lambda kv: (kv[1].transformation_area, kv[0])))
    areas = load_dir("areas", Area)
    overlaps = load_model(OverlapSet, data_dir / "overlaps.yaml")
    portfolios = load_model(PortfolioSet, data_dir / "portfolios.yaml")
    has_cases = (data_dir / "case_studies").is_dir()
    case_studies = load_dir("case_studies", CaseStudy) if has_cases else {}
    lib = Library(
        interventions, areas, overlaps, vocabulary, sources, portfolios, files,
        case_studies=case_studies,
    )
    pf_name = display_path(data_dir / "portfolios.yaml")
    for pid, pf in portfolios.portfolios.items():
        for iid in pf.interventions:
            if iid not in interventions:
                raise InputFileError(
                    f"{pf_name}: portfolios.{pid}.interventions: unknown intervention {iid!r}; "
                    f"valid ids are: {', '.join(sorted(interventions))}"
                )
            if interventions[iid].status != "runnable":
                raise InputFileError(
                    f"{pf_name}: portfolios.{pid}.interventions: {iid!r} is a promising model "
                    f"with no numbers to run it; a portfolio lists runnable models only: "
                    f"{', '.join(sorted(lib.runnable))}"
                )
    lib.check_refs(portfolios, pf_name)
    for iid, iv in interventions.items():
        lib.check_intervention(iv, display_path(files[f"interventions/{iid}"]))
    for aid, area in areas.items():
        lib.check_area(area, display_path(files[f"areas/{aid}"]))
    ov_name = display_path(data_dir / "overlaps.yaml")
    for ov in overlaps.overlaps:
        for iid in ov.interventions:
            if iid not in interventions:
                raise InputFileError(
                    f"{ov_name}: overlaps[{ov.id}].interventions: unknown intervention {iid!r}; "
                    f"valid ids are: {', '.join(sorted(interventions))}"
                )
    lib.check_refs(overlaps, ov_name)
    from ..evidence import check_case_study  # here: evidence builds on this module

    for cid, cs in case_studies.items():
        check_case_study(lib, cs, display_path(files[f"case_studies/{cid}"]))
    return lib


@functools.lru_cache(maxsize=1)
def packaged_library() -> Library:
    """The library shipped with carescale, without the user's saved areas (cached in memory,
    and on disk by content: :mod:`carescale.cache`, so a new process skips the YAML parsing,
    validation and cross-checks when neither the data nor the code has changed)."""
    from ..cache import cached, files_key

    files = sorted(p for p in DATA_DIR.rglob("*") if p.is_file())
    key = files_key(files, [str(p.relative_to(DATA_DIR)) for p in files])
    return cached("library", key, lambda: load_library(DATA_DIR))


# -- the user's area store ('carescale areas import' saves profiles here) ----------------------


def user_home() -> Path:
    """carescale's folder for the user's own data: ``$CARESCALE_HOME`` if set, else the
    platform's user data directory (platformdirs; ``$XDG_DATA_HOME/carescale``, that is
    ``~/.local/share/carescale``, on Linux)."""
    import os

    env = os.environ.get("CARESCALE_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("carescale", appauthor=False))


def user_areas_dir() -> Path:
    """Where imported area profiles are saved, one ``ID.yaml`` each."""
    return user_home() / "areas"


def _user_area_files() -> tuple[tuple[str, int, int], ...]:
    folder = user_areas_dir()
    try:
        if not folder.is_dir():
            return ()
        out = []
        for path in sorted(folder.glob("*.yaml")):
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
    except OSError:  # an unreadable folder: as if nothing were saved (saving says why)
        return ()
    return tuple(out)


def check_id_list(ids: Any, what: str) -> list[str]:
    """``ids`` as a list of distinct id strings, or a one-line :class:`SettingsError`."""
    if isinstance(ids, str):
        raise SettingsError(
            f"{what}: give a list of ids, not the text {ids!r} (for example [{ids!r}]; on the "
            f"command line, ids separated by commas)"
        )
    try:
        out = list(ids)
    except TypeError:
        raise SettingsError(f"{what}: give a list of ids, not {type(ids).__name__} {ids!r}") from None
    seen: set[str] = set()
    for i in out:
        if not isinstance(i, str):
            raise SettingsError(f"{what}: every id must be text; got {type(i).__name__} {i!r}")
        if i in seen:
            raise SettingsError(f"{what}: {i!r} is listed twice; list each id once")
        seen.add(i)
    return out


_last_broken: dict[str, str] = {}


def take_broken_area_notices() -> dict[str, str]:
    """Saved area profiles left out by the last :func:`default_library` call (id -> problem),
    once: the CLI prints each as a warning after a command that did not need them."""
    out = dict(_last_broken)
    _last_broken.clear()
    return out


@functools.lru_cache(maxsize=4)
def _library_with_user_areas(files: tuple[tuple[str, int, int], ...]) -> Library:
    lib = packaged_library()
    for path_str, _, _ in files:
        path = Path(path_str)
        name = str(path)
        try:
            area = load_model(Area, path)
            if area.id != path.stem:
                raise InputFileError(
                    f"{name}: id: {area.id!r} does not match the file name; it must be {path.stem!r}"
                )
            if area.id in lib.areas and f"areas/{area.id}" in lib.files:
                raise InputFileError(
                    f"{name}: id: {area.id!r} is a built-in area profile; rename the file and its id"
                )
            lib = lib.with_area(area, name)
        except InputFileError as exc:
            if path.stem in packaged_library().areas:
                continue  # a stray copy of a built-in profile: the built-in one is used
            lib = replace(lib, broken_areas={**lib.broken_areas, path.stem: exc.message})
    return lib


def default_library() -> Library:
    """The library shipped with carescale plus the area profiles the user has saved with
    ``carescale areas import`` (in :func:`user_areas_dir`). Cached until a saved file changes."""
    files = _user_area_files()
    lib = _library_with_user_areas(files) if files else packaged_library()
    _last_broken.clear()
    _last_broken.update(lib.broken_areas)
    return lib


def clear_library_cache() -> None:
    packaged_library.cache_clear()
    _library_with_user_areas.cache_clear()


default_library.cache_clear = clear_library_cache  # type: ignore[attr-defined]
