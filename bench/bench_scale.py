"""Lists at scale: how long every list a user opens takes, and which query makes it slow.

    python -m bench.bench_scale lists [--repeat N] [--users FILE] [--out FILE]
    python -m bench.bench_scale explain [--from LISTS.json] [--top N] --out FILE

``lists`` signs in as a force admin (of the force with most incidents), a beat officer (the one with most
cases in the beats they cover) and a shop worker (of the busiest store), or as the users a JSON file names
(``--users``: ``{"force_admin": "name", "beat_officer": "name", "shop_worker": "name"}``, also found nested,
as the volume generator prints it), and opens with Django's test client, in this process (DEBUG off, the
real middleware and templates), every list each of them opens: page 1, page 50 (or the deepest page there
is) and filtered pages, the portal page and its API, plus one detail page per list. Each URL: one warm-up
request, then ``--repeat`` timed ones (fewer once a URL has used ``--budget-s`` seconds; ``n`` says how
many), then one more with its SQL captured: the number of queries and the slowest one. It also times the
face gallery of the force with most templates (the cold build and the warm path the worker takes).

Each row an API list returns is checked against the user's scope with plain ORM queries (not the app's
selectors): the ``violations`` must be none. Nothing the run writes stays: it is one transaction, rolled
back at the end (sign-ins, justifications, view logs).

Prints JSON to stdout (and ``--out``) and a table to stderr, slowest 95th percentile first, marking those
over 150 ms. ``explain`` runs EXPLAIN (ANALYZE, BUFFERS) of the slowest query of the slowest lists (from a
``lists`` JSON, or from a quick run of its own) and writes the plans as text.

Uses the database DATABASE_URL names (PostgreSQL filled by ``bench.volume``); on the embedded SQLite it
runs too, with whatever users exist.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from core.heap import freeze_startup_objects

SLOW_MS = 150.0
BIG_SCAN_ROWS = 1000  # a sequential scan worth naming in a plan's summary
ROLES = ("force_admin", "beat_officer", "shop_worker")
DEEP_PAGE = 50
API_PAGE_SIZE = 50


def setup_django() -> None:
    """Django as the web process runs it, DEBUG off. A PostgreSQL run needs a secret key (the public
    one is refused there): a random one serves this process, whose sessions live only in it."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


# Who signs in ------------------------------------------------------------------------------------------


def _most(qs, key: str):
    from django.db.models import Count

    row = qs.values(key).annotate(n=Count("pk")).order_by("-n", key).first()
    return row[key] if row else None


def pick_users(named: dict[str, str] | None = None) -> dict:
    """The user of each role to sign in as: as ``named`` (role -> username), else picked from the data."""
    from accounts.models import User

    users = {}
    for role in ROLES:
        username = (named or {}).get(role)
        user = User.objects.filter(username=username).first() if username else _busiest_user(role)
        if user is not None:
            users[role] = user
    return users


def _busiest_user(role: str):
    from django.db.models import F

    from accounts.models import User
    from cases.models import Case
    from incidents.models import Incident

    active = User.objects.filter(role=role, is_active=True).order_by("pk")
    if role == User.Role.FORCE_ADMIN:
        force_id = _most(Incident.objects.all(), "store__beat__force")
        return active.filter(force_id=force_id).first() or active.first()
    if role == User.Role.SHOP_WORKER:
        store_id = _most(Incident.objects.all(), "store")
        return active.filter(stores=store_id).first() or active.first()
    per_beat = dict(_counts(Case.objects.all(), "beat"))
    covered = User.beats.through.objects.filter(user__in=active, beat__force_id=F("user__force_id"))
    best: dict[int, int] = {}
    for user_id, beat_id in covered.values_list("user_id", "beat_id"):
        best[user_id] = best.get(user_id, 0) + per_beat.get(beat_id, 0)
    user_id = max(best, key=lambda pk: (best[pk], -pk), default=None)
    return active.filter(pk=user_id).first() if user_id else active.first()


def _counts(qs, key: str) -> list[tuple[int, int]]:
    from django.db.models import Count

    return list(qs.values_list(key).annotate(n=Count("pk")).order_by())


def users_from_file(path: str) -> dict[str, str]:
    """role -> username from a JSON file: the first ``{"force_admin": ..., ...}`` mapping found in it
    (a role's value may be a username, a list of them, or an object with ``username``)."""
    found: dict[str, str] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ROLES and key not in found:
                    name = _username(value)
                    if name:
                        found[key] = name
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(Path(path).read_text()))
    return found


def _username(value) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value:
        return _username(value[0])
    if isinstance(value, dict):
        return value.get("username")
    return None


