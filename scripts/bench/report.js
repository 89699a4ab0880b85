// Turns a benchmark run folder into its markdown report (and, for the load benchmark, summary.json).
//
//   node report.js likes RUN_DIR                      markdown of scripts/bench/likes.sh's run
//   node report.js mix RUN_DIR                        markdown of scripts/bench.sh's run; writes RUN_DIR/summary.json
//   node report.js update-docs DOC NAME REPORT.md     replaces DOC's block <!-- bench:NAME:start --> ... <!-- bench:NAME:end -->
//   node report.js soak-minute LOG_DIR WRK.json SAMPLE.json   one minute of scripts/bench/soak.sh, as a JSON line
//   node report.js soak RUN_DIR                       markdown of a soak run, ending in its verdict; exit 1 if FAIL
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const read = (dir, name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
const fmt = (value, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? 'n/a'
    : Number(value).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (cpuSeconds, wallSeconds) => `${fmt((100 * cpuSeconds) / wallSeconds)}%`;
const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function machineLine(meta) {
  const m = meta.machine;
  return `${m.vcpus} vCPU (${m.cpu}), ${m.memory_gib} GiB, Linux ${m.kernel}; .NET SDK ${m.dotnet_sdk}, MariaDB ${m.mariadb}, ` +
    `Redis ${m.redis}, wrk ${m.wrk}. The load generator, the API, MariaDB and Redis all share the ${m.vcpus} cores.`;
}

// CPU of one process during a measured window, as % of one core.
function cpuOf(resources, pid) {
  const p = resources.processes[String(pid)];
  return p ? pct(p.cpu_seconds, resources.wall_seconds) : 'n/a';
}

// CPU the listed processes and wrk did not use, as % of one core: other work on the machine.
function otherCpu(resources, vcpus) {
  const known = Object.values(resources.processes).reduce((n, p) => n + p.cpu_seconds, 0) + resources.load_generator_cpu_seconds;
  return Math.max(0, (resources.machine_busy_percent * vcpus) - (100 * known) / resources.wall_seconds);
}

function errorCount(run) {
  const e = run.wrk.socket_errors;
  const non2xx = Object.entries(run.statuses).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  return { socket: e.connect + e.read + e.write + e.timeout, non2xx, statuses: run.statuses };
}

function likes(dir) {
  const meta = read(dir, 'meta.json');
  const verify = read(dir, 'verify.json');
  const runs = { direct: read(dir, 'direct.json'), writebehind: read(dir, 'writebehind.json') };
  const res = { direct: read(dir, 'direct.resources.json'), writebehind: read(dir, 'writebehind.resources.json') };
  const ratio = runs.writebehind.wrk.per_second / runs.direct.wrk.per_second;
  const row = (label, f) => [label, f('direct'), f('writebehind')];
  const errs = (k) => {
    const e = errorCount(runs[k]);
    const codes = Object.entries(e.statuses).map(([c, n]) => `${fmt(n)}× ${c}`).join(', ');
    return `${fmt(e.socket + e.non2xx)} (${codes})`;
  };
  const lines = [];
  lines.push(`**Likes on one hot post, ${meta.connections} connections** (wrk -t${meta.threads} -c${meta.connections}, ` +
    `${meta.duration_seconds} s each after a ${meta.warmup_seconds} s warm-up; ${fmt(meta.token_users)} users alternating like/unlike, ` +
    `the post starting with ${fmt(meta.hot_likes)} likes). ${meta.date}, ${meta.source}.`);
  lines.push('');
  lines.push(table(['', 'direct to MySQL (baseline)', 'write-behind (Redis, flushed to MySQL)'], [
    row('requests/s', (k) => `**${fmt(runs[k].wrk.per_second)}**`),
    ['ratio', '1.00', `**${fmt(ratio, 2)}×**`],
    row('latency p50', (k) => `${fmt(runs[k].wrk.latency_ms.p50, 2)} ms`),
    row('latency p90', (k) => `${fmt(runs[k].wrk.latency_ms.p90, 2)} ms`),
    row('latency p99', (k) => `${fmt(runs[k].wrk.latency_ms.p99, 2)} ms`),
    row('latency max', (k) => `${fmt(runs[k].wrk.latency_ms.max, 1)} ms`),
    row('requests', (k) => fmt(runs[k].wrk.requests)),
    row('errors (socket + non-2xx)', errs),
    row('API CPU (100% = one core)', (k) => cpuOf(res[k], meta.pids.api)),
    row('MariaDB CPU', (k) => cpuOf(res[k], meta.pids.mysql)),
    row('Redis CPU', (k) => cpuOf(res[k], meta.pids.redis)),
    row('wrk CPU', (k) => pct(res[k].load_generator_cpu_seconds, res[k].wall_seconds)),
    row('anything else on the machine', (k) => `${fmt(otherCpu(res[k], meta.machine.vcpus))}%`),
    row('machine busy (100% = both cores)', (k) => `${fmt(res[k].machine_busy_percent)}%`),
  ]));
  lines.push('');
  lines.push(`Write-behind backlog when the run ended: **${fmt(meta.backlog_at_end)} events**, the oldest ${fmt(meta.oldest_pending_at_end, 1)} s old; drained to 0 in **${meta.drain_seconds} s** ` +
    `(polling \`foodcommunity_likes_backlog\` on /metrics every 100 ms).`);
  lines.push('');
  lines.push('Correctness after the drain, MySQL against Redis:');
  lines.push('');
  const v = (name, label) => {
    const p = verify[name];
    const same = p.same_likers === null ? 'no Redis state (never used through the write-behind path)' : p.same_likers ? 'yes' : '**NO**';
    return [label, fmt(p.mysql_rows), fmt(p.mysql_like_count), p.redis_count === null ? '-' : fmt(p.redis_count), same];
  };
  lines.push(table(['post', 'MySQL like rows', 'MySQL like_count', 'Redis count', 'same likers, user by user'], [
    v('writebehind', 'write-behind, measured'), v('writebehind_warmup', 'write-behind, warm-up'),
    v('direct', 'direct, measured'), v('direct_warmup', 'direct, warm-up'),
  ]));
  lines.push('');
  lines.push(`Machine: ${machineLine(meta)} Other work on the machine just before the measurements: ${meta.busy_before_percent}% busy. Whole script: ${meta.total_seconds} s.`);
  return lines.join('\n') + '\n';
}

const cacheCell = (ratio, perReq) => (ratio === null ? 'n/a' : `${fmt(100 * ratio, 1)}% (${fmt(perReq, 2)})`);

// The mix's class names, as a reader knows them.
const CLASS_LABELS = {
  feed_home: 'GET /feed/home', feed_latest: 'GET /feed/latest', feed_popular: 'GET /feed/popular', feed_tag: 'GET /tags/{tag}/posts',
  post_view: 'GET /posts/{id}', profile: 'GET /users/{username}', user_posts: 'GET /users/{id}/posts', comments_list: 'GET /posts/{id}/comments',
  notifications: 'GET /notifications', unread_count: 'GET /notifications/unread-count', search: 'GET /users?query=',
  like: 'PUT/DELETE /posts/{id}/like', comment_create: 'POST /posts/{id}/comments', follow: 'PUT/DELETE /users/{id}/follow', post_create: 'POST /posts',
};
const WRITES = new Set(['like', 'comment_create', 'follow', 'post_create']);

// Per-class figures from mix.lua's per-thread logs (PHASE-<thread>.log: class TAB status TAB
// microseconds per request; lines starting with # are samples of failed answers).
function classesFromLogs(logDir, phase, seconds) {
  const byClass = new Map();
  const entry = (name) => {
    if (!byClass.has(name)) byClass.set(name, { latencies: [], statuses: {}, samples: [] });
    return byClass.get(name);
  };
  for (const file of fs.readdirSync(logDir).filter((f) => f.startsWith(`${phase}-`) && f.endsWith('.log'))) {
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const fields = line.split('\t');
      if (fields[0] === '#') {
        const e = entry(fields[1]);
        if (e.samples.length < 4) e.samples.push(`${fields[2]} ${fields[3] ?? ''}`);
        continue;
      }
      const e = entry(fields[0]);
      e.latencies.push(Number(fields[2]));
      e.statuses[fields[1]] = (e.statuses[fields[1]] ?? 0) + 1;
    }
  }
  const at = (sorted, q) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] / 1000 : null);
  const classes = {};
  for (const name of Object.keys(CLASS_LABELS)) {
    const e = byClass.get(name) ?? { latencies: [], statuses: {}, samples: [] };
    const sorted = Float64Array.from(e.latencies).sort();
    const errors = Object.entries(e.statuses).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0);
    classes[name] = {
      requests: sorted.length, per_second: sorted.length / seconds, statuses: e.statuses, errors, error_samples: e.samples,
      mean_ms: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length / 1000 : null,
      p50_ms: at(sorted, 0.5), p95_ms: at(sorted, 0.95), p99_ms: at(sorted, 0.99), max_ms: at(sorted, 1),
    };
  }
  return classes;
}

