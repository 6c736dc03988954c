"""The MAILERS setting built from the values settings.py reads from the environment: SMTP with
its options, or any other backend (console in development, django-anymail) as it is."""


def mailer_settings(
    backend: str, *, host: str, port: int, username: str, password: str, use_tls: bool
) -> dict:
    smtp = backend.endswith("smtp.EmailBackend")
    options = {
        "host": host,
        "port": port,
        "username": username,
        "password": password,
        "use_tls": use_tls,
        "timeout": 10,
    }
    return {"default": {"BACKEND": backend, "OPTIONS": options if smtp else {}}}
