"""Portal pages: shop staff report incidents and add CCTV; police read them. Same services as the API."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from accounts import access
from accounts.permissions import ANY_ROLE, POLICE, SHOP_WORKER, role_required
from cases.selectors import cases_for  # a page showing police the cases of an incident
from core.exceptions import ApplicationError
from core.pagination import portal_page
from incidents import exhibits, rules, selectors, services
from incidents.files import upload_limits
from incidents.forms import IncidentFilterForm, IncidentReportForm, WitnessStatementForm
from incidents.models import Incident
from incidents.uploads import limit_upload_sizes
from workflows import evidence as evidence_workflow

SHOP_STAFF_ONLY = "Only shop staff report incidents and add evidence."


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _done(request, url: str):
    """After a successful POST: the upload script follows a JSON redirect, a plain form a 302."""
    return JsonResponse({"redirect": url}) if _wants_json(request) else redirect(url)


def _incident_or_404(request, incident_id: int) -> Incident:
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    if incident is None:
        raise Http404("No such incident.")
    return incident


def _add_errors(form, exc: ApplicationError) -> None:
    placed = False
    for field, field_messages in exc.fields.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# ``?beat=mine``: the beats a beat officer covers (the home page's and the daily digest's links use it too).
MY_BEATS = "mine"


class _BeatsField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        return value or []  # each value is checked by the form's ``clean_beat``, which keeps the valid ones


class IncidentListFilterForm(IncidentFilterForm):
    """The list's filters, where police may choose several beats (``?beat=1&beat=2``, or ``?beat=mine`` for the
    beats a beat officer covers). A beat value that is not one of the force's beats is named and left out; the
    other beats chosen still apply."""

    def __init__(self, data=None, *args, user, **kwargs):
        self.user = user
        if data is not None and MY_BEATS in data.getlist("beat"):
            data = data.copy()  # "mine" shows as the officer's own beats ticked
            values = data.getlist("beat")
            mine = [str(pk) for pk in _covered_beats(user).values_list("pk", flat=True)]
            data.setlist("beat", [v for v in values if v != MY_BEATS] + mine if mine else values)
        super().__init__(data, *args, user=user, **kwargs)
        self.kept_beats: list = []
        if "beat" in self.fields:
            self.fields["beat"] = _BeatsField(
                queryset=self.fields["beat"].queryset.order_by("name"),
                required=False,
                label="Beats",
                widget=forms.SelectMultiple(attrs={"size": 4, "aria-describedby": "beat-hint"}),
            )
            self.fields["beat"].label_from_instance = lambda beat: beat.name

    def clean_beat(self):
        """The valid beats chosen; the others are named as the field's error (and left out)."""
        allowed = {str(b.pk): b for b in self.fields["beat"].queryset}
        refused = []
        for value in self.cleaned_data.get("beat") or []:
            if value in allowed:
                if allowed[value] not in self.kept_beats:
                    self.kept_beats.append(allowed[value])
            elif value == MY_BEATS:
                refused.append(f'"{MY_BEATS}" is the beats a beat officer covers, and you cover none.')
            elif value.strip():
                refused.append(f'"{value[:40]}" is not one of your force\'s beats.')
        if refused:
            raise forms.ValidationError(refused)
        return self.kept_beats

    def selector_filters(self) -> dict:
        given = super().selector_filters()
        given.pop("beat", None)
        if self.kept_beats:  # the valid beats apply even when another value was refused
            given["beat"] = self.kept_beats
        return given


def _covered_beats(user):
    if not getattr(user, "is_beat_officer", False):
        return user.beats.none()
    return user.beats.filter(force_id=user.force_id)


@role_required(ANY_ROLE)
def incident_list(request):
    """Every incident in the user's scope, a page at a time, with search and filters (the query parameters
    ``q``, ``priority``, ``status``, ``from``, ``to``, ``beat`` (police: repeated for several, or ``mine``),
    ``store``, ``taken``, ``reporter``, ``page``). A filter that is not valid is named at the top and not applied;
    the others are."""
    filters = IncidentListFilterForm(request.GET or None, user=request.user)
    qs = selectors.incidents_for(request.user)
    if filters.is_bound:
        filters.is_valid()
        given = filters.selector_filters()
        if given:
            qs = selectors.incidents_filter(qs, **given)
    page, query = portal_page(request, qs, settings.INCIDENT_LIST_PAGE_SIZE)
    context = {
        "filters": filters,
        "filtered": filters.is_bound and bool(filters.selector_filters()),
        # Police work from the filters; on shop staff's phones they stay folded until used.
        "filters_open": request.user.is_police or bool(set(request.GET) - {"q", "page"}),
        "page": page,
        "query": query,
        "stores": access.stores_for(request.user),
    }
    return render(request, "incidents/list.html", context)


