-- 0010_import: order import (issue 10.5) needs no schema of its own: an
-- imported order is an order like any other (orders, items, shipments,
-- tracking_events), put through the desk, and its id is the shop's order
-- name, so a second import finds it (docs/IMPORT.md). Kept as a no-op so
-- that the version numbers stay in step.
SELECT 1;
