"""The desk's web application: the Django project (settings, urls), people and roles, pages."""
