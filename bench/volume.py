"""A national-scale data set in PostgreSQL, for timing the lists and queues at the size of England and Wales.

    DATABASE_URL=postgres://... python -m bench.volume --scale 1.0 [--seed 1] [--password retrace-bench]

At scale 1.0: the 43 forces (about 20 beats each), 300 retailers, 60,000 stores, per force 2 force admins and
40 beat officers (2 per beat) and a shop worker per 3 stores; 10 million incidents over the last three years,
2 million evidence files (each with its processing record), 200,000 offenders with 500,000 reference photos
and face templates, 100,000 orders with their prohibitions, 500,000 cases with their possible matches, and
about 50 million rows in the append-only logs. Smaller scales shrink every count (and, below 0.01, the
number of forces, beats and retailers too) and keep the same shape.

The shape is skewed as the real thing is: a store's share of the incidents follows Zipf's law (the top 1% of
stores report about a quarter of them), the forces' sizes too (the largest about a tenth), and a few
offenders account for many of the orders and matches.

Rows are made with numpy in chunks and loaded with COPY; the secondary indexes, unique constraints and
foreign keys of the loaded tables are dropped first and made again afterwards from the definitions the
database gave, then the tables are vacuumed and analysed and the id sequences moved past the largest id. The database
must hold none of the generated rows (``--reset`` empties the tables first). Evidence, photos and crops name
a few small placeholder files under MEDIA_ROOT/bench/: no list page opens them.

``generate(scale, seed)`` is the entry point for other benchmarks; it returns what ``main`` prints.
Dates are relative to the start of today (UTC), so a seed gives the same rows on the same day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

DEFAULT_PASSWORD = "retrace-bench"
# The bench users' authenticator key (hex, as django-otp stores it): a harness computes their one-time codes
# from it (django_otp.oath.TOTP).
BENCH_TOTP_KEY = "3132333435363738393031323334353637383930"
CHUNK = 100_000
NULL = "\\N"
FULL = {
    "forces": 43,
    "beats_per_force": 20,
    "retailers": 300,
    "stores": 60_000,
    "incidents": 10_000_000,
    "evidence": 2_000_000,
    "offenders": 200_000,
    "photos": 500_000,
    "orders": 100_000,
    "cases": 500_000,
    "audit": 50_000_000,
}
FORCE_NAMES = [
    "Metropolitan Police Service",
    "West Midlands Police",
    "Greater Manchester Police",
    "West Yorkshire Police",
    "Thames Valley Police",
    "Merseyside Police",
    "Northumbria Police",
    "Kent Police",
    "Hampshire Constabulary",
    "South Yorkshire Police",
    "Lancashire Constabulary",
    "Essex Police",
    "Avon and Somerset Constabulary",
    "Devon and Cornwall Police",
    "Sussex Police",
    "Hertfordshire Constabulary",
    "Nottinghamshire Police",
    "Surrey Police",
    "Staffordshire Police",
    "Leicestershire Police",
    "West Mercia Police",
    "Cheshire Constabulary",
    "South Wales Police",
    "Derbyshire Constabulary",
    "Humberside Police",
    "Cleveland Police",
    "Durham Constabulary",
    "Bedfordshire Police",
    "Northamptonshire Police",
    "Cambridgeshire Constabulary",
    "Norfolk Constabulary",
    "Suffolk Constabulary",
    "Lincolnshire Police",
    "North Yorkshire Police",
    "Gwent Police",
    "Dorset Police",
    "Wiltshire Police",
    "Gloucestershire Constabulary",
    "Warwickshire Police",
    "Cumbria Constabulary",
    "North Wales Police",
    "Dyfed-Powys Police",
    "City of London Police",
]
GIVEN = [
    "James",
    "Olivia",
    "Mohammed",
    "Amelia",
    "Jack",
    "Isla",
    "Harry",
    "Ava",
    "Noah",
    "Emily",
    "Leo",
    "Sophie",
    "Oscar",
    "Grace",
    "Charlie",
    "Mia",
    "Jacob",
    "Poppy",
    "Thomas",
    "Ella",
    "Daniel",
    "Chloe",
    "Ryan",
    "Zara",
]
FAMILY = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Khan",
    "Wood",
    "Clarke",
    "Jackson",
    "Hughes",
    "Edwards",
    "Lewis",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
]
RETAIL_WORDS = [
    "Northgate",
    "Bellfield",
    "Crown",
    "Harbour",
    "Oakley",
    "Meadow",
    "Kingsway",
    "Riverside",
    "Vale",
    "Greenway",
    "Beacon",
    "Summit",
    "Castle",
    "Brook",
    "Willow",
    "Park",
    "Station",
    "Abbey",
]
RETAIL_KINDS = [
    "Stores",
    "Foods",
    "Pharmacy",
    "Convenience",
    "Fashion",
    "Home",
    "Market",
    "Express",
    "DIY",
    "Books",
    "Sports",
    "Electricals",
    "Outlet",
    "Superstore",
    "Wines",
]
STREETS = [
    "High Street",
    "Market Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "London Road",
    "Park Avenue",
    "Queen Street",
    "Mill Lane",
    "King Street",
]
CATEGORIES = [
    "theft",
    "verbal_abuse",
    "threats",
    "physical_assault",
    "criminal_damage",
    "anti_social_behaviour",
    "other",
]
CATEGORY_P = [0.55, 0.14, 0.08, 0.05, 0.07, 0.09, 0.02]
DESCRIPTIONS = {
    "theft": [
        "Filled a bag with meat and cheese and walked out past the tills.",
        "Took two bottles of spirits from the shelf and ran.",
        "Concealed toiletries in a coat and left.",
    ],
    "verbal_abuse": ["Shouted abuse at staff when refused alcohol.", "Swore at the cashier over a refund."],
    "threats": ["Threatened to come back and hurt staff.", "Said he would stab the security guard."],
    "physical_assault": ["Pushed a colleague into the shelving when challenged.", "Punched a member of staff."],
    "criminal_damage": ["Kicked the door glass until it cracked.", "Smashed a display of bottles."],
    "anti_social_behaviour": ["Group of youths throwing stock around the aisles.", "Blocking the doors, shouting."],
    "other": ["Loitering at the tills, asking customers for money."],
}
SUSPECTS = [
    "",
    "",
    "Male, 30s, grey hoodie, black cap.",
    "Female, 20s, blonde hair, red coat.",
    "Male, late teens, black puffer jacket.",
    "Two males, 40s, one with a rucksack.",
]
PLACEHOLDERS = {
    "image": "bench/placeholder.jpg",
    "video": "bench/placeholder.mp4",
    "crop": "bench/crop.jpg",
    "photo": "bench/reference.jpg",
}
DAY = 86_400


# Scale -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    forces: int
    beats_per_force: int
    retailers: int
    stores: int
    incidents: int
    evidence: int
    offenders: int
    photos: int
    orders: int
    cases: int
    audit: int

    @classmethod
    def at(cls, scale: float) -> Counts:
        small = min(1.0, scale * 100)  # the organisations shrink only below scale 0.01

        def n(key: str, minimum: int, factor: float) -> int:
            return max(minimum, round(FULL[key] * factor))

        return cls(
            forces=n("forces", 4, small),
            beats_per_force=n("beats_per_force", 3, small),
            retailers=n("retailers", 6, small),
            stores=n("stores", 40, scale),
            incidents=n("incidents", 400, scale),
            evidence=n("evidence", 80, scale),
            offenders=n("offenders", 40, scale),
            photos=n("photos", 100, scale),
            orders=n("orders", 30, scale),
            cases=n("cases", 30, scale),
            audit=n("audit", 2000, scale),
        )


def zipf_weights(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Weights of n items in a random order whose sizes follow Zipf's law (rank ** -exponent), summing to 1."""
    w = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    rng.shuffle(w)
    return w / w.sum()


def pick(cum: np.ndarray, rng: np.random.Generator, n: int) -> np.ndarray:
    """n draws of indices with the cumulative weights ``cum`` (last value 1)."""
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


# COPY --------------------------------------------------------------------------------------------------------


