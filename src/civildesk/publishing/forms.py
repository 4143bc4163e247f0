"""The compose/edit form: words, accounts, local date and time, image, approval."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms

from civildesk.inbox.models import Account
from civildesk.inbox.sla import WorkingHours
from civildesk.publishing import rules
from civildesk.publishing.services import Draft

MAX_TEXT = max(rules.TEXT_LIMITS.values())


class AccountChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        account: Account = obj
        return f"{account.get_platform_display()}: {account.handle or account.name or account.platform_account_id}"


class PostForm(forms.Form):
    text = forms.CharField(
        label="Post",
        widget=forms.Textarea(attrs={"rows": 6, "class": "nhsuk-textarea"}),
        max_length=MAX_TEXT,
        strip=False,
    )
    accounts = AccountChoices(
        label="Accounts",
        queryset=Account.objects.filter(active=True).order_by("platform", "handle"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one account"},
    )
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "nhsuk-input nhsuk-input--width-10"}
        ),
        input_formats=["%Y-%m-%d"],
    )
    time = forms.TimeField(
        label="Time",
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "class": "nhsuk-input nhsuk-input--width-10"}
        ),
        input_formats=["%H:%M", "%H:%M:%S"],
    )
    media_url = forms.URLField(
        label="Image address (optional; Instagram needs one)",
        required=False,
        max_length=1000,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "nhsuk-input"}),
    )
    needs_approval = forms.BooleanField(
        label="Ask a moderator to approve it before it is published", required=False
    )

    def draft(self, hours: WorkingHours) -> Draft:
        data = self.cleaned_data
        when: datetime = hours.at(data["date"], data["time"])
        return Draft(
            text=data["text"],
            account_ids=tuple(a.pk for a in data["accounts"]),
            scheduled_at=when,
            media_url=data.get("media_url") or "",
            needs_approval=bool(data.get("needs_approval")),
        )
