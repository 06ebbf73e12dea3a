from django import forms


class NotificationPreferenceForm(forms.Form):
    """Each kind of email on or off. An unticked box is "off" (a browser sends nothing for it)."""

    p1_incident = forms.BooleanField(required=False)
    breach_case = forms.BooleanField(required=False)
    daily_digest = forms.BooleanField(required=False)