def iso(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds as timestamptz text."""
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "+00")


def iso_day(seconds: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(seconds.astype("datetime64[s]").astype("datetime64[D]"), unit="D")


def nullable(values, mask: np.ndarray) -> list:
    """``values`` as text where ``mask``, NULL elsewhere."""
    return np.where(mask, np.asarray(values).astype(str), NULL).tolist()


def tf(values: np.ndarray) -> list:
    return np.where(values, "t", "f").tolist()


def _literal(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value).replace("%", "%%")


@dataclass
class Table:
    """One model's table, loaded by COPY on its own connection so that several load at once."""

    model: type
    columns: list[str]
    row_format: str
    conninfo: dict
    stats: dict
    rows: int = 0
    _copy: object = None
    _cm: object = None
    _conn: object = None

    @classmethod
    def open(cls, model, supplied: list[tuple[str, str]], conninfo: dict, stats: dict) -> Table:
        """``supplied``: (column, printf piece) in the order values are given; every other concrete column of
        the model gets its field default (or NULL), so a column added later still loads."""
        given = {column for column, _ in supplied}
        columns, pieces = [c for c, _ in supplied], [p for _, p in supplied]
        for f in model._meta.concrete_fields:
            if f.column in given or (f.primary_key and f.column not in given):
                continue
            default = f.get_default() if f.has_default() else None
            if default is None and not f.null and not f.blank:
                raise RuntimeError(f"{model._meta.db_table}.{f.column} needs a value")
            if default is None and not f.null:
                default = ""
            columns.append(f.column)
            pieces.append(_literal(default))
        return cls(model=model, columns=columns, row_format="\t".join(pieces) + "\n", conninfo=conninfo, stats=stats)

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def write(self, *values) -> None:
        """Columns of values (lists or arrays of equal length) in the order ``supplied`` gave them."""
        started = time.perf_counter()
        lists = [v.tolist() if isinstance(v, np.ndarray) else v for v in values]
        text = "".join(map(self.row_format.__mod__, zip(*lists, strict=True)))
        if self._copy is None:
            import psycopg

            self._conn = psycopg.connect(**self.conninfo, autocommit=True)
            self._cm = self._conn.cursor().copy(f"COPY {self.name} ({', '.join(self.columns)}) FROM STDIN")
            self._copy = self._cm.__enter__()
        self._copy.write(text)
        self.rows += len(lists[0]) if lists else 0
        self._account(started)

    def _account(self, started: float) -> None:
        entry = self.stats.setdefault(self.name, {"rows": 0, "seconds": 0.0})
        entry["seconds"] += time.perf_counter() - started

    def abort(self) -> None:
        """Close the connection of a load that did not finish (its COPY is rolled back)."""
        if self._conn is not None:
            self._conn.close()
            self._cm = self._copy = self._conn = None

    def close(self) -> None:
        started = time.perf_counter()
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
            self._conn.close()
            self._cm = self._copy = self._conn = None
        self.stats.setdefault(self.name, {"rows": 0, "seconds": 0.0})["rows"] += self.rows
        self.rows = 0
        self._account(started)


# Schema: drop and remake the secondary indexes and constraints ------------------------------------------------


def capture_ddl(conn, tables: list[str]) -> dict:
    """The foreign keys, unique constraints and other non-primary-key indexes of ``tables``, as the database
    defines them."""
    constraints = conn.execute(
        """SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
           FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
           ORDER BY 1, 2""",
        [tables],
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.contype IN ('p', 'u', 'x')
               AND c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)
           ORDER BY 1, 2""",
        [tables],
    ).fetchall()
    return {
        "foreign_keys": [(t, n, d) for t, n, k, d in constraints if k == "f"],
        "uniques": [(t, n, d) for t, n, k, d in constraints if k == "u"],
        "indexes": [tuple(row) for row in indexes],
    }


def drop_ddl(conn, ddl: dict) -> None:
    for table, name, _ in ddl["foreign_keys"] + ddl["uniques"]:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
    for _, name, _ in ddl["indexes"]:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_ddl(conn, ddl: dict, stats: dict, log: Callable[[str], None] = print) -> None:
    """Indexes first, then unique constraints, then foreign keys (validated: each reads its table once)."""
    conn.execute("SET maintenance_work_mem = '512MB'")
    conn.execute("SET max_parallel_maintenance_workers = 2")
    log(f"{len(ddl['indexes'])} indexes...")
    for table, _name, definition in ddl["indexes"]:
        with timed(stats, "indexes", table):
            conn.execute(
                definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1).replace(
                    "CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", 1
                )
            )
    existing = {r[0] for r in conn.execute("SELECT conname FROM pg_constraint").fetchall()}
    log(f"{len(ddl['uniques'])} unique constraints and {len(ddl['foreign_keys'])} foreign keys...")
    for table, name, definition in ddl["uniques"] + ddl["foreign_keys"]:
        if name not in existing:
            with timed(stats, "constraints", table):
                conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def timed(stats: dict, group: str, table: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    bucket = stats.setdefault(group, {})
    bucket[table] = round(bucket.get(table, 0.0) + time.perf_counter() - started, 2)


# The generator -----------------------------------------------------------------------------------------------


@dataclass
class World:
    """What later tables need to know about earlier ones (arrays indexed by id - 1)."""

    counts: Counts
    rng_seed: int
    now: int  # epoch seconds, start of today UTC
    start: int  # three years before
    password_hash: str
    model_version: str
    force_codes: list[str] = field(default_factory=list)
    force_threshold: np.ndarray | None = None
    beat_force: np.ndarray | None = None
    beat_officers: np.ndarray | None = None  # (beats, 2) officer ids
    force_admins: np.ndarray | None = None  # (forces, 2)
    store_beat: np.ndarray | None = None
    store_retailer: np.ndarray | None = None
    store_worker: np.ndarray | None = None
    store_cum: np.ndarray | None = None
    store_lat: np.ndarray | None = None
    store_lon: np.ndarray | None = None
    users: int = 0
    usernames: dict = field(default_factory=dict)
    # Incidents kept for evidence: id, store, created (s), priority index, evidence count.
    pool: dict = field(default_factory=dict)
    matches: dict = field(default_factory=dict)
    offender_force: np.ndarray | None = None
    offender_rank: np.ndarray | None = None  # 1 = the most prolific
    offender_first_photo: np.ndarray | None = None
    orders: dict = field(default_factory=dict)
    audit_rows: int = 0

    def rng(self, stage: str) -> np.random.Generator:
        return np.random.default_rng([self.rng_seed, sum(stage.encode()) * 7919 + len(stage)])


def _models() -> dict:
    from django.apps import apps

    names = {
        "force": "accounts.Force",
        "beat": "accounts.Beat",
        "retailer": "accounts.Retailer",
        "store": "accounts.Store",
        "user": "accounts.User",
        "account_event": "accounts.AccountEvent",
        "incident": "incidents.Incident",
        "evidence": "incidents.Evidence",
        "statement": "incidents.WitnessStatement",
        "incident_event": "incidents.IncidentEvent",
        "offender": "orders.Offender",
        "photo": "orders.ReferencePhoto",
        "order": "orders.Order",
        "prohibition": "orders.Prohibition",
        "offender_event": "orders.OffenderEvent",
        "order_event": "orders.OrderEvent",
        "template": "recognition.FaceTemplate",
        "processing": "recognition.EvidenceProcessing",
        "processing_event": "recognition.EvidenceProcessingEvent",
        "match": "recognition.PossibleMatch",
        "threshold": "recognition.ForceThreshold",
        "case": "cases.Case",
        "decision": "cases.CaseDecision",
        "case_event": "cases.CaseEvent",
        "access": "cases.CaseAccess",
        "feedback": "cases.MatchFeedback",
        "poi": "people.PersonOfInterest",
        "link": "people.IncidentLink",
        "people_event": "people.PeopleEvent",
        "notification": "notifications.Notification",
        "preference": "notifications.NotificationPreference",
    }
    models = {key: apps.get_model(label) for key, label in names.items()}
    user = models["user"]
    models["user_beats"] = user.beats.through
    models["user_stores"] = user.stores.through
    models["prohibition_stores"] = models["prohibition"].stores.through
    models["prohibition_beats"] = models["prohibition"].beats.through
    return models


def conninfo_from_settings() -> dict:
    from django.db import connection

    s = connection.settings_dict
    info = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"], "port": s["PORT"], "password": s["PASSWORD"]}
    return {k: v for k, v in info.items() if v}


def generate(
    scale: float,
    seed: int = 1,
    *,
    password: str = DEFAULT_PASSWORD,
    reset: bool = False,
    log: Callable[[str], None] | None = None,
) -> dict:
    """Fill the (empty) PostgreSQL database Django is configured with at ``scale`` (1.0 = national).

    Returns ``{"scale", "seed", "tables": {table: {"rows", "seconds"}}, "indexes": ..., "constraints": ...,
    "total_seconds", "bench_users": {role: {"id", "username", "password", "totp_key"}}}``. Raises
    RuntimeError on SQLite, or when the tables already hold rows and ``reset`` is false.
    """
    import psycopg
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("bench.volume loads with PostgreSQL's COPY: set DATABASE_URL to a PostgreSQL database.")
    log = log or (lambda message: None)
    started = time.perf_counter()
    models = _models()
    tables = sorted({m._meta.db_table for m in models.values()})
    info = conninfo_from_settings()
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    world = World(
        counts=Counts.at(scale),
        rng_seed=seed,
        now=int(today.timestamp()),
        start=int(today.timestamp()) - 3 * 365 * DAY,
        password_hash=make_password(password),
        model_version=_model_version(),
    )
    stats: dict = {}
    connection.close()
    with psycopg.connect(**info, autocommit=True) as conn:
        _empty_or_reset(conn, tables, reset)
        ddl = capture_ddl(conn, tables)
        drop_ddl(conn, ddl)
        opened: list[Table] = []
        try:
            _load(world, models, info, stats, log, opened)
        finally:
            for table in opened:  # after a failure: no COPY left open to block the index builds
                table.abort()
            log("restoring indexes and constraints")
            restore_ddl(conn, ddl, stats, log)
        # VACUUM as well as ANALYZE: a live database's tables are vacuumed by autovacuum as rows come in, which
        # marks their pages all-visible so that counts and sorts read the indexes alone (index-only scans);
        # freshly COPYed tables are not, until autovacuum reaches them.
        with timed(stats, "finish", "vacuum_analyze"):
            for table in tables:
                conn.execute(f"VACUUM (ANALYZE) {table}")
        _move_sequences(conn, tables)
    bench_users = _bench_users(world, models, password)
    _placeholders()
    result = {
        "scale": scale,
        "seed": seed,
        "tables": {k: v for k, v in sorted(stats.items()) if k not in ("indexes", "constraints", "finish")},
        "indexes": stats.get("indexes", {}),
        "constraints": stats.get("constraints", {}),
        "finish": stats.get("finish", {}),
        "audit_rows": world.audit_rows,
        "total_seconds": round(time.perf_counter() - started, 1),
        "bench_users": bench_users,
    }
    for entry in result["tables"].values():
        entry["seconds"] = round(entry["seconds"], 2)
    return result


def _model_version() -> str:
    try:
        from recognition.engine import current_model_version

        return current_model_version()
    except Exception:  # noqa: BLE001 - no weights here: any fixed version serves for volume
        return "deepface-bench/dlib-resnet-v1-bench/chip150-5pt"


def _empty_or_reset(conn, tables: list[str], reset: bool) -> None:
    if reset:
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    for table in ("accounts_force", "incidents_incident", "accounts_store"):
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:
            raise RuntimeError(f"{table} already holds rows: use an empty database, or reset=True (--reset).")


def _move_sequences(conn, tables: list[str]) -> None:
    for table in tables:
        sequence = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table]).fetchone()[0]
        if sequence:
            conn.execute(
                f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1), "
                f"(SELECT COUNT(*) > 0 FROM {table}))",
                [sequence],
            )


def _placeholders() -> None:
    """The few real files the rows name (an exhibit or photo opened from a detail page shows something)."""
    from pathlib import Path

    from django.conf import settings

    folder = Path(settings.MEDIA_ROOT) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from PIL import Image

        for key in ("image", "crop", "photo"):
            target = Path(settings.MEDIA_ROOT) / PLACEHOLDERS[key]
            if not target.exists():
                Image.new("RGB", (64, 64), (120, 120, 120)).save(target, "JPEG")
    except ImportError:
        pass
    video = Path(settings.MEDIA_ROOT) / PLACEHOLDERS["video"]
    if not video.exists():
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")


def _load(world: World, models: dict, info: dict, stats: dict, log, opened: list) -> None:
    steps = [
        ("organisations", _organisations),
        ("incidents", _incidents),
        ("evidence", _evidence),
        ("offenders", _offenders),
        ("orders", _orders),
        ("people", _people),
        ("accounts log", _account_events),
        ("cases", _cases),
    ]
    for label, step in steps:
        log(f"{label}...")
        t0 = time.perf_counter()

        def table(key: str, supplied: list[tuple[str, str]]) -> Table:
            opened.append(Table.open(models[key], supplied, info, stats))
            return opened[-1]

        step(world, models, table)
        log(f"{label}: {time.perf_counter() - t0:.1f} s")


def _force_code(name: str) -> str:
    words = [w for w in name.lower().replace("-", " ").split() if w not in ("police", "constabulary", "service")]
    return "-".join(words)[:30]


def _organisations(w: World, models: dict, table) -> None:
    c, rng = w.counts, w.rng("organisations")
    n_forces, n_beats = c.forces, c.forces * c.beats_per_force
    names = [FORCE_NAMES[i % len(FORCE_NAMES)] + ("" if i < len(FORCE_NAMES) else f" {i}") for i in range(n_forces)]
    w.force_codes = [_force_code(n) + ("" if i < len(FORCE_NAMES) else f"-{i}") for i, n in enumerate(names)]
    stamp = iso(np.array([w.start - 30 * DAY]))[0]
    t = table("force", [("id", "%d"), ("created_at", stamp), ("updated_at", stamp), ("name", "%s"), ("code", "%s")])
    t.write(list(range(1, n_forces + 1)), names, w.force_codes)
    t.close()
    # Forces' sizes: the first (the Met) about a tenth of the country.
    force_w = (np.arange(1, n_forces + 1) + 1.0) ** -0.8
    force_cum = np.cumsum(force_w / force_w.sum())
    w.beat_force = np.repeat(np.arange(1, n_forces + 1), c.beats_per_force)
    t = table("beat", [("id", "%d"), ("created_at", stamp), ("updated_at", stamp), ("force_id", "%d"), ("name", "%s")])
    t.write(
        list(range(1, n_beats + 1)),
        w.beat_force,
        [f"Beat {(i % c.beats_per_force) + 1:02d} {w.force_codes[f - 1]}" for i, f in enumerate(w.beat_force)],
    )
    t.close()
    retailer_names = [
        f"{RETAIL_WORDS[i % len(RETAIL_WORDS)]} {RETAIL_KINDS[(i // len(RETAIL_WORDS)) % len(RETAIL_KINDS)]}"
        + ("" if i < len(RETAIL_WORDS) * len(RETAIL_KINDS) else f" {i}")
        for i in range(c.retailers)
    ]
    t = table("retailer", [("id", "%d"), ("created_at", stamp), ("updated_at", stamp), ("name", "%s")])
    t.write(list(range(1, c.retailers + 1)), retailer_names)
    t.close()
    _stores(w, table, rng, force_cum, retailer_names, stamp)
    _users(w, models, table, rng, stamp)


def _stores(w: World, table, rng, force_cum, retailer_names, stamp) -> None:
    c = w.counts
    n = c.stores
    # Stores per force in proportion to the force's size (every force has one at least).
    per_force = np.maximum(1, np.floor(np.diff(np.r_[0.0, force_cum]) * n).astype(np.int64))
    per_force[0] += n - per_force.sum()
    store_force = rng.permutation(np.repeat(np.arange(1, c.forces + 1), per_force))
    w.store_beat = (store_force - 1) * c.beats_per_force + rng.integers(0, c.beats_per_force, n) + 1
    w.store_retailer = pick(np.cumsum(zipf_weights(c.retailers, 1.0, rng)), rng, n) + 1
    # A force's share of the incidents is its size; within a force, the stores' shares follow Zipf's law
    # (nationally the top 1% of stores report about a quarter).
    weight = np.empty(n)
    for f in range(1, c.forces + 1):
        mine = np.flatnonzero(store_force == f)
        weight[mine] = zipf_weights(len(mine), 0.8, rng) * (force_cum[f - 1] - (force_cum[f - 2] if f > 1 else 0.0))
    w.store_cum = np.cumsum(weight / weight.sum())
    centre_lat = rng.uniform(50.6, 55.0, c.forces)
    centre_lon = rng.uniform(-4.5, 1.2, c.forces)
    w.store_lat = np.round(centre_lat[store_force - 1] + rng.normal(0, 0.15, n), 6).clip(49.1, 60.9)
    w.store_lon = np.round(centre_lon[store_force - 1] + rng.normal(0, 0.2, n), 6).clip(-8.9, 1.9)
    letters = np.array(list("ABCDEFGHJKLMNPRSTUWXYZ"))
    area = np.char.add(letters[rng.integers(0, 22, n)], letters[rng.integers(0, 22, n)])
    postcode = [
        f"{a}{d} {e}{x}{y}"
        for a, d, e, x, y in zip(
            area.tolist(),
            rng.integers(1, 30, n).tolist(),
            rng.integers(0, 10, n).tolist(),
            letters[rng.integers(0, 22, n)].tolist(),
            letters[rng.integers(0, 22, n)].tolist(),
            strict=True,
        )
    ]
    ids = np.arange(1, n + 1)
    t = table(
        "store",
        [
            ("id", "%d"),
            ("created_at", stamp),
            ("updated_at", stamp),
            ("retailer_id", "%d"),
            ("beat_id", "%d"),
            ("code", "S%06d"),
            ("name", "%s"),
            ("address", "%d %s"),
            ("postcode", "%s"),
            ("phone", "01%09d"),
            ("latitude", "%.6f"),
            ("longitude", "%.6f"),
        ],
    )
    streets = np.array(STREETS)[rng.integers(0, len(STREETS), n)]
    t.write(
        ids,
        w.store_retailer,
        w.store_beat,
        ids,
        [f"{retailer_names[r - 1]} {postcode[i][:2]} {i + 1}" for i, r in enumerate(w.store_retailer.tolist())],
        rng.integers(1, 300, n),
        streets,
        postcode,
        rng.integers(0, 10**9, n),
        w.store_lat,
        w.store_lon,
    )
    t.close()


def _users(w: World, models: dict, table, rng, stamp) -> None:
    c = w.counts
    n_forces, n_beats = c.forces, c.forces * c.beats_per_force
    admins = np.arange(1, 2 * n_forces + 1).reshape(n_forces, 2)
    officers = (2 * n_forces + np.arange(1, 2 * n_beats + 1)).reshape(n_beats, 2)
    w.force_admins, w.beat_officers = admins, officers
    # A shop worker per three stores of one retailer in one force (all stores of a worker: one retailer, force).
    store_force = w.beat_force[w.store_beat - 1]
    order = np.lexsort((np.arange(len(w.store_beat)), store_force, w.store_retailer))
    key = (w.store_retailer * (n_forces + 1) + store_force)[order]
    new_group = np.r_[True, key[1:] != key[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(len(key)), 0))
    new_worker = (np.arange(len(key)) - group_start) % 3 == 0
    worker_of_sorted = np.cumsum(new_worker) - 1
    first_worker = int(officers.max()) + 1
    w.store_worker = np.empty(len(key), dtype=np.int64)
    w.store_worker[order] = first_worker + worker_of_sorted
    n_workers = int(worker_of_sorted.max()) + 1
    worker_force = np.zeros(n_workers, dtype=np.int64)
    worker_force[worker_of_sorted] = store_force[order]
    w.users = first_worker + n_workers - 1
    ids, usernames, roles, forces, staff, collars, first, last = [], [], [], [], [], [], [], []
    for f in range(n_forces):
        for k in range(2):
            ids.append(int(admins[f, k]))
            usernames.append(f"admin.{w.force_codes[f]}.{k + 1}")
            roles.append("force_admin")
            forces.append(f + 1)
            staff.append("t")
            collars.append("")
    for b in range(n_beats):
        for k in range(2):
            ids.append(int(officers[b, k]))
            usernames.append(f"officer.{w.force_codes[w.beat_force[b] - 1]}.{b + 1}.{k + 1}")
            roles.append("beat_officer")
            forces.append(int(w.beat_force[b]))
            staff.append("f")
            collars.append(str(1000 + (int(officers[b, k]) % 9000)))
    worker_ids = first_worker + np.arange(n_workers)
    ids += worker_ids.tolist()
    usernames += [f"worker.{i}" for i in worker_ids.tolist()]
    roles += ["shop_worker"] * n_workers
    forces += worker_force.tolist()
    staff += ["f"] * n_workers
    collars += [""] * n_workers
    n = len(ids)
    first = np.array(GIVEN)[rng.integers(0, len(GIVEN), n)].tolist()
    last = np.array(FAMILY)[rng.integers(0, len(FAMILY), n)].tolist()
    t = table(
        "user",
        [
            ("id", "%d"),
            ("password", w.password_hash.replace("%", "%%")),
            ("is_superuser", "f"),
            ("username", "%s"),
            ("first_name", "%s"),
            ("last_name", "%s"),
            ("email", "%s@bench.invalid"),
            ("is_staff", "%s"),
            ("is_active", "t"),
            ("date_joined", stamp),
            ("role", "%s"),
            ("force_id", "%d"),
            ("is_demo", "f"),
            ("collar_number", "%s"),
        ],
    )
    t.write(ids, usernames, first, last, usernames, staff, roles, forces, collars)
    t.close()
    w.usernames = dict(zip(ids, usernames, strict=True))
    t = table("user_beats", [("user_id", "%d"), ("beat_id", "%d")])
    t.write(officers.ravel(), np.repeat(np.arange(1, n_beats + 1), 2))
    t.close()
    t = table("user_stores", [("user_id", "%d"), ("store_id", "%d")])
    t.write(w.store_worker, np.arange(1, len(w.store_worker) + 1))
    t.close()
    w.force_threshold = np.where(rng.random(n_forces) < 0.3, 0.06, 0.07)
    t = table(
        "threshold",
        [("id", "%d"), ("created_at", stamp), ("updated_at", stamp), ("force_id", "%d"), ("threshold", "%.2f")],
    )
    t.write(range(1, n_forces + 1), range(1, n_forces + 1), w.force_threshold)
    t.close()
    police = np.r_[admins.ravel(), officers.ravel()]
    officer = np.r_[np.zeros(admins.size, bool), np.ones(officers.size, bool)]
    t = table(
        "preference",
        [
            ("id", "%d"),
            ("user_id", "%d"),
            ("p1_incident", "%s"),
            ("breach_case", "%s"),
            ("daily_digest", "%s"),
            ("updated_at", stamp),
        ],
    )
    t.write(range(1, len(police) + 1), police, tf(officer), tf(officer), tf(officer))
    t.close()


def _day_counts(w: World, total: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Days (epoch seconds of each midnight) and how many incidents each: more on Saturdays and Fridays, more
    before Christmas, slowly rising over the years."""
    days = np.arange(w.start, w.now, DAY)
    weekday = ((days // DAY) + 3) % 7  # 0 = Monday
    factor = np.array([1.0, 0.95, 0.95, 1.0, 1.1, 1.25, 0.8])[weekday]
    doy = (days // DAY) % 365
    factor = factor * (1 + 0.15 * np.cos(2 * np.pi * (doy - 350) / 365)) * np.linspace(0.9, 1.1, len(days))
    return days, rng.multinomial(total, factor / factor.sum())


HOUR_W = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 3, 4, 4.5, 5, 5, 5, 5.5, 6, 6, 5, 4, 3, 2.5, 2, 1.5])
HOUR_CUM = np.cumsum(HOUR_W / HOUR_W.sum())


def _day_chunks(days: np.ndarray, per_day: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    start = 0
    cum = np.cumsum(per_day)
    while start < len(days):
        end = int(np.searchsorted(cum, (cum[start - 1] if start else 0) + CHUNK, side="right"))
        end = max(end, start + 1)
        yield days[start:end], per_day[start:end]
        start = end


def _assessments() -> tuple[list[str], list[str], list[int]]:
    """The app's own threat assessment of each (category, ongoing, injured, weapon)."""
    from incidents.rules import assess

    priorities, reasons, targets = [], [], []
    for category in CATEGORIES:
        for code in range(8):
            a = assess(category=category, ongoing=bool(code & 4), injured=bool(code & 2), weapon=bool(code & 1))
            priorities.append(a.priority)
            reasons.append(a.reason)
            targets.append(a.response_target_minutes)
    return priorities, reasons, targets


def _hex_rows(raw: bytes, width: int) -> list[str]:
    text = raw.hex()
    step = 2 * width
    return [text[i : i + step] for i in range(0, len(text), step)]


def _incidents(w: World, models: dict, table) -> None:
    c, rng = w.counts, w.rng("incidents")
    priorities, reasons, targets = _assessments()
    prio_idx = np.array([int(p[1]) - 1 for p in priorities])  # P1 -> 0
    descriptions = [d for cat in CATEGORIES for d in DESCRIPTIONS[cat]]
    desc_len = np.array([len(DESCRIPTIONS[cat]) for cat in CATEGORIES])
    desc_start = np.r_[0, np.cumsum(desc_len)[:-1]]
    cat_cum = np.cumsum(CATEGORY_P)
    days, per_day = _day_counts(w, c.incidents, rng)
    statuses = np.array(["received", "with_police", "closed"])
    inc = table(
        "incident",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("store_id", "%d"),
            ("reported_by_id", "%d"),
            ("occurred_at", "%s"),
            ("category", "%s"),
            ("ongoing", "%s"),
            ("injured", "%s"),
            ("weapon", "%s"),
            ("description", "%s"),
            ("goods_value", "%s"),
            ("offender_description", "%s"),
            ("reference", "INC-%d-%06d"),
            ("priority", "%s"),
            ("priority_reason", "%s"),
            ("response_target_minutes", "%d"),
            ("status", "%s"),
            ("taken_on_by_id", "%s"),
            ("taken_on_at", "%s"),
        ],
    )
    events = table(
        "incident_event",
        [("kind", "%s"), ("actor_id", "%d"), ("created_at", "%s"), ("incident_id", "%d"), ("details", "%s")],
    )
    notes = table(
        "notification",
        [
            ("kind", "p1_incident"),
            ("user_id", "%d"),
            ("force_id", "%d"),
            ("object_ref", "incident:%d"),
            ("reference", "INC-%d-%06d"),
            ("email", "%s@bench.invalid"),
            ("subject", "P1 incident INC-%d-%06d"),
            ("created_at", "%s"),
            ("sent_at", "%s"),
            ("attempts", "1"),
        ],
    )
    p_evidence = min(0.9, c.evidence / c.incidents / 1.25)
    pool: dict[str, list] = {k: [] for k in ("id", "store", "created", "prio", "officer", "n")}
    next_id = 1
    for chunk_days, chunk_counts in _day_chunks(days, per_day):
        n = int(chunk_counts.sum())
        if n == 0:
            continue
        created = np.sort(
            np.repeat(chunk_days, chunk_counts) + pick(HOUR_CUM, rng, n) * 3600 + rng.integers(0, 3600, n)
        )
        ids = np.arange(next_id, next_id + n)
        next_id += n
        occurred = created - rng.integers(120, 3 * 3600, n)
        store = pick(w.store_cum, rng, n) + 1
        beat = w.store_beat[store - 1]
        reporter = w.store_worker[store - 1]
        cat = pick(cat_cum, rng, n)
        ongoing = rng.random(n) < 0.2
        injured = rng.random(n) < np.where(cat == 3, 0.5, 0.03)
        weapon = rng.random(n) < np.where((cat == 2) | (cat == 3), 0.15, 0.02)
        combo = cat * 8 + ongoing * 4 + injured * 2 + weapon
        desc = desc_start[cat] + rng.integers(0, 1 << 20, n) % desc_len[cat]
        age = w.now - created
        u = rng.random(n)
        status = np.where(
            age > 60 * DAY,
            np.where(u < 0.85, 2, np.where(u < 0.95, 1, 0)),
            np.where(u < 0.15, 2, np.where(u < 0.5, 1, 0)),
        )
        taken = status > 0
        officer = w.beat_officers[beat - 1, rng.integers(0, 2, n)]
        taken_at = np.minimum(created + rng.integers(300, 2 * DAY, n), w.now - 120)
        taken_at = np.maximum(taken_at, created + 1)
        closed_at = np.maximum(np.minimum(taken_at + rng.integers(DAY, 30 * DAY, n), w.now - 60), taken_at + 1)
        updated = np.where(status == 2, closed_at, np.where(taken, taken_at, created))
        years = created.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
        created_s, taken_s, closed_s = iso(created), iso(taken_at), iso(closed_at)
        goods = np.where(cat == 0, np.char.mod("%.2f", np.round(rng.lognormal(3.5, 0.9, n), 2)), NULL)
        suspects = np.array(SUSPECTS)[rng.integers(0, len(SUSPECTS), n)]
        inc.write(
            ids,
            created_s,
            iso(updated),
            store,
            reporter,
            iso(occurred),
            np.array(CATEGORIES)[cat],
            tf(ongoing),
            tf(injured),
            tf(weapon),
            np.array(descriptions)[desc],
            goods,
            suspects,
            years,
            ids,
            np.array(priorities)[combo],
            np.array(reasons)[combo],
            np.array(targets)[combo],
            statuses[status],
            nullable(officer, taken),
            np.where(taken, taken_s, NULL),
        )
        _incident_events(
            w,
            events,
            rng,
            ids,
            created,
            created_s,
            reporter,
            officer,
            taken,
            taken_at,
            taken_s,
            status,
            closed_s,
            np.array(priorities)[combo],
        )
        p1_recent = (prio_idx[combo] == 0) & (age < 30 * DAY)
        if p1_recent.any():
            sel = np.flatnonzero(p1_recent)
            first_officer = w.beat_officers[beat[sel] - 1, 0]
            sent = created[sel] + 20
            notes.write(
                first_officer,
                w.beat_force[beat[sel] - 1],
                ids[sel],
                years[sel],
                ids[sel],
                [w.usernames[o] for o in first_officer.tolist()],
                years[sel],
                ids[sel],
                iso(created[sel] + 5),
                iso(sent),
            )
        has = rng.random(n) < p_evidence
        for key, values in (
            ("id", ids),
            ("store", store),
            ("created", created),
            ("prio", prio_idx[combo]),
            ("officer", officer),
        ):
            pool[key].append(values[has])
        pool["n"].append(1 + (rng.random(int(has.sum())) < 0.25))
    for t in (inc, events, notes):
        t.close()
    w.pool = {k: np.concatenate(v) for k, v in pool.items()}


def _incident_events(
    w, events, rng, ids, created, created_s, reporter, officer, taken, taken_at, taken_s, status, closed_s, priority
) -> None:
    n = len(ids)
    created_details = np.char.add(np.char.add('{"priority": "', priority), '"}')
    kinds = [np.full(n, "created")]
    actors, times, incidents, details = [reporter], [created_s], [ids], [created_details]
    sel = np.flatnonzero(taken)
    kinds.append(np.full(len(sel), "status_changed"))
    actors.append(officer[sel])
    times.append(taken_s[sel])
    incidents.append(ids[sel])
    details.append(np.full(len(sel), '{"old": "received", "new": "with_police", "reason": ""}'))
    sel = np.flatnonzero(status == 2)
    kinds.append(np.full(len(sel), "status_changed"))
    actors.append(officer[sel])
    times.append(closed_s[sel])
    incidents.append(ids[sel])
    details.append(np.full(len(sel), '{"old": "with_police", "new": "closed", "reason": "No further action."}'))
    views = np.where(taken, rng.poisson(0.9, n), 0)
    rep = np.repeat(np.arange(n), views)
    seen = np.minimum(taken_at[rep] + rng.integers(60, 3 * DAY, len(rep)), w.now - 30)
    kinds.append(np.full(len(rep), "viewed"))
    actors.append(officer[rep])
    times.append(iso(seen))
    incidents.append(ids[rep])
    details.append(np.full(len(rep), '{"what": "page"}'))
    total = sum(len(k) for k in kinds)
    events.write(
        np.concatenate(kinds),
        np.concatenate(actors),
        np.concatenate(times),
        np.concatenate(incidents),
        np.concatenate(details),
    )
    w.audit_rows += total


def _evidence(w: World, models: dict, table) -> None:
    rng = w.rng("evidence")
    pool = w.pool
    ev = table(
        "evidence",
        [
            ("id", "%d"),
            ("incident_id", "%d"),
            ("file", "%s"),
            ("original_name", "%s"),
            ("size", "%d"),
            ("content_type", "%s"),
            ("kind", "%s"),
            ("sha256", "%s"),
            ("uploaded_by_id", "%d"),
            ("uploaded_at", "%s"),
        ],
    )
    proc = table(
        "processing",
        [
            ("id", "%d"),
            ("evidence_id", "%d"),
            ("store_id", "%d"),
            ("force_id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("status", "%s"),
            ("result", "%s"),
            ("reason_code", "%s"),
            ("reason", "%s"),
            ("attempts", "%d"),
            ("sent_at", "%s"),
            ("worker", "%s"),
            ("heartbeat_at", "%s"),
            ("media_seconds", "%s"),
            ("frames_decoded", "%d"),
            ("frames_sampled", "%d"),
            ("faces_detected", "%d"),
            ("faces_tracked", "%d"),
            ("faces_embedded", "%d"),
            ("gallery_size", "%d"),
            ("matches", "%d"),
            ("started_at", "%s"),
            ("finished_at", "%s"),
            ("processing_seconds", "%s"),
            ("model_name", "%s"),
            ("model_version", "%s"),
            ("threshold", "%s"),
        ],
    )
    pevents = table(
        "processing_event",
        [
            ("kind", "%s"),
            ("created_at", "%s"),
            ("processing_id", "%d"),
            ("status", "%s"),
            ("note", "%s"),
            ("details", "%s"),
        ],
    )
    ievents = table(
        "incident_event",
        [
            ("kind", "evidence_added"),
            ("actor_id", "%d"),
            ("created_at", "%s"),
            ("incident_id", "%d"),
            ("details", '{"evidence_id": %d, "name": "%s", "sha256": "%s", "size": %d}'),
        ],
    )
    statements = table(
        "statement",
        [
            ("incident_id", "%d"),
            ("witness_name", "%s"),
            ("occupation", "Store manager"),
            (
                "statement",
                "I was working at the store when the incident happened. I saw what is described in the report.",
            ),
            ("truth_declaration", "t"),
            ("signature", "%s"),
            ("signed_on", "%s"),
            ("created_by_id", "%d"),
            ("created_at", "%s"),
        ],
    )
    # Cases: about c.cases incidents get a match, on their first file.
    p_match = min(0.95, w.counts.cases / max(1, len(pool["id"])))
    threshold = w.force_threshold[w.beat_force[w.store_beat - 1] - 1]  # per store
    matches: dict[str, list] = {
        k: [] for k in ("evidence", "incident", "store", "created", "prio", "officer", "finished", "video")
    }
    next_id = 1
    for lo in range(0, len(pool["id"]), CHUNK):
        part = {k: v[lo : lo + CHUNK] for k, v in pool.items()}
        rep = np.repeat(np.arange(len(part["id"])), part["n"])
        first = np.r_[True, rep[1:] != rep[:-1]]
        m = len(rep)
        ids = np.arange(next_id, next_id + m)
        next_id += m
        incident, store = part["id"][rep], part["store"][rep]
        reporter = w.store_worker[store - 1]
        uploaded = part["created"][rep] + rng.integers(5, 900, m)
        video = rng.random(m) < 0.7
        size = np.where(video, rng.lognormal(16.5, 0.8, m), rng.lognormal(12.5, 0.5, m)).astype(np.int64) + 1000
        names = np.char.add(
            np.char.add(np.where(video, "CCTV_", "IMG_"), ids.astype(str)), np.where(video, ".mp4", ".jpg")
        ).tolist()
        sha = _hex_rows(rng.bytes(32 * m), 32)
        up_s = iso(uploaded)
        ev.write(
            ids,
            incident,
            np.where(video, PLACEHOLDERS["video"], PLACEHOLDERS["image"]),
            names,
            size,
            np.where(video, "video/mp4", "image/jpeg"),
            np.where(video, "video", "image"),
            sha,
            reporter,
            up_s,
        )
        ievents.write(reporter, up_s, incident, ids, names, sha, size)
        age = w.now - uploaded
        u = rng.random(m)
        status = np.where(age < DAY, np.where(u < 0.3, 0, 2), np.where(u < 0.02, 3, 2))  # queued/done/failed
        is_match = first & (status == 2) & (rng.random(m) < p_match)
        result = np.where(status != 2, "", np.where(is_match, "match", np.where(u < 0.4, "no_face", "no_match")))
        started = uploaded + rng.integers(2, 120, m)
        seconds = np.where(video, size / 2e6, 0.8).round(2)
        finished = started + seconds.astype(np.int64) + 1
        queued = status == 0
        media = np.where(video, rng.integers(20, 600, m), 0)
        sampled = media * 2 + (~video)
        detected = np.where(result == "no_face", 0, rng.integers(1, 12, m))
        th = threshold[store - 1]
        proc.write(
            ids,
            ids,
            store,
            w.beat_force[w.store_beat[store - 1] - 1],
            up_s,
            iso(np.where(queued, uploaded, finished)),
            np.array(["queued", "", "done", "failed"])[status],
            result,
            np.where(status == 3, "corrupt_video", ""),
            np.where(status == 3, "The video could not be decoded.", ""),
            np.where(queued, 0, 1),
            np.where(queued, NULL, up_s),
            np.where(queued, "", "worker-1:4242"),
            nullable(iso(finished), ~queued),
            nullable(media, video & ~queued),
            np.where(queued, 0, media * 25),
            np.where(queued, 0, sampled),
            np.where(queued, 0, detected),
            np.where(queued, 0, np.minimum(detected, 3)),
            np.where(queued, 0, np.minimum(detected, 3)),
            np.where(queued, 0, w.counts.orders // 2),
            is_match.astype(int),
            nullable(iso(started), ~queued),
            nullable(iso(finished), ~queued),
            nullable(seconds, ~queued),
            np.where(queued, "", "Dlib"),
            np.where(queued, "", w.model_version),
            nullable(th, ~queued),
        )
        _processing_events(w, pevents, ids, up_s, iso(started), iso(finished), status, result, detected)
        sel = np.flatnonzero(is_match)
        for key, values in (
            ("evidence", ids),
            ("incident", incident),
            ("store", store),
            ("finished", finished),
            ("video", video),
            ("created", part["created"][rep]),
            ("prio", part["prio"][rep]),
            ("officer", part["officer"][rep]),
        ):
            matches[key].append(values[sel])
        wit = np.flatnonzero(first & (rng.random(m) < 0.03))
        if len(wit):
            who = np.char.add(
                np.char.add(np.array(GIVEN)[rng.integers(0, len(GIVEN), len(wit))], " "),
                np.array(FAMILY)[rng.integers(0, len(FAMILY), len(wit))],
            )
            statements.write(incident[wit], who, who, iso_day(uploaded[wit]), reporter[wit], iso(uploaded[wit] + 600))
    for t in (ev, proc, pevents, ievents, statements):
        t.close()
    w.audit_rows += next_id - 1  # evidence_added
    w.matches = {k: np.concatenate(v) for k, v in matches.items()}


def _processing_events(w, pevents, ids, up_s, started_s, finished_s, status, result, detected) -> None:
    m = len(ids)
    ran = np.flatnonzero(status != 0)
    done = np.flatnonzero(status == 2)
    failed = np.flatnonzero(status == 3)
    matches = (result == "match").astype(int)
    done_details = [
        f'{{"result": "{r}", "matches": {k}, "faces_embedded": {min(d, 3)}}}'
        for r, k, d in zip(result[done].tolist(), matches[done].tolist(), detected[done].tolist(), strict=True)
    ]
    parts = [
        (
            np.full(m, "queued"),
            up_s,
            ids,
            np.full(m, "queued"),
            np.full(m, "queued on upload"),
            np.full(m, '{"via": "upload"}'),
        ),
        (
            np.full(len(ran), "attempt_started"),
            started_s[ran],
            ids[ran],
            np.full(len(ran), "running"),
            np.full(len(ran), "attempt 1"),
            np.full(len(ran), '{"attempt": 1}'),
        ),
        (
            np.full(len(done), "done"),
            finished_s[done],
            ids[done],
            np.full(len(done), "done"),
            result[done],
            np.array(done_details, dtype=object),
        ),
        (
            np.full(len(failed), "failed"),
            finished_s[failed],
            ids[failed],
            np.full(len(failed), "failed"),
            np.full(len(failed), "corrupt_video: The video could not be decoded."),
            np.full(len(failed), '{"code": "corrupt_video", "final": true}'),
        ),
    ]
    cols = [np.concatenate([p[i] for p in parts]) for i in range(6)]
    pevents.write(*cols)
    w.audit_rows += len(cols[0])


def _force_cum(w: World) -> np.ndarray:
    force_w = (np.arange(1, w.counts.forces + 1) + 1.0) ** -0.8
    return np.cumsum(force_w / force_w.sum())


def _offenders(w: World, models: dict, table) -> None:
    from orders.validators import PNC_CHECK_LETTERS

    c, rng = w.counts, w.rng("offenders")
    n = c.offenders
    ids = np.arange(1, n + 1)
    force = pick(_force_cum(w), rng, n) + 1
    w.offender_force = force
    # Repeat offending: a few people account for many orders and matches.
    w.offender_rank = rng.permutation(n) + 1
    created = w.start - rng.integers(0, 2 * 365 * DAY, n)
    created_s = iso(created)
    born = created - rng.integers(16 * 365, 60 * 365, n) * DAY
    year = 2000 + (ids % 24)
    serial = ids % 10_000_000
    check = [
        PNC_CHECK_LETTERS[int(f"{y % 100:02d}{s:07d}") % 23]
        for y, s in zip(year.tolist(), serial.tolist(), strict=True)
    ]
    admin = w.force_admins[force - 1, 0]
    t = table(
        "offender",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("force_id", "%d"),
            ("given_names", "%s"),
            ("family_name", "%s"),
            ("date_of_birth", "%s"),
            ("pnc_id", "%d/%07d%s"),
            ("created_by_id", "%d"),
        ],
    )
    t.write(
        ids,
        created_s,
        created_s,
        force,
        np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
        np.array(FAMILY)[rng.integers(0, len(FAMILY), n)],
        iso_day(born),
        year,
        serial,
        check,
        admin,
    )
    t.close()
    per = 1 + rng.poisson(max(0.0, c.photos / n - 1), n)
    first_photo = np.r_[1, 1 + np.cumsum(per)[:-1]]
    w.offender_first_photo = first_photo
    owner = np.repeat(ids, per)
    m = len(owner)
    photo_ids = np.arange(1, m + 1)
    taken = created[owner - 1] - rng.integers(0, 365, m) * DAY
    added = created[owner - 1] + rng.integers(0, 30 * DAY, m)
    added_s = iso(added)
    t = table(
        "photo",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("offender_id", "%d"),
            ("image", PLACEHOLDERS["photo"]),
            ("source", "Custody suite"),
            ("taken_on", "%s"),
            ("sha256", "%s"),
            ("uploaded_by_id", "%d"),
        ],
    )
    t.write(
        photo_ids,
        added_s,
        added_s,
        owner,
        iso_day(taken),
        _hex_rows(rng.bytes(32 * m), 32),
        w.force_admins[force[owner - 1] - 1, 0],
    )
    t.close()
    t = table(
        "template",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("reference_photo_id", "%d"),
            ("offender_id", "%d"),
            ("force_id", "%d"),
            ("embedding", "\\\\x%s"),
            ("model_name", "Dlib"),
            ("model_version", w.model_version.replace("%", "%%")),
            ("face_box", "[48, 40, %d, %d]"),
            ("face_size_px", "%d"),
            ("sharpness", "%.1f"),
        ],
    )
    for lo in range(0, m, CHUNK):
        part = photo_ids[lo : lo + CHUNK]
        k = len(part)
        vectors = rng.standard_normal((k, 128)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        size = rng.integers(90, 260, k)
        t.write(
            part,
            added_s[lo : lo + CHUNK],
            added_s[lo : lo + CHUNK],
            part,
            owner[lo : lo + CHUNK],
            force[owner[lo : lo + CHUNK] - 1],
            _hex_rows(vectors.astype("<f4").tobytes(), 512),
            size,
            size,
            size,
            rng.uniform(80, 900, k),
        )
    t.close()
    events = table(
        "offender_event",
        [
            ("kind", "%s"),
            ("actor_id", "%d"),
            ("created_at", "%s"),
            ("offender_id", "%d"),
            ("photo_id", "%s"),
            ("new", "%s"),
        ],
    )
    viewed = np.flatnonzero(rng.random(m) < 0.5)
    events.write(
        np.r_[np.full(n, "created"), np.full(m, "photo_added"), np.full(len(viewed), "photo_viewed")],
        np.r_[admin, w.force_admins[force[owner - 1] - 1, 0], w.force_admins[force[owner[viewed] - 1] - 1, 1]],
        np.r_[
            created_s, added_s, iso(np.minimum(added[viewed] + rng.integers(DAY, 400 * DAY, len(viewed)), w.now - 60))
        ],
        np.r_[ids, owner, owner[viewed]],
        np.r_[np.full(n, NULL), photo_ids.astype(str), photo_ids[viewed].astype(str)],
        np.r_[np.full(n, "{}"), np.full(m, '{"source": "Custody suite"}'), np.full(len(viewed), "{}")],
    )
    events.close()
    w.audit_rows += n + m + len(viewed)


def _orders(w: World, models: dict, table) -> None:
    c, rng = w.counts, w.rng("orders")
    n = c.orders
    ids = np.arange(1, n + 1)
    # Most people have one order, a few several (the top offender about five at national scale).
    order_w = w.offender_rank.astype(np.float64) ** -0.2
    offender = pick(np.cumsum(order_w / order_w.sum()), rng, n) + 1
    force = w.offender_force[offender - 1]
    made = (w.now - rng.integers(7, 4 * 365, n) * DAY) // DAY * DAY
    effective = made + rng.integers(0, 4, n) * DAY
    indefinite = rng.random(n) < 0.05
    ends = effective + rng.integers(365, 3 * 365, n) * DAY
    served = effective + rng.integers(0, 10, n) * DAY
    has_served = (rng.random(n) > 0.03) & (served < w.now)
    discharged = effective + rng.integers(60, 365, n) * DAY
    has_discharged = (rng.random(n) < 0.03) & (discharged < w.now) & (indefinite | (discharged <= ends))
    interim = rng.random(n) < 0.08
    youth = rng.random(n) < 0.04
    admin = w.force_admins[force - 1, 0]
    made_s = iso(made)
    year = made.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    t = table(
        "order",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("offender_id", "%d"),
            ("force_id", "%d"),
            ("kind", "%s"),
            ("court", "%s Magistrates' Court"),
            ("case_reference", "CBO/%d/%06d"),
            ("made_on", "%s"),
            ("effective_from", "%s"),
            ("ends_on", "%s"),
            ("indefinite", "%s"),
            ("served_on", "%s"),
            ("served_by", "%s"),
            ("youth", "%s"),
            ("discharged_on", "%s"),
            ("created_by_id", "%d"),
        ],
    )
    court = np.array([code.split("-")[0].capitalize() for code in w.force_codes])[force - 1]
    t.write(
        ids,
        made_s,
        made_s,
        offender,
        force,
        np.where(interim, "interim", "full"),
        court,
        year,
        ids,
        iso_day(made),
        iso_day(effective),
        nullable(iso_day(ends), ~indefinite),
        tf(indefinite),
        nullable(iso_day(served), has_served),
        np.where(has_served, "PC 1234 Bench", ""),
        tf(youth),
        nullable(iso_day(discharged), has_discharged),
        admin,
    )
    t.close()
    last = np.where(indefinite, w.now + 3650 * DAY, ends)
    last = np.where(has_discharged, np.minimum(last, discharged - DAY), last)
    _prohibitions(w, table, rng, ids, force, made_s)
    w.orders.update(
        offender=offender,
        force=force,
        effective=effective,
        last=last,
        served=np.where(has_served, served, w.now + 3650 * DAY),
    )
    events = table(
        "order_event",
        [
            ("kind", "%s"),
            ("actor_id", "%d"),
            ("created_at", "%s"),
            ("order_id", "%d"),
            ("effective_on", "%s"),
            ("new", "%s"),
        ],
    )
    s, d = np.flatnonzero(has_served), np.flatnonzero(has_discharged)
    events.write(
        np.r_[np.full(n, "made"), np.full(len(s), "served"), np.full(len(d), "discharged")],
        np.r_[admin, admin[s], admin[d]],
        np.r_[made_s, iso(served[s] + 3600), iso(discharged[d])],
        np.r_[ids, ids[s], ids[d]],
        np.r_[iso_day(effective), iso_day(served[s]), iso_day(discharged[d])],
        np.r_[
            np.full(n, '{"kind": "full"}'),
            np.full(len(s), '{"served_by": "PC 1234 Bench"}'),
            np.full(len(d), '{"discharged": true}'),
        ],
    )
    events.close()
    w.audit_rows += n + len(s) + len(d)


def _prohibitions(w: World, table, rng, order_ids, force, made_s) -> None:
    c = w.counts
    per = 1 + (rng.random(len(order_ids)) < 0.5) + (rng.random(len(order_ids)) < 0.2)
    order = np.repeat(order_ids, per)
    pf = np.repeat(force, per)
    m = len(order)
    ids = np.arange(1, m + 1)
    u = rng.random(m)
    kind = np.where(u < 0.6, 0, np.where(u < 0.9, 1, 2))
    first = np.r_[True, order[1:] != order[:-1]]
    kind[first] = 0  # every order names premises first
    store_force = w.beat_force[w.store_beat - 1]
    by_force = np.argsort(store_force, kind="stable") + 1
    start = np.searchsorted(store_force[by_force - 1], np.arange(1, c.forces + 2))
    count = np.maximum(start[1:] - start[:-1], 1)

    def stores_in(forces: np.ndarray) -> np.ndarray:
        return by_force[
            np.minimum(start[forces - 1] + rng.integers(0, 1 << 30, len(forces)) % count[forces - 1], len(by_force) - 1)
        ]

    anchor = stores_in(pf)
    area = kind == 1
    zone = kind == 2
    circle = zone | (area & (rng.random(m) < 0.3))
    t = table(
        "prohibition",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("order_id", "%d"),
            ("kind", "%s"),
            ("description", "%s"),
            ("retailer_id", "%s"),
            ("centre_latitude", "%s"),
            ("centre_longitude", "%s"),
            ("radius_m", "%s"),
            ("zone_south", "%s"),
            ("zone_west", "%s"),
            ("zone_north", "%s"),
            ("zone_east", "%s"),
        ],
    )
    radius = rng.integers(200, 1500, m)
    lat, lon = w.store_lat[anchor - 1], w.store_lon[anchor - 1]
    box = np.array([_zone_box(la, lo, r) for la, lo, r in zip(lat[zone], lon[zone], radius[zone], strict=True)])
    boxes = np.zeros((m, 4))
    if len(box):
        boxes[zone] = box
    t.write(
        ids,
        made_s[order - 1],
        made_s[order - 1],
        order,
        np.array(["premises", "retailer_area", "zone"])[kind],
        np.array(
            [
                "Not to enter the named premises.",
                "Not to enter any store of the retailer in the area.",
                "Not to enter the exclusion zone.",
            ]
        )[kind],
        nullable(w.store_retailer[anchor - 1], area),
        nullable(lat, circle),
        nullable(lon, circle),
        nullable(radius, circle),
        *(nullable(boxes[:, i], zone) for i in range(4)),
    )
    t.close()
    premises = np.flatnonzero(kind == 0)
    extra = rng.integers(0, 3, len(premises))
    rows = np.repeat(premises, 1 + extra)
    pairs = np.unique(np.c_[ids[rows], stores_in(pf[rows])], axis=0)
    w.orders["premises"] = {"prohibition": pairs[:, 0], "store": pairs[:, 1]}
    first_premises = np.zeros(len(order_ids) + 1, dtype=np.int64)
    first_premises[order[first]] = ids[first]
    w.orders["first_premises"] = first_premises
    beats = np.flatnonzero(area & ~circle)
    t = table("prohibition_beats", [("prohibition_id", "%d"), ("beat_id", "%d")])
    t.write(ids[beats], w.store_beat[anchor[beats] - 1])
    t.close()


