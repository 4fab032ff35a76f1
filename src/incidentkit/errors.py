"""The one error catalogue of incidentkit.

Every problem the tool can report about a user's input has a stable code here, in the style of
frictionless-py: a code that scripts can match on, a title, a description for the docs and a message
template. Problems are data first (:class:`Problem`, serialisable to JSON) and text second
(:meth:`Problem.format`), so the CLI, the Python API and the notebooks all report the same thing.

Exceptions raised for whole-file or whole-run failures derive from :class:`IncidentkitError`; the CLI
turns them into a one-line message and an exit code, never a traceback.
"""

from __future__ import annotations

import dataclasses
import math
import reprlib
from dataclasses import dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"
#: Information that is neither wrong nor suspect (a file left out of the coded folder, and why): printed,
#: never counted as a warning, so ``validate --strict`` does not fail on it.
NOTE = "note"


@dataclass(frozen=True)
class ErrorType:
    """One entry of the catalogue: a stable code and what it means."""

    code: str
    title: str
    description: str
    severity: str = ERROR


def _catalogue(*types: ErrorType) -> dict[str, ErrorType]:
    out: dict[str, ErrorType] = {}
    for t in types:
        if t.code in out:  # pragma: no cover - guards the catalogue itself
            raise RuntimeError(f"duplicate error code {t.code}")
        out[t.code] = t
    return out


