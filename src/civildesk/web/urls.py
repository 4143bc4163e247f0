from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from civildesk.web.views import auth, messages, pages

urlpatterns = [
    path("", pages.inbox, name="inbox"),
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("login/", auth.DeskLoginView.as_view(), name="login"),
    path("logout/", auth.DeskLogoutView.as_view(), name="logout"),
    path("messages/<int:pk>/", messages.message_view, name="message"),
    path("messages/<int:pk>/assign/", messages.assign_view, name="message-assign"),
    path("messages/<int:pk>/transition/", messages.transition_view, name="message-transition"),
    path("messages/<int:pk>/notes/", messages.note_view, name="message-note"),
    path("messages/<int:pk>/reply/", messages.reply_view, name="message-reply"),
    path("messages/<int:pk>/reply/check/", messages.reply_check_view, name="message-reply-check"),
    path(
        "messages/<int:pk>/reply/unconfirmed/",
        messages.reply_unconfirmed_view,
        name="message-reply-unconfirmed",
    ),
    path("messages/<int:pk>/history/", messages.history_view, name="message-history"),
    path("admin/", admin.site.urls),
    path("", include("civildesk.publishing.urls")),
    path("api/", include("civildesk.api.urls")),
    path("", include("civildesk.platforms.urls")),  # issue 5: platform webhooks
    # issue 7: weekly reports
    path("", include("civildesk.reports.urls")),
    # issue 9: the public house-rules page (no login) and passing messages on
    path("", include("civildesk.public.urls")),
    path("", include("civildesk.handoff.urls")),
    path("", include("civildesk.moderation.urls")),  # issue 6: moderation queue, appeals
    path("", include("civildesk.ops.urls")),  # /healthz, /readyz, /metrics
    path("", include("civildesk.mailbox.urls")),  # issue 9: appeals mailbox (unmatched mail)
]
