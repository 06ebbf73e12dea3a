"""Portal forms. They only shape input: the rules are in ``incidents.services``."""

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts import access
from incidents.models import Incident

YES_NO = [("no", "No"), ("yes", "Yes")]


class YesNoField(forms.TypedChoiceField):
    """A required yes/no question, answered with two large radio buttons (easier than a tick box on a phone)."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect(attrs={"class": "yesno"}), **kwargs
        )


class IncidentReportForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, empty_label=None)
    occurred_at = forms.DateTimeField(
        label="When it happened",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    category = forms.ChoiceField(label="What kind of incident", choices=Incident.Category.choices)
    ongoing = YesNoField(label="Is it still happening?")
    injured = YesNoField(label="Is anyone injured?")
    weapon = YesNoField(label="Was a weapon seen or threatened?")
    description = forms.CharField(label="What happened", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    goods_value = forms.DecimalField(
        label="Value of goods lost (£)", required=False, min_value=0, max_digits=10, decimal_places=2
    )
    offender_description = forms.CharField(
        label="Description of the offender(s)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Clothing, build, anything distinctive. Do not guess names.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = access.stores_for(user)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")
        oldest = now - timedelta(days=settings.INCIDENT_OLDEST_DAYS)  # the service refuses anything earlier
        self.fields["occurred_at"].widget.attrs["min"] = oldest.strftime("%Y-%m-%dT%H:%M")
        if not self.is_bound:
            self.initial.setdefault("occurred_at", now)
            self.initial.setdefault("submission_key", uuid.uuid4())
            self.initial.setdefault("ongoing", "no")
            self.initial.setdefault("injured", "no")
            self.initial.setdefault("weapon", "no")


class IncidentFilterForm(forms.Form):
    store = forms.ModelChoiceField(queryset=None, required=False, empty_label="All stores")
    category = forms.ChoiceField(choices=[("", "All categories"), *Incident.Category.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Incident.Status.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = access.stores_for(user)
