"""Admin forms for orders. They validate through the same service checks (so errors show on the form,
with the input kept); saving goes through the services too (see ``orders.admin``)."""

import base64
import json

from django import forms
from django.forms.fields import InvalidJSONInput
from django.forms.models import BaseInlineFormSet

from accounts.access import beats_for, retailers_trading_for
from accounts.models import Store
from core.exceptions import ApplicationError
from core.filters import IdsChoiceField
from orders.events import OFFENDER_FIELDS
from orders.models import Offender, Order, Prohibition, ReferencePhoto
from orders.services.offenders import offender_clean
from orders.services.orders import order_check_replaces, order_clean
from orders.services.prohibitions import ProhibitionInput, clean_prohibition
from orders.services.staged_photos import StagedPhoto, photo_stage, photo_staged, photo_unstage


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

    def to_python(self, value):
        try:
            return super().to_python(value)
        except RecursionError:  # brackets nested thousands deep: refused like any text that is not JSON
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"value": "…"}) from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except RecursionError:  # shown back as typed, like any other text that is not JSON
            return InvalidJSONInput(data)


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
    remove_prohibitions = IdsChoiceField(
        queryset=Prohibition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Prohibitions the court removed (no longer in effect from the variation day).",
    )

    add_stores = IdsChoiceField(
        queryset=Store.objects.none(),
        required=False,
        help_text="Named premises the court added (in effect from the variation day).",
    )
    add_zone = OptionalJSONField(
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


# The order desk (force admins, in the portal) -----------------------------------------------------------

PNC_HELP = "Police National Computer ID, e.g. 2009/0012345E (long) or 09/12345E (short), with its check letter."
PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OffenderDeskForm(forms.Form):
    """A person's details; checked with the service's own rules (``offender_clean``) so errors sit on fields."""

    given_names = forms.CharField(max_length=120)
    family_name = forms.CharField(max_length=120)
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Other names, one per line."
    )
    date_of_birth = forms.DateField(required=False, widget=DateInput())
    pnc_id = forms.CharField(label="PNC ID", max_length=20, required=False, help_text=PNC_HELP)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, force_id: int, instance: Offender | None = None, **kwargs):
        self.force_id, self.instance = force_id, instance
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        probe = Offender(
            pk=self.instance.pk if self.instance else None,
            force_id=self.force_id,
            **{f: cleaned.get(f) or ("" if f != "date_of_birth" else None) for f in OFFENDER_FIELDS},
        )
        try:
            offender_clean(probe)
        except ApplicationError as exc:
            apply_errors(self, exc)
        else:
            cleaned["pnc_id"] = probe.pnc_id
        return cleaned


class ReferencePhotoDeskForm(forms.Form):
    """A reference photo: the file, where it came from and when. A chosen file is staged as soon as the form
    is sent (``orders.services.staged_photos``), so an error elsewhere on the page never loses it: the page
    comes back with the photo shown and a hidden token in its place. ``required=False`` makes the whole
    photo optional (the new-person form), but a photo once chosen needs its source and date."""

    image = forms.FileField(
        label="Photo",
        required=False,
        widget=forms.FileInput(attrs={"accept": PHOTO_TYPES, "data-photo-preview": "photo-preview"}),
        help_text="A custody image with exactly one face, JPEG, PNG or WebP.",
    )
    staged_photo = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.CharField(
        required=False, max_length=200, help_text="Where it came from, e.g. 'Custody, Crewe suite'."
    )
    taken_on = forms.DateField(label="Taken on", required=False, widget=DateInput())

    def __init__(self, *args, user, photo_required: bool = True, **kwargs):
        self.user, self.photo_required = user, photo_required
        self.staged: StagedPhoto | None = None
        super().__init__(*args, **kwargs)

    @property
    def staged_token(self) -> str:
        return self.staged.token if self.staged else ""

    def clean(self):
        cleaned = super().clean()
        upload, token = cleaned.get("image"), cleaned.get("staged_photo") or ""
        if upload:
            try:
                new_token = photo_stage(user=self.user, upload=upload)
            except ApplicationError as exc:
                apply_errors(self, exc)
            else:
                photo_unstage(user=self.user, token=token)
                self.staged = photo_staged(user=self.user, token=new_token)
        elif token:
            self.staged = photo_staged(user=self.user, token=token)
            if self.staged is None:
                self.add_error("image", "The photo chosen earlier is no longer held: choose it again.")
        wanted = self.photo_required or self.staged or cleaned.get("source") or cleaned.get("taken_on")
        if wanted:
            if not self.staged and "image" not in self.errors:
                self.add_error("image", "Choose the photo to add.")
            if not (cleaned.get("source") or "").strip():
                self.add_error("source", "Say where the photo came from (e.g. 'Custody, Crewe suite').")
            if not cleaned.get("taken_on") and "taken_on" not in self.errors:
                self.add_error("taken_on", "Give the date the photo was taken.")
        return cleaned

    def has_photo(self) -> bool:
        return self.staged is not None


