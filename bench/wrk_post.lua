-- wrk script: POST one GraphQL request body, read from the file named by WRK_BODY_FILE, to the URL given.
--   WRK_BODY_FILE=/tmp/01.json wrk -t1 -c8 -d5s --latency -s bench/wrk_post.lua http://127.0.0.1:8000/graphql
-- Write the body files with bench/bench_graphql.py --write-bodies DIR, so wrk sends what the Python bench sends.
local path = os.getenv("WRK_BODY_FILE")
if path == nil then
  error("set WRK_BODY_FILE to a file holding the JSON request body")
end
local file = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = file:read("*a")
file:close()