def signed_in(user):
    """A test client signed in as ``user``, the second factor given (police), as a session after the
    code page is."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.otp import DEVICE_ID_SESSION_KEY, second_factor_required

    client = Client(raise_request_exception=False)
    client.force_login(user)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


# What each user may see, in plain ORM (not the app's selectors) -----------------------------------------


@dataclass
class Scope:
    user: object
    role: str
    force_id: int | None
    beat_ids: set[int] = field(default_factory=set)  # a beat officer's covered beats, in their force
    store_ids: set[int] = field(default_factory=set)  # a shop worker's stores

    @classmethod
    def of(cls, user) -> Scope:
        beats = set(user.beats.filter(force_id=user.force_id).values_list("pk", flat=True))
        return cls(user, user.role, user.force_id, beats, set(user.stores.values_list("pk", flat=True)))

    def incidents(self):
        from incidents.models import Incident

        if self.role == "shop_worker":
            return Incident.objects.filter(store_id__in=self.store_ids)
        return Incident.objects.filter(store__beat__force_id=self.force_id)

    def cases(self):
        from cases.models import Case

        cases = Case.objects.filter(force_id=self.force_id)
        return cases.filter(beat_id__in=self.beat_ids) if self.role == "beat_officer" else cases


# The rows each API list may return for this user (``Scope``): rule name -> (row key, check). A check
# gets the ids a response listed and returns those outside the user's scope.


def _outside(model, ids, allowed) -> set:
    return set(ids) - set(model.objects.filter(pk__in=ids).filter(allowed).values_list("pk", flat=True))


def _check_cases(scope: Scope, ids):
    from django.db.models import Q

    from cases.models import Case

    rule = Q(force_id=scope.force_id, incident__store__beat__force_id=scope.force_id)
    if scope.role == "beat_officer":
        rule &= Q(beat_id__in=scope.beat_ids)
    return _outside(Case, ids, rule)


def _check_incidents(scope: Scope, ids):
    from django.db.models import Q

    from incidents.models import Incident

    if scope.role == "shop_worker":
        return _outside(Incident, ids, Q(store_id__in=scope.store_ids))
    return _outside(Incident, ids, Q(store__beat__force_id=scope.force_id))


def _check_processing(scope: Scope, ids):
    from django.db.models import Q

    from recognition.models import EvidenceProcessing

    beat = "evidence__incident__store__beat"
    rule = Q(**{f"{beat}__force_id": scope.force_id})
    if scope.role == "beat_officer":
        rule &= Q(**{f"{beat}_id__in": scope.beat_ids})
    found = EvidenceProcessing.objects.filter(evidence_id__in=ids)
    return set(ids) - set(found.filter(rule).values_list("evidence_id", flat=True))


def _check_force(model, path: str):
    from django.db.models import Q

    def check(scope: Scope, ids):
        return _outside(model, ids, Q(**{path: scope.force_id}))

    return check


def _check_stores(scope: Scope, ids):
    from django.db.models import Q

    from accounts.models import Store

    if scope.role == "shop_worker":
        return _outside(Store, ids, Q(pk__in=scope.store_ids))
    return _outside(Store, ids, Q(beat__force_id=scope.force_id))


def _check_persistent(scope: Scope, rows):
    from orders.models import Offender
    from people.models import PersonOfInterest

    offenders = [r["offender"] for r in rows if r.get("offender")]
    persons = [r["person"] for r in rows if r.get("person")]
    return {f"offender-{pk}" for pk in _check_force(Offender, "force_id")(scope, offenders)} | {
        f"person-{pk}" for pk in _check_force(PersonOfInterest, "force_id")(scope, persons)
    }


def scope_rules() -> dict:
    from cases.models import CaseAccess
    from orders.models import Offender, Order, Prohibition

    return {
        "cases": ("id", _check_cases),
        "incidents": ("id", _check_incidents),
        "access_logs": ("id", _check_force(CaseAccess, "force_id")),
        "offenders": ("id", _check_force(Offender, "force_id")),
        "orders": ("id", _check_force(Order, "offender__force_id")),
        "prohibitions": ("id", _check_force(Prohibition, "order__offender__force_id")),
        "stores": ("id", _check_stores),
        "processing": ("evidence", _check_processing),
        "persistent": (None, _check_persistent),
    }


def scope_violations(scope: Scope, rule: str, body) -> tuple[int, list]:
    """(rows checked, rows outside ``scope``) of an API list's JSON ``body``."""
    rows = body.get("results", []) if isinstance(body, dict) else body
    if not isinstance(rows, list):
        return 0, []
    key, check = scope_rules()[rule]
    given = rows if key is None else [row[key] for row in rows if isinstance(row, dict) and key in row]
    return len(rows), sorted(check(scope, given), key=str) if given else []


