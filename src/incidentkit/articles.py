"""The article beside its record: the report's text, read safely, pinned by its SHA-256, and quotes found in it.

A record may name the text of the report it codes (``source.article``, a ``.txt`` file relative to the
record file's folder; by convention ``datasets/articles/<source-id>.txt``, that is
``../articles/<source-id>.txt`` from ``datasets/coded``) and pin it with ``source.article_sha256`` (the
SHA-256 of the file's bytes, as ``sha256sum`` prints it). Validation then finds every evidence quote in
it and the dataset keeps each quote's ``[start, end)`` character offsets.

Offsets index the article *exactly as read*: ``Path(p).read_bytes().decode("utf-8")``, nothing
normalised, no newline translation, a byte-order mark (if any) being character 0. Only the search is
normalised (:func:`normalise`), on both sides, with a map from each normalised character back to the
original text, so ``text[start:end]`` is the passage as the article writes it, curly quotes and all.

>>> a = Article.from_text("art.txt", "Han sa: ”Vi  kom\\nigår”.")
>>> a.find('sa: "Vi kom igår"')
(4, 22)
>>> a.text[4:22]
'sa: ”Vi  kom\\nigår”'
"""

from __future__ import annotations

import hashlib
import os
import re
import stat as _stat
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path, PurePosixPath

from incidentkit.errors import quote
from incidentkit.records.sniff import HEAD_BYTES, what_file

#: The largest article read: 5 MB is a book-length report; a news article is 5-50 kB. A larger file is
#: refused before it is read (a video or a database dump named by mistake).
MAX_ARTICLE_BYTES = 5_000_000
#: Articles are plain text files.
ARTICLE_SUFFIX = ".txt"
SHA256_RE = re.compile(r"[0-9a-f]{64}")
#: The longest article path a record may give (real ones are far shorter; the operating system's limit
#: is 4,096 bytes, and a longer value is a paste gone wrong).
MAX_ARTICLE_PATH = 500

# ---- normalisation --------------------------------------------------------------------------------

