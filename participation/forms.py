from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