def officer_incidents_outside_beats(scope: Scope, body) -> int:
    """Incidents an officer's list shows outside the beats they cover (allowed: police see their force's
    incidents; counted so that the difference from the case queue's need-to-know stays visible)."""
    from incidents.models import Incident

    ids = [row["id"] for row in body.get("results", [])] if isinstance(body, dict) else []
    inside = Incident.objects.filter(pk__in=ids, store__beat_id__in=scope.beat_ids).count()
    return len(ids) - inside


# What each user opens ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    name: str
    path: str
    params: dict = field(default_factory=dict)
    rule: str | None = None  # the scope rule of an API list's rows
    deep: bool = False  # page 50, or the deepest page there is (an API list)


@dataclass
class Samples:
    """Values to filter by, picked from the user's own data."""

    store: int | None = None
    beat: int | None = None
    day_from: str = ""
    day_to: str = ""
    incident: int | None = None
    incident_ref: str = ""
    case: int | None = None
    offender: int | None = None
    family_name: str = ""
    log_user: int | None = None
    at: str = ""


def samples_for(scope: Scope) -> Samples:
    from cases.models import CaseAccess
    from orders.models import Offender

    incidents = scope.incidents()
    latest = incidents.order_by("-occurred_at", "-pk").first()
    store = _most(incidents, "store")
    beat_pool = incidents.filter(store__beat_id__in=scope.beat_ids) if scope.beat_ids else incidents
    offender = Offender.objects.filter(force_id=scope.force_id, cases__isnull=False).order_by("-pk").first()
    offender = offender or Offender.objects.filter(force_id=scope.force_id).order_by("-pk").first()
    case = scope.cases().order_by("-created_at", "-pk").first()
    log = CaseAccess.objects.filter(force_id=scope.force_id).order_by("-created_at", "-pk").first()
    busiest = incidents.filter(store_id=store).order_by("-occurred_at").first() if store else None
    day_to = latest.occurred_at.date() if latest else datetime.now().date()  # noqa: DTZ005 - a day to filter by
    return Samples(
        store=store,
        beat=_most(beat_pool, "store__beat"),
        day_from=(day_to - timedelta(days=30)).isoformat(),
        day_to=day_to.isoformat(),
        incident=latest.pk if latest else None,
        incident_ref=latest.reference if latest else "",
        case=case.pk if case else None,
        offender=offender.pk if offender else None,
        family_name=offender.family_name if offender else "",
        log_user=log.user_id if log else None,
        at=(busiest.occurred_at if busiest else datetime.now().astimezone()).isoformat(),
    )


def _listing(name: str, path: str, *, rule: str | None = None, filters: dict[str, dict] | None = None) -> list:
    """Page 1, page 50 (or the deepest) and each filtered page of one list."""
    probes = [Probe(f"{name} p1", path, rule=rule)]
    if rule:  # an API: the deepest page comes from its count
        probes.append(Probe(f"{name} p{DEEP_PAGE}", path, rule=rule, deep=True))
    else:  # a portal page shows its last page for a number past it
        probes.append(Probe(f"{name} p{DEEP_PAGE}", path, {"page": DEEP_PAGE}))
    for label, params in (filters or {}).items():
        if all(v not in (None, "") for v in params.values()):
            probes.append(Probe(f"{name} {label}", path, params, rule=rule))
    return probes


def incident_probes(scope: Scope, s: Samples) -> list[Probe]:
    police = scope.role != "shop_worker"
    beat = {"beat": "mine" if scope.role == "beat_officer" else s.beat} if police else {}
    page = {
        "status+priority": {"status": "received", "priority": "P1"},
        "store": {"store": s.store},
        "dates": {"from": s.day_from, "to": s.day_to},
        "q": {"q": s.incident_ref},
    }
    api = {
        "status+priority": {"status": "received", "priority": "P1"},
        "store": {"store": s.store},
        "dates": {"occurred_after": f"{s.day_from}T00:00:00Z", "occurred_before": f"{s.day_to}T23:59:59Z"},
        "q": {"q": s.incident_ref},
    }
    if beat:
        page["beat"] = api["beat"] = beat
    probes = _listing("incidents page", "/incidents/", filters=page)
    probes += _listing("incidents api", "/api/incidents/", rule="incidents", filters=api)
    if s.incident:
        probes += [
            Probe("incident detail page", f"/incidents/{s.incident}/"),
            Probe("incident detail api", f"/api/incidents/{s.incident}/"),
        ]
    return probes


