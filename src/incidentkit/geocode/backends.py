"""Opt-in online geocoders (geopy): Nominatim (public or self-hosted) and the GeoNames web service.

Why the ceremony: the public Nominatim allows one request per second and wants an identifying user
agent; servers answer 429 and 5xx under load, hang, or put an HTML maintenance page where JSON
belongs; and a failed request must never be recorded as "not found", or a rerun would silently keep
the gap. So every backend here

* waits at least ``min_delay`` seconds between requests (1 s for the public Nominatim host);
* gives one name a *time budget* (``timeout``, default 30 s) that covers every attempt and every
  back-off pause: a hung server fails when the budget is spent, not after retries inside retries;
* owns the only retry layer: geopy is given an adapter of ours that sends exactly one request per
  call (no urllib3/requests retries underneath) and enforces the deadline with a watchdog, so a
  server that trickles bytes is cut off on time too;
* honours ``Retry-After`` up to ``max_wait`` seconds per name (default 60 s) and says on stderr what
  it is waiting for; a longer wait asked is an immediate, clear error instead of a silent hour;
* checks every 200 answer's shape (an HTML page or a JSON document of the wrong shape is a
  :class:`~incidentkit.errors.GeocoderBadResponseError`, never "not found");
* caches answers (found and not found, never errors) in SQLite keyed by backend and query, so reruns
  cost nothing and give the same result.

geopy still builds the request URLs and turns the (checked) JSON into locations.
"""

from __future__ import annotations

import functools
import http.client
import json
import math
import re
import socket
import sqlite3
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from incidentkit._version import __version__
from incidentkit.errors import (
    GeocoderBadResponseError,
    GeocoderRateLimitError,
    GeocoderServiceError,
    GeocoderTimeoutError,
    InputFileError,
    UsageError,
)
from incidentkit.geocode.countries import country_code
from incidentkit.geocode.index import default_cache_dir
from incidentkit.geocode.result import WHERE_PREC, Alternative, GeocodeResult

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
DEFAULT_USER_AGENT = f"incidentkit/{__version__} (conflict event geocoding; https://pypi.org/project/incidentkit/)"

#: Seconds one name may take, every attempt and back-off pause included (waits asked by the server
#: through Retry-After are allowed on top, up to ``DEFAULT_MAX_WAIT``).
DEFAULT_TIMEOUT = 30.0
#: The longest the backends pause for one name because the server asked (Retry-After), in seconds.
DEFAULT_MAX_WAIT = 60.0
#: Statuses worth another attempt: rate limited, overloaded, or a gateway in trouble.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
#: An answer larger than this is not a geocoding answer (and must not fill the memory).
MAX_ANSWER_BYTES = 8 * 1024 * 1024

_last_call: dict[str, float] = {}
_lock = threading.Lock()
# the watchdog measures real time even when a test swaps time.monotonic for a fake clock
_real_monotonic = time.monotonic


def _monotonic() -> float:
    # looked up at call time, so tests that swap time.monotonic for a fake clock reach us
    return time.monotonic()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _note(message: str) -> None:
    """Tell the user what a run is waiting for (a wait must never be silent), through the one progress
    mechanism: a line on stderr, above any progress bar (quiet in notebooks unless configured)."""
    from incidentkit.progress import note

    note(message)


