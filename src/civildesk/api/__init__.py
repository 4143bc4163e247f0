"""The JSON API (django-ninja): token authentication scoped by role, and the endpoints."""
