from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from participation import notify
from participation.models import Region, User


class RegionField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Region) -> str:
        return obj.name


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    region = RegionField(
        queryset=Region.objects.all(), required=False, label=_("Region"), empty_label="—"
    )

    # Longer than 12 so that "850101 300005", as people write it, reaches clean_iin;
    # the model's validator then checks digits, date of birth and check digit.
    iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=20,
        help_text=_("Optional. Private: never shown in public, in exports or in the API."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = User
        fields = ["display_name", "bio", "real_name", "region", "preferred_language", "iin"]
        widgets = {
            "real_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_iin(self) -> str | None:
        value: str = (self.cleaned_data.get("iin") or "").strip().replace(" ", "")
        return value or None

    def clean_display_name(self) -> str:
        return " ".join(self.cleaned_data.get("display_name", "").split())


class NotificationPreferencesForm(forms.Form):
    """Two checkboxes per kind the person can receive: by e-mail, and in the page."""

    def __init__(
        self, *args: Any, kinds: list[str], current: dict[str, tuple[bool, bool]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            label = notify.delivery(kind).label
            email, in_page = current[kind]
            # Translators: the checkbox's label for screen readers; {} is a notification kind.
            by_email = format_lazy(_("{}: by e-mail"), label)
            # Translators: the checkbox's label for screen readers; {} is a notification kind.
            in_the_page = format_lazy(_("{}: in the page"), label)
            self.fields[f"email_{kind}"] = forms.BooleanField(
                required=False, initial=email, label=by_email
            )
            self.fields[f"page_{kind}"] = forms.BooleanField(
                required=False, initial=in_page, label=in_the_page
            )

    def chosen(self) -> dict[str, tuple[bool, bool]]:
        """{kind: (by e-mail, in the page)}, once the form is valid."""
        return {
            kind: (
                bool(self.cleaned_data[f"email_{kind}"]),
                bool(self.cleaned_data[f"page_{kind}"]),
            )
            for kind in self.kinds
        }

    def groups(self) -> list[tuple[str, list[tuple[str, forms.BoundField, forms.BoundField]]]]:
        """For the template: [(group title, [(kind label, e-mail box, page box)])]."""
        grouped: dict[str, list[tuple[str, forms.BoundField, forms.BoundField]]] = {}
        for kind in self.kinds:
            delivery = notify.delivery(kind)
            grouped.setdefault(delivery.group, []).append(
                (str(delivery.label), self[f"email_{kind}"], self[f"page_{kind}"])
            )
        return [(str(notify.GROUPS[group]), rows) for group, rows in grouped.items()]


class TransparencyFilterForm(forms.Form):
    """The period, region and order of the transparency pages (GET, no JavaScript)."""

    period = forms.ChoiceField(label=_("Period"), required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = RegionField(
        queryset=Region.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Region"),
        empty_label=_("All regions"),
    )
    sort = forms.ChoiceField(label=_("Rank by"), required=False)

    def __init__(self, *args: Any, with_ranking: bool = True, **kwargs: Any) -> None:
        from participation.transparency import Preset, Sort

        super().__init__(*args, **kwargs)
        period, order = self.fields["period"], self.fields["sort"]
        assert isinstance(period, forms.ChoiceField) and isinstance(order, forms.ChoiceField)
        period.choices = [(preset.value, preset.label) for preset in Preset]
        order.choices = [(sort.value, sort.label) for sort in Sort]
        if not with_ranking:
            del self.fields["region"]
            del self.fields["sort"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (start or end) and data.get("period") in ("", None):
            data["period"] = "custom"
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “my civic-tech app”."),
    )
