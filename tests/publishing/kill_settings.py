"""Settings for the killed-worker test's subprocesses: the desk's, with a publisher that dies."""

from civildesk.web.settings import *  # noqa: F403

CIVILDESK_PUBLISH_CONNECTOR = "tests.publishing.fakes.killing_factory"
