"""Officer pages: the triage queue, a case with both faces side by side, and the review forms.
They call the same selectors and services as the API."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.permissions import FORCE_ADMIN, POLICE, role_required
from cases import downloads, selectors, services
from cases.models import Case, CaseAccess, CaseDecision
from cases.pack import build_evidence_pack, pack_availability
from core.exceptions import ApplicationError

POLICE_ONLY = "Only police users may see cases."


@role_required(POLICE, message=POLICE_ONLY)
def case_queue(request):
    status = request.GET.get("status") or None
    if status not in Case.Status.values:
        status = None
    breach = {"yes": True, "no": False}.get(request.GET.get("breach", ""))
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.QUEUE_SORTS else "priority"
    cases = selectors.triage_queue(request.user, status=status, breach=breach, sort=sort)[:200]
    return render(
        request,
        "cases/queue.html",
        {
            "cases": cases,
            "counts": {Case.Status(k).label: v for k, v in selectors.status_counts(request.user).items()},
            "statuses": Case.Status.choices,
            "status": status or "",
            "breach": request.GET.get("breach", ""),
            "sort": sort,
            "sorts": [(key, key.capitalize()) for key in selectors.QUEUE_SORTS],
        },
    )


@role_required(POLICE, message=POLICE_ONLY)
def case_detail(request, pk: int):
    """The case, once the officer has justified opening it. The justification is POSTed here by the
    justify form and read back from the log: it never travels in a URL (a GET's query is not read)."""
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    if request.method == "POST" and "justification" in request.POST:
        try:
            services.case_justify(case=case, user=request.user, justification=request.POST["justification"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("case-detail", pk=case.pk)
    if not selectors.has_justified(case=case, user=request.user):
        return render(request, "cases/justify.html", {"case": case})
    services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_CASE)
    prohibitions = case.breach_order.prohibitions.all() if case.breach_order else []
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "match": case.best_match,
            "prohibitions": prohibitions,
            "decisions": case.decisions.select_related("decided_by"),
            "actions": [(a.value, a.label) for a in CaseDecision.ACTIONS],
            "justification": selectors.justification_of(case=case, user=request.user),
            "pack": pack_availability(case),
            # The threshold is a cosine distance (at or below it is a possible match); similarity is 1 - distance.
            "distance": 1.0 - case.best_similarity if case.best_similarity is not None else None,
        },
    )


@role_required(POLICE, message=POLICE_ONLY)
def case_image(request, pk: int, which: str):
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    field = downloads.case_image_field(case, which)
    services.case_access_log(case=case, user=request.user, kind=CaseAccess.Kind.VIEW_IMAGE, detail=which)
    return downloads.image_response(field)


@role_required(POLICE, message=POLICE_ONLY)
def case_evidence(request, pk: int, evidence_id: int):
    """The CCTV exhibit behind a match, for viewing at the matched moment (link ends in #t=seconds).

    Byte ranges are served so that a video player can jump to that moment. The view is logged once
    per opening (a request from the first byte); the player's later range requests are not logged
    again but still need the officer's justification."""
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    evidence = get_object_or_404(case.incident.evidence, pk=evidence_id)
    wanted = downloads.byte_range(request, evidence.file.size)
    if wanted is None or wanted[0] == 0:
        services.case_access_log(
            case=case, user=request.user, kind=CaseAccess.Kind.VIEW_EVIDENCE, detail=evidence.original_name
        )
    elif not selectors.has_justified(case=case, user=request.user):
        raise PermissionDenied("Open the case with a justification before viewing its exhibits.")
    return downloads.exhibit_response(evidence, wanted)


NUL_REFUSED = "The form contains a character that cannot be stored (NUL): remove it and send the form again."


def _refuse_nul(request) -> None:
    """A NUL in a form's text is refused here, as the API's serializers refuse it (PostgreSQL cannot
    store it in text, so the service's write would be a 500)."""
    for field, values in request.POST.lists():
        if any("\x00" in value for value in values):
            raise ApplicationError(NUL_REFUSED, fields={field: ["Null characters are not allowed."]})


def _decide(request, pk: int, decide, done: str = "Decision recorded."):
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    try:
        _refuse_nul(request)
        decide(case)
        messages.success(request, done)
    except ApplicationError as exc:
        messages.error(request, exc.message + "".join(f" {k}: {' '.join(v)}" for k, v in exc.fields.items()))
    return redirect("case-detail", pk=pk)


@require_POST
@role_required(POLICE, message=POLICE_ONLY)
def case_review(request, pk: int):
    same = request.POST.get("decision") == "confirm"
    reason = request.POST.get("reason", "")
    done = (
        "Decision recorded. Match confirmed: next, record the corroborating evidence and the action taken."
        if same
        else "Decision recorded. Not the same person: the case is rejected."
    )
    return _decide(
        request,
        pk,
        lambda c: services.case_review(case=c, reviewer=request.user, same_person=same, reason=reason),
        done,
    )


@require_POST
@role_required(POLICE, message=POLICE_ONLY)
def case_corroborate(request, pk: int):
    p = request.POST
    return _decide(
        request,
        pk,
        lambda c: services.case_corroborate(
            case=c,
            officer=request.user,
            action=p.get("action", ""),
            corroboration=p.get("corroboration", ""),
            reason=p.get("reason", ""),
        ),
        "Decision recorded. Corroboration and action saved: close the case when nothing more is to be done.",
    )


@require_POST
@role_required(POLICE, message=POLICE_ONLY)
def case_close(request, pk: int):
    reason = request.POST.get("reason", "")
    return _decide(
        request,
        pk,
        lambda c: services.case_close(case=c, officer=request.user, reason=reason),
        "Decision recorded. The case is closed.",
    )


@role_required(POLICE, message=POLICE_ONLY)
def case_pack(request, pk: int, fmt: str):
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    try:
        pdf, zipped = build_evidence_pack(case=case, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("case-detail", pk=pk)
    return downloads.evidence_pack_download(case=case, pdf=pdf, zipped=zipped, as_pdf=fmt == "pdf")


@role_required(FORCE_ADMIN, message="Only force admins may read the access log.")
def access_log(request):
    qs = selectors.access_log_for(request.user)
    if request.GET.get("export") == "csv":
        return downloads.access_log_csv(qs)
    return render(request, "cases/access_log.html", {"entries": qs[:500]})
