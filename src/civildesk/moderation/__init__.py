"""Moderation: actions with undo, protected criticism, author notices, appeals, the hash-chained
audit log, evidence packs and retention (issue 6). ``states`` and ``notices`` are pure."""