@csrf_exempt  # checked below, once the size-limit upload handler is in place
@role_required(SHOP_WORKER, message=SHOP_STAFF_ONLY)
def incident_report(request):
    limit_upload_sizes(request)
    return _incident_report(request)


@csrf_protect
def _incident_report(request):
    """The report form. A report sent twice (the same form's key: a retry, or a page the browser kept) leads to
    the incident already filed; the same CCTV sent again at the store within a week asks first (409, with the
    earlier incidents); a refused file does not stop the report: the good files are kept and the receipt
    names the refused ones."""
    form = IncidentReportForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 400 if request.method == "POST" else 200
    repeated = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        earlier = selectors.incident_by_submission_key(reported_by=request.user, submission_key=data["submission_key"])
        if earlier is not None:
            messages.info(request, f"This report was already sent as {earlier.reference}: it has not been sent twice.")
            return _done(request, reverse("incident-detail", args=[earlier.pk]))
        confirmed = data.pop("confirm_duplicate")
        try:
            incident = evidence_workflow.incident_create(
                reported_by=request.user,
                files=request.FILES.getlist("files"),
                keep_good_files=True,
                duplicates="confirmed" if confirmed else "ask",
                **data,
            )
        except services.PossibleDuplicate as exc:
            repeated = exc
            status = 409
            form = _confirming(form)
        except ApplicationError as exc:
            _add_errors(form, exc)
            status = _refusal_status(exc)
        except ValidationError as exc:
            for field, field_messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            _say_refused(request, incident.refused_files, incident.reference)
            if request.POST.get("then") == "statement":  # "Send report and make a witness statement"
                messages.success(request, f"Incident reported: {incident.reference}. Now make your statement.")
                return _done(request, reverse("incident-statement-add", args=[incident.pk]))
            return _done(request, reverse("incident-detail", args=[incident.pk]) + "?new=1")
    context = {
        "form": form,
        "occurred_oldest": services.occurred_at_oldest(),
        "limits": upload_limits(),
        "repeated": repeated,
    }
    return render(request, "incidents/report.html", context, status=status)


def _confirming(form: IncidentReportForm) -> IncidentReportForm:
    """The same answers, now with the reporter's go-ahead to report the same CCTV again."""
    data = form.data.copy()
    data["confirm_duplicate"] = "True"
    again = IncidentReportForm(data, user=form.user)
    again.is_valid()
    return again


def _say_refused(request, refused: list, reference: str | None) -> None:
    """A report or upload kept its good files: say which files were not added, and why."""
    for item in refused:
        messages.warning(request, f"Not added to {reference}: {item.message}")


def _refusal_status(exc: ApplicationError) -> int:
    """The form comes back with its messages: 400, or the server's own fault (507 storage full) as it is, so the
    upload script keeps the chosen files on the page instead of replacing it."""
    return exc.status_code if exc.status_code >= 500 else 400


# What the page's buttons post, as the status they ask for and the confirmation. Which moves are allowed, and
# the closing reason, are the service's rules (``incidents.services.incident_status_set``).
POLICE_STATUS_CHANGES = {
    "take_on": (Incident.Status.WITH_POLICE, "You have taken {ref} on."),
    "close": (Incident.Status.CLOSED, "{ref} is closed."),
}


@role_required(POLICE, message="Only police users change an incident's status.")
def _police_status_change(request, incident: Incident):
    """Police take an incident on (the reporter then sees "With police") or close it, with a reason. A refusal
    (``invalid_status_transition``, ``closing_reason_required``) is shown as the service words it."""
    change = POLICE_STATUS_CHANGES.get(request.POST.get("status_change", ""))
    if change is None:
        messages.error(request, "Choose to take the incident on or to close it.")
        return redirect("incident-detail", incident.pk)
    status, done = change
    try:
        services.incident_status_set(
            incident=incident, status=status, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(ref=incident.reference))
    return redirect("incident-detail", incident.pk)