class AnswerCache:
    """A persistent cache of backend answers in SQLite (stdlib): (backend, query) -> JSON answer.

    Only answers that passed the shape checks are stored (a list, possibly empty, of places); errors
    never are, so a rerun asks again for every name that failed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(path), check_same_thread=False)
            self._conn.execute("CREATE TABLE IF NOT EXISTS answers (backend TEXT NOT NULL, query TEXT NOT NULL, "
                               "answer TEXT NOT NULL, fetched TEXT NOT NULL, PRIMARY KEY (backend, query))")
            self._conn.commit()
        except (OSError, sqlite3.Error) as exc:
            raise InputFileError(f"{path}: cannot open the online geocoder cache ({exc}); "
                                 "choose another --cache-dir", code="file-unwritable") from None

    def get(self, backend: str, query: str) -> list[dict[str, Any]] | None:
        """The stored answer, or None when there is none (or it is unreadable: then it is asked again)."""
        try:
            row = self._conn.execute("SELECT answer FROM answers WHERE backend=? AND query=?",
                                     (backend, query)).fetchone()
        except sqlite3.Error as exc:
            raise InputFileError(f"{self.path}: cannot read the online geocoder cache ({exc})",
                                 code="file-unreadable") from None
        if row is None:
            return None
        try:
            answer = json.loads(row[0])
        except ValueError:
            return None
        return answer if _cached_answer_ok(answer) else None

    def put(self, backend: str, query: str, answer: list[dict[str, Any]]) -> None:
        try:
            self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                               (backend, query, json.dumps(answer, ensure_ascii=False),
                                datetime.now(timezone.utc).isoformat(timespec="seconds")))
            self._conn.commit()
        except sqlite3.Error as exc:
            raise InputFileError(f"{self.path}: cannot write the online geocoder cache ({exc})",
                                 code="file-unwritable") from None

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


def _cached_answer_ok(answer: Any) -> bool:
    """A hand-edited or damaged cache row is treated as a miss rather than crashing the run."""
    return isinstance(answer, list) and all(
        isinstance(a, dict) and isinstance(a.get("lat"), (int, float)) and isinstance(a.get("lon"), (int, float))
        and "name" in a and "id" in a for a in answer)


# --- text for messages ---------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")


def _snippet(text: str, limit: int = 80) -> str:
    """A short, one-line, printable quote of a server's text (messages stay one line)."""
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _html_gist(text: str) -> str:
    m = _TITLE.search(text)
    return _snippet(m.group(1) if m else _TAGS.sub(" ", text))


def _looks_like_html(text: str, content_type: str) -> bool:
    head = text.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype", "<html", "<head", "<body"))


def _describe_json(payload: Any) -> str:
    """What a JSON document is, in words: 'a JSON object with keys error, status'."""
    if isinstance(payload, dict):
        keys = ", ".join(_snippet(str(k), 20) for k in list(payload)[:5])
        more = ", ..." if len(payload) > 5 else ""
        if not payload:
            return "an empty JSON object"
        return f"a JSON object with keys {keys}{more} ({_snippet(json.dumps(payload, ensure_ascii=False), 60)})"
    if isinstance(payload, list):
        return f"a JSON list of {len(payload)} item(s)"
    if payload is None:
        return "JSON null"
    return f"a JSON {type(payload).__name__} ({_snippet(json.dumps(payload), 40)})"


