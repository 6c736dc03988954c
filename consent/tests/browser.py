"""Helpers for the consent browser tests: an offline stand-in for Google and YouTube.

Every request that leaves the live server is answered here, never sent on: the Google tag gets a
tiny fake that behaves like gtag.js where the tests look (it reads the dataLayer, honours consent
and `ga-disable-<id>`, sets the _ga cookies and sends a collect request), YouTube gets an empty
page, anything else is aborted. The page's `requests` still lists every URL the browser asked for.
"""

import re
from urllib.parse import urlsplit

MEASUREMENT_ID = "G-TEST1234"
GTAG_URL = f"https://www.googletagmanager.com/gtag/js?id={MEASUREMENT_ID}"
COLLECT_HOST = "www.google-analytics.com"

FAKE_GTAG = """
(function () {
  var id = new URL(document.currentScript.src).searchParams.get("id"), consent = {}, config = {};
  window.__fakeGtagLoaded = true;
  function handle(args) {
    if (args[0] === "consent") Object.assign(consent, args[2]);
    if (args[0] !== "config" && args[0] !== "event") return;
    if (args[0] === "config") Object.assign(config, args[2] || {});
    if (window["ga-disable-" + id]) return;
    if (consent.analytics_storage === "granted") {
      document.cookie = "_ga=GA1.1.111.222; Path=/; Max-Age=3600";
      document.cookie = "_ga_" + id.slice(2) + "=GS1.1.333; Path=/; Max-Age=3600";
    }
    if (consent.ad_storage === "granted") document.cookie = "_gcl_au=1.1.444; Path=/; Max-Age=3600";
    var name = args[0] === "config" ? "page_view" : args[1];
    // As gtag.js: the page's address and referrer, unless the config gave others (dl, dr).
    var dl = config.page_location || location.href,
      dr = config.page_referrer !== undefined ? config.page_referrer : document.referrer;
    fetch("https://www.google-analytics.com/g/collect?tid=" + id + "&en=" + name +
      "&dl=" + encodeURIComponent(dl) + "&dr=" + encodeURIComponent(dr),
      {method: "POST", mode: "no-cors"});
  }
  var layer = window.dataLayer = window.dataLayer || [], push = layer.push;
  for (var i = 0; i < layer.length; i++) handle(layer[i]);
  layer.push = function () {
    for (var j = 0; j < arguments.length; j++) handle(arguments[j]);
    return push.apply(layer, arguments);
  };
})();
"""

FAKE_VIDEO = "<!doctype html><title>video</title><p>a video</p>"


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _answer(route) -> None:
    host = urlsplit(route.request.url).hostname or ""
    if host == "www.googletagmanager.com":
        route.fulfill(status=200, content_type="text/javascript", body=FAKE_GTAG)
    elif host == COLLECT_HOST:
        route.fulfill(status=204, body="")
    elif host.endswith("youtube-nocookie.com"):
        route.fulfill(status=200, content_type="text/html", body=FAKE_VIDEO)
    else:
        route.abort()


def stand_in_for_third_parties(context, live_server) -> None:
    """Answer every request to another origin than the live server, offline (see above)."""
    own = re.escape(urlsplit(live_server.url).netloc)
    context.route(re.compile(rf"^(?!https?://{own}/)"), _answer)


def recorded_context(browser, live_server, **options):
    """A new browser context like the `page` fixture's, with the stand-ins; returns (ctx, page)."""
    context = browser.new_context(locale="en-GB", **options)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    stand_in_for_third_parties(context, live_server)
    page = context.new_page()
    page.requests = requests
    return context, page


def elsewhere(page, live_server, since: int = 0) -> list[str]:
    """URLs the page asked for at another origin than the live server (from index `since`)."""
    return [url for url in page.requests[since:] if origin(url) != origin(live_server.url)]


def cookie_names(page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def data_layer(page) -> list[list]:
    """window.dataLayer as lists (gtag pushes `arguments` objects)."""
    return page.evaluate(
        "() => (window.dataLayer || []).map(e => Array.from(e).map("
        "v => v instanceof Date ? 'date' : v))"
    )


def settle(page) -> None:
    """Wait until the page has nothing left in flight: one more round trip to the server."""
    page.evaluate("() => fetch('/.well-known/gpc.json').then(r => r.status)")
    page.wait_for_load_state("networkidle")
