"""Opt-in online geocoders (geopy): Nominatim (public or self-hosted) and the GeoNames web service.

Why the ceremony: the public Nominatim allows one request per second and wants an identifying user
agent; servers answer 429 and 5xx under load; and a failed request must never be recorded as "not
found", or a rerun would silently keep the gap. So every backend here

* waits at least ``min_delay`` seconds between requests (1 s for the public Nominatim host),
* retries 429 / 5xx / timeouts with exponential back-off (honouring Retry-After),
* raises :class:`~incidentkit.errors.GeocoderServiceError` when it gives up,
* caches answers (found and not found, never errors) in SQLite keyed by backend and query, so reruns
  cost nothing and give the same result.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from incidentkit._version import __version__
from incidentkit.errors import GeocoderServiceError
from incidentkit.geocode.countries import country_code
from incidentkit.geocode.index import default_cache_dir
from incidentkit.geocode.result import WHERE_PREC, Alternative, GeocodeResult

PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
DEFAULT_USER_AGENT = f"incidentkit/{__version__} (conflict event geocoding; https://pypi.org/project/incidentkit/)"

_last_call: dict[str, float] = {}
_lock = threading.Lock()


class AnswerCache:
    """A persistent cache of backend answers in SQLite (stdlib): (backend, query) -> JSON answer."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
        self._conn.execute("CREATE TABLE IF NOT EXISTS answers (backend TEXT NOT NULL, query TEXT NOT NULL, "
                           "answer TEXT NOT NULL, fetched TEXT NOT NULL, PRIMARY KEY (backend, query))")
        self._conn.commit()

    def get(self, backend: str, query: str) -> list[dict[str, Any]] | None:
        row = self._conn.execute("SELECT answer FROM answers WHERE backend=? AND query=?",
                                 (backend, query)).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, backend: str, query: str, answer: list[dict[str, Any]]) -> None:
        self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                           (backend, query, json.dumps(answer, ensure_ascii=False),
                            datetime.now(timezone.utc).isoformat(timespec="seconds")))
        self._conn.commit()

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


class _OnlineBackend:
    """Shared machinery: throttle, retry with back-off, cache, result building."""

    name = "online"

    def __init__(self, *, cache_dir: Path | None, min_delay: float, retries: int, backoff: float,
                 timeout: float, host: str) -> None:
        self.cache = AnswerCache((Path(cache_dir) if cache_dir else default_cache_dir()) / "geocode-cache.sqlite")
        self.min_delay = min_delay
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self.host = host
        self.requests = 0

    def _throttle(self) -> None:
        with _lock:
            wait = _last_call.get(self.host, 0.0) + self.min_delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            _last_call[self.host] = time.monotonic()

    def _fetch(self, query: str, cc: str | None) -> list[dict[str, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _call(self, query: str, cc: str | None) -> list[dict[str, Any]]:
        from geopy import exc as gexc

        delay = self.backoff
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            self._throttle()
            self.requests += 1
            try:
                return self._fetch(query, cc)
            except gexc.GeocoderRateLimited as e:
                last = e
                delay = max(delay, float(e.retry_after or 0))
            except (gexc.GeocoderTimedOut, gexc.GeocoderUnavailable) as e:
                last = e
            except (gexc.GeocoderAuthenticationFailure, gexc.GeocoderInsufficientPrivileges,
                    gexc.GeocoderQueryError, gexc.GeocoderQuotaExceeded, gexc.ConfigurationError) as e:
                raise GeocoderServiceError(f"{self.name}: {e}", code="geocoder-service") from e
            except gexc.GeopyError as e:  # GeocoderServiceError (5xx) and parse errors: retry
                last = e
            if attempt < self.retries:
                time.sleep(delay)
                delay *= 2
        raise GeocoderServiceError(f"{self.name}: gave up after {self.retries + 1} attempts: {last}",
                                   code="geocoder-service") from last

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


class NominatimBackend(_OnlineBackend):
    """OpenStreetMap Nominatim through geopy. Public host: 1 request/s and an identifying user agent."""

    name = "nominatim"

    def __init__(self, domain: str | None = None, *, scheme: str | None = None, user_agent: str | None = None,
                 cache_dir: Path | None = None, timeout: float = 10.0, retries: int = 3, backoff: float = 1.0,
                 min_delay: float | None = None) -> None:
        from geopy.geocoders import Nominatim

        domain = domain or PUBLIC_NOMINATIM
        public = domain == PUBLIC_NOMINATIM
        super().__init__(cache_dir=cache_dir, min_delay=(1.0 if public else 0.0) if min_delay is None else min_delay,
                         retries=retries, backoff=backoff, timeout=timeout, host=domain)
        if public and min_delay is not None and min_delay < 1.0:
            self.min_delay = 1.0  # the public usage policy: at most one request per second
        self.client = Nominatim(domain=domain, scheme=scheme or ("https" if public else "http"),
                                user_agent=user_agent or DEFAULT_USER_AGENT, timeout=timeout)

    def _fetch(self, query: str, cc: str | None) -> list[dict[str, Any]]:
        locs = self.client.geocode(query, exactly_one=False, limit=5,
                                   country_codes=cc.lower() if cc else None) or []
        out = []
        for loc in locs:
            raw = loc.raw
            rank = int(raw.get("place_rank") or 30)
            admin = raw.get("class") == "boundary" and rank <= 8
            out.append({"name": raw.get("name") or loc.address.split(",")[0], "lat": float(loc.latitude),
                        "lon": float(loc.longitude), "id": f"{raw.get('osm_type', '')}/{raw.get('osm_id', '')}",
                        "precision": 3 if admin else 1,
                        "score": round(100 * float(raw.get("importance") or 0.5), 1)})
        return out


class GeoNamesBackend(_OnlineBackend):
    """The GeoNames search web service through geopy (needs a free geonames.org user name)."""

    name = "geonames-web"

    def __init__(self, username: str, *, domain: str = "api.geonames.org", scheme: str = "http",
                 cache_dir: Path | None = None, timeout: float = 10.0, retries: int = 3, backoff: float = 1.0,
                 min_delay: float = 1.0, user_agent: str | None = None) -> None:
        from geopy.geocoders import GeoNames

        super().__init__(cache_dir=cache_dir, min_delay=min_delay, retries=retries, backoff=backoff,
                         timeout=timeout, host=domain)
        self.client = GeoNames(username=username, domain=domain, scheme=scheme,
                               user_agent=user_agent or DEFAULT_USER_AGENT, timeout=timeout)

    def _fetch(self, query: str, cc: str | None) -> list[dict[str, Any]]:
        locs = self.client.geocode(query, exactly_one=False, country=cc) or []
        out = []
        for loc in locs[:5]:
            raw = loc.raw
            admin = str(raw.get("fcode", "")) == "ADM1"
            out.append({"name": raw.get("name") or loc.address, "lat": float(loc.latitude),
                        "lon": float(loc.longitude), "id": str(raw.get("geonameId", "")),
                        "precision": 3 if admin else 1, "score": 90.0})
        return out
