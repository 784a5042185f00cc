-- get_random_case.lua: wrk script for GET /v1/cases/{id} on cases drawn at
-- random from C-000001 .. C-<AFTERCARE_CASES> (bench/big.sh). The API
-- token comes from AFTERCARE_TOKEN.
local token = os.getenv("AFTERCARE_TOKEN")
local n = tonumber(os.getenv("AFTERCARE_CASES") or "")
if not token or token == "" or not n then
	error("get_random_case.lua: AFTERCARE_TOKEN or AFTERCARE_CASES is not set")
end
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token

function setup(thread)
	thread:set("seed", math.random(1, 1000000))
end

function init()
	math.randomseed(seed or os.time())
end

request = function()
	return wrk.format(nil, string.format("/v1/cases/C-%06d", math.random(1, n)))
end
