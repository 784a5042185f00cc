-- open_case.lua: wrk script for POST /v1/cases (bench/serve.sh): every
-- request opens a new case on the order in AFTERCARE_ORDER (default
-- D-1004 of `aftercare demo`, delivered yesterday: a damaged ring is a full
-- refund), decided and stored in one transaction, answered after its
-- commit. The API token comes from AFTERCARE_TOKEN.
local token = os.getenv("AFTERCARE_TOKEN")
if not token or token == "" then
	error("open_case.lua: AFTERCARE_TOKEN is not set")
end
local order = os.getenv("AFTERCARE_ORDER") or "D-1004"
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"order": "' .. order .. '", "claim": {"type": "damaged", ' ..
	'"defects": ["broken"]}}'
