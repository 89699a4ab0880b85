-- wrk script of scripts/bench/likes.sh: many users like and unlike one hot post, and every request
-- changes the post's state (a user who likes it unlikes it next time, and the reverse).
--
--   FC_BENCH_LUA_DIR=DIR FC_BENCH_TOKENS=tokens.tsv FC_BENCH_PATH=/api/v1/posts/%s/like \
--   FC_BENCH_POST=UUID FC_BENCH_THREADS=N FC_BENCH_OUT=FILE wrk -tN -cC -s likes.lua URL
--
-- The users in tokens.tsv must not like the post when the run starts. Each thread cycles through its
-- own share of them (no two threads act as the same user), and a user's next request comes only
-- after the thread has sent one request for each of its other users, so with thousands of users per
-- thread a user's previous request has long been answered: every request flips the state.

dofile(os.getenv("FC_BENCH_LUA_DIR") .. "/summary.lua") -- fc_figures()

local threads, thread_count = {}, 0

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local users, next_user, path = {}, 1, nil
local verified = false

function init(args)
  local nthreads = tonumber(os.getenv("FC_BENCH_THREADS"))
  local i = 0
  for line in io.lines(os.getenv("FC_BENCH_TOKENS")) do
    if line ~= "" then
      if i % nthreads == tid then
        local token = string.match(line, "^[^\t]+\t[^\t]+\t([^\t]+)$")
        users[#users + 1] = { auth = "Bearer " .. token, liked = false }
      end
      i = i + 1
    end
  end
  path = string.format(os.getenv("FC_BENCH_PATH"), os.getenv("FC_BENCH_POST"))
end

function request()
  -- wrk builds one request on thread 0 before the run only to check it; it is never sent, so it
  -- must not flip a user's state.
  if tid == 0 and not verified then
    verified = true
    return wrk.format("GET", "/health/live")
  end
  local user = users[next_user]
  next_user = next_user % #users + 1
  local method = user.liked and "DELETE" or "PUT"
  user.liked = not user.liked
  return wrk.format(method, path, { ["Authorization"] = user.auth })
end

-- One global number per status (status_200, ...), which done() reads with thread:get(). Numbers,
-- not a table: wrk 4.1 corrupts the thread's Lua stack when it copies a table out of it.
function response(status, headers, body)
  local name = "status_" .. status
  _G[name] = (_G[name] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for status = 100, 599 do
      local n = thread:get("status_" .. status)
      if n then merged[status] = (merged[status] or 0) + n end
    end
  end
  local parts = {}
  for status, n in pairs(merged) do parts[#parts + 1] = string.format('"%d":%d', status, n) end
  local out = assert(io.open(os.getenv("FC_BENCH_OUT"), "w"))
  out:write('{"wrk":', fc_figures(summary, latency), ',"statuses":{', table.concat(parts, ","), '}}\n')
  out:close()
end
