"""Portal page of re-searches (force admins): the progress of each re-search that late paperwork
started, and a form to search one incident's CCTV again with a reason. Same services as the API."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from accounts.permissions import FORCE_ADMIN, role_required
from core.exceptions import ApplicationError
from core.pagination import BoundedPaginator
from incidents.selectors import incidents_for
from recognition import research
from recognition.models import ResearchJob


class IncidentResearchForm(forms.Form):
    reference = forms.CharField(max_length=20, label="Incident reference", help_text="e.g. INC-2026-000123")
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the CCTV is searched again: logged under DPA 2018 s.62 for each file.",
    )


def _request_research(request, form: IncidentResearchForm) -> bool:
    reference = form.cleaned_data["reference"].strip().upper()
    incident = incidents_for(request.user).filter(reference=reference).first()
    if incident is None:
        form.add_error("reference", "No incident with this reference in your force.")
        return False
    try:
        job = research.research_for_incident(incident=incident, actor=request.user, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        form.add_error("reason" if "reason" in exc.fields else None, exc.message)
        return False
    messages.success(request, f"The CCTV of {incident.reference} will be searched again (re-search {job.pk}).")
    return True


@role_required(FORCE_ADMIN, message="Only force admins see re-searches.")
def research_list(request):
    form = IncidentResearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _request_research(request, form):
        return redirect("recognition-research")
    qs = research.research_jobs_for(request.user)
    status = request.GET.get("status", "")
    if status in ResearchJob.Status.values:
        qs = qs.filter(status=status)
    page = BoundedPaginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": ResearchJob.Status.choices, "form": form}
    return render(request, "recognition/research_list.html", context, status=400 if form.errors else 200)


# Included by recognition/portal_urls.py under "recognition/".
urlpatterns = [path("research/", research_list, name="recognition-research")]
