"""Platform connectors for X, Facebook, Instagram and LinkedIn (see ``base.Connector``).

``connector_for(platform, account_id)`` is the one way the desk gets a connector: the connected
account's real one, or a ``RecordingConnector`` that reaches no platform (and says so) when the
account has no credentials. ``reply_connector(platform)`` serves ``civildesk.inbox.connectors``.
Importing this package is cheap and needs no Django; the functions start it when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from civildesk.inbox.connectors import ReplyConnector, ReplyTarget, SentReply
    from civildesk.platforms.base import Connector

__all__ = ["AccountRouter", "connector_for", "reply_connector"]


def connector_for(platform: str, account_id: str) -> Connector:
    from civildesk.platforms import registry
    from civildesk.platforms.local import RecordingConnector
    from civildesk.platforms.models import PlatformAccount
    from civildesk.platforms.services import build_connector

    account = PlatformAccount.objects.filter(platform=platform, account_id=account_id, active=True).first()
    if account is None or not account.has_credentials:
        return RecordingConnector(platform, account_id, registry.capabilities(platform))
    return cast("Connector", build_connector(account))


class AccountRouter:
    """Sends each reply through the connector of the account the message arrived on."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.name = f"{platform} connector"

    def reply_public(self, target: ReplyTarget, text: str) -> SentReply:
        return self._connected(target).reply_public(target, text)

    def reply_private(self, target: ReplyTarget, text: str) -> SentReply:
        return self._connected(target).reply_private(target, text)

    def _connected(self, target: ReplyTarget) -> Connector:
        from civildesk.platforms.errors import PermissionDenied
        from civildesk.platforms.local import RecordingConnector

        connector = connector_for(target.platform, target.account_id)
        if isinstance(connector, RecordingConnector):
            # Other accounts on this platform are connected, this one is not: say so rather
            # than record a reply as sent that reached nobody.
            raise PermissionDenied(
                f"{target.platform} account {target.account_id} is not connected: the reply was not sent"
            )
        return connector


def reply_connector(platform: str) -> ReplyConnector:
    """The local outbox while no account on ``platform`` is connected, so the desk shows honestly
    that replies go nowhere; otherwise a router to each account's connector."""
    from civildesk.inbox.connectors import LocalOutbox
    from civildesk.platforms.models import PlatformAccount

    connected = PlatformAccount.objects.filter(platform=platform, active=True).exclude(
        credentials_encrypted=""
    )
    if not connected.exists():
        return LocalOutbox()
    return AccountRouter(platform)