CATALOGUE: dict[str, ErrorType] = _catalogue(
    # --- reading files -------------------------------------------------------------------------
    ErrorType("file-unreadable", "File cannot be read",
              "The file does not exist, is a directory, or the operating system refused to read it."),
    ErrorType("file-encoding", "File is not UTF-8",
              "Coded records and external files must be UTF-8 text. Other encodings (UTF-16, Latin-1), "
              "compressed files (gzip, zip), workbooks and files holding NUL bytes are rejected, named as what "
              "they are with what to do (save as UTF-8, decompress first)."),
    ErrorType("file-empty", "File is empty", "The file holds no record."),
    ErrorType("file-skipped", "File left out",
              "A file or folder in the coded folder that is not read, named with why: not *.yaml, *.yml or "
              "*.csv, hidden (its name starts with '.'), an editor backup, not a regular file, or a symbolic "
              "link that stays inside the coded folder (its target is read where it is, once).", NOTE),
    ErrorType("symlink-outside", "Symbolic link leads outside the coded folder",
              "A coded folder must not pull in files from elsewhere on the machine: copy the file in, or "
              "point the command at the folder the link leads to. validate and build both refuse it."),
    ErrorType("symlink-broken", "Broken symbolic link",
              "A symbolic link in the coded folder whose target does not exist, or a loop of links: a "
              "record meant to be read would be missing. validate and build both refuse it."),
    ErrorType("no-records", "No coded records",
              "The paths hold no coded incident: an empty folder, a folder without *.yaml, *.yml or *.csv "
              "files, a CSV holding only its header, or records whose incidents lists are all empty. "
              "validate, build and agree all refuse it (exit 1) and build leaves the dataset as it was; "
              "validate and build accept it with --allow-empty (allow_empty=True)."),
    ErrorType("file-unwritable", "Output cannot be written",
              "An output path is a folder, lies under a file, or may not be written; nothing was published."),
    ErrorType("output-is-input", "Output would overwrite an input",
              "An output path is one of the command's inputs (itself, or through a symbolic link or '..'), "
              "or lies in a folder the command reads its input from, where the next run would read it as "
              "input. Nothing is written; choose another output path (a usage error, exit 2)."),
    ErrorType("os-error", "The operating system refused a file operation",
              "Reading or writing a file failed in the operating system (an input/output error, a file "
              "that vanished, a full pipe); the message names the file and the reason. Nothing was "
              "published."),
    ErrorType("output-locked", "Output folder is being written",
              "Another incidentkit process holds the output folder's lock (one writer at a time); "
              "without --no-wait the command waits for it."),
    ErrorType("not-a-dataset", "Not an incidents dataset",
              "The Parquet file was not written by incidentkit build (an export or ingested external events?)."),
    ErrorType("yaml-syntax", "YAML syntax error", "The YAML parser could not read the file."),
    ErrorType("yaml-tag", "YAML tag not allowed",
              "Tags such as !!python/object could build objects or change a value's type; "
              "coded records are plain data."),
    ErrorType("yaml-duplicate-key", "Duplicate key",
              "A key appears twice in one mapping; YAML would silently keep only the last value."),
    ErrorType("yaml-structure", "Unexpected structure",
              "The file is valid YAML but not shaped like a record (a mapping with source, coder, "
              "coded_on and incidents)."),
    ErrorType("csv-syntax", "CSV syntax error", "The CSV file could not be parsed."),
    ErrorType("csv-header", "CSV header problem", "The CSV header is missing, repeated or malformed."),
    ErrorType("csv-delimiter", "Wrong delimiter in a CSV of coded records",
              "The header is one column holding ';', a tab or '|': the file is not comma-separated. Save it "
              "again as comma-separated CSV (the same rule as external-delimiter for ingested files)."),
    # --- fields --------------------------------------------------------------------------------
    ErrorType("required-missing", "Required field missing", "A field the codebook requires is absent or empty."),
    ErrorType("unknown-field", "Unknown field",
              "A field the codebook does not define; a typo must not silently vanish."),
    ErrorType("type-error", "Wrong type", "The value is not of the type the codebook defines for the field."),
    ErrorType("not-in-vocabulary", "Value not in vocabulary",
              "The value is not one of the codebook's allowed values for the field."),
    ErrorType("sub-event-mismatch", "Sub-event type does not belong to event type",
              "ACLED sub-event types belong to exactly one event type."),
    ErrorType("out-of-range", "Value out of range", "A number or code outside the range the codebook allows."),
    ErrorType("bad-date", "Not a real ISO date", "Dates are written YYYY-MM-DD and must exist in the calendar."),
    ErrorType("date-order", "Dates out of order", "date_end may not be before date_start."),
    ErrorType("date-after-publication", "Incident after publication",
              "An incident cannot end after the report about it was published."),
    ErrorType("fatalities-order", "Fatality estimates out of order", "Fatalities need low <= best <= high."),
    ErrorType("coordinates-incomplete", "Only one coordinate",
              "Latitude and longitude are given together or not at all."),
    ErrorType("coordinates-outside-country", "Coordinates outside the coded country",
              "The point lies outside the coded country's extent; check the country or the point.",
              WARNING),
    ErrorType("bad-id", "Unsafe identifier", "Ids use lowercase letters, digits and '-' only."),
    ErrorType("duplicate-id", "Duplicate id", "Ids must be unique across the whole project."),
    ErrorType("civilian-targeting-not-allowed", "civilian_targeting not allowed here",
              "ACLED codes civilian targeting only for Violence against civilians, "
              "Explosions/Remote violence, Riots and Excessive force against protesters."),
    ErrorType("actor-not-in-list", "Actor not in the actor list",
              "The actor (actor1, actor2 or an associated actor) is not in the vocabulary: ACLED's naming "
              "grammar for every country, the named groups, the project's actor list. Pick a listed name so "
              "datasets line up, or add the actor with `incidentkit actors add`. The 'did you mean' names "
              "only actors of the incident's own country and period.",
              WARNING),
    ErrorType("actor-other-country", "Actor of another country",
              "The actor's name says another country than the incident's (\"Civilians (Syria)\" in a Nigerian "
              "incident), or a named group is listed as active elsewhere. A warning, since ACLED codes "
              "foreign nationals so; the suggestion is the same actor of the incident's country. State "
              "forces abroad are checked through their inter code instead (External/Other forces, 8).",
              WARNING),
    ErrorType("actor-period", "State actor of another period",
              "ACLED names state forces by the government in power (\"Military Forces of Iraq (2018-2020)\"): "
              "the period named does not cover the incident's first day, and the suggestion is the one that "
              "does. A name without a period is a warning with the same suggestion."),
    ErrorType("actor-inter-mismatch", "Actor type contradicts the actor",
              "The inter code given does not fit the actor: Civilians are 7, Protesters 6, Rioters 5, a "
              "country's state forces 1 at home and 8 (External/Other forces) abroad. An error where the "
              "name fixes the type; a warning for a named group whose listed type differs."),
    ErrorType("evidence-field-unknown", "Evidence names an unknown field",
              "Each evidence quote names the coded field it supports."),
    ErrorType("inter-without-actor", "Actor code without actor",
              "inter2 needs actor2 (and actor2 needs inter2); a single-actor event has inter2 0 or empty."),
    ErrorType("deaths-exceed-best", "Deaths split exceeds best estimate",
              "The coded parts of UCDP's deaths split (deaths_a, deaths_b, deaths_civilians, deaths_unknown) "
              "add up to more than fatalities best."),
    ErrorType("deaths-split-mismatch", "Deaths split does not add up",
              "When all four parts of the deaths split are coded they must add up to fatalities best."),
    ErrorType("source-inconsistent", "Source fields differ between rows",
              "CSV rows that share a source_id must give the same outlet, title and publication date."),
    # --- articles (issue 14) -------------------------------------------------------------------
    ErrorType("article-path", "Article path not allowed",
              "source.article names the report's text file relative to the record file's folder (e.g. "
              "../articles/<source-id>.txt beside datasets/coded): a relative path written with '/', ending "
              "in .txt. An absolute path, a '\\', or a path that is not a .txt file is refused, and so is an "
              "article_sha256 that is not 64 hexadecimal digits or given without an article."),
    ErrorType("article-missing", "Article file not found",
              "The article the record names does not exist. A typo in the name is an error; when the whole "
              "articles folder is absent (a public copy of a project that keeps copyrighted reports out of "
              "its repository) see article-absent."),
    ErrorType("article-absent", "Article folder absent: quotes not checked",
              "The record names its article and pins it with article_sha256, but the folder the article "
              "would be in does not exist (a clone without the private articles folder). The record is "
              "accepted, its evidence quotes are not checked and their offsets stay empty in the dataset.",
              WARNING),
    ErrorType("article-unreadable", "Article cannot be read",
              "The article is not a regular file, is empty, is larger than the limit (5 MB of text), is "
              "reached through a symbolic link (links are not followed: copy the article in), or the "
              "operating system refused to read it."),
    ErrorType("article-encoding", "Article is not UTF-8 text",
              "The article must be UTF-8 text: a binary file, a file holding NUL bytes, UTF-16 text, a "
              "compressed file or a workbook is named as what it is, with what to do (the rule of "
              "file-encoding for records)."),
    ErrorType("article-changed", "The article changed since it was coded",
              "The article's SHA-256 (of its bytes, as sha256sum prints it) differs from article_sha256 in "
              "the record: the text the quotes were checked against is not the text the coder read. Restore "
              "the article, or check the quotes again and paste the new SHA-256."),
    ErrorType("article-sha256-missing", "Article not pinned by its SHA-256",
              "The record names its article without article_sha256, so nothing tells a later reader that "
              "the file is the text that was coded (nor lets a copy without the articles build). The "
              "message gives the value to paste.", WARNING),
    ErrorType("quote-not-in-article", "Evidence quote not in the article",
              "An evidence quote is not in the record's article, even after both are normalised (Unicode "
              "NFC; every run of whitespace as one space; curly and straight quotes, apostrophes, "
              "guillemets and dashes as one form; tatweel, soft hyphens, zero-width and direction marks "
              "dropped). The message gives the closest passage of the article as a 'did you mean'."),
    # --- geocoding (issue 3) -------------------------------------------------------------------
    ErrorType("geocode-not-found", "Place not found",
              "The geocoder found no place for the location; code latitude/longitude by hand or add the "
              "place to a gazetteer.", WARNING),
    ErrorType("geocode-ambiguous", "Place ambiguous",
              "Two or more gazetteer entries match almost equally well; add admin1 or code the point.",
              WARNING),
    ErrorType("geocode-admin-fallback", "Place placed at its province",
              "The place is in no gazetteer, but its admin1 (or admin2) is coded: the incident is put at that "
              "unit's seat (its capital, as ACLED does) with geo_precision 3 and geo_source admin-fallback. "
              "Code the point if the report says more.", WARNING),
    ErrorType("geocoder-timeout", "Online geocoder did not answer in time",
              "The server gave no usable answer within the timeout for one name (every attempt and back-off "
              "pause included): it is down, overloaded or unreachable. Nothing is recorded; rerun later."),
    ErrorType("geocoder-rate-limited", "Online geocoder asked for a longer wait than allowed",
              "The server answered 429/503 with a Retry-After longer than the wait cap (max_wait, default "
              "60 s): the run stops instead of hanging. Rerun later or raise the cap."),
    ErrorType("geocoder-bad-response", "Online geocoder answered something else",
              "A 200 answer that is an HTML page, not JSON, or JSON of the wrong shape (no list of places "
              "with coordinates): often a proxy, a maintenance page or a wrong domain. Never read as "
              "'not found'."),
    ErrorType("geocoder-unavailable", "Online geocoder kept failing",
              "Every attempt failed with a server error (5xx, 429) or a network error; nothing is recorded."),
    ErrorType("geocoder-refused", "Online geocoder refused the request",
              "The server refused the request (a 4xx status other than 408/425/429, a rejected user name, "
              "quota or user agent, a TLS certificate that fails); retrying would not help."),
    # <<< geocode error types: add above this line >>>
    # --- exports (issue 4) ---------------------------------------------------------------------
    ErrorType("export-too-many-days", "Incident too long to split per day",
              "The ACLED layout codes one event per day; an incident with time_precision 1 may span at most "
              "1,000 days there. Use time_precision 2 or 3 for long periods. validate reports it (so build "
              "refuses it before writing anything); the export checks it again for datasets built earlier."),
    ErrorType("export-format", "Unknown export format",
              "The output file's suffix does not name a format this export writes (.csv or .xlsx)."),
    # <<< export error types: add above this line >>>
    # --- external data and linking (issue 5) ---------------------------------------------------
    ErrorType("external-missing-column", "Required column missing in an external file",
              "An ACLED or UCDP file lacks a column the reader needs (event id, date, coordinates, ...)."),
    ErrorType("external-delimiter", "Wrong delimiter",
              "The file is not comma-separated (e.g. ';' or tab): export it again as CSV."),
    ErrorType("external-truncated", "Broken or truncated CSV record",
              "A record has too few or too many fields, or a quote is never closed: the file was cut short "
              "or mangled."),
    ErrorType("external-bad-value", "Value cannot be read",
              "A cell of an external file is not of its column's type (a date, number, code or label)."),
    ErrorType("external-bad-json", "Not an ACLED API JSON document",
              "JSON input must be a list of records or the API's {\"status\": ..., \"data\": [...]} object."),
    ErrorType("external-api-error", "The file is an API error answer",
              "The JSON file holds the ACLED API's error answer (e.g. {\"status\": 403, \"success\": false, "
              "\"error\": {\"message\": ...}}), not events; the message gives the API's status and words. "
              "Fix the request (key, e-mail, access level) and download again."),
    ErrorType("link-missing-column", "Column needed for linking is missing",
              "Linking needs ids, dates and coordinates in both inputs (an ingested file or incidents.parquet)."),
    ErrorType("taxonomy-invalid", "Taxonomy table invalid",
              "The taxonomy CSV needs event_type, sub_event_type, type_of_violence and weight columns with "
              "known values and weights between 0 and 1."),
    ErrorType("crosswalk-invalid", "Crosswalk table invalid",
              "The crosswalk CSV (CAMEO, PLOVER, GTD codes to ACLED types) needs scheme, code, event_type, "
              "sub_event_type and weight columns, ACLED types the codebook knows, weights within 0-1, and each "
              "code listed once per sub-event type."),
    # <<< external error types: add above this line >>>
    # --- reliability (issue 6) -----------------------------------------------------------------
    ErrorType("reliability-duplicate-coding", "Source coded twice by one coder",
              "Agreement compares each coder's one coding of a source; the same coder and source id appear "
              "in two records, so it is unclear which coding to compare."),
    ErrorType("reliability-too-few-coders", "Fewer than two coders",
              "Agreement needs the records of at least two coders (their `coder` fields must differ)."),
    # <<< reliability error types: add above this line >>>
    # --- actors (issue 13): the project actor list ------------------------------------------------
    ErrorType("actors-file-header", "Actor list header problem",
              "The project actor list (datasets/actors.csv) needs a name column; its other columns are inter, "
              "country, countries, start, end, ucdp_name, aliases, source, note and added. An unknown or "
              "repeated column is refused, so a typo in a header does not silently drop a column."),
    ErrorType("actors-file-invalid", "Actor list row invalid",
              "A row of the project actor list holds a value it cannot use: an empty name, an inter code "
              "outside 1-8, a country that is not one, a date that is not YYYY-MM-DD, an end before the start, "
              "or a different number of cells than the header. The message names the file and line."),
    ErrorType("actor-duplicate", "Actor already listed",
              "The name is already in the project actor list or in the embedded vocabulary: `actors add` "
              "refuses to add it twice, and a list holding one name on two rows is refused."),
    # <<< actors error types: add above this line >>>
)


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, located as precisely as the input allows."""

    code: str
    message: str
    path: str = ""
    line: int | None = None
    field: str = ""
    value: Any = None
    severity: str = ERROR
    record_id: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        """The CLI's one-line form: ``path:line: field: message [code]``.

        Always one line of printable text: control characters in the path, the field or the message are
        escaped (:func:`printable`), a field name is cut to :data:`MAX_QUOTED` characters and the message
        to :data:`MAX_MESSAGE`, whatever a caller put in them.
        """
        loc = printable(self.path, MAX_MESSAGE) if self.path else "<input>"
        if self.line is not None:
            loc = f"{loc}:{self.line}"
        fld = f" {printable(str(self.field), MAX_QUOTED)}:" if self.field else ""
        sev = "" if self.is_error else f" {self.severity}:"
        return f"{loc}:{sev}{fld} {printable(self.message, MAX_MESSAGE)} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data, within the bounds of :meth:`format` (no control characters
        in any text, values cut as :func:`quote` cuts them)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # no deep copy of the value
        d["extra"] = _jsonable(self.extra)
        d["path"] = printable(self.path)
        d["field"] = printable(str(self.field), MAX_QUOTED)
        d["message"] = printable(self.message, MAX_MESSAGE)
        d["value"] = _jsonable(self.value)
        d["title"] = CATALOGUE[self.code].title if self.code in CATALOGUE else ""
        return d


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A problem's value for JSON: plain values as they are, within the same bounds as messages.

    Text longer than :data:`MAX_QUOTED` characters and whole numbers JSON readers cannot hold (beyond
    64 bits) become their :func:`quote`, control characters in text are escaped (:func:`printable`);
    lists and mappings are kept three levels deep and 20 items wide.
    """
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        return value if -2**63 <= value < 2**63 else quote(value)
    if isinstance(value, str):
        return printable(value) if len(value) <= MAX_QUOTED else quote(value)
    if depth >= 3:
        return quote(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, depth + 1) for v in list(value)[:20]]
    if isinstance(value, dict):
        return {printable(str(k), MAX_QUOTED): _jsonable(v, depth + 1) for k, v in list(value.items())[:20]}
    return quote(value)


