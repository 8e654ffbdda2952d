from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists, links; start a line with > to quote.")


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Your message"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment on this paragraph"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=MARKDOWN_HELP,
    )


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Text"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text before your edit stays visible in the post's history."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the forums"), max_length=200, required=False)


def quote(text: str, author: str) -> str:
    """A post's text as a Markdown quote, to start a reply with."""
    lines = [f"> {line}" if line.strip() else ">" for line in text.strip().splitlines()[:40]]
    return f"> **{author}:**\n" + "\n".join(lines) + "\n\n"