// What one request of a measured run cost in statements, commands and cache lookups: the
// differences of bench.sh's counters snapshots (counters-before/after.json) over the run's requests.
// Everything is counted, the like flusher's batches included. A cache ratio is null (printed n/a)
// when the API does not export foodcommunity_cache_lookups_total or made no lookup at that level.
function perRequest(dir, requests) {
  const file = (name) => path.join(dir, name);
  if (!fs.existsSync(file('counters-before.json')) || !fs.existsSync(file('counters-after.json'))) return null;
  const before = read(dir, 'counters-before.json');
  const after = read(dir, 'counters-after.json');
  const delta = (key) => (key in after ? after[key] - (before[key] ?? 0) : null);
  const per = (value) => (value === null || !requests ? null : value / requests);
  const ratio = (level) => {
    const hits = delta(`cache_${level}_hit`) ?? 0;
    const misses = delta(`cache_${level}_miss`) ?? 0;
    return hits + misses > 0 ? hits / (hits + misses) : null;
  };
  const writes = ['Com_insert', 'Com_update', 'Com_delete', 'Com_insert_select'].map(delta);
  return {
    requests,
    mysql_statements_per_request: per(delta('Questions')),
    mysql_selects_per_request: per(delta('Com_select')),
    mysql_writes_per_request: writes.includes(null) ? null : per(writes.reduce((a, b) => a + b, 0)),
    redis_commands_per_request: per(delta('redis_commands')),
    cache_memory_lookups_per_request: per((delta('cache_memory_hit') ?? 0) + (delta('cache_memory_miss') ?? 0) || null),
    cache_memory_hit_ratio: ratio('memory'),
    cache_redis_lookups_per_request: per((delta('cache_redis_hit') ?? 0) + (delta('cache_redis_miss') ?? 0) || null),
    cache_redis_hit_ratio: ratio('redis'),
  };
}

