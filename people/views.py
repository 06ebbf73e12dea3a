"""Officer pages of people: the persistent-offender list, a person's page (timeline and map of their linked
incidents), linking a person to an incident and withdrawing a link, and the CBO application with its proposed
prohibitions, its build and its downloads. Police only: a shop worker gets a 404 here, as does anyone asking
for another force's person, link or application. They call the same selectors and services as the API."""

import datetime
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import has_usable_role, scope_to_covered_beats
from accounts.models import Beat, Retailer, Store
from accounts.permissions import NO_ROLE_MESSAGE
from cases.models import Case
from core.exceptions import ApplicationError
from core.pagination import portal_page
from incidents.models import Incident
from orders.forms import OptionalJSONField
from orders.models import Offender
from orders.selectors import offenders_for, offenders_search
from people import bundle, selectors, services
from people.events import describe, person_viewed_event
from people.models import CBOApplication, IncidentLink, PeopleEvent, PeopleSettings, ProposedProhibition
from people.order_views import force_admin_page

PAGE_SIZE = 25
PERIODS = {"90": 90, "180": 180, "365": 365, "730": 730}  # ?period=, besides the force's own
MAX_PROHIBITIONS = 30
CANDIDATES = 20


def police_only(view):
    """Signed in with a role; police only. Anyone else gets a 404: these pages never confirm a person exists."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not has_usable_role(request.user):
            raise PermissionDenied(NO_ROLE_MESSAGE)
        if not request.user.is_police:
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, rows, size: int = PAGE_SIZE):
    return portal_page(request, rows, size)


# Subjects: "offender-12" or "person-7" in URLs ------------------------------------------------------------


def subject_key(subject) -> str:
    return f"offender-{subject.pk}" if isinstance(subject, Offender) else f"person-{subject.pk}"


def _subject_or_404(user, key: str):
    kind, _, pk = key.partition("-")
    if not pk.isdigit() or len(pk) > 12:
        raise Http404("No such person.")
    if kind == "offender":
        return get_object_or_404(offenders_for(user), pk=int(pk))
    if kind == "person":
        return get_object_or_404(selectors.persons_for(user), pk=int(pk))
    raise Http404("No such person.")


# The persistent-offender list ---------------------------------------------------------------------------


class RankingForm(forms.Form):
    period = forms.ChoiceField(label="Incidents in the last", required=False)
    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Name or PNC ID.")
    persistent = forms.BooleanField(label="Persistent only", required=False)

    def __init__(self, *args, default_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_days = default_days  # the force's persistent period
        periods = {**PERIODS, str(default_days): default_days}
        self.fields["period"].choices = [(str(d), _days_label(d)) for d in sorted(set(periods.values()))]
        self.fields["period"].initial = str(default_days)

    def days(self) -> int:
        value = self.cleaned_data.get("period") if self.is_valid() else ""
        return int(value) if value else self.default_days


def _days_label(days: int) -> str:
    return {90: "3 months", 180: "6 months", 365: "12 months", 730: "2 years"}.get(days, f"{days} days")


def _matches(row, text: str) -> bool:
    """Every word of ``text`` in the person's name or PNC ID."""
    subject = row.subject
    haystack = f"{bundle.subject_name(subject)} {subject.pnc_id}".casefold()
    return all(word in haystack for word in text.casefold().split())


@police_only
def persistent_list(request):
    """People ranked by the incidents linked to them in the chosen period (only links the officer may see).
    Query: period (90/180/365/730 days), q (name or PNC ID), persistent (on), page."""
    thresholds = selectors.thresholds_for(request.user.force_id)
    form = RankingForm(request.GET or None, default_days=thresholds.period_days)
    days = form.days()
    until = timezone.localdate()
    since = until - datetime.timedelta(days=days - 1)
    rows = selectors.force_ranking(request.user, since=since, until=until)
    text = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    if text:
        rows = [r for r in rows if _matches(r, text)]
    if form.is_valid() and form.cleaned_data.get("persistent"):
        rows = [r for r in rows if r.persistent]
    page, query = _page(request, rows)
    for row in page.object_list:
        row.key = subject_key(row.subject)
        row.youth = bundle.is_youth(row.subject, until)
    return render(
        request,
        "people/persistent.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "since": since,
            "until": until,
            "min_incidents": thresholds.min_incidents,
            "window_days": thresholds.period_days,
            "due_count": selectors.persons_for(request.user).filter(review_due_on__isnull=False).count(),
            "filtered": bool(text) or bool(form.is_valid() and form.cleaned_data.get("persistent")),
        },
    )