_SINGLE = "'"
_DOUBLE = '"'
#: Quote marks and apostrophes written in different forms in the same languages (a coder types ' and ",
#: the article prints ’ ” « »); dashes likewise.
_FOLD: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u02bb\u00b4\u0060\u2039\u203a", _SINGLE),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u00ab\u00bb\u301d\u301e\uff02", _DOUBLE),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
}
#: Invisible characters that change nothing a reader sees: soft hyphen, zero-width space and joiner
#: marks used as word breaks, byte-order mark, direction marks and embeddings (common in copied Arabic),
#: and the Arabic tatweel (kashida), a stretch of the line.
_DROP = frozenset("\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                  "\u061c\u0640")
#: French guillemets hold a (narrow) space inside: « texte » and "texte" are the same quote.
_OPENING = "\u00ab\u2039"
_CLOSING = "\u00bb\u203a"


def _segments(text: str) -> list[tuple[int, int]]:
    """[start, end) of each run that starts with a character of combining class 0 (a starter): NFC
    composes within such runs, so normalising each one alone keeps a map to the original text."""
    bounds = [i for i, ch in enumerate(text) if i == 0 or unicodedata.combining(ch) == 0]
    bounds.append(len(text))
    return list(pairwise(bounds))


def _class(chars: str) -> str:
    return "".join(re.escape(c) for c in sorted(chars))


#: Every whitespace character (what ``str.isspace`` and the regular expression ``\\s`` take).
_WS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_RUN = re.compile(rf"[{_class(set(_WS) | _DROP)}]*")
#: Where the search form may differ from the text: any character the normalisation changes, and a
#: space followed by more whitespace, an invisible mark or a closing guillemet. A lone ' ' between
#: words (the bulk of any text) is not a match, so the regular-expression engine skips through the
#: text and Python only sees the few places that change: a 5 MB article takes a fraction of a second.
_MARK = re.compile(rf"[{_class((set(_WS) - {' '}) | _DROP | set(_OPENING) | set(_CLOSING) | set(_FOLD))}]"
                   rf"| [{_class(set(_WS) | _DROP | set(_CLOSING))}]")


class OffsetMap:
    """Each character of a search form -> the [start, end) of the original text it comes from.

    Kept as pieces (a run of text copied unchanged, or one character that stands for a changed
    stretch: a run of whitespace, a curly quote), so building it costs the changes, not the length.
    """

    __slots__ = ("_changed", "_length", "_nstarts", "_oends", "_ostarts", "_shift")

    def __init__(self) -> None:
        self._nstarts: list[int] = []
        self._ostarts: list[int] = []
        self._oends: list[int] = []
        self._changed: list[bool] = []
        self._length = 0
        self._shift = 0  # characters cut from the front of the search form (a leading space)

    def _add(self, ostart: int, oend: int, length: int, changed: bool) -> None:
        self._nstarts.append(self._length)
        self._ostarts.append(ostart)
        self._oends.append(oend)
        self._changed.append(changed)
        self._length += length

    def copied(self, start: int, end: int) -> None:
        """text[start:end] is in the search form as it is."""
        self._add(start, end, end - start, False)

    def changed(self, start: int, end: int) -> None:
        """One character of the search form stands for text[start:end]."""
        self._add(start, end, 1, True)

    def span(self, i: int) -> tuple[int, int]:
        """[start, end) in the original text of the search form's character ``i``."""
        i += self._shift
        k = bisect_right(self._nstarts, i) - 1
        if self._changed[k]:
            return self._ostarts[k], self._oends[k]
        o = self._ostarts[k] + i - self._nstarts[k]
        return o, o + 1


def _stripped(out: list[str], omap: OffsetMap) -> tuple[str, OffsetMap]:
    norm = "".join(out)
    if norm.startswith(" "):
        norm, omap._shift = norm[1:], 1
    return norm.rstrip(" "), omap


def _normalise_nfc(text: str) -> tuple[str, OffsetMap]:
    """:func:`normalise_with_map` for a text in NFC (nearly every article), in one pass of :data:`_MARK`."""
    out: list[str] = []
    omap = OffsetMap()
    pos, n = 0, len(text)
    while True:
        m = _MARK.search(text, pos)
        a = m.start() if m else n
        if a > pos:  # unchanged text
            out.append(text[pos:a])
            omap.copied(pos, a)
        if m is None:
            break
        ch = text[a]
        if ch in _OPENING:  # « texte: the guillemet, without the space after it
            out.append(_FOLD[ch])
            omap.changed(a, a + 1)
            pos = _RUN.match(text, a + 1).end()
            continue
        if ch in _FOLD:  # a closing guillemet, a curly quote, a dash
            out.append(_FOLD[ch])
            omap.changed(a, a + 1)
            pos = a + 1
            continue
        b = _RUN.match(text, a).end()  # whitespace and invisible marks
        if b < n and text[b] in _CLOSING:  # texte »: the space before it goes
            out.append(_FOLD[text[b]])
            omap.changed(b, b + 1)
            pos = b + 1
            continue
        if any(c.isspace() for c in text[a:b]):
            out.append(" ")
            omap.changed(a, b)
        pos = b
    return _stripped(out, omap)


def normalise_with_map(text: str) -> tuple[str, OffsetMap]:
    """The search form of ``text`` and the map from each of its characters to the [start, end) in
    ``text`` it comes from. See :func:`normalise` for what changes."""
    if unicodedata.is_normalized("NFC", text):
        return _normalise_nfc(text)
    return _normalise_segments(text)


def _normalise_segments(text: str) -> tuple[str, OffsetMap]:
    """:func:`normalise_with_map` for any text: NFC run by run (slower; for texts not in NFC, such as
    files saved on macOS in NFD)."""
    out: list[str] = []
    omap = OffsetMap()
    pending_space: tuple[int, int] | None = None  # a run of whitespace not yet written
    after_opening = False
    for seg_start, seg_end in _segments(text):
        seg = text[seg_start:seg_end]
        if seg in _DROP:
            continue
        if seg.isspace():
            if after_opening:  # « texte: the space after an opening guillemet is dropped
                continue
            pending_space = (pending_space[0] if pending_space else seg_start, seg_end)
            continue
        if seg[0] in _CLOSING:
            pending_space = None  # texte »: the space before a closing guillemet too
        nfc = unicodedata.normalize("NFC", seg) if not seg.isascii() else seg
        nfc = "".join(_FOLD.get(ch, ch) for ch in nfc if ch not in _DROP)
        if not nfc:
            continue
        if pending_space is not None:
            if out:  # no leading space
                out.append(" ")
                omap.changed(*pending_space)
            pending_space = None
        for ch in nfc:
            out.append(ch)
            omap.changed(seg_start, seg_end)
        after_opening = seg[0] in _OPENING
    return _stripped(out, omap)


def normalise(text: str) -> str:
    """The form quotes are compared in: Unicode NFC; every run of whitespace (no-break spaces, newlines,
    tabs) one space, none at either end; curly and straight quotes, apostrophes, primes and guillemets
    one form each (' and "), dashes and minus signs '-'; no space just inside « »; soft hyphens,
    zero-width spaces, direction marks and the Arabic tatweel dropped. Case, letters and diacritics are
    kept: a quote is what the article says.

    >>> normalise("« Ils sont  arrivés » – dit-il")
    '"Ils sont arrivés" - dit-il'
    >>> normalise("قُتِلَ  ثلاثــة")  == normalise("قُتِلَ ثلاثة")
    True
    """
    return normalise_with_map(text)[0]


# ---- the article ----------------------------------------------------------------------------------

class ArticleError(Exception):
    """The article cannot be used: ``code`` is the catalogue code, ``message`` says why and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Match:
    """Where a quote is (``found``) or the closest passage when it is not."""

    found: bool
    start: int
    end: int
    score: float = 100.0


@dataclass
class Article:
    """One article's text as read, its SHA-256, and its search form (built on first use)."""

    path: str
    text: str
    sha256: str = ""
    _norm: tuple[str, OffsetMap] | None = field(default=None, repr=False)

    @classmethod
    def from_text(cls, path: str, text: str) -> Article:
        return cls(path, text, hashlib.sha256(text.encode("utf-8")).hexdigest())

    @property
    def search_form(self) -> tuple[str, OffsetMap]:
        if self._norm is None:
            self._norm = normalise_with_map(self.text)
        return self._norm

    def _span(self, nstart: int, nend: int) -> tuple[int, int]:
        omap = self.search_form[1]
        return omap.span(nstart)[0], omap.span(nend - 1)[1]

    def find(self, quote: str) -> tuple[int, int] | None:
        """[start, end) of the first place the article says ``quote`` (both normalised), or None."""
        nq = normalise(quote)
        if not nq:
            return None
        norm = self.search_form[0]
        at = norm.find(nq)
        return None if at < 0 else self._span(at, at + len(nq))

    def closest(self, quote: str) -> Match:
        """The passage of the article most like ``quote`` (rapidfuzz's best partial alignment, of about the
        quote's length), with its similarity 0-100."""
        from rapidfuzz import fuzz

        nq = normalise(quote)
        norm = self.search_form[0]
        if not nq or not norm:
            return Match(False, 0, 0, 0.0)
        al = fuzz.partial_ratio_alignment(nq, norm)
        if al is None or al.dest_end <= al.dest_start:
            return Match(False, 0, 0, 0.0)
        ds, de = _whole_words(norm, al.dest_start, al.dest_end)
        start, end = self._span(ds, de)
        return Match(False, start, end, float(al.score))

    def line_of(self, offset: int) -> int:
        """The line (from 1) of a character offset, as an editor numbers lines."""
        return self.text.count("\n", 0, offset) + 1


def _whole_words(norm: str, start: int, end: int, reach: int = 40) -> tuple[int, int]:
    """Widen [start, end) of the search form to whole words (at most ``reach`` characters each way), so a
    suggestion does not cut 'torsdags' to 'torsd'."""
    lo = start
    while lo > 0 and start - lo < reach and not norm[lo - 1].isspace():
        lo -= 1
    hi = end
    while hi < len(norm) and hi - end < reach and not norm[hi].isspace():
        hi += 1
    while hi > max(lo, end) and norm[hi - 1] in " ,;:.!?)]\"'":  # punctuation the widening took
        hi -= 1
    while lo < hi and norm[lo] == " ":
        lo += 1
    return lo, hi


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_article_path(value: str) -> str | None:
    """Why ``value`` cannot name an article (None when it can): it must be relative, use '/', name a .txt
    file; '..' may climb from the record's folder to a sibling folder (``../articles/x.txt``)."""
    if len(value) > MAX_ARTICLE_PATH:
        return (f"{quote(value)} is longer than {MAX_ARTICLE_PATH} characters; name the article by a short "
                "path such as '../articles/<source-id>.txt'")
    if "\\" in value:
        return f"write the path with '/', not '\\' ({quote(value)})"
    if value.startswith("~") or PurePosixPath(value).is_absolute() or re.match(r"[A-Za-z]:", value):
        return (f"{quote(value)} is an absolute path; write it relative to the record file's folder, e.g. "
                "'../articles/<source-id>.txt'")
    parts = PurePosixPath(value).parts
    if not parts or parts[-1] in ("..", ".") or not parts[-1].lower().endswith(ARTICLE_SUFFIX) \
            or parts[-1].lower() == ARTICLE_SUFFIX:
        return f"{quote(value)} does not name a plain-text file (*{ARTICLE_SUFFIX}); articles are UTF-8 .txt files"
    return None


def resolve(record_path: str | os.PathLike[str], value: str) -> Path:
    """The article ``value`` names, relative to the folder of the record file at ``record_path`` ('..'
    taken lexically: no symbolic link may lie on the way, :func:`load_article`)."""
    return Path(os.path.normpath(Path(record_path).parent / value))


def _through_link(record_path: str | os.PathLike[str], value: str) -> str | None:
    """The target of the first symbolic link on the way from the record's folder to the article (the
    article itself or a folder its path names), or None: links are not followed, as in the coded folder."""
    here = Path(record_path).parent
    for part in PurePosixPath(value).parts:
        here = Path(os.path.normpath(here / part))  # '..' lexically, as the article is read
        if part not in ("..", ".") and os.path.islink(here):
            try:
                return os.readlink(here)
            except OSError:  # pragma: no cover - vanished
                return "?"
    return None


def read_article(path: str | os.PathLike[str], display: str | None = None) -> Article:
    """Read an article file safely (a regular file, not a link, at most :data:`MAX_ARTICLE_BYTES`, UTF-8
    text); raise :class:`ArticleError` with a catalogue code otherwise. The text is the bytes decoded
    as UTF-8 and nothing else, so offsets into it are offsets into the file as any UTF-8 reader sees it.
    """
    p = Path(path)
    shown = display or p.as_posix()
    if p.is_symlink():
        raise ArticleError("article-unreadable", f"the article {shown} is a symbolic link (to "
                           f"{quote(os.readlink(p))}); links are not followed: copy the article in")
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ArticleError("article-missing", f"no article {shown}") from None
    except OSError as exc:
        raise ArticleError("article-unreadable", f"cannot read the article {shown}: "
                           f"{exc.strerror or exc}") from None

    if not _stat.S_ISREG(st.st_mode):
        what = "a folder" if _stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise ArticleError("article-unreadable", f"the article {shown} is {what}")
    if st.st_size > MAX_ARTICLE_BYTES:
        raise ArticleError("article-unreadable", f"the article {shown} holds {st.st_size:,} bytes, more than "
                           f"the {MAX_ARTICLE_BYTES:,} an article may (is it the text of the report?)")
    try:
        with open(p, "rb") as fh:
            data = fh.read(MAX_ARTICLE_BYTES + 1)
    except OSError as exc:
        raise ArticleError("article-unreadable", f"cannot read the article {shown}: "
                           f"{exc.strerror or exc}") from None
    if len(data) > MAX_ARTICLE_BYTES:  # grew while read
        raise ArticleError("article-unreadable", f"the article {shown} is larger than "
                           f"{MAX_ARTICLE_BYTES:,} bytes")
    what = what_file(data[:HEAD_BYTES])
    if what is not None:
        raise ArticleError("article-encoding", f"the article {shown}: {what}")
    if not data.strip():
        raise ArticleError("article-unreadable", f"the article {shown} is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ArticleError("article-encoding", f"the article {shown} holds NUL bytes (line {line}): it is "
                           "binary, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleError("article-encoding", f"the article {shown}: byte 0x{data[exc.start]:02x} on line "
                           f"{line} is not valid UTF-8; save the article as UTF-8") from None
    return Article(shown, text, sha256_bytes(data))


#: Articles read in this process, by (real path, size, modification time): a CSV holds one record per
#: incident, and each names the same article.
_CACHE: dict[tuple[str, int, int], Article] = {}
_CACHE_SIZE = 16


def load_article(record_path: str | os.PathLike[str], value: str) -> Article:
    """The article a record at ``record_path`` names as ``value``, read once per process and file version.

    Raises :class:`ArticleError`: ``article-path`` for a path that may not name an article,
    ``article-missing`` when it does not exist, ``article-unreadable`` (a link, a folder, too large,
    empty) and ``article-encoding`` (not UTF-8 text) otherwise.
    """
    why = check_article_path(value)
    if why is not None:
        raise ArticleError("article-path", why)
    path = resolve(record_path, value)
    shown = Path(os.path.normpath(path)).as_posix()  # no link on the way (checked below): '..' is lexical
    try:
        link = _through_link(record_path, value)
        exists = os.path.lexists(path)
    except OSError as exc:  # pragma: no cover - lexists and islink answer False on most errors
        raise ArticleError("article-unreadable", f"cannot read the article {shown}: {exc.strerror or exc}") from None
    if link is not None:
        raise ArticleError("article-unreadable", f"the article {shown} is reached through a symbolic link "
                           f"(to {quote(link)}); links are not followed: copy the article in")
    if not exists:
        raise ArticleError("article-missing", f"no article {shown}")
    try:
        st = path.stat()
        key = (os.path.realpath(path), st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _CACHE:
        cached = _CACHE[key]
        return cached if cached.path == shown else Article(shown, cached.text, cached.sha256, cached._norm)
    article = read_article(path, shown)
    if key is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = article
    return article


def folder_absent(record_path: str | os.PathLike[str], value: str) -> bool:
    """Whether the folder the article would be in does not exist at all (a copy of the project without
    its private articles folder), as opposed to a file missing from a folder that is there (a typo)."""
    try:
        return not resolve(record_path, value).parent.exists()
    except OSError:  # a name too long, a folder that may not be listed: not "absent"
        return False


__all__ = ["ARTICLE_SUFFIX", "MAX_ARTICLE_BYTES", "SHA256_RE", "Article", "ArticleError", "Match", "OffsetMap",
           "check_article_path", "folder_absent", "load_article", "normalise", "normalise_with_map",
           "read_article", "resolve", "sha256_bytes"]
