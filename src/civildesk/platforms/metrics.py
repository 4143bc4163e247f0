"""The platforms app's Prometheus series (registered with ``civildesk.ops.metrics``).

``civildesk_webhook_rejections_total{platform,reason}``: deliveries the webhook endpoints refused
since the desk was installed. Read from the shared counter rows at scrape time, so every web
process reports the same totals and a restart resets nothing (a true Prometheus counter).
A rising ``signature_invalid`` is a forged-delivery probe or a platform secret rotated without
updating the desk; ``malformed`` is a sender that is not the platform.
"""

from __future__ import annotations

from datetime import datetime

from civildesk.ops.metrics import Metric, register
from civildesk.platforms.models import WebhookRejection


@register
def webhook_rejections(now: datetime) -> list[Metric]:
    metric = Metric(
        "civildesk_webhook_rejections_total",
        "Webhook deliveries refused (signature missing or invalid, malformed body), by platform and reason.",
        "counter",
    )
    for platform, reason, count in WebhookRejection.objects.values_list("platform", "reason", "count"):
        metric.add(count, platform=platform, reason=reason)
    return [metric]
