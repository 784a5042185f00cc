-- hook.lua: wrk script for POST /v1/hooks/aftership/{name} (bench/hooks.sh):
-- each request is the next of the signed AfterShip events in the file
-- AFTERCARE_HOOKS (lines "SIGNATURE<TAB>BODY", made by bench/hooks.sh), so
-- that every one is a new event id, checked and applied.
local path = os.getenv("AFTERCARE_HOOKS")
if not path or path == "" then
	error("hook.lua: AFTERCARE_HOOKS is not set")
end
local events = {}
for line in io.lines(path) do
	local sig, body = line:match("^([^\t]*)\t(.*)$")
	events[#events + 1] = { sig, body }
end
local i = 0
request = function()
	i = i + 1
	local e = events[(i - 1) % #events + 1]
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/json",
		["aftership-hmac-sha256"] = e[1],
	}, e[2])
end
