-- One hostile body, sent again and again: method, path, body file and token from the environment.
-- The figures go to $FC_BENCH_OUT via summary.lua's done().
dofile(os.getenv("FC_BENCH_LUA_DIR") .. "/summary.lua")

local file = assert(io.open(assert(os.getenv("FC_BENCH_BODY")), "rb"))
wrk.body = file:read("*a")
file:close()
wrk.method = os.getenv("FC_BENCH_METHOD")
wrk.path = os.getenv("FC_BENCH_PATH")
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("FC_BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
