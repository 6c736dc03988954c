"""The Wekst platform: the Django project (settings, URLs, the site's shared templates)."""