def _zone_box(lat: float, lon: float, radius_m: int) -> tuple[float, ...]:
    """A circle zone's bounding box as the services keep it (``orders.geo.bounding_box``)."""
    from orders import geo

    box = geo.bounding_box(lat=float(lat), lon=float(lon), radius_m=int(radius_m))
    assert box is not None
    return box


def _people(w: World, models: dict, table) -> None:
    rng = w.rng("people")
    pool = w.pool
    n = max(10, w.counts.offenders // 10)
    at = rng.integers(0, len(pool["id"]), n)
    ids = np.arange(1, n + 1)
    store = pool["store"][at]
    force = w.beat_force[w.store_beat[store - 1] - 1]
    officer = pool["officer"][at]
    created = np.minimum(pool["created"][at] + rng.integers(DAY, 20 * DAY, n), w.now - 60)
    created_s = iso(created)
    t = table(
        "poi",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("force_id", "%d"),
            ("given_names", "%s"),
            ("family_name", "%s"),
            ("description", "%s"),
            ("created_by_id", "%d"),
        ],
    )
    t.write(
        ids,
        created_s,
        created_s,
        force,
        np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
        np.array(FAMILY)[rng.integers(0, len(FAMILY), n)],
        np.array(SUSPECTS[2:])[rng.integers(0, 4, n)],
        officer,
    )
    t.close()
    # Links: the incident found, and the next incidents of the pool at the same store, if any.
    order = np.argsort(pool["store"], kind="stable")
    where = np.empty(len(order), dtype=np.int64)
    where[order] = np.arange(len(order))
    person, incident, link_at = [ids], [pool["id"][at]], [created]
    for step in (1, 2):
        nxt = np.minimum(where[at] + step, len(order) - 1)
        same = (pool["store"][order[nxt]] == store) & (order[nxt] != at) & (rng.random(n) < 0.5)
        person.append(ids[same])
        incident.append(pool["id"][order[nxt]][same])
        link_at.append(created[same] + step)
    person, incident, link_at = np.concatenate(person), np.concatenate(incident), np.concatenate(link_at)
    pairs, keep = np.unique(np.c_[incident, person], axis=0, return_index=True)
    person, incident, link_at = person[keep], incident[keep], link_at[keep]
    who = officer[person - 1]
    t = table(
        "link",
        [
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("incident_id", "%d"),
            ("force_id", "%d"),
            ("person_id", "%d"),
            ("identified_by", "staff_knowledge"),
            ("role", "suspect"),
            ("note", "Known to staff."),
            ("created_by_id", "%d"),
        ],
    )
    link_s = iso(link_at)
    t.write(link_s, link_s, incident, force[person - 1], person, who)  # each link at its person's store
    t.close()
    t = table(
        "people_event",
        [
            ("kind", "%s"),
            ("actor_id", "%d"),
            ("created_at", "%s"),
            ("person_id", "%d"),
            ("incident_id", "%s"),
            ("details", "%s"),
        ],
    )
    t.write(
        np.r_[np.full(n, "person_created"), np.full(len(person), "link_added")],
        np.r_[officer, who],
        np.r_[created_s, link_s],
        np.r_[ids, person],
        np.r_[np.full(n, NULL), incident.astype(str)],
        np.r_[np.full(n, "{}"), np.full(len(person), '{"identified_by": "staff_knowledge"}')],
    )
    t.close()
    w.audit_rows += n + len(person)


