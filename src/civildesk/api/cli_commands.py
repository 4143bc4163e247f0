"""``civildesk api-token create|list|revoke``: tokens for systems that call the JSON API."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from civildesk.web.roles import ROLES


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("api-token", help="create, list or revoke JSON API tokens")
    tsub = p.add_subparsers(dest="token_command", required=True)
    c = tsub.add_parser("create", help="issue a token (shown once)")
    c.add_argument("--user", required=True, help="the desk user the token acts for")
    c.add_argument("--name", required=True, help="which system will use it")
    c.add_argument("--role", choices=ROLES, default="viewer", help="the most it may do (default viewer)")
    c.add_argument("--days", type=int, default=None, help="expire after this many days")
    c.set_defaults(func=cmd_create)
    ls = tsub.add_parser("list", help="list tokens (never their secrets)")
    ls.set_defaults(func=cmd_list)
    r = tsub.add_parser("revoke", help="revoke a token by its prefix")
    r.add_argument("prefix")
    r.set_defaults(func=cmd_revoke)


def cmd_create(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from civildesk.api.models import ApiToken

    user = get_user_model().objects.filter(username=args.user, is_active=True).first()
    if user is None:
        print(f"error: no active user {args.user!r}", file=sys.stderr)
        return 2
    expires = timezone.now() + timedelta(days=args.days) if args.days else None
    token, raw = ApiToken.issue(user, args.name, args.role, expires_at=expires)
    print(f"Token for {args.name} ({token.role}, acting as {user.get_username()}):")
    print(f"  {raw}")
    print("Shown once: store it now. Send it as 'Authorization: Bearer <token>'.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from civildesk.api.models import ApiToken

    for t in ApiToken.objects.select_related("user"):
        state = "revoked" if t.revoked_at else ("expired" if not t.active else "active")
        print(f"{t.prefix}…  {t.name:<30} {t.role:<10} {t.user.get_username():<20} {state}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from civildesk.web.cli_commands import _django

    _django()
    from django.utils import timezone

    from civildesk.api.models import ApiToken

    done = ApiToken.objects.filter(prefix=args.prefix, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not done:
        print(f"error: no active token with prefix {args.prefix!r}", file=sys.stderr)
        return 2
    print(f"revoked {args.prefix}")
    return 0
