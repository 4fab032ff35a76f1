"""MkDocs hooks: what the site takes from the code when it is built.

* The error catalogue lives in one place, :data:`incidentkit.errors.CATALOGUE`. Writing it into a page by
  hand would let the page drift from the codes the tool prints; generating it at build time means the
  site lists exactly the codes the installed code can report. A page asks for the table with a marker
  comment (see ``MARKERS``).
* The dataset's columns are defined once, in :data:`incidentkit.codebook.schema.COLUMNS`; the reference
  page of the dataset lists them from there, with their Arrow types.
* The actor vocabulary (:mod:`incidentkit.actors`) is data compiled with a source per row; its reference
  page is written from :func:`incidentkit.actors.data.state_periods`,
  :func:`~incidentkit.actors.data.named_groups` and the grammar's tables, so the page shows exactly the
  names the installed checks accept.
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
ACTOR_VOCABULARY_MARKER = "<!-- incidentkit: actor-vocabulary -->"


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


#: ACLED's actor types (inter codes), as the codebook names them.
INTER_LABELS = {1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia", 5: "Rioters",
                6: "Protesters", 7: "Civilians", 8: "External/Other forces"}


def _inter(inter: int | None, unset: str = "varies") -> str:
    return f"{inter} {INTER_LABELS[inter]}" if inter in INTER_LABELS else unset


def _link(url: str) -> str:
    """A Markdown link to ``url`` named by its host; parentheses and spaces escaped (Wikipedia titles)."""
    if not url:
        return ""
    safe = url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    host = safe.split("//", 1)[-1].split("/", 1)[0] or "source"
    return f"[{host}]({safe})"


def _years(first: int | None, last: int | None) -> str:
    if first is None and last is None:
        return ""
    return f"{first or '?'}-{last or ''}"


def actor_country_anchor(cc: str) -> str:
    """The HTML id of a country's section on the actor vocabulary page (``country-ng``)."""
    return f"country-{cc.lower()}"