ACCOUNT_KINDS = [
    "sign_in_failed",
    "code_failed",
    "token_created",
    "token_revoked",
    "lockout_lifted",
    "second_factor_set_up",
    "recovery_codes_made",
]
ACCOUNT_P = np.cumsum([0.5, 0.15, 0.15, 0.1, 0.03, 0.05, 0.02])


def _account_events(w: World, models: dict, table) -> None:
    rng = w.rng("accounts")
    total = max(50, w.counts.audit // 50)
    t = table(
        "account_event",
        [
            ("kind", "%s"),
            ("actor_id", "%s"),
            ("created_at", "%s"),
            ("user_id", "%d"),
            ("username", "%s"),
            ("ip_address", "10.%d.%d.%d"),
            ("details", "{}"),
        ],
    )
    for lo in range(0, total, CHUNK):
        n = min(CHUNK, total - lo)
        user = rng.integers(1, w.users + 1, n)
        kind = np.array(ACCOUNT_KINDS)[pick(ACCOUNT_P, rng, n)]
        by_self = np.isin(kind, ["token_created", "token_revoked", "second_factor_set_up", "recovery_codes_made"])
        at = np.sort(rng.integers(w.start, w.now, n))
        t.write(
            kind,
            nullable(user, by_self),
            iso(at),
            user,
            [w.usernames[u] for u in user.tolist()],
            rng.integers(0, 256, n),
            rng.integers(0, 256, n),
            rng.integers(1, 255, n),
        )
    t.close()
    w.audit_rows += total


CASE_STATUSES = np.array(["awaiting_review", "confirmed", "actioned", "rejected", "closed"])


def _in_force_orders(w: World, rng, month_start: int, month_end: int) -> np.ndarray:
    o = w.orders
    ok = (o["served"] <= month_start) & (o["effective"] <= month_start) & (o["last"] >= month_end)
    found = np.flatnonzero(ok)
    if len(found) == 0:
        found = np.flatnonzero((o["effective"] <= month_end) & (o["last"] >= month_start))
    return found if len(found) else np.arange(len(o["offender"]))


def _case_orders(w: World, rng, finished: np.ndarray) -> np.ndarray:
    """For each match, an order (index) in force all month, picked with its offender's weight."""
    # Matches by offender follow Zipf's law (rank ** -0.5): the top 1% of people about a tenth of the cases.
    weights = w.offender_rank.astype(np.float64) ** -0.5
    month = (finished - w.start) // (30 * DAY)
    chosen = np.empty(len(finished), dtype=np.int64)
    for m in np.unique(month):
        sel = np.flatnonzero(month == m)
        candidates = _in_force_orders(w, rng, w.start + int(m) * 30 * DAY, w.start + (int(m) + 1) * 30 * DAY)
        cw = weights[w.orders["offender"][candidates] - 1]
        chosen[sel] = candidates[pick(np.cumsum(cw / cw.sum()), rng, len(sel))]
    return chosen


def _cases(w: World, models: dict, table) -> None:
    rng = w.rng("cases")
    mt = w.matches
    n = len(mt["evidence"])
    ids = np.arange(1, n + 1)
    order_idx = _case_orders(w, rng, mt["finished"])
    offender = w.orders["offender"][order_idx]
    beat = w.store_beat[mt["store"] - 1]
    force = w.beat_force[beat - 1]
    threshold = w.force_threshold[force - 1]
    distance = np.round(threshold * rng.uniform(0.3, 1.0, n), 4)
    raised = mt["finished"] + 1
    raised_s = iso(raised)
    t = table(
        "match",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("evidence_id", "%d"),
            ("offender_id", "%d"),
            ("source", "automatic"),
            ("reference_photo_id", "%d"),
            ("distance", "%.4f"),
            ("similarity", "%.4f"),
            ("threshold", "%.2f"),
            ("frame_time_s", "%s"),
            ("face_box", "[%d, %d, 64, 64]"),
            ("crop", PLACEHOLDERS["crop"]),
            ("model_name", "Dlib"),
            ("model_version", w.model_version.replace("%", "%%")),
        ],
    )
    t.write(
        ids,
        raised_s,
        raised_s,
        mt["evidence"],
        offender,
        w.offender_first_photo[offender - 1],
        distance,
        1 - distance,
        threshold,
        nullable(np.round(rng.uniform(0, 120, n), 1), mt["video"]),
        rng.integers(0, 1200, n),
        rng.integers(0, 650, n),
    )
    t.close()
    breach, breach_order, breach_prohibition = _breaches(w, rng, order_idx, mt["store"], table)
    age = w.now - raised
    u = rng.random(n)
    recent = age < 14 * DAY
    status = np.where(
        recent,
        np.select([u < 0.7, u < 0.85, u < 0.9], [0, 1, 2], 3),
        np.select([u < 0.07, u < 0.1, u < 0.15, u < 0.45], [0, 1, 2, 3], 4),
    )
    reviewer = mt["officer"]
    reviewed = np.minimum(raised + rng.integers(3600, 5 * DAY, n), w.now - 300)
    actioned = np.minimum(reviewed + rng.integers(3600, 10 * DAY, n), w.now - 200)
    closed = np.minimum(actioned + rng.integers(3600, 10 * DAY, n), w.now - 100)
    last = np.select(
        [status == 0, status == 1, status == 2, status == 3], [raised, reviewed, actioned, reviewed], closed
    )
    closed_at = nullable(iso(np.where(status == 3, reviewed, closed)), status >= 3)
    years = raised.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    t = table(
        "case",
        [
            ("id", "%d"),
            ("created_at", "%s"),
            ("updated_at", "%s"),
            ("reference", "CASE-%d-%06d"),
            ("incident_id", "%d"),
            ("offender_id", "%d"),
            ("force_id", "%d"),
            ("beat_id", "%d"),
            ("store_id", "%d"),
            ("incident_priority", "P%d"),
            ("status", "%s"),
            ("is_breach", "%s"),
            ("breach_order_id", "%s"),
            ("breach_prohibition_id", "%s"),
            ("best_match_id", "%d"),
            ("best_similarity", "%.4f"),
            ("threshold", "%.2f"),
            ("closed_at", "%s"),
        ],
    )
    t.write(
        ids,
        raised_s,
        iso(last),
        years,
        ids,
        mt["incident"],
        offender,
        force,
        beat,
        mt["store"],
        mt["prio"] + 1,
        CASE_STATUSES[status],
        tf(breach),
        nullable(breach_order, breach),
        nullable(breach_prohibition, breach),
        ids,
        1 - distance,
        threshold,
        closed_at,
    )
    t.close()
    _decisions(w, table, rng, ids, status, reviewer, reviewed, actioned, closed, force, distance, threshold)
    _case_log(w, table, rng, ids, status, reviewer, raised, reviewed, actioned, closed, force, mt, distance)