def case_probes(s: Samples) -> list[Probe]:
    common = {"priority": {"priority": "P1"}, "q": {"q": s.family_name}}
    page = {"breach": {"breach": "yes"}, "review oldest": {"status": "awaiting_review", "sort": "oldest"}, **common}
    api = {"breach": {"breach": "true"}, "review oldest": {"status": "awaiting_review", "sort": "oldest"}, **common}
    probes = _listing("cases page", "/cases/", filters=page)
    probes += _listing("cases api", "/api/cases/", rule="cases", filters=api)
    probes.append(Probe("case counts api", "/api/cases/counts/"))
    if s.case:
        probes += [Probe("case detail page", f"/cases/{s.case}/"), Probe("case detail api", f"/api/cases/{s.case}/")]
    return probes


def police_probes(s: Samples) -> list[Probe]:
    """Lists every police user opens (beat officers and force admins)."""
    probes = case_probes(s)
    probes += _listing("offenders api", "/api/offenders/", rule="offenders", filters={"q": {"q": s.family_name}})
    probes += _listing("processing page", "/recognition/", filters={"failed": {"state": "failed"}})
    probes += _listing("processing api", "/api/recognition/processing/", rule="processing", filters={})
    probes += [Probe("processing api failed", "/api/recognition/processing/", {"status": "failed"}, "processing")]
    probes += _listing("persistent page", "/people/", filters={"365 days": {"period": "365"}})
    probes += _listing("persistent api", "/api/people/persistent/", rule="persistent")
    probes += [
        Probe("prohibited-at api", "/api/orders/prohibited-at/", {"store": s.store, "at": s.at}, "prohibitions"),
        Probe("notification settings", "/account/notifications/"),
        Probe("stores api p1", "/api/stores/", rule="stores"),
    ]
    if s.offender:
        probes.append(Probe("offender detail api", f"/api/offenders/{s.offender}/"))
    return probes


def admin_probes(s: Samples) -> list[Probe]:
    log = {"kind": {"kind": "view_case"}, "dates": {"from": s.day_from, "to": s.day_to}, "user": {"user": s.log_user}}
    probes = _listing("access log page", "/cases/access-log/", filters=log)
    probes += _listing("access log api", "/api/access-logs/", rule="access_logs", filters=log)
    probes += _listing("offenders page", "/desk/offenders/", filters={"q": {"q": s.family_name}})
    probes += _listing(
        "orders page", "/desk/orders/", filters={"in force": {"status": "in_force"}, "ending": {"ending": "30"}}
    )
    probes += _listing("orders api", "/api/orders/", rule="orders", filters={"in force": {"in_force": "true"}})
    probes += _listing("stores page", "/desk/stores/", filters={"q": {"q": "a"}})
    probes += _listing("stores api", "/api/stores/", rule="stores", filters={})
    if s.offender:
        probes.append(Probe("offender detail page", f"/desk/offenders/{s.offender}/"))
    return probes


def probes_for(scope: Scope, s: Samples) -> list[Probe]:
    probes = [Probe("home", "/"), Probe("home counts", "/home/counts.json")]
    probes += incident_probes(scope, s)
    if scope.role == "shop_worker":
        return [*probes, Probe("stores api p1", "/api/stores/", rule="stores")]
    probes += police_probes(s)
    if scope.role == "force_admin":
        probes = [p for p in probes if p.name != "stores api p1"] + admin_probes(s)
    return probes


def chart_probes(client) -> list[Probe]:
    """The chart CSVs the admin's home page links to."""
    html = _get(client, "/", {})[0].content.decode(errors="replace")
    paths = sorted(set(re.findall(r'href="(/home/figures/[^"?#]+\.csv)"', html)))
    return [Probe(f"chart {Path(p).stem}", p) for p in paths]


# Timing ------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _get(client, path: str, params: dict):
    """The response, read to its end as a real client reads it, and how long that took (ms). A server error
    is rolled back to a savepoint taken before the request, so that one list's database error does not end
    the run's transaction."""
    from django.db import transaction

    savepoint = transaction.savepoint()
    start = time.perf_counter()
    response = client.get(path, params)
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018 - read, as a real client does
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response, elapsed


def _app_queries(captured: list[dict]) -> list[dict]:
    """The queries the request made (not the harness's own savepoints)."""
    return [q for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))]


def _json(response):
    if "json" not in response.get("Content-Type", ""):
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def deepest_params(client, probe: Probe, count: int | None = None) -> dict:
    """Page 50, or the last page when the list has fewer (from page 1's ``count``, asked for unless given)."""
    if count is None:
        body = _json(_get(client, probe.path, probe.params)[0])
        count = body.get("count") if isinstance(body, dict) else None
    if not isinstance(count, int):
        return {**probe.params, "page": DEEP_PAGE}
    return {**probe.params, "page": max(1, min(DEEP_PAGE, math.ceil(count / API_PAGE_SIZE)))}


