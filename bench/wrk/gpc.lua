-- Experiment: a trivial JSON page, to measure the server's own cost per request.
wrk.headers["Accept"] = "application/json"
wrk.path = "/.well-known/gpc.json"
function done(summary, latency, requests)
  io.write(string.format('WRK_JSON {"sent": {"home": 0, "contact": 0, "consent": 0}, "requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
