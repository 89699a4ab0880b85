-- wrk script of scripts/bench/soak.sh: mix.lua's traffic, paced to a fixed rate.
--
--   FC_BENCH_LUA_DIR=DIR FC_SOAK_RATE=R FC_SOAK_THREADS=N (and mix.lua's variables) wrk -tN -cN -s soak.lua URL -- PHASE
--
-- wrk has no rate option; it calls a script's delay() before each request (after the previous answer,
-- one connection per thread) and waits that many milliseconds. Each thread sends R / N requests a
-- second: request k is due at start + k * N / R ms, and delay() waits until then. A thread that falls
-- behind (a slow answer) sends at once until it has caught up, so the rate holds as long as the API
-- keeps up; a backlog of more than a second is dropped, not burst out. Latency is still measured
-- from request() (after the delay) to response() by mix.lua, so waiting is never counted as latency.

dofile(os.getenv("FC_BENCH_LUA_DIR") .. "/mix.lua")

local interval_ms = nil
local next_due_ms = nil
local mix_init = init

function init(args)
  mix_init(args)
  local rate = assert(tonumber(os.getenv("FC_SOAK_RATE")), "FC_SOAK_RATE (requests/s) is not set")
  local threads = assert(tonumber(os.getenv("FC_SOAK_THREADS")), "FC_SOAK_THREADS is not set")
  interval_ms = 1000 * threads / rate
end

function delay()
  local now_ms = fc_now_us() / 1000
  if next_due_ms == nil then
    -- Threads start together: spread their first requests over one interval.
    next_due_ms = now_ms + math.random() * interval_ms
  elseif next_due_ms < now_ms - 1000 then
    next_due_ms = now_ms
  end
  local wait = next_due_ms - now_ms
  next_due_ms = next_due_ms + interval_ms
  if wait < 0 then return 0 end
  return math.floor(wait)
end
