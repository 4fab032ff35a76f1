"""MkDocs hooks: what the site takes from the code when it is built.

* The error catalogue lives in one place, :data:`incidentkit.errors.CATALOGUE`. Writing it into a page by
  hand would let the page drift from the codes the tool prints; generating it at build time means the
  site lists exactly the codes the installed code can report. A page asks for the table with a marker
  comment (see ``MARKERS``).
* The dataset's columns are defined once, in :data:`incidentkit.codebook.schema.COLUMNS`; the reference
  page of the dataset lists them from there, with their Arrow types.
* The docstrings carry doctests (``>>>`` lines, run by the test suite). Markdown would read ``>>>`` as
  three nested block quotes and ``[...][:4]`` as a reference link, so doctest runs outside code fences
  are wrapped in ``pycon`` fences before Markdown sees them, on pages and in mkdocstrings' docstrings.
* The docstrings name other objects with Sphinx roles (``:func:`build```); Markdown would print the role
  literally, so a role becomes inline code of its target (``~a.b`` shows ``b``, as Sphinx does).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

ERROR_CATALOGUE_MARKER = "<!-- incidentkit: error-catalogue -->"
DATASET_COLUMNS_MARKER = "<!-- incidentkit: dataset-columns -->"


def _cell(text: str) -> str:
    """Table cells cannot hold a pipe or a line break."""
    return text.replace("|", "\\|").replace("\n", " ")


def error_catalogue_markdown() -> str:
    """One table row per catalogue entry, with an HTML anchor per code so pages can link to a code."""
    from incidentkit.errors import CATALOGUE

    lines = ["| Code | Severity | Title | What it means |", "|---|---|---|---|"]
    for code, entry in CATALOGUE.items():
        lines.append(f'| <a id="{code}"></a>`{code}` | {entry.severity} | {_cell(entry.title)} | '
                     f"{_cell(entry.description)} |")
    return "\n".join(lines)


def dataset_columns_markdown() -> str:
    """Every column of incidents.parquet in schema order: name, Arrow type, whether it may be empty."""
    from incidentkit.codebook.schema import COLUMNS

    lines = ["| Column | Arrow type | May be null | Description |", "|---|---|---|---|"]
    for column in COLUMNS:
        lines.append(f"| `{column.name}` | `{_cell(str(column.type))}` | {'yes' if column.nullable else 'no'} | "
                     f"{_cell(column.description)} |")
    return "\n".join(lines)


MARKERS: dict[str, Callable[[], str]] = {ERROR_CATALOGUE_MARKER: error_catalogue_markdown,
                                         DATASET_COLUMNS_MARKER: dataset_columns_markdown}

_FENCE = re.compile(r"^\s*(```|~~~)")
_PROMPT = re.compile(r"^(\s*)>>> ")
_DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")
_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|data|attr|exc|obj|const):`(~?)([^`]+)`")


def _role_as_code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def sphinx_roles_as_code(lines: list[str]) -> list[str]:
    """Turn ``:func:`~pkg.name``` into ```name``` outside code fences (doctest fences included)."""
    out: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line):
            in_fence = not in_fence
        out.append(line if in_fence else _ROLE.sub(_role_as_code, line))
    return out


def fence_doctests(lines: list[str]) -> list[str]:
    """Wrap each run of doctest lines (prompts and their expected output, up to a blank line) in a fence.

    Lines already inside a fence are left alone, so a page may show ``>>>`` in a code block as it likes.
    """
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
        prompt = None if in_fence else _PROMPT.match(line)
        if prompt is None:
            out.append(line)
            i += 1
            continue
        indent = prompt.group(1)
        if out and out[-1].strip():
            out.append("")  # a fence must not continue a paragraph
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip() and not _FENCE.match(lines[i]):
            out.append(_DOCTEST_FLAG.sub("", lines[i]))  # "# doctest: +SKIP" is for the test runner
            i += 1
        out.append(f"{indent}```")
    return out


class _DoctestPreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return sphinx_roles_as_code(fence_doctests(lines))


class DoctestFenceExtension(Extension):
    """Markdown extension applying :func:`fence_doctests` before the fenced-code preprocessors run."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's API name
        # Above pymdownx.superfences and fenced_code, which must see the fences this adds.
        md.preprocessors.register(_DoctestPreprocessor(md), "incidentkit_doctest_fence", 40)


def on_config(config: Any) -> Any:
    """Add the doctest fences to the Markdown extensions (mkdocstrings renders docstrings with them too)."""
    config.markdown_extensions.append(DoctestFenceExtension())
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each marker by the table it names (mkdocs calls this for every page)."""
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
