from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation import registry
from moderation.models import DecisionAppeal, ModerationItem, Reason, Sanction, State

REPORT_REASONS = [
    (reason.value, reason.label)
    for reason in (
        Reason.INSULT,
        Reason.SPAM,
        Reason.PERSONAL_DATA,
        Reason.PRIVACY,
        Reason.UNLAWFUL,
        Reason.OFF_TOPIC,
        Reason.OTHER,
    )
]


class DecideForm(forms.Form):
    state = forms.ChoiceField(label=_("Decision"), choices=State.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RedactForm(forms.Form):
    """One field per text of the item, pre-filled; the original stays in the audit log."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=Reason.choices, initial=Reason.PERSONAL_DATA
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: ModerationItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moderated = registry.for_kind(item.kind)
        obj = item.content
        assert obj is not None, "the content of a moderation item was deleted"
        for name in moderated.all_fields:
            self.fields[f"text_{name}"] = forms.CharField(
                label=str(obj._meta.get_field(name).verbose_name).capitalize(),
                initial=getattr(obj, name),
                required=False,
                widget=forms.Textarea(attrs={"rows": 6})
                if name in moderated.text_fields
                else forms.TextInput(),
            )
        self.text_names = moderated.all_fields

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"text_{name}"] for name in self.text_names}


class BulkForm(forms.Form):
    items = forms.ModelMultipleChoiceField(queryset=ModerationItem.objects.all())
    state = forms.ChoiceField(label=_("Decision"), choices=State.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)


class ReportForm(forms.Form):
    kind = forms.CharField(widget=forms.HiddenInput, max_length=40)
    object_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=REPORT_REASONS)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Sanction"), choices=Sanction.Kind.choices)
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    hours = forms.IntegerField(
        label=_("For how many hours (mute)"), min_value=1, max_value=24 * 365, required=False
    )
    note = forms.CharField(label=_("Note to the person"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("kind") == Sanction.Kind.MUTE and not cleaned.get("hours"):
            self.add_error("hours", _("A mute needs a duration."))
        return cleaned


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why is the decision wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=DecisionAppeal.Outcome.choices)
