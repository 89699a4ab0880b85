-- wrk script with done() only: writes wrk's own figures as JSON to $FC_BENCH_OUT. Without
-- request() or response(), wrk keeps its fast path (one prebuilt request, no body parsing), so it
-- suits the ceiling runs.
-- Global, so that likes.lua can dofile() this file and reuse it.
function fc_figures(summary, latency)
  local e = summary.errors
  return string.format(
    '{"seconds":%.3f,"requests":%d,"bytes":%d,"per_second":%.1f,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f}}',
    summary.duration / 1e6, summary.requests, summary.bytes, summary.requests / (summary.duration / 1e6),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000)
end

function done(summary, latency, requests)
  local out = assert(io.open(assert(os.getenv("FC_BENCH_OUT"), "FC_BENCH_OUT is not set"), "w"))
  out:write(fc_figures(summary, latency), "\n")
  out:close()
end