// The load generator's own cost in a measured window: % of one core, and CPU microseconds per request.
function loadGenerator(resources, requests) {
  return {
    cpu_percent_of_one_core: (100 * resources.load_generator_cpu_seconds) / resources.wall_seconds,
    cpu_us_per_request: requests ? (1e6 * resources.load_generator_cpu_seconds) / requests : null,
  };
}

function mix(dir) {
  const meta = read(dir, 'meta.json');
  const run = read(dir, 'mix.json');
  run.classes = classesFromLogs(path.join(dir, 'logs', 'mix'), 'run', run.seconds);
  const res = read(dir, 'mix.resources.json');
  const plaintext = read(dir, 'plaintext.json');
  const plaintext2 = read(dir, 'plaintext-t2.json');
  const live = read(dir, 'live.json');
  const seed = read(dir, 'seed.json');
  const verify = read(dir, 'verify.json');
  const classes = Object.entries(run.classes);
  const totalErrors = classes.reduce((n, [, c]) => n + c.errors, 0);
  const socketErrors = Object.values(run.socket_errors).reduce((a, b) => a + b, 0);
  const reads = classes.filter(([k]) => !WRITES.has(k)).reduce((n, [, c]) => n + c.requests, 0);
  const writes = classes.filter(([k]) => WRITES.has(k)).reduce((n, [, c]) => n + c.requests, 0);
  const api = res.processes[String(meta.pids.api)];
  const counters = perRequest(dir, run.requests);
  const wrkMix = loadGenerator(res, run.requests);
  const ceilingRes = fs.existsSync(path.join(dir, 'plaintext.resources.json')) ? read(dir, 'plaintext.resources.json') : null;
  const wrkCeiling = ceilingRes ? loadGenerator(ceilingRes, plaintext.requests) : null;
  const liveRes = fs.existsSync(path.join(dir, 'live.resources.json')) ? read(dir, 'live.resources.json') : null;
  const wrkLive = liveRes ? loadGenerator(liveRes, live.requests) : null;
  const summary = {
    date: meta.date,
    source: meta.source,
    command: meta.command,
    machine: meta.machine,
    settings: { connections: meta.connections, threads: meta.threads, duration_seconds: meta.duration_seconds, warmup_seconds: meta.warmup_seconds },
    seed,
    mix: {
      requests_per_second: run.per_second,
      requests: run.requests,
      reads_percent: (100 * reads) / (reads + writes),
      writes_percent: (100 * writes) / (reads + writes),
      errors: totalErrors,
      socket_errors: run.socket_errors,
      per_class: Object.fromEntries(classes.map(([k, c]) => [k, {
        endpoint: CLASS_LABELS[k], requests: c.requests, per_second: c.per_second, p50_ms: c.p50_ms, p95_ms: c.p95_ms,
        p99_ms: c.p99_ms, max_ms: c.max_ms, errors: c.errors, statuses: c.statuses, error_samples: c.error_samples,
      }])),
    },
    resources: {
      api_cpu_percent_of_one_core: (100 * api.cpu_seconds) / res.wall_seconds,
      api_peak_rss_mib: api.peak_rss_kb / 1024,
      api_rss_at_end_mib: api.rss_kb / 1024,
      mariadb_cpu_percent_of_one_core: (100 * res.processes[String(meta.pids.mysql)].cpu_seconds) / res.wall_seconds,
      redis_cpu_percent_of_one_core: (100 * res.processes[String(meta.pids.redis)].cpu_seconds) / res.wall_seconds,
      s3rver_cpu_percent_of_one_core: (100 * res.processes[String(meta.pids.s3)].cpu_seconds) / res.wall_seconds,
      wrk_cpu_percent_of_one_core: (100 * res.load_generator_cpu_seconds) / res.wall_seconds,
      other_cpu_percent_of_one_core: otherCpu(res, meta.machine.vcpus),
      machine_busy_percent: res.machine_busy_percent,
      api_log_bytes_per_request: meta.log_bytes / run.requests,
    },
    per_request: counters,
    load_generator: { mix: wrkMix, plaintext_ceiling: wrkCeiling, health_live: wrkLive },
    like_backlog_at_end: meta.backlog_at_end,
    like_oldest_pending_seconds_at_end: meta.oldest_pending_at_end,
    like_backlog_drain_seconds: meta.drain_seconds,
    hot_posts_consistent: verify,
    ceiling: {
      plaintext_same_settings: plaintext.per_second,
      plaintext_t2: plaintext2.per_second,
      api_health_live_same_settings: live.per_second,
      mix_fraction_of_plaintext: run.per_second / plaintext.per_second,
      mix_fraction_of_health_live: run.per_second / live.per_second,
    },
    machine_busy_before_percent: meta.busy_before_percent,
    total_seconds: meta.total_seconds,
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');

  const s = summary;
  const lines = [];
  lines.push(`**Load mix, one API node** — ${meta.date}, ${meta.source}; \`${meta.command}\`; wrk -t${meta.threads} -c${meta.connections} ` +
    `(one connection per wrk thread, so each request's latency is timed in Lua), ${meta.duration_seconds} s measured after a ${meta.warmup_seconds} s warm-up.`);
  lines.push('');
  lines.push(`Data set: ${fmt(seed.users)} users, ${fmt(seed.posts)} posts (${fmt(seed.post_tags)} post tags over ${fmt(seed.tags)} tags), ` +
    `${fmt(seed.likes)} likes, ${fmt(seed.follows)} follows (a user follows ${fmt(seed.avg_following, 1)} on average, at most ${fmt(seed.max_following)}; ` +
    `most followed user: ${fmt(seed.max_followers)} followers), ${fmt(seed.comments)} comments; ` +
    `seeded in ${seed.seconds} s. ${fmt(meta.token_users)} users' tokens; ${meta.hot_posts} hot posts get 30% of post views, comment reads, likes and comments.`);
  lines.push('');
  lines.push(table(['', 'value'], [
    ['**requests/s sustained (mix)**', `**${fmt(s.mix.requests_per_second)}**`],
    ['MySQL statements per request (SELECTs; writes)', counters ? `${fmt(counters.mysql_statements_per_request, 2)} (${fmt(counters.mysql_selects_per_request, 2)}; ${fmt(counters.mysql_writes_per_request, 2)})` : 'n/a'],
    ['Redis commands per request', counters ? fmt(counters.redis_commands_per_request, 2) : 'n/a'],
    ['cache hit ratio, memory (lookups per request)', counters ? cacheCell(counters.cache_memory_hit_ratio, counters.cache_memory_lookups_per_request) : 'n/a'],
    ['cache hit ratio, Redis (lookups per request)', counters ? cacheCell(counters.cache_redis_hit_ratio, counters.cache_redis_lookups_per_request) : 'n/a'],
    ['reads / writes', `${fmt(s.mix.reads_percent, 1)}% / ${fmt(s.mix.writes_percent, 1)}%`],
    ['errors (non-2xx) / socket errors', `${fmt(totalErrors)} / ${fmt(socketErrors)}`],
    ['bare Kestrel plaintext, same wrk settings', `${fmt(plaintext.per_second)} req/s`],
    ['**mix as a fraction of that ceiling**', `**${fmt(100 * s.ceiling.mix_fraction_of_plaintext, 1)}%**`],
    ['(plaintext with wrk -t2 -c64, lighter client)', `${fmt(plaintext2.per_second)} req/s`],
    ['API `/health/live` (whole middleware, no dependency), same settings', `${fmt(live.per_second)} req/s (mix = ${fmt(100 * s.ceiling.mix_fraction_of_health_live, 1)}% of it)`],
    ['API CPU (100% = one core)', `${fmt(s.resources.api_cpu_percent_of_one_core)}%`],
    ['API peak RSS', `${fmt(s.resources.api_peak_rss_mib)} MiB`],
    ['MariaDB CPU', `${fmt(s.resources.mariadb_cpu_percent_of_one_core)}%`],
    ['Redis CPU', `${fmt(s.resources.redis_cpu_percent_of_one_core)}%`],
    ['s3rver CPU', `${fmt(s.resources.s3rver_cpu_percent_of_one_core)}%`],
    ['wrk CPU (the load generator itself)', `${fmt(wrkMix.cpu_percent_of_one_core)}% (${fmt(wrkMix.cpu_us_per_request)} µs per request)`],
    ['wrk CPU during the plaintext ceiling', wrkCeiling ? `${fmt(wrkCeiling.cpu_percent_of_one_core)}% (${fmt(wrkCeiling.cpu_us_per_request, 1)} µs per request)` : 'n/a'],
    ['anything else on the machine', `${fmt(s.resources.other_cpu_percent_of_one_core)}%`],
    ['machine busy (100% = both cores)', `${fmt(s.resources.machine_busy_percent)}%`],
    ['API log written per request', `${fmt(s.resources.api_log_bytes_per_request)} bytes`],
    ['like backlog when the run ended', `${fmt(meta.backlog_at_end)} events, oldest ${fmt(meta.oldest_pending_at_end, 1)} s (drained in ${meta.drain_seconds} s)`],
  ]));
  lines.push('');
  lines.push(table(['endpoint class', 'share', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'],
    classes.map(([k, c]) => [CLASS_LABELS[k], `${fmt((100 * c.requests) / run.requests, 1)}%`, fmt(c.per_second, 1), fmt(c.p50_ms, 1),
      fmt(c.p95_ms, 1), fmt(c.p99_ms, 1), fmt(c.max_ms, 0), c.errors ? `${fmt(c.errors)} (${Object.entries(c.statuses).filter(([x]) => !x.startsWith('2')).map(([x, n]) => `${fmt(n)}× ${x}`).join(', ')})` : '0'])));
  lines.push('');
  const bad = Object.entries(verify).filter(([, p]) => !(p.mysql_rows === p.mysql_like_count && (p.redis_count === null || p.redis_count === p.mysql_rows)));
  lines.push(`Hot posts after the drain: MySQL like rows = like_count = Redis count for ${Object.keys(verify).length - bad.length} of ${Object.keys(verify).length}` +
    (bad.length ? ` (**mismatch**: ${bad.map(([id]) => id).join(', ')})` : '') + '.');
  lines.push('');
  lines.push(`Machine: ${machineLine(meta)} Other work on the machine just before the measurements: ${meta.busy_before_percent}% busy. Whole script: ${meta.total_seconds} s.`);
  return lines.join('\n') + '\n';
}

// Each endpoint class driven alone (bench.sh --endpoints): throughput, latency and CPU per request.
function endpoints(dir) {
  const meta = read(dir, 'meta.json');
  const rows = [];
  const json = {};
  for (const name of Object.keys(CLASS_LABELS)) {
    const base = path.join(dir, 'endpoints', name);
    if (!fs.existsSync(base)) continue;
    const wrk = JSON.parse(fs.readFileSync(path.join(base, 'wrk.json'), 'utf8'));
    const res = JSON.parse(fs.readFileSync(path.join(base, 'resources.json'), 'utf8'));
    const all = classesFromLogs(base, 'endpoint', wrk.seconds);
    const c = all[name];
    // A class that ran out of uploaded images falls back to post views: count only its own requests.
    const own = c.requests;
    const total = Object.values(all).reduce((n, x) => n + x.requests, 0);
    const perRequest = (pid) => (1000 * res.processes[String(pid)].cpu_seconds) / total;
    json[name] = {
      endpoint: CLASS_LABELS[name], requests: own, other_requests: total - own, per_second: c.per_second, p50_ms: c.p50_ms, p99_ms: c.p99_ms,
      errors: c.errors, api_cpu_ms_per_request: perRequest(meta.pids.api), mariadb_cpu_ms_per_request: perRequest(meta.pids.mysql),
      redis_cpu_ms_per_request: perRequest(meta.pids.redis),
    };
    const j = json[name];
    rows.push([CLASS_LABELS[name], fmt(j.per_second), fmt(j.p50_ms, 1), fmt(j.p99_ms, 1), fmt(j.api_cpu_ms_per_request, 2),
      fmt(j.mariadb_cpu_ms_per_request, 2), fmt(j.redis_cpu_ms_per_request, 2), j.errors ? fmt(j.errors) : '0']);
  }
  fs.writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify(json, null, 2) + '\n');
  return ['', `**Each endpoint class alone** (same wrk settings, ${fmt(meta.endpoint_seconds)} s each, after the mix): what one request costs.`, '',
    table(['endpoint class', 'req/s alone', 'p50 ms', 'p99 ms', 'API CPU ms/req', 'MariaDB CPU ms/req', 'Redis CPU ms/req', 'errors'], rows), ''].join('\n');
}

// One minute of scripts/bench/soak.sh: the paced mix's requests, p99 and errors from mix.lua's logs
// (every log line is one answered request) and wrk's socket errors, with the resources sampled near
// the minute's end (SAMPLE.json, written by soak.sh).
function soakMinute(logDir, wrkFile, sampleFile) {
  const wrk = JSON.parse(fs.readFileSync(wrkFile, 'utf8'));
  const latencies = [];
  const statuses = {};
  for (const file of fs.readdirSync(logDir).filter((f) => f.endsWith('.log'))) {
    for (const line of fs.readFileSync(path.join(logDir, file), 'utf8').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const fields = line.split('\t');
      latencies.push(Number(fields[2]));
      statuses[fields[1]] = (statuses[fields[1]] ?? 0) + 1;
    }
  }
  const sorted = Float64Array.from(latencies).sort();
  const at = (q) => (sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] / 1000 : null);
  const non2xx = Object.entries(statuses).filter(([code]) => !code.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  const e = wrk.socket_errors;
  const socket = e.connect + e.read + e.write + e.timeout;
  return {
    ...JSON.parse(fs.readFileSync(sampleFile, 'utf8')),
    seconds: wrk.seconds, requests: sorted.length, per_second: sorted.length / wrk.seconds,
    p50_ms: at(0.5), p99_ms: at(0.99), max_ms: at(1), errors: non2xx + socket, non2xx, socket_errors: socket, statuses,
  };
}

// The soak run's table and verdict. Flat: in the last FC_SOAK_WINDOW minutes (10, or what follows
// the baseline minute in a shorter run), the API's RSS and Redis's used_memory never exceed the
// baseline minute's (meta.baseline_minute) by more than FC_SOAK_TOLERANCE percent (10).
// Pass: both flat and no error in any minute (non-2xx answers and socket errors).
function soak(dir) {
  const meta = read(dir, 'meta.json');
  const minutes = fs.readFileSync(path.join(dir, 'minutes.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const mb = (bytes) => fmt(bytes / 1048576, 1);
  const lines = [
    `**Soak**: the bench mix paced to ${fmt(meta.target_rps)} requests/s ` +
      (meta.probe_rps ? `(${meta.share_percent}% of the ${fmt(meta.probe_rps)} requests/s an unpaced ${meta.probe_seconds} s probe reached)` : '(FC_SOAK_RATE)') +
      ` for ${minutes.length} minutes, ${meta.connections} connections; ${fmt(meta.token_users)} signed-in users on ${fmt(meta.seed.users)} users / ` +
      `${fmt(meta.seed.posts)} posts. ${meta.date}, ${meta.source}.`,
    '',
    table(['minute', 'req/s', 'p99 ms', 'errors', 'API RSS MiB', 'GC heap MiB', 'Redis used MiB', 'like backlog', 'oldest pending s', 'machine busy'],
      minutes.map((m) => [m.minute, fmt(m.per_second), fmt(m.p99_ms, 1), fmt(m.errors), mb(m.rss_bytes), m.gc_heap_bytes === null ? 'n/a' : mb(m.gc_heap_bytes),
        mb(m.redis_used_bytes), m.backlog ?? 'n/a', m.oldest_pending_seconds === null ? 'n/a' : fmt(m.oldest_pending_seconds, 1), `${fmt(m.machine_busy_percent)}%`])),
    '',
  ];
  const n = minutes.length;
  const baseline = meta.baseline_minute; // soak.sh's choice: FC_SOAK_BASELINE_MINUTE, 5, or a third into a short run
  const windowSize = Math.min(meta.window_minutes, n - baseline);
  const base = minutes[baseline - 1];
  const window = minutes.slice(n - windowSize);
  const tolerance = meta.tolerance_percent / 100;
  // Least-squares slope, per minute, of one figure over the window (informative: the rule is the bound).
  const slope = (key) => {
    const xs = window.map((m) => m.minute), ys = window.map((m) => m[key]);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const d = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    return d ? xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / d : 0;
  };
  const checks = [];
  for (const [key, label] of [['rss_bytes', 'API RSS'], ['redis_used_bytes', 'Redis used_memory']]) {
    const limit = base[key] * (1 + tolerance);
    const peak = Math.max(...window.map((m) => m[key]));
    checks.push({ ok: windowSize > 0 && peak <= limit,
      text: `${label}: minute ${baseline} ${mb(base[key])} MiB, peak of minutes ${n - windowSize + 1}-${n} ${mb(peak)} MiB ` +
        `(limit ${mb(limit)} MiB, +${meta.tolerance_percent}%), slope ${fmt(slope(key) / 1048576, 2)} MiB/min` });
  }
  const errors = minutes.reduce((a, m) => a + m.errors, 0);
  checks.push({ ok: errors === 0, text: `errors: ${fmt(errors)}` +
    (errors ? ` (${[...new Set(minutes.flatMap((m) => Object.keys(m.statuses).filter((c) => !c.startsWith('2'))))].join(', ') || 'socket'})` : '') });
  const reached = minutes.reduce((a, m) => a + m.per_second, 0) / n;
  for (const c of checks) lines.push(`- ${c.ok ? 'ok' : '**not ok**'}: ${c.text}`);
  if (reached < 0.9 * meta.target_rps) {
    lines.push(`- note: the API answered ${fmt(reached)} requests/s on average, under 90% of the target ${fmt(meta.target_rps)}: it did not keep up`);
  }
  // What Redis holds, by key family, at the baseline minute and at the end (soak.sh's redis_families).
  const families = (name) => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) return null;
    return new Map(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')).map(([k, c, b]) => [k, { count: Number(c), bytes: Number(b) }]));
  };
  const before = families('redis-keys-baseline.tsv');
  const after = families('redis-keys-end.tsv');
  if (before && after) {
    const none = { count: 0, bytes: 0 };
    const rows = [...new Set([...before.keys(), ...after.keys()])]
      .map((k) => [k, before.get(k) ?? none, after.get(k) ?? none])
      .sort((a, b) => Math.abs(b[2].bytes - b[1].bytes) - Math.abs(a[2].bytes - a[1].bytes))
      .slice(0, 12);
    lines.push('', `Redis keys by family, minute ${baseline} and the end (the 12 that changed most; bytes from MEMORY USAGE of up to 200 keys each):`, '',
      table(['key family', `keys, minute ${baseline}`, 'keys, end', `MiB, minute ${baseline}`, 'MiB, end', 'change MiB'],
        rows.map(([k, b, a]) => [`\`${k}\``, fmt(b.count), fmt(a.count), mb(b.bytes), mb(a.bytes), mb(a.bytes - b.bytes)])));
  }
  const pass = checks.every((c) => c.ok);
  lines.push('', `VERDICT: ${pass ? 'PASS' : 'FAIL'} (RSS and Redis memory of the last ${windowSize} minutes within +${meta.tolerance_percent}% of minute ${baseline}'s, and 0 errors)`, '');
  return { text: lines.join('\n'), pass };
}

function updateDocs(doc, name, reportPath) {
  const text = fs.readFileSync(doc, 'utf8');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${doc} has no ${start} ... ${end} block`);
  const report = fs.readFileSync(reportPath, 'utf8').trim();
  fs.writeFileSync(doc, `${text.slice(0, from + start.length)}\n${report}\n${text.slice(to)}`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'likes') process.stdout.write(likes(args[0]));
else if (mode === 'mix') process.stdout.write(mix(args[0]));
else if (mode === 'endpoints') process.stdout.write(endpoints(args[0]));
else if (mode === 'update-docs') updateDocs(args[0], args[1], args[2]);
else if (mode === 'soak-minute') process.stdout.write(`${JSON.stringify(soakMinute(args[0], args[1], args[2]))}\n`);
else if (mode === 'soak') {
  const result = soak(args[0]);
  process.stdout.write(result.text);
  process.exitCode = result.pass ? 0 : 1;
}
else {
  console.error('usage: report.js likes|mix|endpoints|soak RUN_DIR | soak-minute LOG_DIR WRK.json SAMPLE.json | update-docs DOC NAME REPORT.md');
  process.exit(2);
}
