"""Portal pages: police see the face-matching state of their force's evidence files; force admins
retry failed files and set the force's threshold (with a reason). Same services as the API."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import access
from core.exceptions import ApplicationError
from recognition import processing as evidence_processing
from recognition import selectors, services
from recognition.engine import current_model_version
from recognition.models import EvidenceProcessing


def _require_police(request) -> None:
    if not (access.has_usable_role(request.user) and request.user.is_police):
        raise PermissionDenied("Only police users see face matching.")


def _require_force_admin(request) -> None:
    if not (access.has_usable_role(request.user) and request.user.is_force_admin):
        raise PermissionDenied("Only force admins may do this.")


@login_required
def processing_list(request):
    _require_police(request)
    qs = selectors.processing_for(request.user).select_related("evidence__incident__store")
    status = request.GET.get("status", "")
    if status in EvidenceProcessing.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/processing_list.html",
        {"page": page, "status": status, "statuses": EvidenceProcessing.Status.choices},
    )


@login_required
@require_POST
def processing_retry(request, evidence_id: int):
    _require_force_admin(request)
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


@login_required
def threshold_page(request):
    _require_force_admin(request)
    force = request.user.force
    form = ThresholdForm(request.POST or None, initial={"threshold": services.threshold_for(force_id=force.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            services.force_threshold_set(force=force, actor=request.user, **form.cleaned_data)
            messages.success(request, "Threshold changed.")
            return redirect("recognition-threshold")
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    threshold = services.threshold_for(force_id=force.pk)
    try:
        version = current_model_version()
    except OSError:
        version = None
    context = {
        "form": form,
        "threshold": threshold,
        "default_threshold": selectors.default_threshold(),
        "evaluations": selectors.evaluations_at(threshold=threshold, model_version=version),
        "changes": selectors.threshold_changes_for(force_id=force.pk)[:20],
    }
    return render(request, "recognition/threshold.html", context)
