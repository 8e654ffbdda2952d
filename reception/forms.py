from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from participation.forms import RegionField
from participation.iin import validate_iin
from participation.models import Agency, Official, Region, User
from reception.live_actions import moderator_candidates
from reception.models import SESSION_LANGUAGES, Appeal, LiveSession

# What a citizen may attach: documents and photos, recognised by their first bytes.
ALLOWED_FILES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}
MAX_FILES = 5


def max_file_bytes() -> int:
    return int(getattr(settings, "RECEPTION_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))


def sniff(upload: Any) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, never from its name."""
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in ALLOWED_FILES.items():
        if head.startswith(magic):
            return kind
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(_("At most %(count)s files.") % {"count": MAX_FILES})
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            if upload.size > max_file_bytes():
                raise ValidationError(
                    _("%(name)s is larger than %(size)s MB.")
                    % {"name": upload.name, "size": max_file_bytes() // (1024 * 1024)}
                )
            if sniff(upload) is None:
                raise ValidationError(
                    _("%(name)s is not a PDF, PNG or JPEG file.") % {"name": upload.name}
                )
            cleaned.append(upload)
        return cleaned


class AppealForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"), choices=Appeal.Kind.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(
        label=_("Your appeal"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Describe the situation, the place and what you ask for. Markdown is allowed."),
    )
    is_public = forms.TypedChoiceField(
        label=_("Who may read it?"),
        coerce=lambda value: value == "public",
        choices=[
            ("public", _("Everyone: the appeal and its answer appear in the reception room")),
            ("private", _("Only me and the office")),
        ],
        initial="public",
        widget=forms.RadioSelect,
    )
    attachments = AttachmentsField(
        label=_("Files (optional)"),
        required=False,
        help_text=_("Up to 5 PDF, PNG or JPEG files, 10 MB each."),
    )


class OperatorAppealForm(AppealForm):
    """An operator at a public service centre writes for a citizen who came in person."""

    iin = forms.CharField(
        label=_("The citizen's IIN"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    full_name = forms.CharField(label=_("The citizen's full name"), max_length=200)
    email = forms.EmailField(
        label=_("The citizen's e-mail (optional)"),
        required=False,
        help_text=_("If given, the tracking number is sent there too."),
    )
    region = RegionField(queryset=Region.objects.all(), required=False, label=_("Region"))
    agency = forms.ModelChoiceField(
        label=_("Addressed to"), queryset=Agency.objects.order_by("name_en")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].label_from_instance = lambda agency: agency.name  # type: ignore[attr-defined]
        order = ["iin", "full_name", "email", "region", "agency"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def clean_iin(self) -> str:
        value = "".join(self.cleaned_data["iin"].split())
        validate_iin(value)
        return value


class ForwardForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        label=_("Forward to"), queryset=Agency.objects.order_by("name_en")
    )
    reason = forms.CharField(
        label=_("Why this agency is competent"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].label_from_instance = lambda agency: agency.name  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        from reception.actions import office_people

        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = office_people(agency)  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.public_name  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("What the citizen should clarify"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClarifyForm(forms.Form):
    text = forms.CharField(
        label=_("Your clarification"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ExtendForm(forms.Form):
    working_days = forms.IntegerField(
        label=_("Extend by (working days)"), min_value=1, max_value=40
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Appeal.Outcome.choices)
    text = forms.CharField(
        label=_("Answer"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with the answer?"),
        choices=Appeal.Rating.choices,
        widget=forms.RadioSelect,
    )


class NoticeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasoned notice"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Live sessions -----------------------------------------------------------------


class OfficialChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.agency.name}"


class PeopleChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.public_name)


class LiveSessionForm(forms.Form):
    """Scheduling a live session. ``officials``: those the person may schedule for."""

    official: forms.ModelChoiceField[Official] = forms.ModelChoiceField(
        label=_("Host"), queryset=Official.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("What it is about"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at (Almaty time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"), min_value=10, max_value=480, initial=60
    )
    language = forms.ChoiceField(label=_("Language"), choices=SESSION_LANGUAGES)
    mode = forms.ChoiceField(
        label=_("Moderation"),
        choices=LiveSession.Mode.choices,
        widget=forms.RadioSelect,
        initial=LiveSession.Mode.PREMODERATED,
    )
    posting = forms.ChoiceField(
        label=_("Who may post"),
        choices=LiveSession.Posting.choices,
        widget=forms.RadioSelect,
        initial=LiveSession.Posting.EVERYONE,
    )
    slow_mode_seconds = forms.IntegerField(
        label=_("Slow mode: seconds between two messages of one person"),
        min_value=0,
        max_value=3600,
        initial=10,
    )

    cohosts = OfficialChoices(
        label=_("Co-hosts (optional)"),
        queryset=Official.objects.none(),
        required=False,
        help_text=_("Other officials who answer with the host."),
    )
    moderators = PeopleChoices(
        label=_("Session moderators (optional)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "People of the office who approve and hide messages during the session; "
            "the agency's moderators always may."
        ),
    )

    def __init__(self, *args: Any, officials: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["official"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = officials
        cohosts = self.fields["cohosts"]
        assert isinstance(cohosts, forms.ModelMultipleChoiceField)
        cohosts.queryset = Official.objects.select_related("agency").order_by("slug")
        # The offices of the officials offered as host: who may moderate for them
        # (the action checks against the host chosen).
        moderators = self.fields["moderators"]
        assert isinstance(moderators, forms.ModelMultipleChoiceField)
        moderators.queryset = moderator_candidates(
            official.agency for official in officials.select_related("agency")
        )


class LiveTextForm(forms.Form):
    """A chat message or a question, posted without JavaScript."""

    text = forms.CharField(
        label=_("Your question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