class OffenderSearchForm(forms.Form):
    q = forms.CharField(label="Name, alias or PNC ID", required=False, max_length=100)


class OrderDeskForm(forms.Form):
    """Step 1 of recording an order: the order itself, checked with ``order_clean``."""

    offender = forms.ModelChoiceField(queryset=Offender.objects.none(), label="Person")
    kind = forms.ChoiceField(choices=Order.Kind.choices, initial=Order.Kind.FULL, widget=forms.RadioSelect)
    court = forms.CharField(max_length=200, help_text="e.g. Crewe Magistrates' Court.")
    case_reference = forms.CharField(max_length=100, help_text="The court's case reference.")
    made_on = forms.DateField(label="Made on", widget=DateInput())
    effective_from = forms.DateField(label="In effect from", widget=DateInput())
    ends_on = forms.DateField(label="Last day", required=False, widget=DateInput(), help_text="Empty if indefinite.")
    indefinite = forms.BooleanField(label="Indefinite (until further order)", required=False)
    served_on = forms.DateField(
        label="Served on", required=False, widget=DateInput(), help_text="Leave empty if not yet served."
    )
    served_by = forms.CharField(required=False, max_length=200, help_text="Who served it, e.g. 'PC 1234 Jones, Crewe'.")
    youth = forms.BooleanField(label="Youth order (person under 18 when made: reviewed yearly)", required=False)
    positive_requirements = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    supervisor = forms.CharField(required=False, max_length=200, help_text="Who supervises the requirements.")
    replaces = forms.ModelChoiceField(
        queryset=Order.objects.none(),
        required=False,
        label="Replaces an interim order",
        empty_label="No: it replaces no interim order",
        help_text="A full order made after an interim one: the interim order stops the day this takes effect.",
    )

    ORDER_FIELDS = ["kind", "court", "case_reference", "made_on", "effective_from", "ends_on", "indefinite",
                    "served_on", "served_by", "youth", "positive_requirements", "supervisor"]  # fmt: skip

    def __init__(self, *args, offenders, interim_orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offender"].queryset = offenders
        self.fields["replaces"].queryset = interim_orders
        self.fields["replaces"].label_from_instance = lambda o: (
            f"{o.offender.full_name}: interim CBO {o.case_reference}, from {o.effective_from:%d/%m/%Y}"
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("served_by") and not cleaned.get("served_on"):
            self.add_error("served_on", "Give the day it was served, or leave 'served by' empty.")
            return cleaned
        probe = Order(offender=cleaned["offender"], **{f: cleaned.get(f) for f in self.ORDER_FIELDS})
        probe.served_by, probe.positive_requirements = probe.served_by or "", probe.positive_requirements or ""
        probe.supervisor = probe.supervisor or ""
        try:
            order_clean(probe)
            if cleaned.get("replaces") is not None:
                order_check_replaces(probe, cleaned["replaces"])
        except ApplicationError as exc:
            apply_errors(self, exc)
        return cleaned


class OrderCorrectForm(OrderDeskForm):
    """Details recorded wrongly (a typo in the court, a date keyed wrong), with why: the old and new values go in
    the history. What the court changed later is a variation, not a correction. The service date of an order
    not yet served is recorded by the service action, so it is not offered here."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="What was wrong, e.g. 'Case reference keyed wrongly'."
    )

    def __init__(self, *args, order: Order, **kwargs):
        self.order = order
        initial = {f: getattr(order, f) for f in self.ORDER_FIELDS}
        super().__init__(*args, initial=initial, offenders=Offender.objects.filter(pk=order.offender_id),
                         interim_orders=Order.objects.none(), **kwargs)  # fmt: skip
        del self.fields["offender"], self.fields["replaces"]
        if order.served_on is None:
            del self.fields["served_on"], self.fields["served_by"]

    def clean(self):
        self.cleaned_data["offender"] = self.order.offender
        for name in ("served_on", "served_by"):
            if name not in self.fields:
                self.cleaned_data[name] = getattr(self.order, name)
        cleaned = super().clean()
        if not self.errors and not self.changes():
            self.add_error(None, "Nothing was changed: correct a value, or close this form.")
        return cleaned

    def changes(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.changed_data if f in self.ORDER_FIELDS}


KIND_FIELDS = {
    Prohibition.Kind.PREMISES: ["stores"],
    Prohibition.Kind.RETAILER_AREA: ["retailer", "beats", "area_latitude", "area_longitude", "area_radius_m"],
    Prohibition.Kind.ZONE: ["polygon", "zone_latitude", "zone_longitude", "zone_radius_m"],
}
# The service's field names for the form's, by kind (the circle's inputs are named per kind, since both kinds'
# fields may be on the page at once).
_SERVICE_NAMES = {
    "area_latitude": "centre_latitude", "area_longitude": "centre_longitude", "area_radius_m": "radius_m",
    "zone_latitude": "centre_latitude", "zone_longitude": "centre_longitude", "zone_radius_m": "radius_m",
}  # fmt: skip


class ProhibitionStepForm(forms.Form):
    """One prohibition of the order being recorded. Only the chosen kind's fields are read (the others may be
    on the page, hidden); errors are the service's (``clean_prohibition``) against the order of step 1."""

    kind = forms.ChoiceField(choices=Prohibition.Kind.choices, widget=forms.RadioSelect, label="Kind of prohibition")
    description = forms.CharField(required=False, max_length=255, help_text="As worded in the order.")
    starts_on = forms.DateField(
        label="Own first day", required=False, widget=DateInput(), help_text="Only if later than the order's."
    )
    ends_on = forms.DateField(
        label="Own last day", required=False, widget=DateInput(), help_text="Only if earlier than the order's."
    )
    stores = IdsChoiceField(
        queryset=Store.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Stores"
    )
    retailer = forms.ModelChoiceField(queryset=None, required=False, empty_label="Choose the retailer")
    beats = IdsChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Within these beats"
    )
    area_latitude = forms.DecimalField(label="Centre latitude", required=False, max_digits=9, decimal_places=6)
    area_longitude = forms.DecimalField(label="Centre longitude", required=False, max_digits=9, decimal_places=6)
    area_radius_m = forms.IntegerField(label="Radius (metres)", required=False, min_value=1)
    polygon = forms.CharField(
        required=False,
        max_length=200_000,  # far above the 2000 positions a zone may have
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Zone outline (GeoJSON Polygon)",
        help_text='Drawn on the map, or typed: {"type": "Polygon", "coordinates": [[[-2.45, 53.09], [-2.43, 53.09], '
        "[-2.43, 53.105], [-2.45, 53.09]]]} (longitude first; the last point repeats the first).",
    )
    zone_latitude = forms.DecimalField(label="Centre latitude", required=False, max_digits=9, decimal_places=6)
    zone_longitude = forms.DecimalField(label="Centre longitude", required=False, max_digits=9, decimal_places=6)
    zone_radius_m = forms.IntegerField(label="Radius (metres)", required=False, min_value=1)

    def __init__(self, data=None, *args, user, order: Order, stores, **kwargs):
        if data is not None:
            # Only the chosen kind's fields are read: what another kind's (hidden) fields hold is dropped.
            data = data.copy()
            chosen = data.get("kind")
            for kind, names in KIND_FIELDS.items():
                for name in names if kind != chosen else ():
                    data.pop(name, None)
        super().__init__(data, *args, **kwargs)
        self.order = order
        self.fields["stores"].queryset = stores
        self.fields["retailer"].queryset = retailers_trading_for(user)
        self.fields["beats"].queryset = beats_for(user)
        self.prohibition: ProhibitionInput | None = None

    def clean_polygon(self):
        text = (self.cleaned_data.get("polygon") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
            raise forms.ValidationError(
                "The zone outline is not valid GeoJSON: draw it on the map or check the brackets and commas."
            ) from None
        if not isinstance(value, dict):
            raise forms.ValidationError('The zone outline must be a GeoJSON object: {"type": "Polygon", ...}.')
        return value

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind or self.errors:
            return cleaned
        own = {name: cleaned.get(name) for name in KIND_FIELDS[kind]}
        values = {_SERVICE_NAMES.get(name, name): value for name, value in own.items()}
        data = ProhibitionInput(
            kind=kind,
            description=cleaned.get("description") or "",
            starts_on=cleaned.get("starts_on"),
            ends_on=cleaned.get("ends_on"),
            **{k: (list(v) if k in ("stores", "beats") else v) for k, v in values.items() if v not in (None, "")},
        )
        form_name = {v: k for k, v in _SERVICE_NAMES.items() if k in own}
        for name, _code, message in clean_prohibition(data, self.order):
            name = form_name.get(name, name)
            self.add_error(name if name in self.fields and name not in self.errors else None, message)
        if not self.errors:
            self.prohibition = data
        return cleaned


class ServeForm(forms.Form):
    served_on = forms.DateField(label="Served on", widget=DateInput())
    served_by = forms.CharField(
        max_length=200,
        label="Served by",
        help_text="Who served it, e.g. 'PC 1234 Jones, Crewe'. Shown in evidence packs.",
    )


class DischargeDeskForm(OrderDischargeForm):
    discharged_on = forms.DateField(
        label="Discharged from", widget=DateInput(), help_text="First day the order no longer has effect."
    )


class VaryDeskForm(OrderVaryForm):
    add_zone = OptionalJSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An exclusion zone the court added: GeoJSON Polygon, longitude first, closed ring.",
    )
    varied_on = forms.DateField(label="Varied from", widget=DateInput(), help_text="Day the variation takes effect.")
    ends_on = forms.DateField(
        label="New last day", required=False, widget=DateInput(), help_text="Leave empty to keep the end as it is."
    )
