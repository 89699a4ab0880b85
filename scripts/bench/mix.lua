-- wrk script of scripts/bench.sh: the traffic mix of many signed-in users, with latency per endpoint class.
--
--   FC_BENCH_DATA=DIR FC_BENCH_LOG_DIR=LOGS FC_BENCH_OUT=FILE wrk -tN -cN -s mix.lua URL -- PHASE
--
-- One connection per wrk thread (-t equal to -c) is what makes the per-class figures honest: wrk
-- gives a script no handle on the connection a response belongs to, but with one connection per
-- thread (one Lua state each) request() and response() strictly alternate, so the time between them
-- is that request's latency, measured with CLOCK_MONOTONIC through LuaJIT's FFI. Each thread logs
-- one line per request to LOGS/PHASE-<thread>.log (class, status, microseconds) and the first
-- answers of each failing class and status; report.js aggregates them. (Not thread:get(): wrk 4.1
-- corrupts a thread's Lua stack when it copies a table out of it, and crashes.) done() writes wrk's
-- own totals to FILE.
--
-- DIR holds what bench.sh exported from the seed, per thread where each thread needs only its own
-- share: tokens-<thread>.tsv (uuid, username, token), keys-PHASE-<thread>.tsv (uuid, upload key:
-- an uploaded JPEG, so that creating a post works; the warm-up and the measured run get disjoint
-- keys, as an image may belong to one post only), and for all: posts.txt, hot.txt (post ids),
-- celebs.txt (uuid, username), tags.txt.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } fc_timespec;
  int clock_gettime(int clock_id, fc_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("fc_timespec")
local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end
-- Global too, for scripts that dofile() this one (soak.lua paces requests with it).
fc_now_us = now_us

-- The mix, in percent of requests: ~90% reads, ~10% writes (likes most, then comments, follows, posts).
-- Notifications: apps ask for the unread count as screens change and open the list now and then
-- (5% in all); people search is typed far less often than feeds are scrolled (2%).
local MIX = {
  { "feed_home", 20 }, { "feed_latest", 13 }, { "feed_popular", 10 }, { "feed_tag", 4 },
  { "post_view", 18 }, { "profile", 7 }, { "user_posts", 4 }, { "comments_list", 7 },
  { "notifications", 3 }, { "unread_count", 2 }, { "search", 2 },
  { "like", 6 }, { "comment_create", 2 }, { "follow", 1.5 }, { "post_create", 0.5 },
}
-- FC_BENCH_ONLY=<class> sends only that class (to measure one endpoint's cost on its own).
local ONLY = os.getenv("FC_BENCH_ONLY")
if ONLY == "" then ONLY = nil end
local HOT_SHARE = 0.3      -- of post views, comment lists, likes and new comments: on the few hot posts
local NEXT_PAGE_SHARE = 0.25 -- of feed reads: the next page, with a cursor a previous answer gave

-- ------------------------------------------------------------------ main state: threads

local thread_count = 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end

-- ------------------------------------------------------------------ thread state

local function lines(path)
  local out = {}
  local file = assert(io.open(path, "r"), "cannot open " .. path)
  for line in file:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  file:close()
  return out
end

local function split_tabs(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do fields[#fields + 1] = field end
  return fields
end

local function url_encode(text)
  return (string.gsub(text, "[^%w_%-%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local users, posts, hot, celebs, tags = {}, {}, {}, {}, {}
local keys_by_user = {}
local liked = {}        -- what this thread believes about (user, post): like or unlike next
local cursors = {}      -- class -> a nextCursor seen in an earlier answer
local cumulative = {}
local log_file = nil
local pending_class, pending_start = nil, 0

-- The warm-up first opens each of this thread's users' home feed once, in order, then runs the mix:
-- a node at the evening peak has served these users before (their follow and block sets, the
-- followed authors' lists, the cards and like state of what they see are in Redis), and a short mix
-- alone would measure a cold cache instead.
local primed = 0
local priming = false

function init(args)
  local phase = args[1] or "run"
  priming = phase == "warmup"
  local dir = assert(os.getenv("FC_BENCH_DATA"), "FC_BENCH_DATA is not set")
  -- Fully buffered; the C library flushes it when wrk exits.
  log_file = assert(io.open(assert(os.getenv("FC_BENCH_LOG_DIR"), "FC_BENCH_LOG_DIR is not set") .. "/" .. phase .. "-" .. tid .. ".log", "w"))
  log_file:setvbuf("full", 65536)
  math.randomseed(1000003 * (tid + 1) + os.time())

  -- This thread's share of the users (bench.sh split them: no two threads act as the same user),
  -- and the images uploaded for them.
  for _, line in ipairs(lines(dir .. "/tokens-" .. tid .. ".tsv")) do
    local f = split_tabs(line)
    users[#users + 1] = { id = f[1], name = f[2], auth = "Bearer " .. f[3] }
  end
  for _, line in ipairs(lines(dir .. "/keys-" .. phase .. "-" .. tid .. ".tsv")) do
    local f = split_tabs(line)
    keys_by_user[f[1]] = keys_by_user[f[1]] or {}
    table.insert(keys_by_user[f[1]], f[2])
  end
  posts = lines(dir .. "/posts.txt")
  hot = lines(dir .. "/hot.txt")
  for _, line in ipairs(lines(dir .. "/celebs.txt")) do
    local f = split_tabs(line)
    celebs[#celebs + 1] = { id = f[1], name = f[2] }
  end
  for _, tag in ipairs(lines(dir .. "/tags.txt")) do tags[#tags + 1] = url_encode(tag) end

  local total = 0
  for _, entry in ipairs(MIX) do total = total + entry[2] end
  local running = 0
  for _, entry in ipairs(MIX) do
    running = running + entry[2] / total
    cumulative[#cumulative + 1] = { entry[1], running }
  end
end

local function pick(list) return list[math.random(#list)] end
local function some_post() if math.random() < HOT_SHARE then return pick(hot) end return pick(posts) end

local function page(path, class)
  local cursor = cursors[class]
  if cursor and math.random() < NEXT_PAGE_SHARE then
    return path .. "?cursor=" .. url_encode(cursor)
  end
  return path
end

-- Builds the request of one class for one user: method, path, body.
local builders = {
  feed_home = function() return "GET", page("/api/v1/feed/home", "feed_home") end,
  feed_latest = function() return "GET", page("/api/v1/feed/latest", "feed_latest") end,
  feed_popular = function() return "GET", page("/api/v1/feed/popular", "feed_popular") end,
  feed_tag = function() return "GET", page("/api/v1/tags/" .. pick(tags) .. "/posts", "feed_tag") end,
  post_view = function() return "GET", "/api/v1/posts/" .. some_post() end,
  profile = function()
    -- Half of the profiles people open are the well-known accounts'.
    local who = math.random() < 0.5 and pick(celebs) or pick(users)
    return "GET", "/api/v1/users/" .. who.name
  end,
  user_posts = function()
    local who = math.random() < 0.5 and pick(celebs) or pick(users)
    return "GET", "/api/v1/users/" .. who.id .. "/posts"
  end,
  comments_list = function() return "GET", "/api/v1/posts/" .. some_post() .. "/comments" end,
  notifications = function() return "GET", page("/api/v1/notifications", "notifications") end,
  unread_count = function() return "GET", "/api/v1/notifications/unread-count" end,
  search = function()
    -- A prefix of the seeded usernames (user000000 ...): "user0123" finds a hundred people.
    return "GET", "/api/v1/users?query=user" .. string.format("%04d", math.random(0, 999))
  end,
  like = function(user)
    local post = some_post()
    local key = user.id .. post
    local method = liked[key] and "DELETE" or "PUT"
    liked[key] = not liked[key]
    return method, "/api/v1/posts/" .. post .. "/like"
  end,
  comment_create = function()
    return "POST", "/api/v1/posts/" .. some_post() .. "/comments", '{"text":"Looks delicious! (bench)"}'
  end,
  follow = function(user)
    local who = math.random() < 0.5 and pick(celebs) or pick(users)
    if who.id == user.id then who = celebs[1].id == user.id and celebs[2] or celebs[1] end
    return math.random() < 0.5 and "PUT" or "DELETE", "/api/v1/users/" .. who.id .. "/follow"
  end,
  post_create = function(user)
    local keys = keys_by_user[user.id]
    if not keys or #keys == 0 then return nil end
    local key = table.remove(keys)
    return "POST", "/api/v1/posts", '{"imageKeys":["' .. key .. '"],"caption":"Dinner from the benchmark #bench","tags":["kimchi"]}'
  end,
}

function request()
  local r = math.random()
  local class = cumulative[#cumulative][1]
  for _, entry in ipairs(cumulative) do
    if r <= entry[2] then class = entry[1] break end
  end
  if ONLY then class = ONLY end
  local user = pick(users)
  if priming and not ONLY and primed < #users then
    primed = primed + 1
    user, class = users[primed], "feed_home"
  end
  local method, path, body = builders[class](user)
  if method == nil then
    -- This thread's uploaded images are used up: read a post instead (counted as a post view).
    class = "post_view"
    method, path, body = builders.post_view(user)
  end
  local headers = { ["Authorization"] = user.auth }
  if body then headers["Content-Type"] = "application/json" end
  pending_class = class
  pending_start = now_us()
  return wrk.format(method, path, headers, body)
end

local kept_per_status = {}
local PAGED = { feed_home = true, feed_latest = true, feed_popular = true, feed_tag = true, notifications = true }

function response(status, headers, body)
  local elapsed = now_us() - pending_start
  local class = pending_class
  if class == nil then return end
  pending_class = nil
  log_file:write(class, "\t", status, "\t", math.floor(elapsed + 0.5), "\n")
  if status >= 200 and status < 300 then
    -- Only the paged classes (page() reuses their cursors): scanning every answer's body for one
    -- would cost the load generator CPU for nothing.
    local cursor = PAGED[class] and body and string.match(body, '"nextCursor":"([^"]+)"')
    if cursor then cursors[class] = cursor end
  else
    -- The first two answers of each failing class and status, as evidence.
    local key = class .. " " .. status
    if (kept_per_status[key] or 0) < 2 then
      kept_per_status[key] = (kept_per_status[key] or 0) + 1
      log_file:write("#\t", class, "\t", status, "\t", (string.gsub(string.sub(body or "", 1, 300), "%c", " ")), "\n")
    end
  end
end

-- ------------------------------------------------------------------ main state: summary

function done(summary, latency, requests)
  local e = summary.errors
  local out = assert(io.open(assert(os.getenv("FC_BENCH_OUT"), "FC_BENCH_OUT is not set"), "w"))
  out:write(string.format(
    '{"seconds":%.3f,"requests":%d,"bytes":%d,"per_second":%.1f,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"wrk_latency_ms":{"p50":%.3f,"p99":%.3f,"max":%.3f}}\n',
    summary.duration / 1e6, summary.requests, summary.bytes, summary.requests / (summary.duration / 1e6),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  out:close()
end
