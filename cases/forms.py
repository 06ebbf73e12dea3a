"""Filter forms of the officer pages: the triage queue and the access log.

A page's filters are forgiving: a value that is not a choice or a date is named in the page's error
list and left out, and the rest still filter (the API's filter sets answer such a value with a 400)."""

from django import forms

from accounts.models import Beat
from cases import selectors
from cases.models import Case, CaseAccess
from core.filters import IdsChoiceField

BREACH_CHOICES = [("", "Any"), ("yes", "Possible or confirmed breach"), ("no", "No breach")]
PRIORITY_CHOICES = [("", "Any"), ("P1", "P1"), ("P2", "P2"), ("P3", "P3")]


def _date_range(form: forms.Form, start: str, end: str) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and first > last:
        form.add_error(end, f"The 'to' date ({last:%-d %b %Y}) is before the 'from' date ({first:%-d %b %Y}).")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CaseQueueFilterForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=100, label="Search", help_text="Case or incident reference, person or store"
    )
    status = forms.ChoiceField(choices=[("", "Open (all)"), *Case.Status.choices], required=False)
    breach = forms.ChoiceField(choices=BREACH_CHOICES, required=False, label="CBO breach")
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, required=False)
    beat = IdsChoiceField(
        queryset=Beat.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
        help_text="None chosen: every beat you may see.",
    )
    offender = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(choices=[(key, key.capitalize()) for key in selectors.QUEUE_SORTS], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" and "to" are Python keywords: the fields are added by name.
        self.fields["from"] = forms.DateField(required=False, label="Raised from", widget=DateInput)
        self.fields["to"] = forms.DateField(required=False, label="Raised to", widget=DateInput)
        beats = Beat.objects.filter(force_id=user.force_id).order_by("name")
        if user.is_beat_officer:
            beats = beats.filter(pk__in=user.beats.values("pk"))
        self.fields["beat"].queryset = beats

    def clean(self):
        data = super().clean()
        _date_range(self, "from", "to")
        return data

    def filters(self) -> dict:
        """The valid filters as ``selectors.queue_filter`` takes them (an invalid one is left out)."""
        self.is_valid()
        data = self.cleaned_data
        breach = {"yes": True, "no": False}.get(data.get("breach") or "")
        return {
            "status": data.get("status") or None,
            "breach": breach,
            "beat_id": sorted(b.pk for b in data.get("beat") or []) or None,
            "priority": data.get("priority") or None,
            "offender_id": data.get("offender"),
            "raised_from": data.get("from"),
            "raised_to": data.get("to"),
            "q": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "priority",
        }


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone", label="Who")
    kind = forms.ChoiceField(choices=[("", "Anything"), *CaseAccess.Kind.choices], required=False, label="What")
    case = forms.CharField(required=False, max_length=20, label="Case", help_text="Reference or number")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.access_log_users(user)
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["from"] = forms.DateField(required=False, label="From", widget=DateInput)
        self.fields["to"] = forms.DateField(required=False, label="To", widget=DateInput)

    def clean_case(self) -> int | None:
        raw = (self.cleaned_data.get("case") or "").strip().upper()
        if not raw:
            return None
        number = raw.rsplit("-", 1)[-1]
        if not number.isdigit() or len(number) > 12:
            raise forms.ValidationError("Give a case reference (CASE-2026-000123) or a case number.")
        return int(number)

    def clean(self):
        data = super().clean()
        _date_range(self, "from", "to")
        return data

    def filters(self) -> selectors.AccessLogFilters:
        self.is_valid()
        data = self.cleaned_data
        user = data.get("user")
        return selectors.AccessLogFilters(
            user_id=user.pk if user else None,
            kind=data.get("kind") or "",
            case_id=data.get("case"),
            logged_from=data.get("from"),
            logged_to=data.get("to"),
        )