@dataclass(frozen=True)
class Timing:
    """How many times each URL is timed: ``repeat`` times, but no more once the timed requests have taken
    ``budget_s`` seconds, as long as ``min_repeat`` were timed."""

    repeat: int = 20
    budget_s: float = 30.0
    min_repeat: int = 3
    sql_on_warmup: bool = False  # capture the SQL on the warm-up request (no extra request: for slow data sets)
    statement_timeout_s: float = 0  # PostgreSQL's statement_timeout for the run (0: none); a query past it is a 500


def same_session(client):
    """A new test client with ``client``'s session cookie. Django's test client leaves a few objects behind
    for each request it makes (its signal receivers' finalizers, freed with the client): over the 2,000 and
    more requests of a run they grew the heap every full garbage collection walks, and so the late URLs'
    pauses, which a server's worker does not have. A client per URL lets them go."""
    from django.test import Client

    fresh = Client(raise_request_exception=False)
    fresh.cookies = client.cookies
    return fresh


def measure(client, probe: Probe, timing: Timing, *, count: int | None = None) -> dict:
    """One warm-up, then the timed requests (``timing``), then one with its SQL captured. ``count``: the
    list's length, when page 1 already said it (for page 50 of an API list)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = deepest_params(client, probe, count) if probe.deep else dict(probe.params)
    if timing.sql_on_warmup:
        with CaptureQueriesContext(connection) as captured:
            response, _ = _get(client, probe.path, params)
        queries = _app_queries(captured.captured_queries)  # now: the next request clears the log
        statuses = {response.status_code}
    else:
        _get(client, probe.path, params)
        statuses = set()
    times: list[float] = []
    while len(times) < timing.repeat and (len(times) < timing.min_repeat or sum(times) < timing.budget_s * 1000):
        response, elapsed = _get(client, probe.path, params)
        statuses.add(response.status_code)
        times.append(elapsed)
    if not timing.sql_on_warmup:
        with CaptureQueriesContext(connection) as captured:
            response, _ = _get(client, probe.path, params)
        statuses.add(response.status_code)
        queries = _app_queries(captured.captured_queries)
    slowest = max(queries, key=lambda q: float(q["time"]), default=None)
    return {
        "name": probe.name,
        "url": probe.path + (f"?{_query(params)}" if params else ""),
        "status": sorted(statuses),
        "n": len(times),
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
        "queries": len(queries),
        "slowest_query_ms": round(float(slowest["time"]) * 1000, 1) if slowest else None,
        "slowest_query": slowest["sql"] if slowest else None,
        "_body": _json(response),
    }


def _query(params: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(params, doseq=True)


def justify(client, case_id: int | None) -> None:
    """Give the case's justification (once per user), so that its detail opens rather than asking why."""
    if case_id:
        client.post(f"/cases/{case_id}/", {"justification": "Benchmark of the case pages at scale."})


def run_role(user, timing: Timing, *, only: str | None, progress) -> dict:
    """Every list the user opens (those whose role, name or URL matches ``only``, a regular expression, when
    given), timed; and the scope check of every API list's rows."""
    scope = Scope.of(user)
    samples = samples_for(scope)
    client = signed_in(user)
    probes = probes_for(scope, samples)
    if scope.role == "force_admin":
        probes += chart_probes(client)
    if scope.role != "shop_worker":
        justify(client, samples.case)
    if only:
        probes = [p for p in probes if re.search(only, f"{scope.role} {p.name} {p.path}")]
    statement_timeout(timing.statement_timeout_s)
    checked, violations, outside_beats, counts = 0, [], 0, {}
    for probe in probes:
        row = measure(same_session(client), probe, timing, count=counts.get(probe.path))
        body = row.pop("_body")
        if not probe.params and isinstance(body, dict) and isinstance(body.get("count"), int):
            counts[probe.path] = body["count"]
        if probe.rule and row["status"] == [200]:
            n, bad = scope_violations(scope, probe.rule, body)
            checked += n
            violations += [{"role": scope.role, "url": row["url"], "rows": bad}] if bad else []
            if probe.rule == "incidents" and scope.role == "beat_officer":
                outside_beats += officer_incidents_outside_beats(scope, body)
        progress({"role": scope.role, **row})
    statement_timeout(0)
    return {
        "rows_checked": checked,
        "violations": violations,
        "officer_incidents_outside_beats": outside_beats,
    }


