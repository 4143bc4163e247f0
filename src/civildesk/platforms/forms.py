"""The admin's account form: credentials are typed in, stored encrypted, and never shown again."""

from __future__ import annotations

from typing import Any

from django import forms

from civildesk.platforms.models import PlatformAccount

# One secret field per platform name, so the form stays one form for every platform.
SECRET_NAME = {
    "x": "consumer_secret",
    "facebook": "app_secret",
    "instagram": "app_secret",
    "linkedin": "client_secret",
}


class PlatformAccountForm(forms.ModelForm):  # type: ignore[type-arg]
    secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="X consumer secret, Meta app secret or LinkedIn client secret. Leave blank to keep the stored one.",
    )
    access_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Page / user access token. Leave blank to keep the stored one.",
    )
    verify_token = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Facebook and Instagram only: the verify token you typed into Meta's webhook settings.",
    )
    api_base_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="Leave blank for the platform's own API; set it to point at the simulator.",
    )
    api_version = forms.CharField(required=False, help_text="LinkedIn only: Linkedin-Version, e.g. 202606.")

    class Meta:
        model = PlatformAccount
        fields = ("platform", "account_id", "name", "api_base_url", "active")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        platform = data.get("platform")
        if not platform:
            return data
        stored = self.instance.credentials() if self.instance.pk else {}
        merged = dict(stored)
        typed = {
            SECRET_NAME[platform]: data.get("secret", ""),
            "access_token": data.get("access_token", ""),
            "verify_token": data.get("verify_token", "") if platform in ("facebook", "instagram") else "",
            "api_version": data.get("api_version", "") if platform == "linkedin" else "",
        }
        merged.update({k: v for k, v in typed.items() if v})
        needed = [SECRET_NAME[platform], "access_token"]
        if platform in ("facebook", "instagram"):
            needed.append("verify_token")
        missing = [n for n in needed if not merged.get(n)]
        if missing:
            raise forms.ValidationError(
                f"{platform} needs: {', '.join(m.replace('_', ' ') for m in missing)}"
            )
        self.merged_credentials = merged
        return data

    def save(self, commit: bool = True) -> PlatformAccount:
        account: PlatformAccount = super().save(commit=False)
        account.set_credentials(self.merged_credentials)
        if commit:
            account.save()
        return account
