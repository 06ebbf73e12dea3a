"""Officer pages: the triage queue, a case with both faces side by side, and the review forms.
They call the same selectors and services as the API."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import FORCE_ADMIN, POLICE, role_required
from cases import downloads, selectors, services
from cases.forms import AccessLogFilterForm, CaseQueueFilterForm
from cases.models import Case, CaseAccess, CaseDecision
from cases.pack import build_evidence_pack, pack_availability
from core.exceptions import ApplicationError
from core.pagination import portal_page

POLICE_ONLY = "Only police users may see cases."
QUEUE_PAGE_SIZE = 25
ACCESS_LOG_PAGE_SIZE = 50


@role_required(POLICE, message=POLICE_ONLY)
def case_queue(request):
    """The triage queue: every case of the beats the officer covers, filtered and searched, a page at a
    time (nothing is left out). Query: q, status, breach (yes/no), priority, beat, offender, from, to
    (YYYY-MM-DD, the days raised), sort, page."""
    form = CaseQueueFilterForm(request.GET, user=request.user)
    filters = form.filters()
    page, query = portal_page(request, selectors.triage_queue(request.user, **filters), QUEUE_PAGE_SIZE)
    offender_id = filters["offender_id"]
    offender_case = selectors.queue_scope(request.user).filter(offender_id=offender_id).first() if offender_id else None
    return render(
        request,
        "cases/queue.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "more_filters": form.errors or any(v for k, v in filters.items() if k not in ("q", "offender_id", "sort")),
            "offender": offender_case.offender if offender_case else None,
            "counts": {Case.Status(k).label: v for k, v in selectors.status_counts(request.user).items()},
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
            "corroboration_refusal": services.corroboration_refusal(case=case, officer=request.user),
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


REVIEW_DECISIONS = {"confirm": True, "reject": False}


@never_cache
@require_POST
@role_required(POLICE, message=POLICE_ONLY)
def case_review(request, pk: int):
    """Two steps, without script: the case page's form posts the decision and reasons here; this answers
    with the second step, which states what the decision does and posts it again with ``acknowledged=yes``.
    Only that second post records it."""
    case = get_object_or_404(selectors.cases_for(request.user), pk=pk)
    decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
    if decision not in REVIEW_DECISIONS:
        messages.error(request, "Choose a decision: same person (confirm) or not the same person (reject).")
        return redirect("case-detail", pk=pk)
    same = REVIEW_DECISIONS[decision]
    if request.POST.get("acknowledged") != "yes":
        try:
            _refuse_nul(request)
            consequence = services.case_review_check(case=case, same_person=same, reason=reason)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("case-detail", pk=pk)
        context = {"case": case, "decision": decision, "reason": reason.strip(), "consequence": consequence}
        return render(request, "cases/review_confirm.html", context)
    done = (
        "Decision recorded. Match confirmed: the case now waits for corroboration and the action taken."
        if same
        else "Decision recorded. Not the same person: the case is closed and the match will not be used."
    )
    return _decide(
        request,
        pk,
        lambda c: services.case_review(
            case=c, reviewer=request.user, same_person=same, reason=reason, consequence_acknowledged=True
        ),
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
        pack = build_evidence_pack(case=case, user=request.user, with_zip=fmt != "pdf")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("case-detail", pk=pk)
    return downloads.evidence_pack_download(case=case, pack=pack)


@role_required(FORCE_ADMIN, message="Only force admins may read the access log.")
def access_log(request):
    """The force's s.62 log, newest first, a page at a time. Query: user (id), kind, case (reference or
    number), from, to (YYYY-MM-DD), page; export=csv downloads every row the filters select."""
    form = AccessLogFilterForm(request.GET, user=request.user)
    qs = selectors.access_log_filter(selectors.access_log_for(request.user), form.filters())
    if request.GET.get("export") == "csv":
        return downloads.access_log_csv(qs)
    page, query = portal_page(request, qs, ACCESS_LOG_PAGE_SIZE)
    export = request.GET.copy()
    export.pop("page", None)
    export["export"] = "csv"
    return render(
        request, "cases/access_log.html", {"form": form, "page": page, "query": query, "export": export.urlencode()}
    )