def statement_timeout(seconds: float) -> None:
    """PostgreSQL's statement_timeout for the rest of the run's transaction (0: none); elsewhere nothing."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {int(seconds * 1000)}")


# The face gallery ----------------------------------------------------------------------------------------


def time_gallery(*, repeat: int) -> dict:
    """The gallery of the force with most templates, as the worker gets it for an incident now: the cold build
    (cache cleared) and the warm path each evidence file takes (the templates' signature, the offenders under
    an order in force, the row mask), each of those two queries alone, and one search at the force's
    threshold."""
    import numpy as np
    from django.utils import timezone

    from orders.selectors import gallery_offender_ids
    from recognition import gallery
    from recognition.models import FaceTemplate
    from recognition.selectors import threshold_for

    force_id = _most(FaceTemplate.objects.all(), "offender__force")
    if force_id is None:
        return {"skipped": "no face templates"}
    version = _most(FaceTemplate.objects.filter(offender__force_id=force_id), "model_version")
    now = timezone.now()

    def build():
        return gallery.incident_gallery(force_id=force_id, at=now, model_version=version)

    gallery.clear_cache()
    cold = _timed(build)
    templates = len(gallery.force_gallery(force_id, version))
    warm = [_timed(build) for _ in range(repeat)]
    found = build()
    probe = np.random.default_rng(1).standard_normal(128).astype(np.float32)
    probe /= np.linalg.norm(probe)
    threshold = threshold_for(force_id=force_id)
    search = [_timed(lambda: found.search(probe, k=3, max_distance=threshold)) for _ in range(repeat)]
    signature = [_timed(lambda: gallery.signature(force_id, version)) for _ in range(repeat)]
    offenders = [_timed(lambda: gallery_offender_ids(force_id=force_id, at=now)) for _ in range(repeat)]
    gallery.clear_cache()
    return {
        "force_id": force_id,
        "model_version": version,
        "templates": templates,
        "templates_in_force_now": len(found),
        "cold_build_ms": round(cold, 1),
        "warm_p50_ms": round(percentile(warm, 0.5), 1),
        "warm_p95_ms": round(percentile(warm, 0.95), 1),
        "search_p50_ms": round(percentile(search, 0.5), 2),
        "search_p95_ms": round(percentile(search, 0.95), 2),
        "signature_query_p50_ms": round(percentile(signature, 0.5), 1),
        "offenders_in_force_query_p50_ms": round(percentile(offenders, 0.5), 1),
    }


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


# The run -------------------------------------------------------------------------------------------------


class _RolledBack(Exception):
    pass


def rolled_back(fn):
    """``fn()`` inside one transaction that is then rolled back: the data is left as it was."""
    from django.db import transaction

    result = None
    try:
        with transaction.atomic():
            result = fn()
            raise _RolledBack
    except _RolledBack:
        pass
    return result


def database_facts() -> dict:
    from django.db import connection

    from accounts.models import Store, User
    from cases.models import Case, CaseAccess
    from incidents.models import Evidence, Incident
    from orders.models import Offender, Order
    from recognition.models import FaceTemplate

    models = (Incident, Evidence, Case, CaseAccess, Offender, Order, FaceTemplate, Store, User)
    return {
        "vendor": connection.vendor,
        "name": str(connection.settings_dict["NAME"]),
        "rows": {m._meta.label: m.objects.count() for m in models},
    }


def run_lists(
    timing: Timing = Timing(),
    *,
    users: dict[str, str] | None = None,
    only: str | None = None,
    quiet: bool = False,
    partial: Path | None = None,
) -> dict:
    """The gallery and every role's lists (shop worker, beat officer, force admin), timed, in one transaction
    rolled back afterwards. ``partial``: a file the result so far is written to after each URL (a long run
    stopped early still leaves its figures)."""

    def run() -> dict:
        result = {"bench": "scale_lists", "load_average_at_start": os.getloadavg(), "database": database_facts()}
        result["timing"] = dataclasses.asdict(timing)
        result["gallery"] = time_gallery(repeat=timing.repeat)
        picked = pick_users(users)
        result["frozen_startup_objects"] = freeze_startup_objects()  # as each gunicorn worker does
        result["users"] = {role: {"username": u.username, "id": u.pk} for role, u in picked.items()}
        lists, scope = [], {"rows_checked": 0, "violations": [], "officer_incidents_outside_beats": 0}

        def progress(row: dict) -> None:
            lists.append(row)
            if not quiet:
                print(f"  {row['p95_ms']:>9.1f} ms p95  {row['status']}  {row['role']}  {row['url']}", file=sys.stderr)
            if partial:
                partial.write_text(json.dumps(_summed(result, lists, scope), indent=2, default=str) + "\n")

        for role in reversed(ROLES):
            if role in picked:
                checked = run_role(picked[role], timing, only=only, progress=progress)
                for key in ("rows_checked", "violations", "officer_incidents_outside_beats"):
                    scope[key] += checked[key]
        return _summed(result, lists, scope)

    return rolled_back(run)


def _summed(result: dict, lists: list[dict], scope: dict) -> dict:
    return {
        **result,
        "load_average_at_end": os.getloadavg(),
        "lists": lists,
        "not_ok": [{"role": r["role"], "url": r["url"], "status": r["status"]} for r in lists if r["status"] != [200]],
        "over_150_ms": sum(1 for r in lists if r["p95_ms"] > SLOW_MS),
        "scope": {**scope, "violation_count": sum(len(v["rows"]) for v in scope["violations"])},
    }


def table(result: dict) -> str:
    """The lists, slowest 95th percentile first; ``*`` marks those over 150 ms."""
    lines = [f"{'':1} {'p95 ms':>9} {'p50 ms':>9} {'max ms':>9} {'sql':>4} {'slow q':>8} {'status':<10} role / url"]
    for r in sorted(result["lists"], key=lambda r: -r["p95_ms"]):
        mark = "*" if r["p95_ms"] > SLOW_MS else ""
        slow = f"{r['slowest_query_ms']:.1f}" if r["slowest_query_ms"] is not None else "-"
        status = ",".join(map(str, r["status"]))
        lines.append(
            f"{mark:1} {r['p95_ms']:>9.1f} {r['p50_ms']:>9.1f} {r['max_ms']:>9.1f} {r['queries']:>4} {slow:>8} "
            f"{status:<10} {r['role']} {r['url']}"
        )
    g = result.get("gallery", {})
    if "cold_build_ms" in g:
        lines.append(
            f"gallery (force {g['force_id']}, {g['templates']} templates, {g['templates_in_force_now']} in force): "
            f"cold {g['cold_build_ms']} ms, warm p95 {g['warm_p95_ms']} ms, search p95 {g['search_p95_ms']} ms"
        )
    lines.append(f"scope violations: {result['scope']['violation_count']} in {result['scope']['rows_checked']} rows")
    return "\n".join(lines)


# EXPLAIN -------------------------------------------------------------------------------------------------


def explain(sql: str, *, timeout_s: float = 0) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one captured SELECT (PostgreSQL), in a savepoint of its own. With
    ``timeout_s``, a query that runs longer is explained without running it (the plan's estimates only)."""
    from django.db import OperationalError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            statement_timeout(timeout_s)
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
    except OperationalError:
        pass
    with transaction.atomic(), connection.cursor() as cursor:
        statement_timeout(0)
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        return f"(Not run: over the {timeout_s:g} s timeout. Estimates only.)\n{plan}"


