-- Shared by the wrk scripts of bench/: the three requests a visitor makes, and a report line.
-- bench/wrk_runs.py passes what a browser would have kept (the CSRF cookie and token, fetched from
-- the form page first) and the site's origin in the environment.

local cookie = os.getenv("BENCH_CSRF_COOKIE") or ""
local token = os.getenv("BENCH_CSRF_TOKEN") or ""
local run = os.getenv("BENCH_RUN_ID") or "run"
local origin = os.getenv("BENCH_ORIGIN") or ""
-- bench/ratio_load.py sends the same decisions to the floor-INSERT (bench/perf_urls.py) too.
local consent_path = os.getenv("BENCH_CONSENT_PATH") or "/consent/"
local counter = 0
local threads = {}
-- Requests sent by this thread, per kind (globals, so that done() can read them per thread).
sent_home, sent_contact, sent_consent = 0, 0, 0

-- wrk calls setup() once per thread, in the main state: each thread gets its own number, so
-- that the submissions of all threads differ.
function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- The home page as a first visit asks for it: no cookie, a browser's headers.
function home_request()
  sent_home = sent_home + 1
  return wrk.format("GET", "/", {
    ["Accept"] = "text/html,application/xhtml+xml",
    ["Accept-Language"] = "en-GB,en;q=0.9,nb;q=0.8",
  })
end

-- A real, valid contact form submission, each one different (the form stores the same content
-- from the same address only once).
function contact_request()
  sent_contact = sent_contact + 1
  counter = counter + 1
  local n = run .. "-" .. (thread_number or 0) .. "-" .. counter
  local body = "csrfmiddlewaretoken=" .. token
    .. "&name=" .. encode("Kari Nordmann " .. n)
    .. "&email=" .. encode("kari." .. n .. "@klinikk.example")
    .. "&phone=" .. encode("+47 912 34 567")
    .. "&company=" .. encode("Nordmann Tannklinikk")
    .. "&role=" .. encode("Clinic manager")
    .. "&message=" .. encode("We would like more patients to find our new clinic in Bergen. "
       .. "Could you call me about a growth meeting next week? Reference " .. n)
  return wrk.format("POST", "/contact/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=" .. cookie,
    ["Accept"] = "text/html",
  }, body)
end

-- A cookie decision as consent.js posts it: same-origin Fetch Metadata, a JSON answer, a new
-- browser each time (no consent cookie), the three kinds of answer in turn.
local decisions = {
  "choice=accept_all&method=banner",
  "choice=reject_all&method=banner",
  "choice=choose&analytics=1&embedded=1&method=settings",
}
function consent_request()
  sent_consent = sent_consent + 1
  counter = counter + 1
  return wrk.format("POST", consent_path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["Origin"] = origin,
    ["Sec-Fetch-Site"] = "same-origin",
  }, decisions[counter % 3 + 1])
end

-- Paced runs (BENCH_RATE set: requests per second, all threads together): visitors arrive at
-- random, as independent people do (exponential gaps, a Poisson process), at that rate on
-- average, whatever the server answers; without it every connection sends its next request as
-- soon as the last one is answered (a closed loop, which measures the most the server can do).
-- Each thread keeps its own schedule; wrk asks delay() before each request of each connection.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if rate then
  local ffi = require("ffi")
  ffi.cdef[[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock, bench_timespec *now);
  ]]
  local now_ts = ffi.new("bench_timespec")
  local function now_ms()
    ffi.C.clock_gettime(1, now_ts)  -- CLOCK_MONOTONIC
    return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
  end
  local mean_gap_ms = 1000 / (rate / tonumber(os.getenv("BENCH_WRK_THREADS") or "1"))
  local next_ms = nil
  function delay()
    local t = now_ms()
    if next_ms == nil then
      math.randomseed(os.time() + (thread_number or 0))
      next_ms = t
    end
    next_ms = next_ms - mean_gap_ms * math.log(1 - math.random())
    return math.max(next_ms - t, 0)
  end
end

-- One JSON line for bench/wrk_runs.py; latency in microseconds, as wrk measures it.
function done(summary, latency, requests)
  local e = summary.errors
  local home, contact, consent = 0, 0, 0
  for _, thread in ipairs(threads) do
    home = home + (thread:get("sent_home") or 0)
    contact = contact + (thread:get("sent_contact") or 0)
    consent = consent + (thread:get("sent_consent") or 0)
  end
  io.write(string.format(
    'WRK_JSON {"sent": {"home": %d, "contact": %d, "consent": %d}, ' ..
    '"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    home, contact, consent, summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