def _breaches(w: World, rng, order_idx, store, table):
    """About a third of the matches are at a store the order names: the store joins that premises
    prohibition (orders_prohibition_stores is written here, with the premises the orders named)."""
    first = w.orders["first_premises"][order_idx + 1]
    breach = (first > 0) & (rng.random(len(order_idx)) < 0.3)
    named = w.orders["premises"]
    pairs = np.unique(np.r_[np.c_[named["prohibition"], named["store"]], np.c_[first[breach], store[breach]]], axis=0)
    t = table("prohibition_stores", [("prohibition_id", "%d"), ("store_id", "%d")])
    t.write(pairs[:, 0], pairs[:, 1])
    t.close()
    return breach, order_idx + 1, first


def _decisions(w, table, rng, ids, status, reviewer, reviewed, actioned, closed, force, distance, threshold) -> None:
    rev = np.flatnonzero(status >= 1)
    act = np.flatnonzero((status == 2) | (status == 4))
    clo = np.flatnonzero(status == 4)
    t = table(
        "decision",
        [
            ("case_id", "%d"),
            ("stage", "%s"),
            ("outcome", "%s"),
            ("reason", "%s"),
            ("corroboration", "%s"),
            ("decided_by_id", "%d"),
            ("decided_at", "%s"),
        ],
    )
    actions = np.array(["arrest", "summons", "words_of_advice", "no_further_action"])[rng.integers(0, 4, len(act))]
    t.write(
        np.r_[ids[rev], ids[act], ids[clo]],
        np.r_[np.full(len(rev), "review"), np.full(len(act), "corroboration"), np.full(len(clo), "closure")],
        np.r_[np.where(status[rev] == 3, "rejected", "confirmed"), actions, np.full(len(clo), "closed")],
        np.r_[
            np.where(
                status[rev] == 3,
                "Different person: build and features differ.",
                "Same person: face and build match the custody images.",
            ),
            np.full(len(act), "Officer attended and spoke to the person."),
            np.full(len(clo), "Action complete."),
        ],
        np.r_[np.full(len(rev), ""), np.full(len(act), "Store CCTV and staff account."), np.full(len(clo), "")],
        np.r_[reviewer[rev], reviewer[act], reviewer[clo]],
        np.r_[iso(reviewed[rev]), iso(actioned[act]), iso(closed[clo])],
    )
    t.close()
    t = table(
        "feedback",
        [
            ("force_id", "%d"),
            ("case_id", "%d"),
            ("same_person", "%s"),
            ("similarity", "%.4f"),
            ("threshold", "%.2f"),
            ("model_name", "Dlib"),
            ("created_at", "%s"),
        ],
    )
    t.write(force[rev], ids[rev], tf(status[rev] != 3), 1 - distance[rev], threshold[rev], iso(reviewed[rev]))
    t.close()


