/* Wekst consent: nothing optional loads before the visitor chooses. No dependencies; see docs/consent.md. */
(function () {
  "use strict";
  var d = document, w = window, box = d.getElementById("wekst-consent");
  if (!box) return;
  var form = box.querySelector("form"), receipt = box.querySelector(".wc-receipt"),
    data = box.dataset, ga = data.ga, guard = data.guard === "1",
    gpc = data.gpc === "1" || navigator.globalPrivacyControl === true,
    state = read(data.state), opener = null, gaOn = false, gaLoaded = false, native = false,
    KINDS = ["analytics", "marketing", "embedded"], DENIED = "denied", GRANTED = "granted";

  // "a1m0e1": analytics, marketing, embedded media; anything else means no valid choice.
  function read(code) {
    return /^a[01]m[01]e[01]$/.test(code || "") ?
      {analytics: code[1] === "1", marketing: code[3] === "1", embedded: code[5] === "1"} : null;
  }
  function each(selector, fn) { [].forEach.call(d.querySelectorAll(selector), fn); }

  // The ticks show the stored choice; a GPC signal refuses analytics and marketing (CON-07).
  function sync() {
    KINDS.forEach(function (kind) {
      var tick = form.elements[kind], refused = gpc && kind !== "embedded";
      tick.checked = !refused && !!(state && state[kind]);
      tick.disabled = refused;
    });
    form.elements.method.value = state ? "settings" : "banner";
    if (gpc) {
      form.elements.gpc.value = "1";
      box.querySelector(".wc-gpc").hidden = false;
    }
  }

  // The address GA4 is given (CON-10): no query string or fragment, each path segment a declared
  // revealing pattern marks with * replaced by the placeholder; another site's address is cut to
  // its origin. On a health-related page (data-guard) GA4 never starts at all.
  function address(url) {
    var u = new URL(url, location.href), path = u.pathname.split("/");
    if (u.origin !== location.origin) return u.origin + "/";
    JSON.parse(data.gaRedact || "[]").some(function (pattern) {
      var p = pattern.split("/"), rest = p[p.length - 1] === "**", n = p.length - rest;
      if (rest ? path.length < n : path.length !== n) return false;
      for (var i = 0; i < n; i++) if (p[i] !== path[i] && !(p[i] === "*" && path[i])) return false;
      for (i = 0; i < n; i++) if (p[i] === "*") path[i] = data.gaPlaceholder;
      return true;
    });
    return u.origin + path.join("/");
  }
  function gtag() { w.dataLayer.push(arguments); }
  function consent(type, analytics, marketing) {
    var ad = marketing ? GRANTED : DENIED;
    gtag("consent", type, {analytics_storage: analytics ? GRANTED : DENIED,
      ad_storage: ad, ad_user_data: ad, ad_personalization: ad});
  }
  // Google Consent Mode v2, basic form: the tag is fetched only now, after analytics consent,
  // with every type denied by default; ad_* are granted only with marketing consent (CON-05).
  function startGA(marketing) {
    w.dataLayer = w.dataLayer || [];
    w["ga-disable-" + ga] = false;
    if (!gaLoaded) consent("default", false, false);
    consent("update", true, marketing);
    gtag("set", "ads_data_redaction", !marketing);
    if (!gaLoaded) {
      gtag("js", new Date());
      gtag("config", ga, {cookie_expires: +data.gaExpires, page_location: address(location.href),
        page_referrer: d.referrer && address(d.referrer)});
      var script = d.createElement("script");
      script.async = true;
      script.src = "https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(ga);
      d.head.appendChild(script);
      gaLoaded = true;
    }
    w.gtag = gtag;
    gaOn = true;
  }
  // Withdrawal: deny everything and switch the property off, so gtag.js sends nothing more.
  function stopGA() {
    consent("update", false, false);
    w["ga-disable-" + ga] = true;
    w.gtag = function () {};
    gaOn = false;
  }
  // Delete cookies on this host and each parent domain, where the browser lets a page do so.
  function clear(pattern) {
    var host = location.hostname.split("."), domains = [""], i;
    for (i = 0; i < host.length - 1; i++) domains.push(host.slice(i).join("."));
    d.cookie.split(";").forEach(function (pair) {
      var name = pair.split("=")[0].trim();
      if (pattern.test(name)) domains.forEach(function (domain) {
        d.cookie = name + "=; Max-Age=0; Path=/" + (domain ? "; Domain=" + domain : "");
      });
    });
  }

  function load(embed) {
    if (!embed || embed.querySelector("iframe")) return;
    var frame = d.createElement("iframe");
    frame.title = embed.dataset.title;
    frame.allow = "accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.src = embed.dataset.src;
    embed.firstElementChild.hidden = true;
    embed.appendChild(frame);
  }
  function unload(embed) {
    var frame = embed.querySelector("iframe");
    if (frame) { frame.remove(); embed.firstElementChild.hidden = false; }
  }

  function apply() {
    // A health-related page starts nothing, but deletes cookies only as the choice says.
    var allowed = !!(state && state.analytics && !gpc), analytics = allowed && !!ga && !guard,
      marketing = analytics && state.marketing;
    if (analytics) startGA(marketing); else if (gaOn) stopGA();
    if (!allowed) clear(/^(_ga|_ga_.+|_gid|_gat.*)$/);
    if (!(allowed && state.marketing)) clear(/^_gcl_/);
    each("[data-consent-embed]", state && state.embedded && !guard ? load : unload);
  }

  function open(from) {
    opener = from || null;
    sync();
    box.querySelector("details").open = !!state;  // reopened: show the stored choice
    box.hidden = false;
    box.focus();
  }
  // Focus goes back to what opened the dialog, or on a first visit to the page's main content,
  // never to the body (a keyboard or screen reader user would start again from the top).
  function close() {
    var to = opener || d.getElementById("main");
    box.hidden = true;
    if (to && !opener) to.tabIndex = -1;
    if (to) to.focus({preventScroll: !opener});
    opener = null;
  }

  form.addEventListener("submit", function (event) {
    if (native) return;
    event.preventDefault();
    var error = box.querySelector(".wc-error"), submitter = event.submitter;
    error.hidden = true;
    fetch(form.action, {method: "POST", body: new FormData(form, submitter),
      headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (json) { if (!response.ok) throw json; return json; });
      })
      .then(function (json) {
        state = read(json.state);
        receipt.firstChild.href = json.receipt_url;  // "Download a receipt" of this decision (CK-09)
        receipt.hidden = false;
        close();
        apply();
      }, function (problem) {
        if (problem && problem.error) {
          error.textContent = problem.error;
          error.hidden = false;
        } else {  // no answer from the server: post the form the plain way
          native = true;
          form.requestSubmit(submitter);
        }
      });
  });
  d.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-consent-open],[data-consent-load]");
    if (!target) return;
    event.preventDefault();
    if (target.hasAttribute("data-consent-open")) open(target);
    else load(target.closest("[data-consent-embed]"));
  });
  // Esc closes the dialog and stores nothing (checklist CK-04).
  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  box.classList.add("wc-js");  // from here the script opens and closes the dialog, not :target
  sync();
  each("[data-consent-load]", function (button) { button.hidden = false; });
  if (location.hash === "#wekst-consent") {
    history.replaceState(null, "", location.pathname + location.search);
    open();
  } else if (!state) {
    open();
  }
  apply();
})();
