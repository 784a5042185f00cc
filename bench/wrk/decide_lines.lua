-- decide_lines.lua: wrk script for POST /v1/decide (bench/serve.sh) on a
-- bigger order: the worked example of CONTRACT.md with 40 rings instead
-- of one, every one of them received in silver instead of white gold
-- (full_refund, refund.1). About 9 KB, so that the server's work per
-- request is several times wrk's and a server given every CPU can show
-- it uses them (with the one-ring example, wrk is the limit). No token.
local n = 40
local addr = '{"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland", ' ..
	'"postal_code": "1010", "country": "NZ"}'
local items, lines, received = {}, {}, {}
for i = 1, n do
	items[i] = string.format('{"line": %d, "sku": "R-14W-%d", "kind": "ring", ' ..
		'"style": "halo", "shape": "oval", "material": "14k white gold", ' ..
		'"color": "white", "size": "7", "price_minor": 52000}', i, i)
	lines[i] = tostring(i)
	received[i] = string.format('{"line": %d, "material": "sterling silver"}', i)
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"order": {"id": "A-1001", "placed_at": "2026-05-04T08:00:00Z", ' ..
	'"currency": "USD", "shipping_minor": 1500, "address": ' .. addr ..
	', "items": [' .. table.concat(items, ", ") .. ']}, ' ..
	'"shipment": {"shipped_at": "2026-05-07T03:00:00Z", "address": ' .. addr ..
	', "delivered_at": "2026-05-12T16:20:00Z", "courier_finding": "none", ' ..
	'"customs": "cleared"}, ' ..
	'"claim": {"type": "wrong_item", "opened_at": "2026-05-13T09:05:00Z", ' ..
	'"lines": [' .. table.concat(lines, ", ") .. '], "received": [' ..
	table.concat(received, ", ") .. ']}}'
