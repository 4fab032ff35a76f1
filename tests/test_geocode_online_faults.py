"""Online geocoders against local servers on 127.0.0.1 that misbehave (issue 11, point 9).

Each server is started by its fixture on an ephemeral port and stopped at teardown. What must hold:
a Retry-After beyond the cap fails at once with a message naming the backend and the wait asked; a
hung or trickling server fails within the timeout (one retry layer, one budget); a 200 answer of the
wrong shape or an HTML page is a ``geocoder-bad-response`` error, never "not found"; a 500 then a good
answer succeeds; good answers are cached and failures are not.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from incidentkit.errors import (
    CATALOGUE,
    GeocoderBadResponseError,
    GeocoderRateLimitError,
    GeocoderServiceError,
    GeocoderTimeoutError,
    UsageError,
)
from incidentkit.geocode.backends import GeoNamesBackend, NominatimBackend

PLACE = [{"place_id": 1, "osm_type": "relation", "osm_id": 123, "lat": "36.5067", "lon": "40.7428",
          "display_name": "Al-Hasakah, Syria", "class": "place", "type": "city", "place_rank": 16,
          "importance": 0.6, "name": "Al-Hasakah"}]
GOOD = (200, {"Content-Type": "application/json"}, json.dumps(PLACE).encode())
HTML = (200, {"Content-Type": "text/html; charset=utf-8"},
        (b"<!DOCTYPE html><html><head><title>Service temporarily\nunavailable</title></head>"
         b"<body><h1>Maintenance</h1></body></html>"))


@dataclass
class Script:
    """What a scripted server answers: one (status, headers, body) per request, the last one repeated."""

    answers: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.hits += 1
            return self.answers[min(self.hits, len(self.answers)) - 1]


@dataclass
class Server:
    host: str
    script: Script

    def answer(self, *answers: tuple[int, dict[str, str], bytes]) -> None:
        self.script.answers = list(answers)
        self.script.hits = 0


@pytest.fixture
def server() -> Iterator[Server]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            status, headers, body = script.next()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield Server(f"127.0.0.1:{srv.server_address[1]}", script)
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(5)


@dataclass
class RawServer:
    host: str
    connections: list[socket.socket]


def _raw_server(behaviour: str) -> Iterator[RawServer]:
    """A TCP server that accepts and then never answers ("hang"), trickles header bytes ("trickle") or
    closes the connection at once ("close")."""
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    lsock.settimeout(0.1)
    stop = threading.Event()
    conns: list[socket.socket] = []

    def trickle(c: socket.socket) -> None:
        try:
            c.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                c.sendall(b"X")  # one byte of an endless header line, forever
                stop.wait(0.05)
        except OSError:
            pass

    def serve() -> None:
        while not stop.is_set():
            try:
                c, _ = lsock.accept()
            except (TimeoutError, OSError):
                continue
            conns.append(c)
            if behaviour == "close":
                c.close()
            elif behaviour == "trickle":
                threading.Thread(target=trickle, args=(c,), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield RawServer(f"127.0.0.1:{lsock.getsockname()[1]}", conns)
    finally:
        stop.set()
        t.join(5)
        for c in conns:
            c.close()
        lsock.close()


@pytest.fixture
def hung_server() -> Iterator[RawServer]:
    yield from _raw_server("hang")


@pytest.fixture
def trickling_server() -> Iterator[RawServer]:
    yield from _raw_server("trickle")


@pytest.fixture
def closing_server() -> Iterator[RawServer]:
    yield from _raw_server("close")


def nominatim(host: str, tmp_path: Path, **kw: Any) -> NominatimBackend:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("notify", lambda message: None)
    return NominatimBackend(domain=host, scheme="http", cache_dir=tmp_path, **kw)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "\r" not in text and len(text) < 600, text
    return text


# --- Retry-After -----------------------------------------------------------------------------------

def test_retry_after_beyond_the_cap_fails_at_once(server: Server, tmp_path: Path) -> None:
    server.answer((429, {"Retry-After": "3600"}, b'{"error": "slow down"}'))
    notes: list[str] = []
    b = nominatim(server.host, tmp_path, max_wait=2, notify=notes.append)
    t0 = time.monotonic()
    with pytest.raises(GeocoderRateLimitError) as ei:
        b.geocode("Hasakah", "SY")
    assert time.monotonic() - t0 < 10  # generous: the point is "not an hour"
    msg = one_line(ei.value)
    assert msg.startswith("nominatim:") and "3600 s" in msg and "Retry-After" in msg and "429" in msg
    assert "2 s" in msg  # the cap
    assert ei.value.code == "geocoder-rate-limited" and ei.value.retry_after == 3600
    assert ei.value.backend == "nominatim" and ei.value.status == 429
    assert server.script.hits == 1 and b.requests == 1 and len(b.cache) == 0 and notes == []


def test_retry_after_of_503_as_an_http_date_beyond_the_cap(server: Server, tmp_path: Path) -> None:
    server.answer((503, {"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}, b"down"))
    with pytest.raises(GeocoderRateLimitError) as ei:
        nominatim(server.host, tmp_path, max_wait=60).geocode("Hasakah", "SY")
    assert "503" in one_line(ei.value) and ei.value.retry_after > 3600


def test_retry_after_within_the_cap_is_waited_and_said(server: Server, tmp_path: Path) -> None:
    server.answer((429, {"Retry-After": "7"}, b""), GOOD)
    notes: list[str] = []
    slept: list[float] = []
    b = nominatim(server.host, tmp_path, max_wait=10, notify=notes.append, sleep=slept.append)
    r = b.geocode("Hasakah", "SY")
    assert r.found and server.script.hits == 2
    assert 7 in slept
    assert len(notes) == 1 and notes[0].startswith("nominatim:") and "wait 7 s" in notes[0]
    assert "Retry-After" in notes[0] and "cap 10 s" in notes[0]


def test_waits_asked_add_up_against_the_cap(server: Server, tmp_path: Path) -> None:
    server.answer((429, {"Retry-After": "40"}, b""))
    notes: list[str] = []
    slept: list[float] = []
    b = nominatim(server.host, tmp_path, max_wait=60, notify=notes.append, sleep=slept.append)
    with pytest.raises(GeocoderRateLimitError) as ei:
        b.geocode("Hasakah", "SY")
    assert slept.count(40) == 1 and len(notes) == 1 and server.script.hits == 2
    assert "after 40 s already waited" in one_line(ei.value)


def test_retry_after_beyond_the_cap_without_retries(server: Server, tmp_path: Path) -> None:
    server.answer((429, {"Retry-After": "3600"}, b""))
    with pytest.raises(GeocoderRateLimitError):
        nominatim(server.host, tmp_path, retries=0).geocode("Hasakah", "SY")


def test_waiting_note_goes_to_stderr_by_default(server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCIDENTKIT_PROGRESS", "auto")  # the default outside the test suite
    server.answer((429, {"Retry-After": "0"}, b""), GOOD)
    b = NominatimBackend(domain=server.host, scheme="http", cache_dir=tmp_path, backoff=0.01)
    assert b.geocode("Hasakah", "SY").found
    captured = capsys.readouterr()
    assert "nominatim:" in captured.err and "Retry-After" in captured.err and captured.out == ""


# --- time budget -------------------------------------------------------------------------------------

def test_hung_server_fails_within_the_timeout(hung_server: RawServer, tmp_path: Path) -> None:
    b = nominatim(hung_server.host, tmp_path, timeout=1.0, retries=3)
    t0 = time.monotonic()
    with pytest.raises(GeocoderTimeoutError) as ei:
        b.geocode("Hasakah", "SY")
    took = time.monotonic() - t0
    assert 0.8 <= took < 1.0 + 3.0, took  # the budget, not 4 attempts x (3 transport tries) x timeout
    msg = one_line(ei.value)
    assert msg.startswith("nominatim:") and "within 1 s" in msg and ei.value.code == "geocoder-timeout"
    assert len(hung_server.connections) == 1  # one layer of retries, and the budget was spent by the first
    assert len(b.cache) == 0


def test_trickling_server_is_cut_at_the_deadline(trickling_server: RawServer, tmp_path: Path) -> None:
    b = nominatim(trickling_server.host, tmp_path, timeout=1.0)
    t0 = time.monotonic()
    with pytest.raises(GeocoderTimeoutError):
        b.geocode("Hasakah", "SY")
    assert time.monotonic() - t0 < 1.0 + 3.0


def test_back_off_stops_when_the_budget_is_spent(server: Server, tmp_path: Path) -> None:
    # an injected clock: the test pins the budget arithmetic, not how fast the machine is
    server.answer((500, {}, b'{"error": "boom"}'))
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    b = nominatim(server.host, tmp_path, timeout=5, retries=10, backoff=1.0, min_delay=0,
                  clock=lambda: clock[0], sleep=sleep)
    with pytest.raises(GeocoderTimeoutError) as ei:
        b.geocode("Hasakah", "SY")
    assert slept == [1.0, 2.0]  # a 4 s pause would end past the 5 s budget: give up instead
    assert server.script.hits == 3 and "HTTP 500" in one_line(ei.value)


def test_no_transport_retries_under_ours(tmp_path: Path) -> None:
    from geopy.adapters import BaseSyncAdapter

    b = nominatim("127.0.0.1:9", tmp_path)
    assert isinstance(b.client.adapter, BaseSyncAdapter)
    assert not hasattr(b.client.adapter, "session")  # not geopy's requests adapter (urllib3 retries)


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        nominatim("127.0.0.1:9", tmp_path, timeout=0)
    with pytest.raises(UsageError):
        nominatim("127.0.0.1:9", tmp_path, max_wait=-1)


# --- answers of the wrong kind ---------------------------------------------------------------------

def test_html_page_with_200_is_a_bad_response(server: Server, tmp_path: Path) -> None:
    server.answer(HTML)
    b = nominatim(server.host, tmp_path)
    with pytest.raises(GeocoderBadResponseError) as ei:
        b.geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert msg.startswith(f"nominatim: http://{server.host}/search answered HTTP 200 with an HTML page")
    assert "Service temporarily unavailable" in msg and "expected a JSON list of places with lat/lon" in msg
    assert ei.value.code == "geocoder-bad-response" and ei.value.status == 200
    assert "not found" not in msg and "no result" not in msg
    assert server.script.hits == 1 and len(b.cache) == 0  # not retried, not cached


@pytest.mark.parametrize(("body", "what"), [
    (b'{"results": []}', "a JSON object with keys results"),
    (b"{}", "an empty JSON object"),  # geopy alone would call this "not found"
    (b'{"error": "Unable to geocode"}', "a JSON object with keys error"),
    (b'[{"name": "x"}]', "item 1 has no usable lat/lon"),
    (b'[{"lat": "abc", "lon": "1"}]', "item 1 has no usable lat/lon"),
    (b'[{"lat": "95", "lon": "1"}]', "item 1 has no usable lat/lon"),
    (b'[{"lat": NaN, "lon": 1}]', "item 1 has no usable lat/lon"),
    (b'[{"lat": 1, "lon": 1}]', "item 1 has no display_name"),
    (b'["Hasakah"]', "item 1 is a JSON str"),
    (b"null", "JSON null"),
    (b"", "an empty body"),
    (b"ok", "text that is not JSON"),
    (b"[" * 100000, "text that is not JSON"),
])
def test_json_of_the_wrong_shape_is_a_bad_response(server: Server, tmp_path: Path, body: bytes, what: str) -> None:
    server.answer((200, {"Content-Type": "application/json"}, body))
    b = nominatim(server.host, tmp_path)
    with pytest.raises(GeocoderBadResponseError) as ei:
        b.geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert msg.startswith("nominatim:") and "HTTP 200" in msg and what in msg and "expected" in msg
    assert len(b.cache) == 0


def test_a_minimal_place_is_enough(server: Server, tmp_path: Path) -> None:
    server.answer((200, {"Content-Type": "application/json"}, b'[{"lat": 36.5, "lon": "40.7", "display_name": "X"}]'))
    r = nominatim(server.host, tmp_path).geocode("Hasakah", "SY")
    assert r.found and r.latitude == 36.5 and r.longitude == 40.7 and r.matched_name == "X"


def test_empty_list_is_not_found_and_cached(server: Server, tmp_path: Path) -> None:
    server.answer((200, {"Content-Type": "application/json"}, b"[]"))
    b = nominatim(server.host, tmp_path)
    r = b.geocode("Nowhere", "SY")
    assert not r.found and "no result" in (r.reason or "") and len(b.cache) == 1


def test_bad_response_through_the_cli_is_one_line(server: Server, tmp_path: Path) -> None:
    from incidentkit.cli import main

    server.answer(HTML)
    src = tmp_path / "places.csv"
    src.write_text("name,country\nQqxzvillage Nonexistent,SY\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["geocode", str(src), "-o", str(tmp_path / "out.csv"), "--backend", "nominatim",
                                  "--nominatim-domain", server.host, "--no-progress"])  # the shared index cache
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "nominatim:" in errors[0] and "HTML page" in errors[0]
    assert "Traceback" not in r.output and not (tmp_path / "out.csv").exists()


# --- retries, refusals, cache --------------------------------------------------------------------

def test_500_then_good_answer_succeeds_and_is_cached(server: Server, tmp_path: Path) -> None:
    server.answer((500, {}, b'{"error": "boom"}'), GOOD)
    notes: list[str] = []
    b = nominatim(server.host, tmp_path, notify=notes.append)
    r = b.geocode("Hasakah", "SY")
    assert r.found and abs((r.latitude or 0) - 36.5067) < 1e-6 and b.requests == 2 and server.script.hits == 2
    assert len(notes) == 1 and "HTTP 500" in notes[0] and "retrying" in notes[0]
    assert len(b.cache) == 1


def test_500_for_ever_gives_up_clearly_and_caches_nothing(server: Server, tmp_path: Path) -> None:
    server.answer((500, {"Content-Type": "text/html"}, b"<html><title>Internal Server Error</title></html>"))
    b = nominatim(server.host, tmp_path, retries=2)
    with pytest.raises(GeocoderServiceError) as ei:
        b.geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert ei.value.code == "geocoder-unavailable" and "failed 3 times" in msg and "HTTP 500" in msg
    assert "Internal Server Error" in msg and server.script.hits == 3 and len(b.cache) == 0


def test_403_is_refused_at_once(server: Server, tmp_path: Path) -> None:
    server.answer((403, {"Content-Type": "text/plain"}, b"Access blocked: usage policy"))
    b = nominatim(server.host, tmp_path)
    with pytest.raises(GeocoderServiceError) as ei:
        b.geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert ei.value.code == "geocoder-refused" and "HTTP 403" in msg and "Access blocked" in msg
    assert server.script.hits == 1


def test_connection_refused_is_retried_then_fails(tmp_path: Path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    b = nominatim(f"127.0.0.1:{port}", tmp_path, retries=2, timeout=5)
    with pytest.raises(GeocoderServiceError) as ei:
        b.geocode("Hasakah", "SY")
    assert ei.value.code == "geocoder-unavailable" and "could not be reached" in one_line(ei.value)
    assert b.requests == 3


def test_connection_closed_without_answer_is_retried(closing_server: RawServer, tmp_path: Path) -> None:
    b = nominatim(closing_server.host, tmp_path, retries=1, timeout=5)
    with pytest.raises(GeocoderServiceError) as ei:
        b.geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert ei.value.code == "geocoder-unavailable" and "failed 2 times" in msg
    assert len(closing_server.connections) == 2


def test_json_labelled_as_html_is_judged_by_its_text(server: Server, tmp_path: Path) -> None:
    server.answer((200, {"Content-Type": "text/html"}, json.dumps(PLACE).encode()))
    assert nominatim(server.host, tmp_path).geocode("Hasakah", "SY").found


def test_good_answer_is_cached_across_runs(server: Server, tmp_path: Path) -> None:
    server.answer(GOOD)
    r = nominatim(server.host, tmp_path).geocode("Hasakah", "SY")
    assert r.found and server.script.hits == 1
    again = nominatim(server.host, tmp_path)
    assert again.geocode("Hasakah", "SY") == r
    assert server.script.hits == 1 and again.requests == 0


def test_a_damaged_cache_row_is_asked_again(server: Server, tmp_path: Path) -> None:
    server.answer(GOOD)
    b = nominatim(server.host, tmp_path)
    b.cache.put("nominatim", json.dumps({"cc": "SY", "q": "Hasakah"}, sort_keys=True), [{"oops": 1}])
    assert b.geocode("Hasakah", "SY").found and server.script.hits == 1


def test_failure_then_rerun_succeeds(server: Server, tmp_path: Path) -> None:
    server.answer(HTML)
    with pytest.raises(GeocoderBadResponseError):
        nominatim(server.host, tmp_path).geocode("Hasakah", "SY")
    server.answer(GOOD)
    assert nominatim(server.host, tmp_path).geocode("Hasakah", "SY").found


# --- GeoNames ------------------------------------------------------------------------------------------

def geonames(host: str, tmp_path: Path, **kw: Any) -> GeoNamesBackend:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("notify", lambda message: None)
    return GeoNamesBackend("demo-user", domain=host, scheme="http", cache_dir=tmp_path, min_delay=0, **kw)


def test_geonames_good_answer(server: Server, tmp_path: Path) -> None:
    body = {"totalResultsCount": 1, "geonames": [{"name": "Al-Hasakah", "lat": "36.5", "lng": "40.7",
                                                  "geonameId": 173374, "fcode": "PPLA", "countryName": "Syria"}]}
    server.answer((200, {"Content-Type": "application/json"}, json.dumps(body).encode()))
    r = geonames(server.host, tmp_path).geocode("Hasakah", "SY")
    assert r.found and r.gazetteer_id == "173374" and r.gazetteer == "geonames-web"


def test_geonames_wrong_shape_is_not_not_found(server: Server, tmp_path: Path) -> None:
    server.answer((200, {"Content-Type": "application/json"}, b'{"totalResultsCount": 0}'))
    with pytest.raises(GeocoderBadResponseError) as ei:
        geonames(server.host, tmp_path).geocode("Hasakah", "SY")
    msg = one_line(ei.value)
    assert msg.startswith("geonames-web: http://") and "/searchJSON" in msg and '"geonames" list' in msg
    assert "demo-user" not in msg  # the user name travels in the query string, never in messages


def test_geonames_error_report_is_a_refusal(server: Server, tmp_path: Path) -> None:
    body = {"status": {"message": "user account not enabled to use the free webservice.", "value": 10}}
    server.answer((200, {"Content-Type": "application/json"}, json.dumps(body).encode()))
    with pytest.raises(GeocoderServiceError) as ei:
        geonames(server.host, tmp_path).geocode("Hasakah", "SY")
    assert ei.value.code == "geocoder-refused" and "not enabled" in one_line(ei.value)


def test_codes_are_in_the_catalogue() -> None:
    for code in ("geocoder-timeout", "geocoder-rate-limited", "geocoder-bad-response", "geocoder-unavailable",
                 "geocoder-refused"):
        assert code in CATALOGUE
