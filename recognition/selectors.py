"""Reads of recognition data, scoped through ``accounts.access`` (police of the evidence's force only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts import access
from accounts.models import Beat, Store
from core.filters import MAX_ID, one_or_many, within_days
from incidents.models import Evidence
from recognition import calibration
from recognition.engine import current_model_version
from recognition.evaluation import Evaluation, summarise
from recognition.models import (
    EvidenceProcessing,
    ForceThreshold,
    PossibleMatch,
    RecognitionEvaluation,
    ThresholdChange,
)

EVIDENCE_FORCE = "evidence__incident__store__beat__force"
EVIDENCE_BEAT = "evidence__incident__store__beat"


def processing_for(user) -> QuerySet[EvidenceProcessing]:
    """The processing records the user may see, newest first: scoped on the record's own store and force
    (copied from the incident), so the list walks one table's indexes in its order."""
    qs = EvidenceProcessing.objects.select_related("evidence__incident")
    scoped = access.scope_to_covered_beats(qs, user, force_path="force", beat_path="store__beat")
    return scoped.order_by("-created_at", "-id")


def processing_filter(
    qs: QuerySet[EvidenceProcessing],
    *,
    state: str = "",
    beat_id: int | list[int] | None = None,
    store_id: int | None = None,
    uploaded_from: datetime.date | None = None,
    uploaded_to: datetime.date | None = None,
    q: str = "",
) -> QuerySet[EvidenceProcessing]:
    """The processing list's filters, on a queryset already scoped by ``processing_for``: the state, the
    incident's beat (one id, or a list of them: any of those beats) and store, the days the file was uploaded
    (``uploaded_to`` included, local time) and a search of the incident's reference or the file's name."""
    if state:
        qs = qs.filter(status=state)
    if beat_id:
        qs = qs.filter(store__beat_id__in=one_or_many(beat_id))
    if store_id:
        qs = qs.filter(store_id=store_id)
    qs = within_days(qs, "evidence__uploaded_at", uploaded_from, uploaded_to)
    if q := q.strip():
        qs = qs.filter(Q(evidence__incident__reference__icontains=q) | Q(evidence__original_name__icontains=q))
    return qs


def processing_beats_for(user) -> QuerySet[Beat]:
    """The beats whose files the user sees (a beat officer's covered beats, a force admin's force): the
    list's beat filter offers these."""
    if not access.has_usable_role(user) or not user.is_police:
        return Beat.objects.none()
    beats = Beat.objects.filter(force_id=user.force_id)
    if user.is_beat_officer:
        beats = beats.filter(pk__in=user.beats.values("pk"))
    return beats.order_by("name")


def processing_stores_for(user) -> QuerySet[Store]:
    """The stores of those beats: the list's store filter offers these."""
    return access.stores_for(user).filter(beat__in=processing_beats_for(user)).order_by("retailer__name", "name")


def processing_waiting_for_task_queue(user) -> int:
    """How many of the user's files are queued but not yet with the task queue (it was down or hung
    when they were uploaded): the sweep sends them once it is back."""
    qs = processing_for(user).filter(
        status=EvidenceProcessing.Status.QUEUED, sent_at__isnull=True, next_attempt_at__isnull=True
    )
    return qs.count()


def matches_for(user) -> QuerySet[PossibleMatch]:
    qs = PossibleMatch.objects.select_related("evidence__incident", "offender")
    return _covered(qs, user)


def _covered(qs: QuerySet, user) -> QuerySet:
    """Match data follows need to know, as cases do: a beat officer's covered beats, a force admin's force."""
    return access.scope_to_covered_beats(qs, user, force_path=EVIDENCE_FORCE, beat_path=EVIDENCE_BEAT)


def searchable_evidence_for(user) -> QuerySet[Evidence]:
    """Exhibits a police user may look at frame by frame and search a face in: their force's."""
    qs = Evidence.objects.select_related("incident__store__beat")
    return access.scope_to_police(qs, user, force_path="incident__store__beat__force")


def searchable_evidence_get(*, user, evidence_id: int) -> Evidence | None:
    if not 0 < evidence_id <= MAX_ID:  # a lookup Django does not range-check (a 500 on SQLite)
        return None
    return searchable_evidence_for(user).filter(pk=evidence_id).first()


def threshold_changes_for(*, force_id: int) -> QuerySet[ThresholdChange]:
    return ThresholdChange.objects.filter(force_id=force_id).select_related("changed_by")


# Thresholds ---------------------------------------------------------------------------------


def default_threshold() -> float:
    return float(settings.RECOGNITION_DEFAULT_THRESHOLD)


def threshold_for(*, force_id: int) -> float:
    """The force's match threshold (cosine distance), or the configured default."""
    row = ForceThreshold.objects.filter(force_id=force_id).values_list("threshold", flat=True).first()
    return float(row) if row is not None else default_threshold()


METRIC = "cosine distance (Dlib model; 0 = identical)"


@dataclass(frozen=True)
class ThresholdOverview:
    """What a force admin sees of their force's threshold (the API and the page alike)."""

    threshold: float
    default_threshold: float
    is_default: bool
    metric: str
    evaluations: list[Evaluation]  # the figures on labelled pairs at this threshold
    changes: list[ThresholdChange]  # the latest 20, newest first


def threshold_overview(*, force_id: int) -> ThresholdOverview:
    threshold = threshold_for(force_id=force_id)
    try:
        version = current_model_version()
    except OSError:  # weights not installed: show the figures of any version
        version = None
    return ThresholdOverview(
        threshold=threshold,
        default_threshold=default_threshold(),
        is_default=not ForceThreshold.objects.filter(force_id=force_id).exists(),
        metric=METRIC,
        evaluations=evaluations_at(threshold=threshold, model_version=version),
        changes=list(threshold_changes_for(force_id=force_id)[:20]),
    )


def evaluations_at(*, threshold: float, model_version: str | None) -> list[Evaluation]:
    """The figures of the latest evaluation of each pairs file at ``threshold``: from the database when
    ``evaluate_recognition`` has run for this model, else the calibration shipped with the code."""
    latest: dict[str, RecognitionEvaluation] = {}
    qs = RecognitionEvaluation.objects.order_by("-created_at", "-id")
    if model_version:
        qs = qs.filter(model_version=model_version)
    for row in qs[:50]:
        latest.setdefault(row.pairs_file, row)
    sources = [
        (r.pairs_file, r.distances, r.labels, r.unusable_pairs, r.model_name, r.model_version) for r in latest.values()
    ]
    if not sources:
        sources = calibration.shipped(model_version=model_version)
    return [
        summarise(
            distances,
            labels,
            threshold=threshold,
            pairs_file=name,
            unusable=unusable,
            model_name=model_name,
            model_version=version,
        )
        for name, distances, labels, unusable, model_name, version in sorted(sources)
    ]
