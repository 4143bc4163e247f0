"""The inbox: messages from every platform, their decisions, triage and the SLA clock.

Importing this package does not import Django models: ``civildesk.inbox.inbound`` (the message
every source builds) and ``civildesk.inbox.sla`` / ``triage`` (pure rules of the desk) work
without a configured project.
"""