def _coordinate(value: Any, limit: float) -> float | None:
    """A finite coordinate within +-limit, from a number or a numeric string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if len(value) > 40:
            return None
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > limit:
        return None
    return float(value)


def _places_problem(items: Any, lat_key: str, lon_key: str) -> str | None:
    """Why a list of places is unusable (an item without a point), or None when every item has one."""
    if not isinstance(items, list):
        return _describe_json(items)
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            return f"a JSON list whose item {i} is {_describe_json(item)}"
        if _coordinate(item.get(lat_key), 90) is None or _coordinate(item.get(lon_key), 180) is None:
            got = _snippet(f"{lat_key}={item.get(lat_key)!r}, {lon_key}={item.get(lon_key)!r}", 60)
            return f"a JSON list whose item {i} has no usable {lat_key}/{lon_key} ({got})"
    return None


# --- one request, on time ------------------------------------------------------------------------

class _Attempt(Exception):
    """One request failed; :meth:`_OnlineBackend._call` decides whether to retry, wait or give up.

    ``kind`` is ``timeout`` (the deadline passed), ``network`` (refused, reset, DNS), ``http`` (a
    status of 400 or more) or ``bad`` (a 200 answer that is not what the backend expects).
    """

    def __init__(self, kind: str, detail: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after


class _Watchdog:
    """Cuts the connection of one request when its deadline passes.

    A socket timeout alone bounds each *read*, not the exchange: a server that sends a byte every few
    seconds would keep the run for ever. The watchdog shuts the socket down at the deadline, which
    wakes a blocked read at once; the request then fails as a timeout.
    """

    def __init__(self, seconds: float) -> None:
        self.deadline = _real_monotonic() + seconds
        self.fired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(self.deadline - _real_monotonic(), 0.001)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cancel(self) -> None:
        self._timer.cancel()

    def create_connection(self, address: tuple[str, int], timeout: Any = None,
                          source_address: Any = None, **_: Any) -> socket.socket:
        """``socket.create_connection`` whose sockets the watchdog can cut, each connect on the deadline."""
        host, port = address
        err: OSError | None = None
        for af, socktype, proto, _name, sa in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            sock = socket.socket(af, socktype, proto)
            with self._lock:
                if self.fired:
                    sock.close()
                    raise TimeoutError("deadline passed")
                self._socks.append(sock)
            try:
                sock.settimeout(self.remaining())
                if source_address:
                    sock.bind(source_address)
                sock.connect(sa)
                return sock
            except OSError as exc:
                err = exc
                sock.close()
        raise err if err is not None else OSError(f"cannot resolve {host}")

    def wrap(self, http_class: Callable[..., http.client.HTTPConnection]) -> Callable[..., Any]:
        def factory(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
            conn = http_class(*args, **kwargs)
            conn._create_connection = self.create_connection  # type: ignore[attr-defined]
            return conn
        return factory


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watchdog) -> None:
        super().__init__()
        self._watch = watch

    def do_open(self, http_class: Any, req: Any, **kw: Any) -> Any:
        return super().do_open(self._watch.wrap(http_class), req, **kw)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watch: _Watchdog, context: ssl.SSLContext | None) -> None:
        super().__init__(context=context)
        self._watch = watch

    def do_open(self, http_class: Any, req: Any, **kw: Any) -> Any:
        return super().do_open(self._watch.wrap(http_class), req, **kw)


def _strict_adapter_class() -> type:
    """Build the geopy adapter class lazily: geopy is imported only when an online backend is used."""
    from geopy.adapters import BaseSyncAdapter, get_retry_after

    class StrictAdapter(BaseSyncAdapter):  # type: ignore[misc]
        """A geopy adapter that sends exactly one request per call, within the time it is given.

        No retries here (retries are :meth:`_OnlineBackend._call`'s alone) and no geopy exception
        mapping: every failure is an :class:`_Attempt` that says what happened. A 200 answer is
        parsed and handed to ``check`` before geopy sees it.
        """

        def __init__(self, *, proxies: Any, ssl_context: Any,
                     check: Callable[[Any], str | None], expected: str) -> None:
            super().__init__(proxies=proxies, ssl_context=ssl_context)
            self.proxies = proxies
            self.ssl_context = ssl_context
            self.check = check
            self.expected = expected

        def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
            return self._get(url, timeout, headers)[2]

        def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
            status, ctype, text = self._get(url, timeout, headers)
            try:
                payload = json.loads(text)
            except (ValueError, RecursionError):
                # JSON is judged by its text, not its Content-Type (some proxies label JSON text/html)
                if _looks_like_html(text, ctype):
                    what = f"an HTML page (\"{_html_gist(text)}\")"
                elif not text.strip():
                    what = "an empty body"
                else:
                    what = f"text that is not JSON (\"{_snippet(text)}\")"
                raise _Attempt("bad", f"answered HTTP {status} with {what}, expected {self.expected}",
                               status=status) from None
            problem = self.check(payload)
            if problem is not None:
                raise _Attempt("bad", f"answered HTTP {status} with {problem}, expected {self.expected}",
                               status=status)
            return payload

        def _get(self, url: str, timeout: float, headers: dict[str, str]) -> tuple[int, str, str]:
            """GET ``url`` within ``timeout`` seconds: (status, content type, body) of a 2xx/3xx answer."""
            watch = _Watchdog(timeout)
            handlers: list[Any] = [urllib.request.ProxyHandler(self.proxies), _WatchedHTTPHandler(watch),
                                   _WatchedHTTPSHandler(watch, self.ssl_context)]
            opener = urllib.request.build_opener(*handlers)
            try:
                try:
                    page = opener.open(urllib.request.Request(url, headers=headers), timeout=watch.remaining())
                except urllib.error.HTTPError as exc:
                    raw_body = self._read(exc, watch, limit=64 * 1024, truncate=True) if exc.fp is not None else b""
                    body = raw_body.decode("utf-8", errors="replace")
                    hdrs = {k.lower(): v for k, v in (exc.headers or {}).items()}
                    gist = _html_gist(body) if _looks_like_html(body, hdrs.get("content-type", "")) else _snippet(body)
                    raise _Attempt("http", f"answered HTTP {exc.code}" + (f" (\"{gist}\")" if gist else ""),
                                   status=exc.code, retry_after=get_retry_after(hdrs)) from None
                with page:
                    ctype = page.headers.get("Content-Type", "")
                    charset = page.headers.get_content_charset() or "utf-8"
                    raw = self._read(page, watch, limit=MAX_ANSWER_BYTES)
                    status = int(page.status)
                if watch.fired:
                    raise _Attempt("timeout", "the deadline passed")
                try:
                    return status, ctype, raw.decode(charset, errors="replace")
                except LookupError:  # a charset Python does not know
                    return status, ctype, raw.decode("utf-8", errors="replace")
            except _Attempt:
                if watch.fired:
                    raise _Attempt("timeout", "the deadline passed") from None
                raise
            except (OSError, http.client.HTTPException, ValueError) as exc:
                raise self._classify(exc, watch) from None
            finally:
                watch.cancel()

        @staticmethod
        def _read(page: Any, watch: _Watchdog, *, limit: int, truncate: bool = False) -> bytes:
            """Read a body in chunks, so the deadline and the size limit are checked as it arrives.

            Past ``limit`` bytes an answer is refused, or (``truncate``, for error pages that are only
            quoted) cut.
            """
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = page.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit and truncate:
                    chunks.append(chunk)
                    break
                if size > limit:
                    raise _Attempt("bad", f"sent an answer larger than {limit // (1024 * 1024) or 1} MB")
                chunks.append(chunk)
                if watch.fired:
                    raise _Attempt("timeout", "the deadline passed")
            return b"".join(chunks)

        @staticmethod
        def _classify(exc: BaseException, watch: _Watchdog) -> _Attempt:
            if watch.fired:
                return _Attempt("timeout", "the deadline passed")
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return _Attempt("timeout", "the deadline passed")
            if isinstance(reason, ssl.SSLCertVerificationError):
                return _Attempt("fatal", f"has a TLS certificate that fails the check "
                                         f"({_snippet(str(reason.verify_message))})")
            if isinstance(reason, (ValueError, http.client.InvalidURL)):  # a domain such as "host:x"
                return _Attempt("fatal", f"is not a valid address ({_snippet(str(reason))})")
            if isinstance(reason, http.client.RemoteDisconnected):  # before BadStatusLine, its base
                return _Attempt("network", "closed the connection without an answer")
            if isinstance(reason, (http.client.BadStatusLine, http.client.LineTooLong)):
                return _Attempt("bad", "answered with something that is not HTTP")
            if isinstance(reason, socket.gaierror):
                return _Attempt("network", f"could not be found (name lookup: {_snippet(str(reason))})")
            text = _snippet(str(getattr(reason, "strerror", None) or reason) or type(reason).__name__)
            return _Attempt("network", f"could not be reached (the connection failed: {text})")

    return StrictAdapter


# --- the backends --------------------------------------------------------------------------------

class _OnlineBackend:
    """Shared machinery: throttle, the one retry loop within a time budget, cache, result building."""

    name = "online"
    #: What a good answer looks like, for messages about bad ones.
    expected = "JSON"

    def __init__(self, *, cache_dir: Path | None, min_delay: float, retries: int, backoff: float,
                 timeout: float, max_wait: float, host: str,
                 notify: Callable[[str], None] | None = None,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None) -> None:
        if not timeout > 0:  # also refuses NaN
            raise UsageError(f"{self.name}: the timeout must be a positive number of seconds, not {timeout!r}",
                             code="usage")
        if not max_wait >= 0:
            raise UsageError(f"{self.name}: max_wait must be 0 or more seconds, not {max_wait!r}", code="usage")
        self.cache = AnswerCache((Path(cache_dir) if cache_dir else default_cache_dir()) / "geocode-cache.sqlite")
        self.min_delay = min_delay
        self.retries = max(int(retries), 0)
        self.backoff = backoff
        self.timeout = float(timeout)
        self.max_wait = float(max_wait)
        self.host = host
        self.notify = notify or _note
        self._clock = clock or _monotonic
        self._sleep = sleep or _sleep
        self.requests = 0

    @property
    def endpoint(self) -> str:
        """The URL asked, without its query string (GeoNames puts the user name there)."""
        api = str(getattr(getattr(self, "client", None), "api", "") or self.host)
        parts = urlsplit(api)
        return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else api

    def _adapter_factory(self) -> Callable[..., Any]:
        """What geopy's ``adapter_factory=`` gets: our one-request adapter, checking this backend's shape."""
        return functools.partial(_strict_adapter_class(), check=self._check, expected=self.expected)

    def _check(self, payload: Any) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _throttle(self) -> None:
        with _lock:
            wait = _last_call.get(self.host, 0.0) + self.min_delay - self._clock()
            if wait > 0:
                self._sleep(wait)
            _last_call[self.host] = self._clock()

    def _fetch(self, query: str, cc: str | None, timeout: float) -> list[dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    def _call(self, query: str, cc: str | None) -> list[dict[str, Any]]:
        """Ask the service for one name: the only retry loop, bounded by ``timeout`` + ``max_wait``.

        Retried: 408/425/429/5xx and network failures, with exponential back-off, while attempts and
        time are left. Honoured: Retry-After (on any retried status) up to ``max_wait`` in total,
        announced on stderr; more is a :class:`GeocoderRateLimitError` at once. Not retried: a spent
        time budget (:class:`GeocoderTimeoutError`), an answer of the wrong shape
        (:class:`GeocoderBadResponseError`) and the other 4xx statuses (the server refuses the request).
        """
        from geopy import exc as gexc

        where = f"{self.name}: {self.endpoint}"
        deadline: float | None = None
        waited = 0.0
        delay = self.backoff
        last: _Attempt | None = None
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            self._throttle()
            now = self._clock()
            if deadline is None:
                deadline = now + self.timeout  # the budget starts with the first request
            remaining = deadline - now
            if remaining <= 0:
                raise self._timeout_error(where, last)
            self.requests += 1
            try:
                return self._fetch(query, cc, remaining)
            except _Attempt as f:
                if f.kind == "timeout":
                    raise self._timeout_error(where, last) from None
                if f.kind == "bad":
                    raise GeocoderBadResponseError(f"{where} {f.detail}", code="geocoder-bad-response",
                                                   backend=self.name, status=f.status) from None
                if f.kind == "fatal":
                    raise GeocoderServiceError(f"{where} {f.detail}; not retried", code="geocoder-refused",
                                               backend=self.name) from None
                if f.kind == "http" and f.status not in RETRYABLE_STATUS:
                    raise GeocoderServiceError(f"{where} {f.detail}: the request is refused, not retried"
                                               f"{_refusal_hint(f.status, self.host)}", code="geocoder-refused",
                                               backend=self.name, status=f.status) from None
                last = f
            except gexc.GeopyError as e:
                # raised by geopy from a well-formed answer that reports an error (GeoNames' "status")
                raise GeocoderServiceError(f"{where} refused the request: {_snippet(str(e), 200)}",
                                           code="geocoder-refused", backend=self.name) from None
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as e:
                # an answer that passed the shape check but still cannot be read: never a traceback
                raise GeocoderBadResponseError(f"{where} answered something that cannot be read as places "
                                               f"({type(e).__name__}: {_snippet(str(e))}), expected {self.expected}",
                                               code="geocoder-bad-response", backend=self.name) from None
            assert last is not None and deadline is not None
            asked = None if last.retry_after is None else float(last.retry_after)
            if asked is not None and asked > self.max_wait - waited:
                already = f" after {waited:g} s already waited" if waited else ""
                raise GeocoderRateLimitError(
                    f"{where} answered HTTP {last.status} asking to wait {asked:g} s (Retry-After){already}; "
                    f"the cap is {self.max_wait:g} s per name (max_wait, --max-wait): try again later "
                    f"or raise the cap", code="geocoder-rate-limited", backend=self.name,
                    status=last.status, retry_after=asked)
            if attempt == attempts:
                break
            if asked is not None:
                self.notify(f"{where} answered HTTP {last.status} and asks to wait {asked:g} s (Retry-After); "
                            f"waiting (cap {self.max_wait:g} s per name) before attempt {attempt + 1} of {attempts}")
                self._sleep(asked)
                waited += asked
                deadline += asked  # a wait the server asked for does not eat the timeout budget
                continue
            pause = delay
            delay *= 2
            if self._clock() + pause >= deadline:
                raise self._timeout_error(where, last)
            self.notify(f"{where} {last.detail}; retrying in {pause:g} s (attempt {attempt + 1} of {attempts})")
            self._sleep(pause)
        assert last is not None and deadline is not None
        took = self._clock() - (deadline - self.timeout - waited)
        times = f"{attempts} times" if attempts != 1 else "once"
        raise GeocoderServiceError(f"{where} failed {times} in {took:.1f} s (last: {last.detail}); "
                                   f"giving up: {_why_given_up(last)}",
                                   code="geocoder-unavailable", backend=self.name, status=last.status)

    def _timeout_error(self, where: str, last: _Attempt | None) -> GeocoderTimeoutError:
        before = f" (before: {last.detail})" if last is not None else ""
        return GeocoderTimeoutError(
            f"{where} gave no usable answer within {self.timeout:g} s{before}; the timeout covers every "
            f"attempt for one name (timeout, --timeout): the server is down, overloaded or unreachable",
            code="geocoder-timeout", backend=self.name)

    def geocode(self, name: str, country: str | None = None, admin1: str | None = None) -> GeocodeResult:
        """Ask the service (or its cache). Not found -> a result with a reason; failure -> an exception."""
        cc = country_code(country) if country else None
        query = ", ".join(p for p in (name.strip(), (admin1 or "").strip()) if p)
        key = json.dumps({"q": query, "cc": cc}, ensure_ascii=False, sort_keys=True)
        answer = self.cache.get(self.name, key)
        if answer is None:
            answer = self._call(query, cc)
            self.cache.put(self.name, key, answer)
        if not answer:
            return GeocodeResult(query=name, country=cc, reason=f"{self.name}: no result for {query!r}")
        top = answer[0]
        prec = int(top.get("precision", 1))
        alts = tuple(Alternative(name=a["name"], latitude=a["lat"], longitude=a["lon"], gazetteer=self.name,
                                 id=str(a["id"]), score=float(a.get("score", 0))) for a in answer[1:6])
        return GeocodeResult(query=name, country=cc, latitude=top["lat"], longitude=top["lon"],
                             geo_precision=prec, where_prec=WHERE_PREC[prec], matched_name=top["name"],
                             gazetteer=self.name, gazetteer_id=str(top["id"]), score=float(top.get("score", 0)),
                             alternatives=alts, reason=f"online answer from {self.name}")


def _refusal_hint(status: int | None, host: str) -> str:
    if status in (401, 403) and host == PUBLIC_NOMINATIM:
        return " (the public Nominatim blocks clients without an identifying user agent or over its usage policy)"
    if status in (401, 403):
        return " (check the user agent, the user name or the server's access rules)"
    if status == 404:
        return " (is the domain a geocoding server of this kind?)"
    return ""


def _why_given_up(last: _Attempt) -> str:
    if last.kind == "network":
        return "check the domain and the network connection, or try again later"
    return "the server is down or overloaded, try again later"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


class NominatimBackend(_OnlineBackend):
    """OpenStreetMap Nominatim through geopy. Public host: 1 request/s and an identifying user agent."""

    name = "nominatim"
    expected = "a JSON list of places with lat/lon/display_name (Nominatim's format=json)"

    def __init__(self, domain: str | None = None, *, scheme: str | None = None, user_agent: str | None = None,
                 cache_dir: Path | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = 3,
                 backoff: float = 1.0, min_delay: float | None = None, max_wait: float = DEFAULT_MAX_WAIT,
                 notify: Callable[[str], None] | None = None, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        """``timeout``: seconds for one name, all attempts included; ``max_wait``: the longest pause the
        server may ask for (Retry-After) per name; ``notify``: where "waiting ..." lines go (stderr)."""
        from geopy.geocoders import Nominatim

        domain = domain or PUBLIC_NOMINATIM
        public = domain == PUBLIC_NOMINATIM
        super().__init__(cache_dir=cache_dir, min_delay=(1.0 if public else 0.0) if min_delay is None else min_delay,
                         retries=retries, backoff=backoff, timeout=timeout, max_wait=max_wait, host=domain,
                         notify=notify, clock=clock, sleep=sleep)
        if public and min_delay is not None and min_delay < 1.0:
            self.min_delay = 1.0  # the public usage policy: at most one request per second
        self.client = Nominatim(domain=domain, scheme=scheme or ("https" if public else "http"),
                                user_agent=user_agent or DEFAULT_USER_AGENT, timeout=self.timeout,
                                adapter_factory=self._adapter_factory())

    def _check(self, payload: Any) -> str | None:
        problem = _places_problem(payload, "lat", "lon")
        if problem is None:  # geopy needs display_name, which Nominatim always sends
            for i, item in enumerate(payload, start=1):
                if not isinstance(item.get("display_name"), str):
                    return f"a JSON list whose item {i} has no display_name"
        return problem

    def _fetch(self, query: str, cc: str | None, timeout: float) -> list[dict[str, Any]]:
        locs = self.client.geocode(query, exactly_one=False, limit=5, timeout=timeout,
                                   country_codes=cc.lower() if cc else None) or []
        return [_nominatim_place(loc.raw, loc.latitude, loc.longitude) for loc in locs]


def _nominatim_place(raw: dict[str, Any], lat: float, lon: float) -> dict[str, Any]:
    try:
        rank = int(raw.get("place_rank") or 30)
    except (TypeError, ValueError):
        rank = 30
    try:
        importance = float(raw.get("importance") or 0.5)
    except (TypeError, ValueError):
        importance = 0.5
    admin = raw.get("class") == "boundary" and rank <= 8
    name = _text(raw.get("name")) or _text(raw.get("display_name")).split(",")[0]
    return {"name": name, "lat": float(lat), "lon": float(lon),
            "id": f"{_text(raw.get('osm_type'))}/{_text(raw.get('osm_id'))}",
            "precision": 3 if admin else 1, "score": round(100 * importance, 1)}


class GeoNamesBackend(_OnlineBackend):
    """The GeoNames search web service through geopy (needs a free geonames.org user name)."""

    name = "geonames-web"
    expected = "a JSON object with a \"geonames\" list of places with lat/lng (GeoNames' searchJSON)"

    def __init__(self, username: str, *, domain: str = "api.geonames.org", scheme: str = "http",
                 cache_dir: Path | None = None, timeout: float = DEFAULT_TIMEOUT, retries: int = 3,
                 backoff: float = 1.0, min_delay: float = 1.0, user_agent: str | None = None,
                 max_wait: float = DEFAULT_MAX_WAIT, notify: Callable[[str], None] | None = None,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None) -> None:
        """Options as for :class:`NominatimBackend`."""
        from geopy.geocoders import GeoNames

        super().__init__(cache_dir=cache_dir, min_delay=min_delay, retries=retries, backoff=backoff,
                         timeout=timeout, max_wait=max_wait, host=domain, notify=notify, clock=clock, sleep=sleep)
        self.client = GeoNames(username=username, domain=domain, scheme=scheme,
                               user_agent=user_agent or DEFAULT_USER_AGENT, timeout=self.timeout,
                               adapter_factory=self._adapter_factory())

    def _check(self, payload: Any) -> str | None:
        if isinstance(payload, dict) and isinstance(payload.get("status"), dict):
            status = payload["status"]
            if "value" in status and "message" in status:
                return None  # GeoNames' own error report: geopy raises the matching error
            return f"an error report without value/message ({_describe_json(status)})"
        if not isinstance(payload, dict) or not isinstance(payload.get("geonames"), list):
            return _describe_json(payload)
        return _places_problem(payload["geonames"], "lat", "lng")

    def _fetch(self, query: str, cc: str | None, timeout: float) -> list[dict[str, Any]]:
        locs: Iterable[Any] = self.client.geocode(query, exactly_one=False, country=cc, timeout=timeout) or []
        out = []
        for loc in list(locs)[:5]:
            raw = loc.raw
            admin = str(raw.get("fcode", "")) == "ADM1"
            out.append({"name": _text(raw.get("name")) or _text(loc.address), "lat": float(loc.latitude),
                        "lon": float(loc.longitude), "id": _text(raw.get("geonameId")),
                        "precision": 3 if admin else 1, "score": 90.0})
        return out
