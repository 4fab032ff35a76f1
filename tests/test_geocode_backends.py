"""The real geopy client against a local HTTP server on 127.0.0.1 speaking Nominatim's JSON, and
``gazetteer download`` against a local server serving a GeoNames per-country zip."""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from incidentkit.cli import main
from incidentkit.errors import GeocoderServiceError, GeocoderTimeoutError
from incidentkit.geocode.backends import NominatimBackend

DUMP = (Path(__file__).parent / "data" / "geocode" / "SY.txt").read_text(encoding="utf-8")
PLACE = [{"place_id": 1, "osm_type": "relation", "osm_id": 123, "lat": "36.5067", "lon": "40.7428",
          "display_name": "Al-Hasakah, Syria", "class": "place", "type": "city", "place_rank": 16,
          "importance": 0.6, "name": "Al-Hasakah"}]


class Handler(BaseHTTPRequestHandler):
    calls: list[str] = []
    agents: list[str] = []
    flaky: dict[str, int] = {}

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, body: bytes, ctype: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client timed out first (slow answer test)
            pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        Handler.calls.append(self.path)
        if url.path.endswith(".zip"):
            cc = url.path.rsplit("/", 1)[-1][:-4]
            if cc != "SY":
                return self._send(404, b"not found", "text/plain")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as zf:
                zf.writestr("SY.txt", DUMP)
            return self._send(200, buf.getvalue(), "application/zip")
        q = parse_qs(url.query).get("q", [""])[0]
        Handler.agents.append(self.headers.get("User-Agent", ""))
        if q.startswith("ratelimited"):
            n = Handler.flaky.get(q, 0)
            Handler.flaky[q] = n + 1
            if n == 0:
                return self._send(429, b'{"error": "rate limited"}')
            return self._send(200, json.dumps(PLACE).encode())
        if q.startswith("broken"):
            return self._send(500, b'{"error": "boom"}')
        if q.startswith("slow"):
            time.sleep(1.5)
            return self._send(200, json.dumps(PLACE).encode())
        if q.startswith("nothing"):
            return self._send(200, b"[]")
        return self._send(200, json.dumps(PLACE).encode())


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def backend(server: str, tmp_path: Path, **kw) -> NominatimBackend:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("notify", lambda message: None)  # "retrying ..." lines: tests/test_geocode_online_faults.py
    return NominatimBackend(domain=server, scheme="http", cache_dir=tmp_path, **kw)


def test_found_and_cached(server: str, tmp_path: Path) -> None:
    b = backend(server, tmp_path)
    r = b.geocode("Hasakah", "SY")
    assert r.found and abs(r.latitude - 36.5067) < 1e-6 and r.gazetteer == "nominatim"
    assert r.gazetteer_id == "relation/123" and r.geo_precision == 1
    assert "incidentkit" in Handler.agents[-1]  # an identifying user agent
    n = len(Handler.calls)
    b2 = backend(server, tmp_path)  # a rerun: answered from the SQLite cache, no request
    assert b2.geocode("Hasakah", "SY") == r and len(Handler.calls) == n and b2.requests == 0


def test_not_found_is_cached_as_not_found(server: str, tmp_path: Path) -> None:
    b = backend(server, tmp_path)
    r = b.geocode("nothing here", "SY")
    assert not r.found and "no result" in r.reason
    assert b.cache.get("nominatim", '{"cc": "SY", "q": "nothing here"}') == []


def test_429_then_success_is_retried(server: str, tmp_path: Path) -> None:
    b = backend(server, tmp_path)
    r = b.geocode("ratelimited town", "SY")
    assert r.found and b.requests == 2 and Handler.flaky["ratelimited town"] == 2


def test_500_raises_and_is_not_cached(server: str, tmp_path: Path) -> None:
    b = backend(server, tmp_path, retries=2)
    with pytest.raises(GeocoderServiceError) as ei:
        b.geocode("broken town", "SY")
    assert b.requests == 3 and len(b.cache) == 0 and ei.value.code == "geocoder-unavailable"


def test_timeout_raises_service_error(server: str, tmp_path: Path) -> None:
    b = backend(server, tmp_path, timeout=0.3, retries=1)
    with pytest.raises(GeocoderTimeoutError):
        b.geocode("slow town", "SY")
    assert len(b.cache) == 0 and b.requests == 1  # the timeout is the budget of all attempts


def test_min_delay_between_requests(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a fake clock: the test pins the waits the throttle asks for, not how long the machine took
    from incidentkit.geocode import backends as mod

    clock, slept = [1000.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        clock[0] += seconds

    monkeypatch.setattr(mod, "_last_call", {})
    monkeypatch.setattr(mod.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(mod.time, "sleep", sleep)
    b = backend(server, tmp_path, min_delay=0.3)
    b.geocode("a1", None)
    b.geocode("a2", None)
    clock[0] += 1.0  # a pause longer than the delay: no wait needed
    b.geocode("a3", None)
    b.geocode("a4", None)
    assert slept == [0.3, 0.3]


def test_public_host_is_throttled_to_one_per_second(tmp_path: Path) -> None:
    b = NominatimBackend(cache_dir=tmp_path, min_delay=0.1)
    assert b.min_delay >= 1.0 and "incidentkit" in b.client.headers["User-Agent"]


def test_download_from_mirror(server: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["gazetteer", "download", "SY", "--base-url", f"http://{server}/dump/",
                                  "--to", str(tmp_path)])
    assert r.exit_code == 0, r.output
    text = (tmp_path / "geonames-SY.csv").read_text(encoding="utf-8")
    assert "Rami" in text and "Test Prison" in text and "Some River" not in text


def test_download_404_is_a_clear_error(server: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["gazetteer", "download", "IQ", "--base-url", f"http://{server}/dump",
                                  "--to", str(tmp_path)])
    assert r.exit_code == 1 and "HTTP 404" in r.output and not list(tmp_path.glob("*.csv"))
