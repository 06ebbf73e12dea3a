"""Portal forms. They only shape input: the rules are in ``incidents.services``."""

import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from accounts import access
from core.filters import hide_long_choices
from incidents import selectors
from incidents.models import Incident

# The MG11's statement of truth, for a statement signed by typed name rather than on each paper page.
DECLARATION = (
    "This statement is true to the best of my knowledge and belief and I make it knowing that, if it is tendered "
    "in evidence, I shall be liable to prosecution if I have wilfully stated in it anything which I know to be "
    "false, or do not believe to be true. I have typed my name below as my signature."
)

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
    # Set when the reporter, told that a file was already sent with another incident, goes on.
    confirm_duplicate = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
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
    """The list's search and filters; the query parameters are q, priority, status, from, to, beat, store,
    taken, reporter (and category), as links elsewhere use them. Police only: priority, beat."""

    q = forms.CharField(
        label="Search", required=False, max_length=100, help_text="Reference, words of the description, or store."
    )
    store = forms.ModelChoiceField(queryset=None, required=False, empty_label="All stores")
    category = forms.ChoiceField(choices=[("", "All categories"), *Incident.Category.choices], required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *Incident.Status.choices], required=False)
    taken = forms.TypedChoiceField(
        label="Taken on",
        choices=[("", "Either"), ("no", "Not yet taken on"), ("yes", "Taken on")],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Incident.Priority.choices], required=False)
    beat = forms.ModelChoiceField(queryset=None, required=False, empty_label="All beats")
    reporter = forms.ModelChoiceField(queryset=None, required=False, empty_label="Anyone", label="Reported by")

    # Form field name -> the selector's keyword (``from`` and ``to`` are days, both included).
    SELECTOR_NAMES = {"from": "occurred_from", "to": "occurred_to"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        date_widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        self.fields["from"] = forms.DateField(label="From", required=False, widget=date_widget)
        self.fields["to"] = forms.DateField(label="To", required=False, widget=date_widget)
        self.fields["store"].queryset = access.stores_for(user)
        self.fields["reporter"].queryset = selectors.reporters_for(user)
        self.fields["reporter"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["store"].label_from_instance = lambda s: s.name
        # At a large force's size the search box finds a store by name instead of a drop-down of thousands.
        hide_long_choices(self, "store", "reporter")
        if user.is_police:
            self.fields["beat"].queryset = access.beats_for(user)
        else:  # shop staff see no priorities, and their stores are their beat
            del self.fields["beat"], self.fields["priority"]
            if self.fields["store"].queryset.count() < 2:
                del self.fields["store"]
        self.order_fields(["q", "from", "to", "status", "taken", "priority", "category", "store", "beat", "reporter"])

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The end date is before the start date.")
        return data

    def selector_filters(self) -> dict:
        """The valid, given filters as ``selectors.incidents_filter`` keywords."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        given = {k: v for k, v in data.items() if v not in (None, "") and k not in self.errors}
        return {self.SELECTOR_NAMES.get(k, k): v for k, v in given.items()}


class WitnessStatementForm(forms.Form):
    """The MG11's parts: the witness, the statement and its declaration, the signature; then the contact
    part (not for disclosure). The rules are the service's (``incidents.services.witness_statement_create``)."""

    witness_name = forms.CharField(
        label="Your full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    occupation = forms.CharField(
        label="Your occupation",
        max_length=150,
        help_text="For example: store manager.",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    statement = forms.CharField(
        label="Your statement",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="In your own words: what you saw and heard, in order, and what you did. Describe the person: "
        "clothing, build, anything distinctive. Say if you know them, and how.",
    )
    truth_declaration = forms.BooleanField(label=DECLARATION, required=True)
    signature = forms.CharField(
        label="Signature: type your full name", max_length=150, help_text="Your typed name is your signature."
    )
    signed_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    contact_phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    contact_email = forms.EmailField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    contact_address = forms.CharField(
        label="Home or work address",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )

    STATEMENT_FIELDS = ("witness_name", "occupation", "statement", "truth_declaration", "signature", "signed_on")
    CONTACT_FIELDS = ("contact_phone", "contact_email", "contact_address")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["truth_declaration"].error_messages["required"] = "Tick the declaration that the statement is true."
        if not self.is_bound:
            self.initial.setdefault("witness_name", user.get_full_name())
            self.initial.setdefault("signed_on", timezone.localdate())
            self.initial.setdefault("contact_email", user.email)

    def statement_part(self):
        return [self[name] for name in self.STATEMENT_FIELDS]

    def contact_part(self):
        return [self[name] for name in self.CONTACT_FIELDS]
