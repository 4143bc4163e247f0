"""The simulated accounts' credentials (no pytest here: ``civildesk simulate`` uses them too)."""

from __future__ import annotations

# Credentials the simulated accounts use; the secrets sign deliveries (``simulator.deliver``).
SECRETS = {
    "x": "sim-x-consumer-secret",
    "facebook": "sim-meta-app-secret",
    "instagram": "sim-meta-app-secret",
    "linkedin": "sim-li-client-secret",
}
VERIFY_TOKEN = "sim-verify-token"


def credentials_for(platform: str) -> dict[str, str]:
    secret_name = {
        "x": "consumer_secret",
        "facebook": "app_secret",
        "instagram": "app_secret",
        "linkedin": "client_secret",
    }
    creds = {secret_name[platform]: SECRETS[platform], "access_token": f"sim-token-{platform}"}
    if platform in ("facebook", "instagram"):
        creds["verify_token"] = VERIFY_TOKEN
    return creds