_NODE = re.compile(
    r"^\s*(?:->\s*)?(.+?)\s+\(cost=\S+ rows=(\d+) width=\d+\)(?: \(actual time=\S+ rows=(\d+) loops=(\d+)\))?"
)


def plan_highlights(plan: str) -> dict:
    """What to look at in a plan: sequential scans (table, rows they returned, rows their filter threw away),
    the node that handled the most rows, sorts that spilled to disk, and the execution time."""
    scans, largest = [], None
    lines = plan.splitlines()
    for i, line in enumerate(lines):
        node = _NODE.search(line)
        if not node:
            continue
        text, loops = node.group(1), int(node.group(4) or 1)
        kind, rows = re.split(r" on | using ", text)[0], int(node.group(3) or node.group(2)) * loops
        table = on.group(1) if (on := re.search(r" on (\w+)", text)) else None
        if largest is None or rows > largest["rows"]:
            largest = {"node": kind, "table": table, "rows": rows}
        if kind.endswith("Seq Scan"):
            removed = next((int(m.group(1)) for x in lines[i + 1 : i + 4] if (m := _REMOVED.search(x))), 0)
            scans.append({"table": table, "rows": rows, "removed": removed * loops})
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return {
        "seq_scans": scans,
        "largest_node": largest,
        "disk_sorts": len(re.findall(r"Sort Method: external", plan)),
        "execution_ms": float(execution.group(1)) if execution else None,
    }


_REMOVED = re.compile(r"Rows Removed by Filter: (\d+)")


def slowest_first(result: dict, top: int) -> list[dict]:
    """The ``top`` slowest lists (95th percentile), then any of the ``top`` slowest queries not among them:
    each distinct SELECT once."""
    by_p95 = sorted(result["lists"], key=lambda r: -r["p95_ms"])
    by_query = sorted(result["lists"], key=lambda r: -(r.get("slowest_query_ms") or 0))
    chosen, seen = [], set()
    for ranking in (by_p95, by_query):
        picked = 0
        for r in ranking:
            sql = (r.get("slowest_query") or "").strip()
            if picked >= top:
                break
            if sql.upper().startswith(("SELECT", "WITH")) and sql not in seen:
                seen.add(sql)
                chosen.append(r)
                picked += 1
            elif sql in seen:
                picked += 1
    return chosen