def actor_vocabulary_markdown() -> str:
    """The actor vocabulary by country (state periods, then named groups active there), then the grammar
    every country shares: generic labels, identity suffixes, state prefixes, units and UCDP side names."""
    from incidentkit.actors import data, grammar

    periods = data.periods_by_country()
    groups = data.named_groups()
    by_country: dict[str, list[data.NamedGroup]] = {}
    for g in groups:
        for cc in g.countries:
            by_country.setdefault(cc, []).append(g)
    codes = sorted(set(periods) | set(by_country), key=lambda cc: (grammar.acled_country_name(cc) or cc).casefold())
    ucdp = data.ucdp_government_names()

    out = [(f"The embedded vocabulary holds **{len(data.state_periods())} government periods of {len(periods)} "
            f"countries** and **{len(groups)} named groups** active in {len(by_country)} countries. Jump to a "
            "country:"), ""]
    out.append(" · ".join(f"[{_cell(grammar.acled_country_name(cc) or cc)}](#{actor_country_anchor(cc)})"
                          for cc in codes))
    out += ["", "## Countries", ""]
    for cc in codes:
        name = grammar.acled_country_name(cc) or cc
        out += [f"### {name} ({cc}) {{#{actor_country_anchor(cc)}}}", ""]
        ps = periods.get(cc, ())
        if ps:
            out += ["| State actor label | From | To (handover day) | Government | Source |", "|---|---|---|---|---|"]
            for p in reversed(ps):
                label = grammar.state_name("Military Forces", p.acled_country, p.period)
                out.append(f"| {_cell(label)} | {p.start.isoformat()} | {p.end.isoformat() if p.end else 'today'} "
                           f"| {_cell(p.government)} | {_link(p.source)} |")
            side = ucdp.get(cc) or f"Government of {name}"
            out += ["", ("Police Forces, Government and the other state prefixes take the same period labels. "
                         f"UCDP GED side: `{_cell(side)}`"
                         + ("" if cc in ucdp else " (not in the UCDP actor list; built from ACLED's name)") + "."), ""]
        else:
            out += [("No government periods in the table: state actors of this country are not accepted yet "
                     "(add them to the project list, see [Extend the actor list](../how-to/actors.md))."), ""]
        gs = sorted(by_country.get(cc, ()), key=lambda g: g.name.casefold())
        if gs:
            out += ["| Named group | Type (inter) | Countries (home first) | UCDP name | Aliases | Years | Source |",
                    "|---|---|---|---|---|---|---|"]
            for g in gs:
                out.append(f"| {_cell(g.name)} | {_inter(g.inter, 'not fixed')} | {' '.join(g.countries)} | "
                           f"{_cell(g.ucdp_name.strip())} | {_cell(', '.join(g.aliases))} | "
                           f"{_years(g.first_year, g.last_year)} | {_link(g.source)} |")
            out.append("")
        else:
            out += ["No named groups listed; the generic actors below apply.", ""]

    out += ["## Generic actors", "",
            ("Every country has these names, written `<label> (<country>)` with the country as ACLED writes it "
             "(\"Civilians (Nigeria)\", \"Protesters (Democratic Republic of Congo)\"); \"(International)\" stands "
             "for foreign nationals of no one country. The type is the inter code the label fixes; \"varies\" "
             "labels are mostly associated actors and are not checked against an inter code."), "",
            "| Label | Type (inter) |", "|---|---|"]
    out += [f"| {_cell(label)} (X) | {_inter(inter)} |" for label, inter in grammar.GENERIC_LABELS.items()]
    out += ["", ("Identity actors are a grammar: `<Group> <suffix> (X)` for any group word(s), such as "
                 "\"Fulani Ethnic Militia (Nigeria)\" or \"Oromo Ethnic Group (Ethiopia)\"."), "",
            "| Suffix | Type (inter) |", "|---|---|"]
    out += [f"| &lt;Group&gt; {_cell(suffix)} (X) | {_inter(inter)} |" for suffix, inter in grammar.IDENTITY_SUFFIXES.items()]
    out += ["", "Names accepted without a country: " + ", ".join(f"\"{n}\"" for n in grammar.COUNTRYLESS) + ".", ""]
    out += ["## State actors", "",
            ("A state actor names the regime: `<prefix> of <country> (<period>)`, with the period label of the "
             "government in power on the incident's first day (the tables above)."), "",
            "| Prefix | Type (inter) at home |", "|---|---|"]
    out += [f"| {_cell(prefix)} of X (P) | {_inter(inter)} |" for prefix, inter in grammar.STATE_PREFIXES.items()]
    out += ["", ("**Units.** A unit may follow the period, separated by one space: \"Police Forces of India (2014-) "
                 "Assam Rifles\", \"Military Forces of Iraq (2022-) Peshmerga\", \"Police Forces of Palestine "
                 "(1994-) West Bank\". The unit does not change the country, the period or the type; UCDP GED "
                 "writes the same side for every unit."), "",
            ("**Abroad.** State forces acting outside their own country are External/Other forces (inter 8) "
             "there, as ACLED codes them."), ""]
    out += ["## UCDP side names", "",
            ("UCDP GED names a state's side \"Government of X\" for every period and unit. The export to UCDP's "
             "layout and linking use this map (from the UCDP Actor Dataset 22.1, CC BY 4.0); a named group's "
             "UCDP name is in its row above."), "",
            "| Country | ACLED (current period) | UCDP GED side |", "|---|---|---|"]
    for cc in codes:
        ps = periods.get(cc, ())
        if not ps:
            continue
        current = grammar.state_name("Military Forces", ps[-1].acled_country, ps[-1].period)
        side = ucdp.get(cc) or f"Government of {grammar.acled_country_name(cc)}"
        out.append(f"| [{_cell(grammar.acled_country_name(cc))}](#{actor_country_anchor(cc)}) | {_cell(current)} | "
                   f"{_cell(side)}{'' if cc in ucdp else ' (not in UCDP 22.1)'} |")
    return "\n".join(out)


DRAFT_RULES_MARKER = "<!-- incidentkit: draft-rules -->"


def draft_rules_markdown() -> str:
    """The draft's date rules, trigger words, qualifier table and role words, from the installed tables."""
    from incidentkit.draft.reference import draft_rules_markdown as render

    return render()


CROSSWALK_MARKER = "<!-- incidentkit: crosswalk -->"


def crosswalk_markdown() -> str:
    """The shipped crosswalk, one table per scheme, from the installed CSV files (never typed twice)."""
    from incidentkit.codebook.crosswalk import load_crosswalk

    cw = load_crosswalk()
    out: list[str] = []
    for scheme in cw.schemes:
        rows = [r for r in cw.rows if r.scheme == scheme]
        out += [f"### {scheme}", "", f"{len(rows)} rows, from `incidentkit/data/crosswalk/{scheme}.csv`.", "",
                "| code | ACLED event type | sub-event type | weight | why |", "| --- | --- | --- | --- | --- |"]
        for r in rows:
            target = (_cell(r.event_type), _cell(r.sub_event_type)) if r.sub_event_type else ("no ACLED event", "")
            out.append(f"| `{_cell(r.code)}` | {target[0]} | {target[1]} | {r.weight:g} | {_cell(r.note)} |")
        out.append("")
    return "\n".join(out)


MARKERS: dict[str, Callable[[], str]] = {ERROR_CATALOGUE_MARKER: error_catalogue_markdown,
                                         CROSSWALK_MARKER: crosswalk_markdown,
                                         DATASET_COLUMNS_MARKER: dataset_columns_markdown,
                                         ACTOR_VOCABULARY_MARKER: actor_vocabulary_markdown,
                                         DRAFT_RULES_MARKER: draft_rules_markdown}

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
