"""Scheduled posts: compose once, check every platform's rules, publish exactly once on time.

``xtext``, ``rules`` and ``slots`` are pure (no Django); the rest is a Django app.
"""
