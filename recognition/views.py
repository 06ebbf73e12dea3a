"""Portal pages: police see the face-matching state of their force's evidence files; force admins
retry failed files and set the force's threshold (with a reason). Same services as the API."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import FORCE_ADMIN, POLICE, role_required
from core.exceptions import ApplicationError
from recognition import events, selectors, services
from recognition import processing as evidence_processing
from recognition.models import EvidenceProcessing

FORCE_ADMINS_ONLY = "Only force admins may do this."


@role_required(POLICE, message="Only police users see face matching.")
def processing_list(request):
    qs = selectors.processing_for(request.user).select_related("evidence__incident__store")
    status = request.GET.get("status", "")
    if status in EvidenceProcessing.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": EvidenceProcessing.Status.choices,
        "waiting_for_task_queue": selectors.processing_waiting_for_task_queue(request.user),
    }
    return render(request, "recognition/processing_list.html", context)


@login_required  # sign in first, then a GET is a 405 whoever asks, then the role
@require_POST
@role_required(FORCE_ADMIN, message=FORCE_ADMINS_ONLY)
def processing_retry(request, evidence_id: int):
    processing = get_object_or_404(selectors.processing_for(request.user), evidence_id=evidence_id)
    try:
        evidence_processing.evidence_processing_retry(processing=processing, actor=request.user, reason="portal")
        messages.success(request, f"{processing.evidence.original_name} is queued again.")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("recognition-processing")


class ThresholdForm(forms.Form):
    threshold = forms.FloatField(min_value=0.01, max_value=0.5, help_text="Cosine distance; lower is stricter.")
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@role_required(FORCE_ADMIN, message=FORCE_ADMINS_ONLY)
def threshold_page(request):
    force = request.user.force
    form = ThresholdForm(request.POST or None, initial={"threshold": selectors.threshold_for(force_id=force.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            services.force_threshold_set(force=force, actor=request.user, **form.cleaned_data)
            messages.success(request, "Threshold changed.")
            return redirect("recognition-threshold")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    overview = selectors.threshold_overview(force_id=force.pk)
    context = {
        "form": form,
        "threshold": overview.threshold,
        "default_threshold": overview.default_threshold,
        "evaluations": overview.evaluations,
        "changes": [(change.created_at, events.describe(change)) for change in overview.changes],
    }
    return render(request, "recognition/threshold.html", context)
