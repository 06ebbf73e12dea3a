"""Portal page: an officer chooses a frame of an exhibit, boxes a face the automatic pass missed and
searches it, with a justification. Same service as the API (``recognition.region``); the frame image
is the API's frame endpoint (session authentication), so the page and the search see the same pixels."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path

from accounts.permissions import POLICE, role_required
from core.exceptions import ApplicationError
from recognition import region, selectors
from workflows import evidence as evidence_workflow


def _number(raw: str | None) -> float | None:
    try:
        return float(raw) if raw not in (None, "") else None
    except ValueError:
        return float("nan")  # refused by the service with a clear message


def _search(request, evidence) -> tuple[dict, list[str], int]:
    """Run the search the form asks for: (the result for the page, errors, HTTP status)."""
    post = request.POST
    time_s = _number(post.get("t"))
    box = [post.get(name, "") for name in ("x", "y", "w", "h")]
    if not all(box):
        return {}, ["Draw a box round the face on the frame first."], 400
    try:
        result = evidence_workflow.region_search(
            evidence=evidence,
            user=request.user,
            frame_time_s=time_s,
            box=box,
            justification=post.get("justification", ""),
        )
    except ApplicationError as exc:
        messages = [m for field_messages in exc.fields.values() for m in field_messages]
        return {}, [exc.message] + [m for m in messages if m not in exc.message], exc.status_code
    return {"result": result, "message": region.result_message(result)}, [], 200


@role_required(POLICE, message="Only police users search faces in CCTV.")
def region_search_page(request, evidence_id: int):
    evidence = selectors.searchable_evidence_get(user=request.user, evidence_id=evidence_id)
    if evidence is None:
        raise Http404
    context = {"evidence": evidence, "incident": evidence.incident, "errors": [], "posted": request.POST}
    status = 200
    if request.method == "POST":
        found, context["errors"], status = _search(request, evidence)
        context.update(found)
    try:
        context["media"] = region.media_info(evidence)
    except ApplicationError as exc:
        context["errors"].append(exc.message)
        status = max(status, 400)
    t = request.POST.get("t") or request.GET.get("t") or "0"
    context["t"] = t if _number(t) == _number(t) else "0"  # not NaN
    return render(request, "recognition/region_search.html", context, status=status)


urlpatterns = [
    path("recognition/evidence/<int:evidence_id>/search/", region_search_page, name="recognition-region-search"),
]