@role_required(ANY_ROLE)
def incident_detail(request, incident_id: int):
    incident = _incident_or_404(request, incident_id)
    if request.method == "POST":
        return _police_status_change(request, incident)  # out of scope is a 404 first, then the role's 403
    services.incident_view_record(incident=incident, viewer=request.user)
    context = {
        "incident": incident,
        "evidence": selectors.evidence_for_incident(incident=incident),
        "statements": selectors.statements_for_incident(incident=incident),
        "new": request.GET.get("new") == "1",
        "cases": _cases_of(request.user, incident),
        "moves": services.incident_status_moves(incident),
    }
    return render(request, "incidents/detail.html", context)


def _cases_of(user, incident: Incident) -> list:
    """Police see the cases raised from an incident (in their scope); shop staff never see matches."""
    if not user.is_police:
        return []
    return list(cases_for(user).filter(incident=incident).order_by("pk"))


@role_required(ANY_ROLE)
def incident_exhibit(request, incident_id: int, evidence_id: int):
    """An exhibit's file, streamed for police to view (an image) or play (a video, with byte ranges so it can be
    sought); ``?download=1`` saves a copy. Every opening is in the incident's audit trail (a video player's
    further range requests for the same viewing are not)."""
    incident = _incident_or_404(request, incident_id)
    evidence = selectors.evidence_get(incident=incident, evidence_id=evidence_id)
    if evidence is None:
        raise Http404("No such exhibit.")
    if not request.user.is_police:
        raise PermissionDenied("Only police users open exhibits here.")
    download = request.GET.get("download") == "1"
    response = exhibits.stream(request, evidence, download=download)
    if exhibits.is_first_request(request):
        services.exhibit_view_record(evidence=evidence, viewer=request.user, how="download" if download else "view")
    return response


@role_required(SHOP_WORKER, message="Only shop staff make witness statements here.")
def incident_statement_add(request, incident_id: int):
    """A witness statement (MG11) for an incident of the worker's store, signed by typed name; never edited
    afterwards (a further statement instead)."""
    incident = _incident_or_404(request, incident_id)
    form = WitnessStatementForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            services.witness_statement_create(incident=incident, created_by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _add_errors(form, exc)
        except ValidationError as exc:
            for field, field_messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, f"Your witness statement is signed and added to {incident.reference}.")
            return redirect(reverse("incident-detail", args=[incident.pk]) + "#statements")
    context = {"incident": incident, "form": form, "earlier": selectors.statements_for_incident(incident=incident)}
    return render(request, "incidents/statement_add.html", context, status=status)


@csrf_exempt  # checked below, once the size-limit upload handler is in place
@role_required(SHOP_WORKER, message=SHOP_STAFF_ONLY)
def incident_evidence_add(request, incident_id: int):
    limit_upload_sizes(request)
    return _incident_evidence_add(request, incident_id)


@csrf_protect
def _incident_evidence_add(request, incident_id: int):
    incident = _incident_or_404(request, incident_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        files = request.FILES.getlist("files")
        try:
            created = evidence_workflow.evidence_add(
                incident=incident, files=files, uploaded_by=request.user, keep_good_files=True
            )
        except ApplicationError as exc:
            errors = [m for field_messages in exc.fields.values() for m in field_messages] or [exc.message]
            status = _refusal_status(exc)
        else:
            count = len(created)
            if not count:  # every file refused: nothing was added, so the form stays with the reasons
                errors, status = [item.message for item in created.refused], 400
            else:
                s = "s" if count != 1 else ""
                messages.success(request, f"{count} CCTV file{s} added to {incident.reference}.")
                _say_refused(request, created.refused, incident.reference)
                return _done(request, reverse("incident-detail", args=[incident.pk]) + "?added=1")
    context = {
        "incident": incident,
        "errors": errors,
        "evidence": selectors.evidence_for_incident(incident=incident),
        "limits": upload_limits(),
    }
    return render(request, "incidents/evidence_add.html", context, status=status)


@login_required
def incident_rules(request):
    return render(request, "incidents/rules.html", {"rules": rules.RULES, "targets": rules.RESPONSE_TARGET_MINUTES})
