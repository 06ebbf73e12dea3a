"""The purge of rejected matches' face crops at scale: bounded batches, each its own transaction, rows held by
another transaction skipped (and taken by the next run), and a run that stops half way finished by the next."""

import datetime
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent
from cases.services import case_raise_for_match, case_review, rejected_crops_purge_batched
from recognition.models import PossibleMatch
from tests.cases.factories import evidence_on, incident_at, jpeg, offender_barred_from, possible_match
from tests.conftest import require

LATER = datetime.timedelta(days=31)  # past CASES_REJECTED_CROP_RETENTION_DAYS (30)


def rejected_case_with_matches(world, n: int, *, same_person: bool = False) -> tuple[Case, list[PossibleMatch]]:
    """A case raised from ``n`` CCTV files of one incident (one match each), reviewed: rejected by default."""
    a = world.a
    offender, _order, _prohibition = offender_barred_from(a.store)
    incident = incident_at(a.store, a.worker)
    matches = [
        possible_match(evidence_on(incident, jpeg((10 + 20 * i, 90, 60)), name=f"cctv{i}.jpg"), offender)
        for i in range(n)
    ]
    case = None
    for match in matches:
        case = case_raise_for_match(match=match)
    case = case_review(
        case=case, reviewer=a.officer, same_person=same_person, reason="Different ears", consequence_acknowledged=True
    )
    return case, matches


def crop_files(matches) -> list[Path]:
    return [Path(m.crop.path) for m in matches]


def batch_selects(queries) -> list[str]:
    return [q["sql"] for q in queries if "ORDER BY m.id LIMIT" in q["sql"]]


@pytest.mark.django_db
def test_more_candidates_than_a_batch_are_all_purged_in_several_batches(world, settings):
    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 30
    case, matches = rejected_case_with_matches(world, 8)
    kept_case, kept_matches = rejected_case_with_matches(world, 2, same_person=True)  # confirmed: kept
    files = crop_files(matches)
    assert all(f.is_file() for f in files)

    with CaptureQueriesContext(connection) as captured:
        summary = rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=3)

    assert (summary.purged, summary.batches, summary.files_not_deleted) == (8, 3, 0)
    assert 0 < summary.longest_batch_ms < 60_000
    selects = batch_selects(captured.captured_queries)
    assert len(selects) == 4  # three batches of 3, 3 and 2, then one that finds nothing
    assert all("LIMIT 3" in sql for sql in selects)  # never more than a batch in memory
    assert not PossibleMatch.objects.filter(pk__in=[m.pk for m in matches]).exclude(crop="").exists()
    assert not any(f.exists() for f in files)
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CROP_PURGED)
    assert sorted(e.details["match"] for e in events) == sorted(m.pk for m in matches)
    assert {e.details["reason"] for e in events} == {"rejected match"}
    assert all(e.actor is None for e in events)
    # The confirmed case keeps its crops, and nothing is left for a second run.
    assert PossibleMatch.objects.filter(pk__in=[m.pk for m in kept_matches]).exclude(crop="").count() == 2
    assert not CaseEvent.objects.filter(case=kept_case, kind=CaseEvent.Kind.CROP_PURGED).exists()
    again = rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=3)
    assert (again.purged, again.batches) == (0, 0)
    assert events.count() == 8


@pytest.mark.django_db
def test_crops_inside_the_retention_period_are_kept(world, settings):
    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 30
    _case, matches = rejected_case_with_matches(world, 4)
    summary = rejected_crops_purge_batched(now=timezone.now() + datetime.timedelta(days=29), batch_size=2)
    assert (summary.purged, summary.batches) == (0, 0)
    assert all(f.is_file() for f in crop_files(matches))


@pytest.mark.django_db
def test_a_run_stopped_half_way_is_finished_by_the_next(world, settings, monkeypatch):
    """The worker dies in the third batch's transaction: the first two stay done, the third rolls back, and the
    next run purges the rest, writing each match's event once."""
    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 30
    case, matches = rejected_case_with_matches(world, 7)
    files = crop_files(matches)
    real_events, calls = services._crop_purged_events, []

    def dies_in_the_third_batch(rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real_events(rows)

    monkeypatch.setattr(services, "_crop_purged_events", dies_in_the_third_batch)
    with pytest.raises(SystemExit):
        rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=2)
    assert calls == [2, 2, 2]
    assert PossibleMatch.objects.filter(pk__in=[m.pk for m in matches], crop="").count() == 4
    assert sum(f.exists() for f in files) == 3
    monkeypatch.setattr(services, "_crop_purged_events", real_events)

    summary = rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=2)

    assert (summary.purged, summary.batches) == (3, 2)
    assert not PossibleMatch.objects.filter(pk__in=[m.pk for m in matches]).exclude(crop="").exists()
    assert not any(f.exists() for f in files)
    events = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.CROP_PURGED)
    assert sorted(e.details["match"] for e in events) == sorted(m.pk for m in matches)  # once each


def other_connection() -> psycopg.Connection:
    """A second session on the test database, as another web request would hold one."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
        dbname=s["NAME"],
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_rows_held_by_another_transaction_are_skipped_and_taken_by_the_next_run(world, settings):
    require(connection.vendor == "postgresql", "row locks and SKIP LOCKED need PostgreSQL")
    settings.CASES_REJECTED_CROP_RETENTION_DAYS = 30
    case, matches = rejected_case_with_matches(world, 5)
    other_case, other_matches = rejected_case_with_matches(world, 2)
    held_match = matches[2]
    with other_connection() as other:
        other.execute(f"SELECT id FROM {PossibleMatch._meta.db_table} WHERE id = %s FOR UPDATE", [held_match.pk])
        # A case locked as the review services lock it (select_for_update: FOR UPDATE) holds its matches too:
        # the event's foreign key could not be written without waiting.
        other.execute(f"SELECT id FROM {Case._meta.db_table} WHERE id = %s FOR UPDATE", [other_case.pk])

        started = timezone.now()
        first = rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=2)
        assert (timezone.now() - started).total_seconds() < 10  # never waited on the held rows

        assert first.purged == 4
        held_match.refresh_from_db()
        assert held_match.crop and Path(held_match.crop.path).is_file()
        assert PossibleMatch.objects.filter(pk__in=[m.pk for m in other_matches]).exclude(crop="").count() == 2
        other.rollback()  # the other request ends

    second = rejected_crops_purge_batched(now=timezone.now() + LATER, batch_size=2)

    assert second.purged == 3
    everything = [m.pk for m in matches + other_matches]
    assert not PossibleMatch.objects.filter(pk__in=everything).exclude(crop="").exists()
    purged = CaseEvent.objects.filter(kind=CaseEvent.Kind.CROP_PURGED, case__in=[case, other_case])
    assert sorted(e.details["match"] for e in purged) == sorted(everything)