def explain_slowest(result: dict, *, top: int, timeout_s: float = 0) -> tuple[str, list[dict]]:
    """Plans (text) of the slowest query of the slowest lists, with a summary of what each does."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return "EXPLAIN (ANALYZE, BUFFERS) needs PostgreSQL.\n", []
    parts, summary = [], []
    for r in slowest_first(result, top):
        plan = explain(r["slowest_query"], timeout_s=timeout_s)
        summary.append({"role": r["role"], "url": r["url"], "p95_ms": r["p95_ms"], **plan_highlights(plan)})
        head = f"== {r['role']} {r['url']}  p95 {r['p95_ms']} ms, slowest query {r['slowest_query_ms']} ms"
        parts.append(f"{head}\n{r['slowest_query']}\n\n{plan}\n")
    lines = ["The slowest lists and queries: what the slowest query of each does (EXPLAIN ANALYZE, BUFFERS)", ""]
    lines += [_summary_line(s) for s in summary]
    return "\n".join(lines) + "\n\n" + "\n".join(parts), summary


def _summary_line(s: dict) -> str:
    """One line per plan: its time, the node with the most rows, and the sequential scans that read many."""
    big_scans = [x for x in s["seq_scans"] if x["rows"] + x["removed"] >= BIG_SCAN_ROWS]
    scans = "; ".join(f"seq scan {x['table']}: {x['rows']} rows out, {x['removed']} filtered out" for x in big_scans)
    small = len(s["seq_scans"]) - len(big_scans)
    scans += f"{'; ' if scans else ''}{small} small seq scan(s)" if small else ""
    big = s["largest_node"] or {}
    biggest = f"most rows: {big.get('node')}{' on ' + big['table'] if big.get('table') else ''} ({big.get('rows')})"
    spill = f"; {s['disk_sorts']} sort(s) on disk" if s["disk_sorts"] else ""
    ran = (
        f"query {s['execution_ms']} ms"
        if s["execution_ms"] is not None
        else "query not run (over the timeout): estimates"
    )
    head = f"- {s['role']} {s['url']}: p95 {s['p95_ms']} ms; {ran}"
    return f"{head}; {biggest}; {scans or 'no seq scan'}{spill}"


def run_explain(
    *, source: dict | None, top: int, users: dict[str, str] | None, timeout_s: float = 0
) -> tuple[str, list[dict]]:
    timing = Timing(repeat=1, min_repeat=1, statement_timeout_s=timeout_s)
    result = source or run_lists(timing, users=users, quiet=True)
    return rolled_back(lambda: explain_slowest(result, top=top, timeout_s=timeout_s))


# Command line --------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=["lists", "explain"], default="lists")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per URL (after one warm-up)")
    parser.add_argument("--budget-s", type=float, default=30.0, help="stop timing a URL after this many seconds")
    parser.add_argument("--min-repeat", type=int, help="timed requests per URL whatever the budget (3, or --repeat)")
    parser.add_argument("--sql-on-warmup", action="store_true", help="capture the SQL on the warm-up request")
    parser.add_argument("--statement-timeout-s", type=float, default=0, help="PostgreSQL statement_timeout (0: none)")
    parser.add_argument("--only", help="only the URLs whose role, name or path matches this regular expression")
    parser.add_argument("--users", help="JSON naming the users to sign in as (role -> username)")
    parser.add_argument("--out", help="also write the JSON (lists) or the plans (explain) here")
    parser.add_argument("--from", dest="source", help="explain: the lists JSON to take the slowest from")
    parser.add_argument("--top", type=int, default=10, help="explain: how many of the slowest lists")
    args = parser.parse_args(argv)
    if args.min_repeat is None:
        args.min_repeat = min(3, args.repeat)
    if not 1 <= args.min_repeat <= args.repeat:
        parser.error("--repeat and --min-repeat must be 1 or more, and --min-repeat no more than --repeat")
    return args


def main(argv: list[str] | None = None) -> dict:
    args = parse(sys.argv[1:] if argv is None and __name__ == "__main__" else argv or [])
    setup_django()
    users = users_from_file(args.users) if args.users else None
    if args.mode == "explain":
        source = json.loads(Path(args.source).read_text()) if args.source else None
        text, summary = run_explain(source=source, top=args.top, users=users, timeout_s=args.statement_timeout_s)
        if args.out:
            Path(args.out).write_text(text)
        print(json.dumps({"bench": "scale_explain", "plans": summary}, indent=2))
        return {"plans": summary, "text": text}
    timing = Timing(args.repeat, args.budget_s, args.min_repeat, args.sql_on_warmup, args.statement_timeout_s)
    result = run_lists(timing, users=users, only=args.only, partial=Path(args.out) if args.out else None)
    out = json.dumps(result, indent=2, default=str)
    if args.out:
        Path(args.out).write_text(out + "\n")
    print(out)
    print(table(result), file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
