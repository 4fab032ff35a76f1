"""Safe YAML loading that keeps the line of every value.

Why not ``yaml.safe_load``? Three reasons that matter for years of coding work:

* PyYAML resolves YAML 1.1: ``NO`` becomes ``False``, ``1:20`` becomes ``80`` and ``2022-01-20``
  becomes a date object. Coded records use the YAML 1.2 core schema instead, so values keep the type
  they were written with, and dates stay text until the validator checks them.
* ``safe_load`` silently keeps the last of two duplicate keys; here a duplicate key is an error.
* ``safe_load`` forgets where values were; here every mapping and list remembers the line of each item.

Parsing and composing run in libyaml's C code (``CParser``) when available; only the tree walk that
builds the values is Python. Any explicit tag other than the core ones (``!!python/object``, ``!!binary``,
``!custom``) is rejected, and so are aliases, which could expand a small file into a huge document.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from incidentkit.errors import Problem, problem, quote
from incidentkit.records.located import LocatedDict, LocatedList

try:  # libyaml's C parser and composer; PyYAML wheels ship it
    from yaml._yaml import CParser as _Parser
    _PYTHON_COMPOSER = False
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = yaml.parser.Parser
    _PYTHON_COMPOSER = True

#: Deepest nesting of lists and mappings a record may use. A record needs five levels (record, incidents,
#: incident, evidence, item); libyaml itself stops at 1,000, deeper than Python's recursion allows.
MAX_DEPTH = 50

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
_ALLOWED_TAGS = {STR, INT, FLOAT, BOOL, NULL, SEQ, MAP}


class _CoreResolver(BaseResolver):
    """Implicit typing of the YAML 1.2 core schema (no YAML 1.1 booleans, sexagesimals or timestamps).

    ``resolve`` is called once per node from libyaml's composer, millions of times in a large build, so
    it is written for the common case: a plain scalar that starts with a letter is text at once, and
    the path resolvers (which coded records never use) are skipped.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return STR
        return SEQ if kind is SequenceNode else MAP


_CoreResolver.add_implicit_resolver(BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_CoreResolver.add_implicit_resolver(
    INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_CoreResolver.add_implicit_resolver(
    FLOAT,
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
               r"|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
_CoreResolver.add_implicit_resolver(NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


if _PYTHON_COMPOSER:  # pragma: no cover - only without libyaml
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                  _CoreResolver):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _CoreResolver.__init__(self)
else:
    class _Loader(_Parser, _CoreResolver):  # type: ignore[misc,valid-type]
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            _CoreResolver.__init__(self)


class YamlLoadError(Exception):
    """The document cannot be turned into values; carries the problems found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "YAML error")
        self.problems = problems


def _scalar(node: ScalarNode, path: str) -> Any:
    tag, text = node.tag, node.value
    if tag == STR:
        return text
    if tag == NULL:
        return None
    if tag == BOOL:
        return text.lower() == "true"
    if tag == INT:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    if tag == FLOAT:
        low = text.lower().lstrip("+")
        if low in (".inf", "-.inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        if low == ".nan":
            return float("nan")
        number = float(text)
        if number in (float("inf"), float("-inf")):  # 1e999, or 400 digits: beyond any float
            raise ValueError(text)
        return number
    raise AssertionError(tag)  # pragma: no cover - tags are checked before


class _Builder:
    """Walks the composed node tree once, building located values and collecting problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.seen: set[int] = set()

    def build(self, node: Node, key: str = "", depth: int = 0) -> Any:
        if node.tag not in _ALLOWED_TAGS:
            self.problems.append(problem(
                "yaml-tag", f"tag {quote(node.tag)} is not allowed: coded records are plain text, numbers, "
                            "lists and mappings", path=self.path, line=node.start_mark.line + 1, value=node.tag))
            return None
        if isinstance(node, ScalarNode):
            try:
                return _scalar(node, self.path)
            except ValueError:
                if node.tag in (INT, FLOAT) and node.value.lstrip("+-")[:1].isdigit():  # too large to hold
                    self.problems.append(problem(
                        "out-of-range", f"{quote(node.value, 40)} is larger than any number a field holds",
                        path=self.path, line=node.start_mark.line + 1, field=key, value=node.value))
                else:
                    self.problems.append(problem(
                        "yaml-syntax", f"{quote(node.value)} is not a valid {node.tag.rsplit(':', 1)[-1]}",
                        path=self.path, line=node.start_mark.line + 1, field=key, value=node.value))
                return None
        if depth >= MAX_DEPTH:
            self.problems.append(problem(
                "yaml-structure", f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; a "
                "record needs five", path=self.path, line=node.start_mark.line + 1, field=key))
            return None
        if id(node) in self.seen:
            self.problems.append(problem(
                "yaml-structure", "aliases (*name) are not allowed in coded records: write the value out",
                path=self.path, line=node.start_mark.line + 1))
            return None
        self.seen.add(id(node))
        if isinstance(node, SequenceNode):
            out = LocatedList(node.start_mark.line + 1)
            for item in node.value:
                out.append(self.build(item, key, depth + 1))
                out.lines.append(item.start_mark.line + 1)
            return out
        assert isinstance(node, MappingNode)
        mapping = LocatedDict(node.start_mark.line + 1)
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                self.problems.append(problem("yaml-structure", "mapping keys must be plain text",
                                             path=self.path, line=key_line))
                continue
            key = self.build(key_node, key_node.value, depth + 1)
            if not isinstance(key, str):
                key = key_node.value if key is not None else ""  # as written: 0x1F stays "0x1F"
            if key in mapping:
                self.problems.append(problem(
                    "yaml-duplicate-key",
                    f"key {quote(key)} appears again (first on line {mapping.lines[key]}); YAML would silently "
                    "keep only the last value", path=self.path, line=key_line, field=key, value=key))
                continue
            mapping[key] = self.build(value_node, key, depth + 1)
            mapping.lines[key] = key_line
        return mapping


def load_yaml_text(text: str, path: str = "<string>") -> Any:
    """Parse one YAML document into located values, or raise :class:`YamlLoadError`."""
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else None
            what = exc.problem or str(exc)
            if "expected a single document" in str(exc):
                what = "the file holds more than one YAML document (---); write one record per file"
            raise YamlLoadError([problem("yaml-syntax", f"YAML syntax error: {what}", path=path, line=line)]) from None
        except yaml.YAMLError as exc:
            raise YamlLoadError([problem("yaml-syntax", f"YAML syntax error: {exc}", path=path)]) from None
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose:
            dispose()
    if node is None:
        raise YamlLoadError([problem("file-empty", "the file holds no YAML document", path=path)])
    builder = _Builder(path)
    try:
        value = builder.build(node)
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops well before; a last guard, never a traceback
        raise YamlLoadError([problem("yaml-structure", "the file is nested too deeply to read", path=path,
                                     line=1)]) from None
    if builder.problems:
        raise YamlLoadError(builder.problems)
    return value
