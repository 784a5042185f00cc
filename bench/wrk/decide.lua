-- decide.lua: wrk script for POST /v1/decide (bench/serve.sh): the
-- worked example of CONTRACT.md (a ring in silver instead of white gold,
-- reported the next morning: full_refund, refund.1). No token needed.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"order": {"id": "A-1001", "placed_at": "2026-05-04T08:00:00Z", "currency": "USD",
           "shipping_minor": 1500,
           "address": {"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
                       "postal_code": "1010", "country": "NZ"},
           "items": [{"line": 1, "sku": "R-14W-7", "kind": "ring", "style": "halo",
                      "shape": "oval", "material": "14k white gold", "color": "white",
                      "size": "7", "price_minor": 52000}]},
 "shipment": {"shipped_at": "2026-05-07T03:00:00Z",
              "address": {"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
                          "postal_code": "1010", "country": "NZ"},
              "delivered_at": "2026-05-12T16:20:00Z", "courier_finding": "none",
              "customs": "cleared"},
 "claim": {"type": "wrong_item", "opened_at": "2026-05-13T09:05:00Z", "lines": [1],
           "received": [{"line": 1, "material": "sterling silver"}]}}]]