# The force's settings ----------------------------------------------------------------------------------


class ThresholdsForm(forms.Form):
    persistent_min_incidents = forms.IntegerField(
        label="Linked incidents that mark someone persistent",
        required=False,
        min_value=services.THRESHOLD_LIMITS["persistent_min_incidents"][0],
        max_value=services.THRESHOLD_LIMITS["persistent_min_incidents"][1],
    )
    persistent_period_days = forms.IntegerField(
        label="Counted within (days)",
        required=False,
        min_value=services.THRESHOLD_LIMITS["persistent_period_days"][0],
        max_value=services.THRESHOLD_LIMITS["persistent_period_days"][1],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = {
            "persistent_min_incidents": settings.PEOPLE_PERSISTENT_MIN_INCIDENTS,
            "persistent_period_days": settings.PEOPLE_PERSISTENT_PERIOD_DAYS,
        }
        for name, default in defaults.items():
            self.fields[name].help_text = f"Leave empty for the default ({default})."


@force_admin_page
def force_settings(request):
    """The force's thresholds that mark someone as persistent (force admins): each empty is the environment's
    default. Each change is audited with who, when, and the old and new values."""
    row = PeopleSettings.objects.filter(force_id=request.user.force_id).first()
    initial = {
        "persistent_min_incidents": row.persistent_min_incidents if row else None,
        "persistent_period_days": row.persistent_period_days if row else None,
    }
    form = ThresholdsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.thresholds_set(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                for name, errs in exc.fields.items():
                    for err in errs:
                        form.add_error(name if name in form.fields else None, err)
            else:
                messages.success(request, "Thresholds saved: the persistent-offender list uses them now.")
                return redirect("people-settings")
        status = 400
    history = PeopleEvent.objects.filter(
        kind=PeopleEvent.Kind.THRESHOLDS_CHANGED, details__force=request.user.force_id
    ).select_related("actor")
    return render(
        request,
        "people/settings.html",
        {
            "form": form,
            "thresholds": selectors.thresholds_for(request.user.force_id),
            "history": [(e, describe(e)) for e in history.order_by("-created_at", "-id")[:20]],
        },
        status=status,
    )


# A person's page ----------------------------------------------------------------------------------------


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationStartForm(forms.Form):
    period_from = forms.DateField(label="Incidents from", widget=DATE)
    period_to = forms.DateField(label="Incidents to", widget=DATE)

    def clean(self):
        data = super().clean()
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            raise ValidationError("The period cannot end before it starts.")
        return data


def _person_context(request, subject) -> dict:
    filters = {"offender": subject} if isinstance(subject, Offender) else {"person": subject}
    links = selectors.subject_links(subject, request.user)
    active = list(links.filter(withdrawn_at__isnull=True).order_by("incident__occurred_at", "incident_id"))
    withdrawn = list(links.filter(withdrawn_at__isnull=False).order_by("-withdrawn_at"))
    incidents = [link.incident for link in active]
    stores = bundle.map_stores(incidents)
    today = timezone.localdate()
    first = incidents[0].occurred_at.date() if incidents else today - datetime.timedelta(days=365)
    applications = bundle.applications_for(request.user).filter(**filters)
    return {
        "subject": subject,
        "key": subject_key(subject),
        "is_offender": isinstance(subject, Offender),
        "name": bundle.subject_name(subject),
        "age": bundle.age_on(subject.date_of_birth, today),
        "youth": bundle.is_youth(subject, today),
        "links": active,
        "withdrawn": withdrawn,
        "stores": stores,
        "map": bundle.incidents_svg(stores, label=f"Map of the stores where incidents linked to {subject} happened"),
        "applications": applications,
        "start_form": ApplicationStartForm(initial={"period_from": first, "period_to": today}),
        "orders": bundle.previous_orders(subject),
        "review": _review(subject, today),
        "keep_form": KeepForm(),
    }


def _review(subject, today: datetime.date) -> dict | None:
    """Where a person of interest stands in the retention review, for the page to say in words: flagged (the
    day the record is deleted unless kept, and the days left), kept (until when, why), or when it would next
    be flagged. None for an offender record or someone under an order (never reviewed for deletion)."""
    if isinstance(subject, Offender) or subject.offender_id:
        return None
    due = subject.review_due_on
    return {
        "due_on": due,
        "days_left": (due - today).days if due else None,
        "kept_until": subject.kept_until if subject.kept_until and subject.kept_until >= today else None,
        "keep_reason": subject.keep_reason,
        "after_days": settings.PEOPLE_REVIEW_AFTER_DAYS,
        "grace_days": settings.PEOPLE_REVIEW_GRACE_DAYS,
    }


class KeepForm(forms.Form):
    reason = forms.CharField(
        label="Why keep this record",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required, and kept with the audit trail: e.g. an investigation still open.",
        error_messages={"required": "Say why the record is kept: the reason is required."},
    )


@police_only
def person_detail(request, subject: str):
    """A person's linked incidents as a timeline (oldest first), a map of where, withdrawn links, and their CBO
    applications; an officer starts an application here (POST: period_from, period_to)."""
    person = _subject_or_404(request.user, subject)
    context = _person_context(request, person)
    if request.method == "POST":
        form = ApplicationStartForm(request.POST)
        if form.is_valid():
            application = bundle.application_create(
                subject=person,
                user=request.user,
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
            )
            messages.success(request, f"Application {application.reference} started: add the prohibitions and summary.")
            return redirect("people-application", pk=application.pk)
        context["start_form"] = form
        person_viewed_event(subject=person, actor=request.user, via="page")
        return render(request, "people/person.html", context, status=400)
    person_viewed_event(subject=person, actor=request.user, via="page")
    return render(request, "people/person.html", context)


@police_only
@require_POST
def person_keep(request, subject: str):
    """Keep a person of interest after review (POST ``reason``, required): the same service as the API's keep,
    audited (``person_kept``). The record stays for another review period and is no longer due for deletion."""
    person = _subject_or_404(request.user, subject)
    if isinstance(person, Offender) or person.offender_id:
        raise Http404("Only a person of interest is reviewed for deletion.")
    form = KeepForm(request.POST)
    if form.is_valid():
        try:
            person = services.person_keep(person=person, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            for name, errs in exc.fields.items():
                for err in errs:
                    form.add_error(name if name in form.fields else None, err)
        else:
            kept = person.kept_until
            messages.success(request, f"Record kept until {kept.day} {kept:%b %Y}: the reason is logged.")
            return redirect("people-person", subject=subject)
    context = _person_context(request, person)
    context["keep_form"] = form
    return render(request, "people/person.html", context, status=400)


# Persons of interest, for the retention review ---------------------------------------------------------


class PersonsForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, help_text="Name, PNC ID or description.")
    due = forms.BooleanField(label="Due for review", required=False)


@police_only
def person_list(request):
    """The force's persons of interest, A–Z (``q``: words to find; ``due``: only those flagged for review,
    soonest deletion first), paged."""
    form = PersonsForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.persons_search(selectors.persons_for(request.user), q=data.get("q", ""))
    if data.get("due"):
        qs = qs.filter(review_due_on__isnull=False).order_by("review_due_on", "family_name", "given_names", "pk")
    page, query = _page(request, qs)
    for person in page.object_list:
        person.key = subject_key(person)
    due_count = selectors.persons_for(request.user).filter(review_due_on__isnull=False).count()
    return render(
        request,
        "people/persons.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "today": timezone.localdate(),
            "due_count": due_count,
            "review_after_days": settings.PEOPLE_REVIEW_AFTER_DAYS,
            "grace_days": settings.PEOPLE_REVIEW_GRACE_DAYS,
            "filtered": bool(data.get("q") or data.get("due")),
        },
    )


# Linking a person to an incident ------------------------------------------------------------------------


class LinkForm(forms.Form):
    subject = forms.CharField(required=False, widget=forms.HiddenInput)
    identified_by = forms.ChoiceField(
        label="How they were identified", choices=IncidentLink.Identification.choices, widget=forms.RadioSelect
    )
    role = forms.ChoiceField(label="Role", choices=IncidentLink.Role.choices, required=False)
    case = forms.ModelChoiceField(
        label="Confirmed case",
        queryset=Case.objects.none(),
        required=False,
        help_text="Needed when identified by a confirmed case: the case a reviewer confirmed for this incident.",
    )
    note = forms.CharField(label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    # A new person of interest, when no existing record is chosen.
    given_names = forms.CharField(label="Given names", required=False, max_length=120)
    family_name = forms.CharField(label="Family name", required=False, max_length=120)
    date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DATE)
    pnc_id = forms.CharField(label="PNC ID", required=False, max_length=13, help_text="If known, e.g. 2009/0012345E.")
    description = forms.CharField(
        label="How to recognise them", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, incident: Incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = Case.objects.filter(
            incident=incident, status__in=(Case.Status.CONFIRMED, Case.Status.ACTIONED, Case.Status.CLOSED)
        ).select_related("offender")
        self.fields["case"].label_from_instance = lambda c: f"{c.reference} ({c.offender.full_name})"

    def clean(self):
        data = super().clean()
        if not data.get("subject") and not (data.get("given_names") and data.get("family_name")):
            raise ValidationError(
                "Choose a person from the search results, or give the new person's given names and family name."
            )
        return data


def _candidates(user, text: str) -> tuple[list, list]:
    """Offenders and persons of interest of the officer's force whose names or PNC ID hold ``text`` (at most
    20 of each: the page asks for a closer search beyond that)."""
    if not text:
        return [], []
    offenders = list(offenders_search(offenders_for(user), q=text)[: CANDIDATES + 1])
    persons = selectors.persons_search(selectors.persons_for(user).filter(offender__isnull=True), q=text)
    return offenders, list(persons[: CANDIDATES + 1])


def linkable_incidents(user):
    """Incidents an officer may link people to: those of the beats they cover (a force admin: the force)."""
    qs = Incident.objects.select_related("store__retailer", "store__beat")
    return scope_to_covered_beats(qs, user, force_path="store__beat__force", beat_path="store__beat")


def _incident_or_404(request, raw) -> Incident:
    if not (raw and str(raw).isdigit() and len(str(raw)) <= 12):
        raise Http404("No such incident.")
    return get_object_or_404(linkable_incidents(request.user), pk=int(raw))


@police_only
def link_new(request):
    """Link a person to an incident (``?incident=<id>``): search the force's offenders and persons of interest
    (``q``) and choose one, or record a new person of interest; say how they were identified and, optionally,
    their role. Links are made by people who know, never by searching faces."""
    incident = _incident_or_404(request, request.GET.get("incident") or request.POST.get("incident"))
    text = request.GET.get("q", "").strip()[:100]
    offenders, persons = _candidates(request.user, text)
    chosen, choice_error = None, ""
    if raw := (request.POST.get("subject") if request.method == "POST" else request.GET.get("subject", "")):
        try:
            chosen = _subject_or_404(request.user, raw)
        except Http404:
            choice_error = "The chosen person is not one you may link: search again, or record a new person."
    form = LinkForm(request.POST or None, incident=incident, initial={"subject": subject_key(chosen) if chosen else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                link = _link_from_form(request, incident, form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                for name, errs in exc.fields.items():
                    for err in errs:
                        form.add_error(name if name in form.fields else None, err)
            else:
                messages.success(request, f"{incident.reference} linked to {link.subject}.")
                return redirect("people-person", subject=subject_key(link.subject))
        status = 400
    existing = selectors.links_for(request.user).filter(incident=incident, withdrawn_at__isnull=True)
    return render(
        request,
        "people/link.html",
        {
            "incident": incident,
            "form": form,
            "q": text,
            "offenders": [(subject_key(o), o) for o in offenders[:CANDIDATES]],
            "persons": [(subject_key(p), p) for p in persons[:CANDIDATES]],
            "more": len(offenders) > CANDIDATES or len(persons) > CANDIDATES,
            "chosen": chosen,
            "choice_error": choice_error,
            "existing": [(subject_key(link.subject), link) for link in existing],
            "has_cases": form.fields["case"].queryset.exists(),
        },
        status=status,
    )


def _link_from_form(request, incident: Incident, data: dict) -> IncidentLink:
    link_args = {
        "incident": incident,
        "actor": request.user,
        "identified_by": data["identified_by"],
        "role": data.get("role") or "",
        "note": data.get("note", ""),
        "case": data.get("case"),
    }
    with transaction.atomic():
        if data.get("subject"):
            try:
                subject = _subject_or_404(request.user, data["subject"])
            except Http404:
                raise ApplicationError("The chosen person is not one you may link: search again.") from None
        else:
            subject = services.person_create(
                actor=request.user,
                given_names=data["given_names"],
                family_name=data["family_name"],
                date_of_birth=data.get("date_of_birth"),
                pnc_id=data.get("pnc_id", ""),
                description=data.get("description", ""),
            )
        key = "offender" if isinstance(subject, Offender) else "person"
        return services.link_add(**link_args, **{key: subject})


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Reason for withdrawing", max_length=500)


@police_only
@require_POST
def link_withdraw(request, pk: int):
    """Withdraw a link with a reason (POST ``reason``); the incident leaves the person's chronology."""
    link = get_object_or_404(selectors.links_for(request.user).filter(withdrawn_at__isnull=True), pk=pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the link is withdrawn: the reason is kept with the audit trail.")
    else:
        try:
            services.link_withdraw(link=link, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"Link of {link.incident.reference} withdrawn.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("people-person", subject=subject_key(link.subject))


# The application ----------------------------------------------------------------------------------------


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = CBOApplication
        fields = ["period_from", "period_to", "summary"]
        labels = {"period_from": "Incidents from", "period_to": "Incidents to", "summary": "Officer's summary"}
        help_texts = {
            "summary": "Why an order is needed: the behaviour, its effect on staff, and how the order would help."
        }
        widgets = {
            "period_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "summary": forms.Textarea(attrs={"rows": 8}),
        }


class ProhibitionForm(forms.ModelForm):
    DELETE = forms.BooleanField(label="Remove this prohibition", required=False)
    polygon = OptionalJSONField(
        label="Zone outline (GeoJSON Polygon)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='For a zone: {"type": "Polygon", "coordinates": [[[lon, lat], ...]]} (the last point repeats '
        "the first), or a circle below.",
    )

    class Meta:
        model = ProposedProhibition
        fields = [
            "kind",
            "stores",
            "retailer",
            "beats",
            "centre_latitude",
            "centre_longitude",
            "radius_m",
            "polygon",
            "duration_months",
            "reason",
        ]
        labels = {
            "kind": "Kind",
            "stores": "Named stores",
            "retailer": "Retailer",
            "beats": "Within these beats",
            "centre_latitude": "Centre latitude",
            "centre_longitude": "Centre longitude",
            "radius_m": "Radius (metres)",
            "duration_months": "Period (months)",
            "reason": "Reason",
        }
        help_texts = {
            "stores": "Needed for named premises: at least one store.",
            "retailer": "Needed for a retailer within an area, with beats or a circle.",
            "beats": "For a retailer within an area: its stores in these beats (or give a circle below).",
            "reason": "Why this prohibition is needed, from the incidents.",
        }
        widgets = {
            "stores": forms.CheckboxSelectMultiple,
            "beats": forms.CheckboxSelectMultiple,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].queryset = Store.objects.filter(beat__force_id=user.force_id).select_related("retailer")
        self.fields["stores"].label_from_instance = lambda s: f"{s.retailer.name} {s.name} ({s.postcode})"
        self.fields["retailer"].queryset = Retailer.objects.filter(stores__beat__force_id=user.force_id).distinct()
        self.fields["beats"].queryset = Beat.objects.filter(force_id=user.force_id)
        self.fields["reason"].required = True

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        proposal = services.ProposalInput(
            kind=data.get("kind") or "",
            reason=data.get("reason") or "",
            duration_months=data.get("duration_months"),
            stores=list(data.get("stores") or []),
            retailer=data.get("retailer"),
            beats=list(data.get("beats") or []),
            centre_latitude=data.get("centre_latitude"),
            centre_longitude=data.get("centre_longitude"),
            radius_m=data.get("radius_m"),
            polygon=data.get("polygon"),
        )
        # The rules are the service's, shared with the API (people.services.proposal_errors).
        for name, message in services.proposal_errors(proposal):
            self.add_error(name if name in self.fields and name not in self.errors else None, message)
        data["polygon"] = proposal.polygon
        return data


def _application_or_404(user, pk: int) -> CBOApplication:
    return get_object_or_404(bundle.applications_for(user).select_related("offender", "person", "created_by"), pk=pk)


def _formset(request, application, data=None, extra: int = 0):
    formset_class = forms.modelformset_factory(
        ProposedProhibition,
        form=ProhibitionForm,
        extra=extra,
        can_delete=False,
        max_num=MAX_PROHIBITIONS,
        validate_max=True,
    )
    return formset_class(
        data,
        queryset=application.proposed_prohibitions.all(),
        prefix="p",
        form_kwargs={"user": request.user},
    )


@police_only
def application_detail(request, pk: int):
    """The application: its period and summary, the proposed prohibitions (add a row with ``add``, remove with a
    row's tick), build the bundle (``build``) and download it as PDF or zip. The chronology shown is what the
    next build takes."""
    application = _application_or_404(request.user, pk)
    if request.method == "POST" and application.status == CBOApplication.Status.ORDER_MADE:
        messages.error(request, "The court has made the order: this application is kept as it was.")
        return redirect("people-application", pk=application.pk)
    form = ApplicationForm(request.POST or None, instance=application)
    adding = "add" in request.POST
    data = request.POST or None
    if adding:
        # One more row, the rows already typed kept as they are (nothing is saved yet).
        data = request.POST.copy()
        total = data.get("p-TOTAL_FORMS", "0")
        data["p-TOTAL_FORMS"] = str(min(int(total) if total.isdigit() else 0, MAX_PROHIBITIONS - 1) + 1)
        form = ApplicationForm(data, instance=application)
    formset = _formset(request, application, data)
    if not application.proposed_prohibitions.exists() and request.method == "GET":
        formset = _formset(request, application, extra=1)
    status = 200
    if request.method == "POST" and not adding:
        if form.is_valid() and formset.is_valid():
            _save(application, form, formset)
            if "build" in request.POST:
                try:
                    bundle.application_build(application=application, user=request.user)
                    messages.success(request, f"Bundle {application.reference} built: download it below.")
                except ApplicationError as exc:
                    messages.error(request, exc.message)
            else:
                messages.success(request, "Application saved.")
            return redirect("people-application", pk=application.pk)
        status = 400
    subject = application.subject
    links = bundle.chronology_links(application, request.user)
    today = timezone.localdate()
    return render(
        request,
        "people/application.html",
        {
            "application": application,
            "subject": subject,
            "key": subject_key(subject),
            "name": bundle.subject_name(subject),
            "youth": bundle.is_youth(subject, today),
            "youth_marker": bundle.YOUTH_MARKER,
            "form": form,
            "formset": formset,
            "links": links,
            "built_links_changed": application.incident_ids
            and [link.incident_id for link in links] != list(application.incident_ids),
            "orders": bundle.previous_orders(subject),
            "breaches": bundle.previous_breaches(subject),
        },
        status=status,
    )


def _save(application, form, formset) -> None:
    with transaction.atomic():
        form.save()
        for f in formset.forms:
            if not f.has_changed() and f.instance.pk is None:
                continue
            if f.cleaned_data.get("DELETE"):
                if f.instance.pk:
                    f.instance.delete()
                continue
            item = f.save(commit=False)
            item.application = application
            item.save()
            f.save_m2m()


@police_only
def application_download(request, pk: int, fmt: str):
    """The built bundle as ``pdf`` or ``zip``; each download is logged."""
    if fmt not in ("pdf", "zip"):
        raise Http404("No such format: pdf or zip.")
    application = _application_or_404(request.user, pk)
    try:
        built = bundle.application_download(application=application, user=request.user, fmt=fmt)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("people-application", pk=pk)
    return download_response(application.reference, built)


def download_response(reference: str, built: bundle.Bundle):
    """A built bundle as an attachment: the PDF, or the zip beside it (the page's and the API's downloads)."""
    name = f"{reference}-application"
    if built.zip_file is None:
        response = HttpResponse(built.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return FileResponse(built.zip_file, as_attachment=True, filename=f"{name}.zip", content_type="application/zip")


def link_url(incident: Incident) -> str:
    """The link-a-person page of an incident (for the incident page's button)."""
    return f"{reverse('people-link')}?incident={incident.pk}"
