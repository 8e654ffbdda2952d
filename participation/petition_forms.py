"""Forms of the petition pages: they validate; the actions in petition_actions write."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.forms import RegionField
from participation.models import Agency, Region
from participation.petition_models import PetitionDecision


class AgencyField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class PetitionForm(forms.Form):
    agency = AgencyField(
        queryset=Agency.objects.all(),
        label=_("Addressed to"),
        help_text=_("The body that must respond. Its level sets the number of signatures needed."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("What you ask for, and why"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown is allowed. Checked by moderators before it is shown."),
    )


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("What you ask for, and why"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Markdown is allowed. Checked by moderators before it is shown."),
    )


class CachedRegionField(RegionField):
    """A region choice validated against the regions read at most once a minute per
    process: the sign form is the hot path of a spike, and the 20 regions hardly change."""

    def to_python(self, value: Any) -> Region | None:
        if value in self.empty_values:
            return None
        try:
            pk = int(value)
            found = _regions().get(pk) or _regions(fresh=True)[pk]  # a new region: read again
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None
        return found

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


_REGIONS: tuple[float, dict[int, Region]] = (0.0, {})


def _regions(*, fresh: bool = False) -> dict[int, Region]:
    global _REGIONS
    read_at, regions = _REGIONS
    if fresh or time.monotonic() - read_at > 60 or not regions:
        regions = {region.pk: region for region in Region.objects.all()}
        _REGIONS = (time.monotonic(), regions)
    return regions


class SignForm(forms.Form):
    region = CachedRegionField(
        queryset=Region.objects.all(),
        required=False,
        label=_("Your region (optional)"),
        empty_label="—",
        help_text=_("Counted in the signatures by region."),
    )
    public = forms.BooleanField(
        required=False,
        label=_("Show my public name under the petition"),
        help_text=_("Otherwise you sign anonymously. Your e-mail is never shown."),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=PetitionDecision.choices)
    note = forms.CharField(label=_("Note to the author (optional)"), max_length=500, required=False)


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("The response"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is allowed. Published on the petition page."),
    )


class InvalidateForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What to do with the matching signatures"),
        choices=[
            ("invalidate", _("Invalidate them (fraud)")),
            ("count", _("Count those held over an address's rate limit (checked)")),
        ],
        initial="invalidate",
        required=False,  # invalidate unless told otherwise
    )
    since = forms.DateTimeField(
        label=_("Signed from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = forms.DateTimeField(
        label=_("Signed before"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    domain = forms.CharField(label=_("E-mail domain"), max_length=254, required=False)
    ip = forms.GenericIPAddressField(label=_("Address (IP)"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name in ("since", "until", "domain", "ip")):
            raise ValidationError(_("Give a time window, an e-mail domain or an address."))
        since, until = data.get("since"), data.get("until")
        if since and until and since >= until:
            raise ValidationError(_("The window must end after it starts."))
        return data
