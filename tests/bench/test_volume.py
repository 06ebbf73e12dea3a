"""bench.volume at a tiny scale, in PostgreSQL: every table it loads holds rows the app accepts, the shape is
skewed as at national scale, the indexes and constraints it drops come back exactly, and the list pages
render for its bench users."""

import re

import numpy as np
import pytest
from django.db import connection
from django.db.models import Count, F

from bench.volume import BENCH_TOTP_KEY, Counts, generate
from tests.conftest import signed_in

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bench.volume loads with PostgreSQL's COPY (SQLite has none)"
)

SCALE = 0.0005


def _schema() -> tuple[set, set]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = set(cursor.fetchall())
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace"
        )
        constraints = set(cursor.fetchall())
    return indexes, constraints


@pytest.fixture(scope="module")
def _media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.mark.django_db(transaction=True)
def test_volume_tiny_scale(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    before = _schema()
    result = generate(SCALE, seed=3)
    assert _schema() == before  # every index, unique constraint and foreign key made again, validated

    _check_counts(result)
    _check_organisations()
    _check_incidents()
    _check_recognition()
    _check_cases()
    _check_skew(result)
    _check_pages(result)


def _check_counts(result) -> None:
    from cases.models import Case, CaseAccess
    from incidents.models import Evidence, Incident
    from orders.models import Offender, Order, ReferencePhoto
    from recognition.models import EvidenceProcessing, FaceTemplate, PossibleMatch

    want = Counts.at(SCALE)
    assert Incident.objects.count() == want.incidents
    assert Offender.objects.count() == want.offenders
    assert Order.objects.count() == want.orders
    assert 0.7 * want.evidence <= Evidence.objects.count() <= 1.3 * want.evidence
    assert 0.7 * want.photos <= ReferencePhoto.objects.count() <= 1.3 * want.photos
    assert FaceTemplate.objects.count() == ReferencePhoto.objects.count()
    assert EvidenceProcessing.objects.count() == Evidence.objects.count()
    assert 0.6 * want.cases <= Case.objects.count() <= 1.4 * want.cases
    assert PossibleMatch.objects.count() == Case.objects.count()
    assert CaseAccess.objects.count() > Case.objects.count()
    for table, entry in result["tables"].items():
        assert entry["rows"] > 0, table
    assert 0.9 * want.audit <= result["audit_rows"] <= 1.1 * want.audit


def _check_organisations() -> None:
    from accounts.models import Beat, Force, Store, User

    want = Counts.at(SCALE)
    assert Force.objects.count() == want.forces
    assert Beat.objects.count() == want.forces * want.beats_per_force
    assert Store.objects.count() == want.stores
    for force in Force.objects.all():
        assert User.objects.filter(force=force, role=User.Role.FORCE_ADMIN, is_staff=True).count() == 2
        assert User.objects.filter(force=force, role=User.Role.BEAT_OFFICER).count() == 2 * want.beats_per_force
    officers = User.objects.filter(role=User.Role.BEAT_OFFICER)
    assert not officers.exclude(beats__force=F("force")).exists()
    assert not officers.annotate(n=Count("beats")).exclude(n=1).exists()
    workers = User.objects.filter(role=User.Role.SHOP_WORKER).annotate(
        retailers=Count("stores__retailer", distinct=True), n=Count("stores")
    )
    assert not workers.exclude(retailers=1).exists()
    assert not workers.filter(n__gt=3).exists()
    assert not workers.exclude(stores__beat__force=F("force")).exists()
    assert not Store.objects.annotate(n=Count("workers")).exclude(n=1).exists()
    store = Store.objects.first()
    store.full_clean()


def _check_incidents() -> None:
    from incidents.models import Incident
    from incidents.rules import assess

    assert not Incident.objects.exclude(reported_by__stores=F("store")).exists()  # a worker of its store reported
    assert not Incident.objects.filter(status=Incident.Status.RECEIVED, taken_on_by__isnull=False).exists()
    taken = Incident.objects.exclude(status=Incident.Status.RECEIVED)
    assert not taken.exclude(taken_on_by__beats=F("store__beat")).exists()  # an officer of the store's beat
    for incident in Incident.objects.order_by("?")[:200]:
        assert re.fullmatch(rf"INC-{incident.created_at.year}-{incident.pk:06d}", incident.reference)
        a = assess(
            category=incident.category, ongoing=incident.ongoing, injured=incident.injured, weapon=incident.weapon
        )
        assert (incident.priority, incident.priority_reason, incident.response_target_minutes) == (
            a.priority,
            a.reason,
            a.response_target_minutes,
        )
        assert incident.occurred_at <= incident.created_at
        incident.full_clean()


def _check_recognition() -> None:
    from recognition.models import EvidenceProcessing, FaceTemplate, PossibleMatch

    for template in FaceTemplate.objects.order_by("?")[:50]:
        assert template.vector.shape == (128,)
        assert abs(float(np.linalg.norm(template.vector)) - 1) < 1e-5
        assert template.offender_id == template.reference_photo.offender_id
    assert not PossibleMatch.objects.exclude(evidence__processing__result=EvidenceProcessing.Result.MATCH).exists()
    assert EvidenceProcessing.objects.filter(result="match").count() == PossibleMatch.objects.count()
    assert not PossibleMatch.objects.exclude(reference_photo__offender=F("offender")).exists()


def _check_cases() -> None:
    from cases.models import Case, CaseAccess, CaseDecision

    cases = Case.objects.all()
    assert not cases.exclude(beat=F("incident__store__beat")).exists()
    assert not cases.exclude(force=F("beat__force")).exists()
    assert not cases.exclude(best_match__offender=F("offender")).exists()
    assert not cases.exclude(best_match__evidence__incident=F("incident")).exists()
    assert not cases.exclude(incident_priority=F("incident__priority")).exists()
    assert cases.filter(is_breach=True).exists() and cases.filter(is_breach=False).exists()
    for case in cases.filter(is_breach=True).select_related("breach_order", "breach_prohibition", "incident"):
        assert case.breach_order.offender_id == case.offender_id
        assert case.breach_prohibition.order_id == case.breach_order_id
        assert case.breach_prohibition.stores.filter(pk=case.incident.store_id).exists()
        assert case.breach_order.in_force_on(case.incident.created_at.date())
    for case in cases.order_by("?")[:100]:
        assert re.fullmatch(rf"CASE-{case.created_at.year}-{case.pk:06d}", case.reference)
        stages = set(CaseDecision.objects.filter(case=case).values_list("stage", flat=True))
        assert (
            stages
            == {
                "awaiting_review": set(),
                "confirmed": {"review"},
                "rejected": {"review"},
                "actioned": {"review", "corroboration"},
                "closed": {"review", "corroboration", "closure"},
            }[case.status]
        )
        assert (case.closed_at is not None) == (case.status in ("rejected", "closed"))
        assert case.offender.orders.exists()
    assert set(cases.values_list("status", flat=True)) >= {"awaiting_review", "closed", "rejected"}
    # Every view in the s.62 log follows that user's justification of that case.
    first = CaseAccess.objects.filter(kind=CaseAccess.Kind.JUSTIFIED)
    assert first.count() == cases.count()
    views = CaseAccess.objects.exclude(kind=CaseAccess.Kind.JUSTIFIED)
    for view in views.order_by("?")[:100]:
        justified = first.get(case=view.case_id)
        assert justified.user_id == view.user_id and justified.created_at <= view.created_at
        assert view.force_id == view.case.force_id


def _check_skew(result) -> None:
    from incidents.models import Incident

    per_store = sorted(Incident.objects.values("store").annotate(n=Count("id")).values_list("n", flat=True))[::-1]
    top = per_store[: max(1, Counts.at(SCALE).stores // 10)]
    assert sum(top) > 0.2 * Incident.objects.count()  # the top tenth of stores: twice their even share, or more
    per_force = dict(Incident.objects.values_list("store__beat__force").annotate(n=Count("id")))
    assert max(per_force, key=per_force.get) == 1  # the first force is the largest, as the Met is
    assert per_force[1] > 1.3 * Incident.objects.count() / len(per_force)
    assert result["bench_users"]["shop_worker"]["store_incidents"] == per_store[0]
    # Repeat offending, within reason: some people in several cases, nobody in most of them.
    from cases.models import Case

    per_offender = list(Case.objects.values("offender").annotate(n=Count("id")).values_list("n", flat=True))
    assert max(per_offender) >= 3
    assert max(per_offender) < sum(per_offender) / 3


def _check_pages(result) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    pages = {
        "shop_worker": ["/incidents/"],
        "beat_officer": ["/incidents/", "/cases/", "/recognition/", "/people/"],  # the order desk is for admins
        "force_admin": [
            "/incidents/",
            "/cases/",
            "/cases/access-log/",
            "/recognition/",
            "/desk/offenders/",
            "/desk/orders/",
            "/people/",
        ],
    }
    for role, paths in pages.items():
        entry = result["bench_users"][role]
        user = User.objects.get(pk=entry["id"], username=entry["username"], role=role)
        assert user.check_password(entry["password"])
        if role != "shop_worker":
            assert TOTPDevice.objects.get(user=user, confirmed=True).key == BENCH_TOTP_KEY
        client = signed_in(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
