"""``civildesk simulate``: run the platform simulator, optionally connect the desk's accounts to
it, play a scenario at the desk's webhooks, then keep serving until Ctrl-C (or ``--once``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def add_subcommands(sub: Any) -> None:
    p = sub.add_parser("simulate", help="run the local platform simulator (X, Facebook, Instagram, LinkedIn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--scenario", help="a JSON or YAML scenario file to play at the desk")
    p.add_argument(
        "--connect-desk",
        action="store_true",
        help="create or update the desk's platform accounts for the scenario's accounts, aimed at the simulator",
    )
    p.add_argument(
        "--desk-url", default="http://127.0.0.1:8000", help="the desk's base URL (for --connect-desk)"
    )
    p.add_argument("--once", action="store_true", help="stop after the scenario and print what the desk did")
    p.set_defaults(func=cmd_simulate)


def connect_desk(sim: Any, scenario: dict[str, Any], desk_url: str) -> None:
    """Point each scenario account at the simulator, and fill in its webhook URL and secret."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civildesk.web.settings")
    import django

    django.setup()
    from django.urls import reverse

    from civildesk.platforms.models import PlatformAccount
    from civildesk.simulator.accounts import SECRETS, credentials_for

    for name, acct in (scenario.get("accounts") or {}).items():
        platform, account_id = acct["platform"], str(acct["account_id"])
        account, _ = PlatformAccount.objects.get_or_create(
            platform=platform, account_id=account_id, defaults={"name": name}
        )
        account.api_base_url = sim.base_url(platform)
        creds = credentials_for(platform)
        if acct.get("secret"):
            creds[next(k for k in creds if k.endswith("secret"))] = acct["secret"]
        account.set_credentials(creds)
        account.save()
        acct["secret"] = acct.get("secret") or SECRETS[platform]
        acct["webhook"] = desk_url.rstrip("/") + reverse("platform-webhook", args=[account.webhook_key])
        print(f"connected {platform} {account_id} -> {acct['webhook']}")


def cmd_simulate(args: argparse.Namespace) -> int:
    from civildesk.simulator import scenario as scenarios
    from civildesk.simulator.server import Simulator

    sim = Simulator(args.host, args.port).start()
    print(
        f"platform simulator on {sim.url} (X {sim.base_url('x')}, Facebook {sim.base_url('facebook')}, ...)"
    )
    try:
        if args.scenario:
            path = Path(args.scenario)
            try:
                data = scenarios.load(path)
                if args.connect_desk:
                    connect_desk(sim, data, args.desk_url)
                for result in scenarios.run(sim, data, base_dir=path.parent):
                    print(f"step {result.step:>3}  {result.what:<40} {result.status or ''}")
            except (OSError, scenarios.ScenarioError, KeyError) as exc:
                print(f"error: scenario: {exc}", file=sys.stderr)
                return 2
        if not args.once:
            print("serving; Ctrl-C to stop")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for action in sim.recorded():
            print(
                json.dumps(
                    {
                        "platform": action.platform,
                        "op": action.op,
                        "method": action.method,
                        "path": action.path,
                        "status": action.status,
                    }
                )
            )
        sim.stop()
    return 0
