from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class DeclarationConfig(AppConfig):
    name = "declaration"
    verbose_name = "Declaration of processing"

    def ready(self) -> None:
        # Refuse to start on an invalid declaration: the site must never publish a policy, or
        # process data, that the declaration cannot vouch for.
        from declaration import (
            checks,  # noqa: F401 - registers the system checks
            clauses,  # noqa: F401 - registers the clause register's check
        )
        from declaration.schema import DeclarationError
        from declaration.selectors import get_declaration

        try:
            get_declaration()
        except DeclarationError as error:
            raise ImproperlyConfigured(str(error)) from None
