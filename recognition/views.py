"""Portal pages: police see the face-matching state of their force's evidence files; force admins
retry failed files and set the force's threshold (with a reason). Same services as the API."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Beat, Store
from accounts.permissions import FORCE_ADMIN, POLICE, role_required
from core.exceptions import ApplicationError
from core.filters import IdsChoiceField, hide_long_choices
from core.pagination import portal_page
from recognition import events, selectors, services
from recognition import processing as evidence_processing
from recognition.models import EvidenceProcessing

FORCE_ADMINS_ONLY = "Only force admins may do this."


PROCESSING_PAGE_SIZE = 50


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProcessingFilterForm(forms.Form):
    """The processing list's filters. Forgiving, as the portal's other lists: a value that is not a choice
    or a date is named in the page's errors and left out, and the other filters still apply."""

    q = forms.CharField(
        required=False,
        max_length=100,
        label="Incident or file",
        help_text="An incident reference (INC-2026-000123) or part of a file's name",
        widget=forms.TextInput(attrs={"aria-describedby": "q-help", "type": "search"}),
    )
    state = forms.ChoiceField(choices=[("", "Any state"), *EvidenceProcessing.Status.choices], required=False)
    beat = IdsChoiceField(
        queryset=Beat.objects.none(), required=False, widget=forms.SelectMultiple(attrs={"size": 3})
    )  # ``?beat=1&beat=2``: any of these beats; none chosen is every beat the user sees
    store = forms.ModelChoiceField(queryset=Store.objects.none(), required=False, empty_label="All stores")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" and "to" are Python keywords: the fields are added by name.
        self.fields["from"] = forms.DateField(required=False, label="Uploaded from", widget=DateInput)
        self.fields["to"] = forms.DateField(required=False, label="Uploaded to", widget=DateInput)
        self.fields["beat"].queryset = selectors.processing_beats_for(user)
        self.fields["store"].queryset = selectors.processing_stores_for(user)
        hide_long_choices(self, "store")  # a large force's thousands of stores: chosen by a link, not a list

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first and last and first > last:
            self.add_error("to", f"The 'to' date ({last:%-d %b %Y}) is before the 'from' date ({first:%-d %b %Y}).")
        return data

    def filters(self) -> dict:
        """The valid filters as ``selectors.processing_filter`` takes them (an invalid one is left out)."""
        self.is_valid()
        data = self.cleaned_data
        beats, store = data.get("beat"), data.get("store")
        return {
            "state": data.get("state") or "",
            "beat_id": sorted(beat.pk for beat in beats) if beats else None,
            "store_id": store.pk if store else None,
            "uploaded_from": data.get("from"),
            "uploaded_to": data.get("to"),
            "q": (data.get("q") or "").strip(),
        }


@role_required(POLICE, message="Only police users see face matching.")
def processing_list(request):
    """Face matching of the evidence files the user may see (a beat officer's beats, a force admin's
    force), newest first, a page at a time: nothing is left out. Query: state (queued, running, done,
    failed; ``status`` is read the same way, for older links), beat (repeated for several), store, from, to
    (YYYY-MM-DD, the days uploaded), q (incident reference or file name), page."""
    data = request.GET.copy()
    if "state" not in data and "status" in data:
        data["state"] = data.pop("status")[-1]
    form = ProcessingFilterForm(data, user=request.user)
    filters = form.filters()
    qs = selectors.processing_filter(selectors.processing_for(request.user), **filters)
    qs = qs.select_related("evidence__incident__store__retailer", "evidence__incident__store__beat")
    page, query = portal_page(request, qs, PROCESSING_PAGE_SIZE, params=data)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "filtered": any(filters.values()),
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
