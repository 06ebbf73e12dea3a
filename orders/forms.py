"""Admin forms for orders. They validate through the same service checks (so errors show on the form,
with the input kept); saving goes through the services too (see ``orders.admin``)."""

import base64

from django import forms
from django.forms.models import BaseInlineFormSet

from accounts.models import Store
from core.exceptions import ApplicationError
from orders.events import OFFENDER_FIELDS
from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.services.offenders import offender_clean
from orders.services.orders import order_check_replaces, order_clean
from orders.services.prohibitions import ProhibitionInput, clean_prohibition


def apply_errors(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Put a service's errors on the form: on their fields where the form has them, otherwise at the top."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, messages in exc.fields.items():
        name = name.rsplit(".", 1)[-1]
        form.add_error(name if name in form.fields and name not in form.errors else None, messages)


class OffenderAdminForm(forms.ModelForm):
    scoped_force_id: int | None = None

    class Meta:
        model = Offender
        fields = ["force", "given_names", "family_name", "aliases", "date_of_birth", "pnc_id", "notes"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        force = cleaned.get("force")
        probe = Offender(
            pk=self.instance.pk,
            force_id=force.pk if force else (self.instance.force_id or self.scoped_force_id),
            **{f: cleaned.get(f) or ("" if f != "date_of_birth" else None) for f in OFFENDER_FIELDS},
        )
        try:
            offender_clean(probe)
        except ApplicationError as exc:
            apply_errors(self, exc)
        return cleaned


class ReferencePhotoInlineForm(forms.ModelForm):
    class Meta:
        model = ReferencePhoto
        fields = ["image", "source", "taken_on"]


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = [
            "offender",
            "kind",
            "replaces",
            "court",
            "case_reference",
            "made_on",
            "effective_from",
            "ends_on",
            "indefinite",
            "served_on",
            "served_by",
            "youth",
            "positive_requirements",
            "supervisor",
        ]
        widgets = {"positive_requirements": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        offender = cleaned.get("offender") or (self.instance.offender if self.instance.offender_id else None)
        if offender is None or not cleaned.get("made_on") or not cleaned.get("effective_from"):
            return cleaned
        fields = {f: cleaned[f] for f in self.Meta.fields if f in cleaned and f not in ("offender", "replaces")}
        probe = Order(pk=self.instance.pk, offender=offender, **fields)
        try:
            order_clean(probe)
            replaces = cleaned.get("replaces")
            if replaces is not None and not self.instance.pk:
                order_check_replaces(probe, replaces)
        except ApplicationError as exc:
            apply_errors(self, exc)
        return cleaned


class OptionalJSONField(forms.JSONField):
    """A JSON field that shows an empty box, not the word ``null``, when it holds nothing."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class ProhibitionInlineForm(forms.ModelForm):
    polygon = OptionalJSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text='GeoJSON Polygon, e.g. {"type": "Polygon", "coordinates": [[[-2.45, 53.09], [-2.43, 53.09], '
        "[-2.43, 53.105], [-2.45, 53.09]]]} (longitude first; the last point repeats the first).",
    )

    class Meta:
        model = Prohibition
        fields = [
            "kind",
            "description",
            "stores",
            "retailer",
            "beats",
            "centre_latitude",
            "centre_longitude",
            "radius_m",
            "polygon",
            "starts_on",
            "ends_on",
        ]


def prohibition_input(cleaned: dict) -> ProhibitionInput:
    return ProhibitionInput(
        kind=cleaned.get("kind") or "",
        description=cleaned.get("description") or "",
        stores=list(cleaned.get("stores") or []),
        retailer=cleaned.get("retailer"),
        beats=list(cleaned.get("beats") or []),
        centre_latitude=cleaned.get("centre_latitude"),
        centre_longitude=cleaned.get("centre_longitude"),
        radius_m=cleaned.get("radius_m"),
        polygon=cleaned.get("polygon"),
        starts_on=cleaned.get("starts_on"),
        ends_on=cleaned.get("ends_on"),
    )


class ProhibitionInlineFormSet(BaseInlineFormSet):
    """Checks each prohibition against the order being saved, with the service's own rules."""

    def clean(self):
        super().clean()
        order = self.instance
        if not order.offender_id or not order.effective_from or (not order.indefinite and not order.ends_on):
            return  # the order's own form has errors: those come first
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form) or form.errors:
                continue
            for name, _code, message in clean_prohibition(prohibition_input(form.cleaned_data), order):
                name = name.rsplit(".", 1)[-1]
                form.add_error(name if name in form.fields and name not in form.errors else None, message)


class OrderDischargeForm(forms.Form):
    discharged_on = forms.DateField(help_text="First day the order no longer has effect.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="The court's decision and hearing.")


class OrderVaryForm(forms.Form):
    varied_on = forms.DateField(help_text="Day the variation takes effect.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="The court's decision and hearing.")
    ends_on = forms.DateField(required=False, help_text="New last day (leave empty to keep the end as it is).")
    indefinite = forms.BooleanField(required=False, help_text="The order now runs indefinitely.")
    remove_prohibitions = forms.ModelMultipleChoiceField(
        queryset=Prohibition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Prohibitions the court removed (no longer in effect from the variation day).",
    )

    add_stores = forms.ModelMultipleChoiceField(
        queryset=Store.objects.none(),
        required=False,
        help_text="Named premises the court added (in effect from the variation day).",
    )
    add_zone = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="An exclusion zone the court added: GeoJSON Polygon, longitude first, closed ring.",
    )
    add_description = forms.CharField(required=False, max_length=255, help_text="Wording of what was added.")

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_prohibitions"].queryset = order.prohibitions.filter(removed_on__isnull=True)
        self.fields["add_stores"].queryset = Store.objects.filter(beat__force_id=order.offender.force_id)

    def added_prohibitions(self) -> list[ProhibitionInput]:
        data, added = self.cleaned_data, []
        if data.get("add_stores"):
            added.append(
                ProhibitionInput(
                    kind="premises", stores=list(data["add_stores"]), description=data.get("add_description", "")
                )
            )
        if data.get("add_zone"):
            added.append(
                ProhibitionInput(kind="zone", polygon=data["add_zone"], description=data.get("add_description", ""))
            )
        return added


class PremisesImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="CSV, UTF-8, header 'store_code,postcode' (optional 'retailer').")
    content = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, max_length=255)
    prohibition = forms.ModelChoiceField(
        queryset=Prohibition.objects.none(),
        required=False,
        empty_label="A new named-premises prohibition",
        help_text="Or add the stores to one of the order's named-premises prohibitions.",
    )

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prohibition"].queryset = order.prohibitions.filter(kind=Prohibition.Kind.PREMISES)

    def file_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read()
        if self.cleaned_data.get("content"):
            try:
                return base64.b64decode(self.cleaned_data["content"], validate=True)
            except ValueError:
                return None
        return None