#: Characters of a value that messages quote: a value is cut after about this many, with its length said.
MAX_QUOTED = 200
#: The longest message :meth:`Problem.format` prints (a safety net: messages quote values with quote()).
MAX_MESSAGE = 1_000
_LOG10_2 = math.log10(2)


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with every control or invisible formatting character escaped (``\\x1b``, ``\\u202e``),
    so a message is one line that cannot move the cursor, colour the terminal or reorder what is shown;
    cut to ``limit`` characters (with how long it was) when given."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if limit is not None and len(text) > limit + 20:
        text = f"{text[:limit]}... ({len(text):,} characters)"
    return text


def _int_text(n: int, limit: int) -> str:
    if n.bit_length() * _LOG10_2 < limit:
        return repr(n)
    try:
        return f"<a whole number of {len(str(abs(n))):,} digits>"
    except ValueError:  # str() of a number past 4,300 digits raises (Python's limit): estimate
        return f"<a whole number of about {int((n.bit_length() - 1) * _LOG10_2) + 1:,} digits>"


def _str_text(s: str, limit: int) -> str:
    if len(s) <= limit and s.isprintable():
        return repr(s)
    shown = repr(s[:limit])
    if len(shown) > limit + 2:  # escapes made it longer: keep fewer characters
        shown = repr(s[:max(1, limit * limit // len(shown))])
    return shown if len(s) <= limit else f"{shown}... ({len(s):,} characters)"


class _Quoter(reprlib.Repr):
    """reprlib with the limits of messages: any value shown in at most about ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.maxlevel = 3
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = 8
        self.maxstring = self.maxother = limit

    def repr1(self, x: Any, level: int) -> str:
        if x is None or isinstance(x, (bool, float)):
            return repr(x)
        if isinstance(x, int):
            return _int_text(x, self.limit)
        if isinstance(x, str):
            return _str_text(x, self.limit)
        if isinstance(x, dict):
            return self.repr_dict(x, level)
        if isinstance(x, list):
            return self.repr_list(x, level)
        if isinstance(x, tuple):
            return self.repr_tuple(x, level)
        try:
            return printable(super().repr1(x, level), self.limit)
        except Exception:  # a value whose repr fails must not hide the problem it is about
            return f"<{type(x).__name__}>"


def quote(value: Any, limit: int = MAX_QUOTED) -> str:
    r"""How every message shows a value the user wrote: its Python form (text in quotes), at most about
    ``limit`` characters of it with its full length said, control characters escaped.

    Safe on anything a file can hold: 100,000-character cells, 5,000-digit numbers (whose ``str()``
    Python refuses), 1,000-level nested mappings, ANSI escape sequences.

    >>> quote("x" * 1000)[-26:]
    "xxx'... (1,000 characters)"
    >>> print(quote("red\x1b[31m"))
    'red\x1b[31m'
    >>> quote(7 ** 10_000)
    '<a whole number of about 8,451 digits>'
    """
    text = printable(_Quoter(limit).repr(value))
    return text if len(text) <= limit + 40 else text[:limit] + " ..."


def problem(code: str, message: str, **kwargs: Any) -> Problem:
    """Create a :class:`Problem`, taking its severity from the catalogue."""
    if code not in CATALOGUE:
        raise KeyError(f"error code {code!r} is not in the catalogue")
    kwargs.setdefault("severity", CATALOGUE[code].severity)
    return Problem(code=code, message=message, **kwargs)


class IncidentkitError(Exception):
    """Base of every error incidentkit raises on purpose. The CLI prints it without a traceback.

    ``exit_code`` follows the one rule of every command (docs/reference/exit-codes.md): 1 when the
    input data is bad or the work could not be done (this class and all its subclasses but one), 2 for
    :class:`UsageError`, when the command line itself is wrong.
    """

    exit_code = 1

    def __init__(self, message: str, *, code: str = "", problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems or [])

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by state, not by constructor arguments: an error raised on a Dask worker reaches the
        client whole (its code, problems and message), whatever its subclass's ``__init__`` takes."""
        return (_rebuild_error, (type(self), self.args, self.__dict__))


def _rebuild_error(cls: type, args: tuple[Any, ...], state: dict[str, Any]) -> Exception:
    err = Exception.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class InvalidRecordsError(IncidentkitError):
    """Raised by :func:`incidentkit.build` when any coded record is invalid: nothing is written."""


class InputFileError(IncidentkitError):
    """An input file (external export, gazetteer, CSV) is unreadable or malformed."""


class UsageError(IncidentkitError):
    """The caller asked for something that cannot be done (bad option combination, missing path).

    Only for what the command line got wrong: a problem in the data (a record, a file's content, an
    incident the layout cannot hold) is an :class:`InputFileError` or :class:`InvalidRecordsError`.
    """

    exit_code = 2


class MissingDependencyError(IncidentkitError):
    """An optional dependency is not installed; the message says which extra installs it."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package {package!r}: "
            f"install it with  pip install 'incidentkit[{extra}]'",
            code="missing-dependency",
        )


class GeocoderServiceError(IncidentkitError):
    """An online geocoder failed (network, HTTP error, rate limit): never to be read as 'not found'.

    ``backend`` names the geocoder and ``status`` the HTTP status (None when there was no answer),
    so scripts can react without parsing the message.
    """

    def __init__(self, message: str, *, code: str = "", problems: list[Problem] | None = None,
                 backend: str = "", status: int | None = None) -> None:
        super().__init__(message, code=code, problems=problems)
        self.backend = backend
        self.status = status


class GeocoderTimeoutError(GeocoderServiceError):
    """The online geocoder gave no usable answer within the time budget for one name."""


class GeocoderRateLimitError(GeocoderServiceError):
    """The server asked (Retry-After) for a longer wait than allowed: failing beats hanging silently."""

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class GeocoderBadResponseError(GeocoderServiceError):
    """A 200 answer that is not what the geocoder promises (HTML, not JSON, wrong shape): not 'not found'."""


def require(module: str, extra: str, purpose: str) -> Any:
    """Import an optional dependency or raise an actionable :class:`MissingDependencyError`."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise MissingDependencyError(module.split(".")[0], extra, purpose) from exc
