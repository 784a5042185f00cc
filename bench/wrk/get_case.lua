-- get_case.lua: wrk script for GET /v1/cases/{id} (bench/serve.sh; the
-- case is in the URL). The API token comes from AFTERCARE_TOKEN.
local token = os.getenv("AFTERCARE_TOKEN")
if not token or token == "" then
	error("get_case.lua: AFTERCARE_TOKEN is not set")
end
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. token
