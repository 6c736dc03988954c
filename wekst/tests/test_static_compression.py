"""Static files are precompressed with brotli and gzip at collectstatic, and a client that accepts
brotli gets the brotli file (issue 20: `Accept-Encoding: br` was answered uncompressed)."""

from django.core.management import call_command
from whitenoise import WhiteNoise

COMPRESSED_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _get(app: WhiteNoise, path: str, accept_encoding: str) -> tuple[str, dict[str, str]]:
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "HTTP_ACCEPT_ENCODING": accept_encoding,
        "wsgi.url_scheme": "https",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443",
    }
    body = app(environ, start_response)
    if hasattr(body, "close"):
        body.close()
    return answer["status"], answer["headers"]


def test_static_files_are_served_brotli_compressed_to_a_client_that_accepts_it(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": COMPRESSED_STORAGE}}
    call_command("collectstatic", interactive=False, verbosity=0)

    [script] = [p for p in tmp_path.rglob("consent.*.js") if p.suffix == ".js"]
    assert script.with_name(script.name + ".br").exists()
    assert script.with_name(script.name + ".gz").exists()

    app = WhiteNoise(None, root=tmp_path, prefix="static/")
    path = "/static/" + script.relative_to(tmp_path).as_posix()
    status, headers = _get(app, path, "gzip, deflate, br")
    assert status.startswith("200") and headers.get("Content-Encoding") == "br"
    status, headers = _get(app, path, "gzip")
    assert status.startswith("200") and headers.get("Content-Encoding") == "gzip"
    status, headers = _get(app, path, "")
    assert status.startswith("200") and "Content-Encoding" not in headers