def _case_log(w, table, rng, ids, status, reviewer, raised, reviewed, actioned, closed, force, mt, distance) -> None:
    n = len(ids)
    details = [
        f'{{"match": {i}, "evidence": {e}, "similarity": {1 - d:.4f}, "frame_time_s": null}}'
        for i, e, d in zip(ids.tolist(), mt["evidence"].tolist(), distance.tolist(), strict=True)
    ]
    steps = [
        (status >= 1, reviewed, "awaiting_review", np.where(status == 3, "rejected", "confirmed")),
        ((status == 2) | (status == 4), actioned, "confirmed", "actioned"),
        (status == 4, closed, "actioned", "closed"),
    ]
    kinds, actors, times, cases, det = (
        [np.full(n, "raised")],
        [np.full(n, NULL)],
        [iso(raised)],
        [ids],
        [np.array(details, dtype=object)],
    )
    for mask, at, old, new in steps:
        sel = np.flatnonzero(mask)
        new_values = new[sel] if isinstance(new, np.ndarray) else np.full(len(sel), new)
        kinds.append(np.full(len(sel), "status_changed"))
        actors.append(reviewer[sel].astype(str))
        times.append(iso(at[sel]))
        cases.append(ids[sel])
        det.append(np.char.add(np.char.add(f'{{"from": "{old}", "to": "', new_values), '"}'))
    t = table(
        "case_event", [("kind", "%s"), ("actor_id", "%s"), ("created_at", "%s"), ("case_id", "%d"), ("details", "%s")]
    )
    t.write(*(np.concatenate(x) for x in (kinds, actors, times, cases, det)))
    t.close()
    w.audit_rows += sum(len(k) for k in kinds)
    # The s.62 log fills what is left of the audit volume: each case opened with a justification, then viewed.
    views_total = max(n, w.counts.audit - w.audit_rows - n)
    per_case = rng.poisson(views_total / max(n, 1), n)
    t = table(
        "access",
        [
            ("case_id", "%d"),
            ("force_id", "%d"),
            ("user_id", "%d"),
            ("kind", "%s"),
            ("justification", "Reviewing the possible match in my beat's queue."),
            ("detail", "%s"),
            ("created_at", "%s"),
        ],
    )
    t.write(ids, force, reviewer, np.full(n, "justified"), np.full(n, ""), iso(raised + 600))
    kinds_v = np.array(["view_case", "view_image", "view_evidence", "export"])
    for lo in range(0, n, CHUNK // 4):
        part = slice(lo, min(n, lo + CHUNK // 4))
        rep = np.repeat(np.arange(part.start, part.stop), per_case[part])
        k = len(rep)
        if k == 0:
            continue
        kind = kinds_v[pick(np.array([0.55, 0.85, 0.99, 1.0]), rng, k)]
        at = np.minimum(raised[rep] + 600 + rng.integers(60, 60 * DAY, k), w.now - 30)
        detail = np.where(kind == "view_evidence", np.char.add("evidence ", mt["evidence"][rep].astype(str)), "")
        t.write(ids[rep], force[rep], reviewer[rep], kind, detail, iso(at))
        w.audit_rows += k
    t.close()
    w.audit_rows += n


def _bench_users(w: World, models: dict, password: str) -> dict:
    """The force admin of the largest force, an officer of the busiest beat and the worker of the busiest
    store, each with the password and (police) a confirmed authenticator with ``BENCH_TOTP_KEY``."""
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with connection.cursor() as cursor:
        cursor.execute("SELECT store_id, COUNT(*) FROM incidents_incident GROUP BY store_id")
        rows = np.array(cursor.fetchall(), dtype=np.int64)
    per_store = np.zeros(len(w.store_beat) + 1, dtype=np.int64)
    per_store[rows[:, 0]] = rows[:, 1]
    per_beat = np.bincount(w.store_beat, weights=per_store[1:], minlength=len(w.beat_force) + 1)
    per_force = np.bincount(w.beat_force, weights=per_beat[1:], minlength=w.counts.forces + 1)
    store = int(per_store.argmax())
    beat = int(per_beat.argmax())
    force = int(per_force.argmax())
    chosen = {
        "force_admin": (
            int(w.force_admins[force - 1, 0]),
            {"force_id": force, "force_incidents": int(per_force[force])},
        ),
        "beat_officer": (int(w.beat_officers[beat - 1, 0]), {"beat_id": beat, "beat_incidents": int(per_beat[beat])}),
        "shop_worker": (int(w.store_worker[store - 1]), {"store_id": store, "store_incidents": int(per_store[store])}),
    }
    users = {}
    for role, (user_id, facts) in chosen.items():
        entry = {"id": user_id, "username": w.usernames[user_id], "password": password, **facts}
        if role != "shop_worker":
            TOTPDevice.objects.filter(user_id=user_id).delete()
            TOTPDevice.objects.create(user_id=user_id, name="Bench authenticator", key=BENCH_TOTP_KEY, confirmed=True)
            entry["totp_key"] = BENCH_TOTP_KEY
        users[role] = entry
    return users


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.volume", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.001, help="1.0 = national (10 million incidents)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the bench users' password")
    parser.add_argument("--no-migrate", action="store_true", help="skip manage.py migrate")
    parser.add_argument("--reset", action="store_true", help="empty the generated tables first")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Off the embedded default the app refuses the public key; this process signs nothing that outlives it.
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench.volume needs PostgreSQL (it loads with COPY): set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/retrace_volume"
        )
    if not args.no_migrate:
        call_command("migrate", verbosity=0, interactive=False)

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    try:
        result = generate(args.scale, args.seed, password=args.password, reset=args.reset, log=log)
    except RuntimeError as exc:
        sys.exit(str(exc))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
