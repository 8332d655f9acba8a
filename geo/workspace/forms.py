"""The workspace's forms: their fields and labels; every rule about the data stays in the library.

The observation form only shapes what the browser sent. Whether it may be
recorded is decided by `geo.drafts` (the checks of `observe add`), and each
`geo.errors.Problem` found is shown beside the field it names
(`PROBLEM_FIELDS`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from geo.errors import Problem
from geo.observations import DECISIONS
from geo.schema import STATUSES, VISIBILITIES
from geo.workspace.models import Invitation
from geo.workspace.roles import ROLE_LABELS, ROLES

if TYPE_CHECKING:
    from collections.abc import Sequence

USERNAME = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")
NOTE_LIMIT = 4000

PROBLEM_FIELDS = {
    "status": "status",
    "observed_on": "observed_on",
    "reported_on": "reported_on",
    "before_scene": "before_scene",
    "after_scene": "after_scene",
    "evidence": "evidence_urls",
    "evidence_files": "evidence_files",
    "visibility": "visibility",
    "note": "note",
}
"""The form field each problem's `field` is shown beside; others (site, analyst) go above the form."""


def problem_text(problem: Problem) -> str:
    """A problem as the form shows it: what was found, then the fix."""
    return f"{problem.found}. {_('Fix')}: {problem.fix}."


class DateInput(forms.DateInput):
    """A browser date picker that sends `YYYY-MM-DD`."""

    input_type = "date"


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (none included); each is judged later by `geo.workspace.uploads`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        """The uploaded files as a list."""
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def _choices(values: Sequence[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class ObservationForm(forms.Form):
    """What a monitor saw at one site: status, dates, evidence, scenes, note, visibility."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *_choices(STATUSES)], required=False)
    observed_on = forms.CharField(
        label=_("Observed on"),
        required=False,
        widget=DateInput(),
        help_text=_("The date of the evidence: the imagery or the visit (YYYY-MM-DD)."),
    )
    reported_on = forms.CharField(
        label=_("Reported on"),
        required=False,
        widget=DateInput(),
        help_text=_("When the evidence was published, if it was (YYYY-MM-DD)."),
    )
    evidence_urls = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One http(s) address a line: the report, the post, the article."),
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"),
        help_text=_("Photos (JPEG, PNG, GIF, WebP, TIFF) or PDFs; each is hashed (SHA-256) when it arrives."),
    )
    before_scene = forms.ChoiceField(label=_("Before scene"), required=False)
    after_scene = forms.ChoiceField(label=_("After scene"), required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the imagery or the source shows. Shown as text, never as markup."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"),
        choices=_choices(VISIBILITIES),
        initial="public",
        help_text=_("Internal observations never reach the public maps or exports."),
    )

    def __init__(self, *args: Any, scenes: Sequence[dict[str, Any]] = (), max_upload: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("none"))] + [(str(s["id"]), scene_label(s)) for s in scenes]
        for name in ("before_scene", "after_scene"):
            self.fields[name].choices = choices
        if max_upload:
            self.fields["evidence_files"].help_text = f"{self.fields['evidence_files'].help_text} " + str(
                _("At most %(size)s a file.") % {"size": max_upload}
            )

    def evidence_urls_list(self) -> list[str]:
        """The evidence links, one a line, blank lines dropped."""
        return [line.strip() for line in self.cleaned_data.get("evidence_urls", "").splitlines() if line.strip()]

    def show(self, problems: Sequence[Problem]) -> None:
        """Put each problem beside its field (or above the form when it names none of them)."""
        for problem in problems:
            self.add_error(PROBLEM_FIELDS.get(problem.field or ""), problem_text(problem))


def scene_label(summary: dict[str, Any]) -> str:
    """A scene in a choice list: id, date, provider, resolution and how it covers the site."""
    parts = [str(summary["id"]), str(summary.get("date") or _("undated")), str(summary.get("provider") or "")]
    if summary.get("gsd"):
        parts.append(f"{summary['gsd']} m")
    if summary.get("coverage") == "asserted":
        parts.append(str(_("coverage asserted by its source")))
    return " · ".join(p for p in parts if p)


def reported_on_problem(reported_on: str, observed_on: str, today: date) -> Problem | None:
    """Why `reported_on` cannot be recorded: not a day, in the future, or before the evidence it reports."""
    fix = str(_("give the day the evidence was published as YYYY-MM-DD, or leave it empty"))
    try:
        day = date.fromisoformat(reported_on) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", reported_on) else None
    except ValueError:
        day = None
    if day is None:
        return Problem(field="reported_on", found=f"{reported_on!r} is not a calendar date", fix=fix)
    if day > today:
        return Problem(field="reported_on", found=f"{reported_on} is after today ({today.isoformat()})", fix=fix)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", observed_on) and reported_on < observed_on:
        return Problem(field="reported_on", found=f"{reported_on} is before the evidence ({observed_on})", fix=fix)
    return None


class ReviewForm(forms.Form):
    """A reviewer's decision and why."""

    decision = forms.ChoiceField(label=_("Decision"), choices=_choices(DECISIONS))
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))


class InviteForm(forms.Form):
    """An admin's invitation: the account's username, the person's name and their role."""

    username = forms.CharField(
        label=_("Username"),
        max_length=40,
        help_text=_("Lower-case letters, digits, '.', '_' or '-', starting with a letter. It is the name the log records."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=120)
    role = forms.ChoiceField(label=_("Role"), choices=[(role, ROLE_LABELS[role]) for role in ROLES], initial="analyst")

    def clean_username(self) -> str:
        """A new username that can stand in the log as an analyst's name."""
        username = self.cleaned_data["username"].strip()
        if not USERNAME.match(username):
            raise forms.ValidationError(_("Use lower-case letters, digits, '.', '_' or '-', starting with a letter."))
        taken = get_user_model().objects.filter(username__iexact=username).exists()
        if taken or Invitation.objects.filter(username__iexact=username, accepted_at__isnull=True).exists():
            raise forms.ValidationError(_("This username is taken or already invited."))
        return username


class ImportForm(forms.Form):
    """A KoBoToolbox or ODK export (CSV) to preview."""

    export = forms.FileField(label=_("CSV export"), help_text=_("UTF-8, comma or semicolon separated (docs/observations.md)."))
    ignore = forms.CharField(
        label=_("Columns to skip"),
        required=False,
        help_text=_("Form-tool columns that are not observation fields, such as start end today deviceid (separated by spaces)."),
    )

    def ignored(self) -> list[str]:
        """The column names to skip, as `observe import --ignore-column` takes them."""
        return self.cleaned_data.get("ignore", "").replace(",", " ").split()
