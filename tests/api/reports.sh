#!/bin/bash
# reports.sh: GET /v1/reports/{name} and the console's dashboard over
# HTTP (issue 9.3). The demo shop gets cases over several weeks (claims
# opened in the past), refunds in parts, an approval, an override and a
# claim naming one line of a two-item order; then every report's JSON is
# compared, row by row, with sums computed here from the rows the database
# holds (cases, orders, items, decisions, ledger: SQL on SQLite or
# PostgreSQL, weeks counted by awk from the instants), never from the
# summaries. Each report's CSV download (a manager's session) has the
# JSON's rows; agents are refused the dashboard (403); the page carries
# one SVG chart with a text alternative per chart, and no inline script
# or style. The migration's one-off fill, run again on a copy of the
# SQLite file, gives the summaries the triggers kept.
# Usage: tests/api/reports.sh BIN    (exit 1 if any check failed)
# AC_TEST_PG_DSN=DSN runs it on a new database of that cluster.
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
T=$(mktemp -d) || exit 2
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo reports
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")
PG=0
[[ $DB == postgres* ]] && PG=1

# sql QUERY: rows as a|b|c lines, from the database itself
sql() {
	if [ $PG = 1 ]; then
		psql -XAt -F '|' "$DB" -c "$1"
	else
		sqlite3 -separator '|' "$DB" "$1"
	fi
}

# open ORDER CLAIM: opens a case, prints its id
open() {
	curl -s "${AUTH[@]}" "${JSON[@]}" "$U/v1/cases" \
		-d "{\"order\": \"$1\", \"claim\": $2}" | jq -r '.id // empty'
}
refund() {
	curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "${JSON[@]}" \
		-H "Idempotency-Key: $1-$2-$RANDOM" \
		"$U/v1/cases/$1/refunds" -d "{\"amount_minor\": $2}"
}

# ---- a history ------------------------------------------------------------
ago() { date -u -d "$1 days ago" +%Y-%m-%dT%H:%M:%SZ; }
ids=()
for spec in "D-1001|{\"type\": \"unwanted\", \"opened_at\": \"$(ago 20)\"}" \
	"D-1003|{\"type\": \"damaged\", \"defects\": [\"broken\"], \"opened_at\": \"$(ago 15)\"}" \
	"D-1013|{\"type\": \"damaged\", \"defects\": [\"broken\"], \"lines\": [2], \"opened_at\": \"$(ago 9)\"}" \
	"D-1013|{\"type\": \"not_received\"}" \
	"D-1006|{\"type\": \"not_received\", \"opened_at\": \"$(ago 3)\"}" \
	"D-1006|{\"type\": \"damaged\", \"defects\": [\"broken\"]}" \
	"D-1001|{\"type\": \"cancel\"}" \
	"D-1003|{\"type\": \"unwanted\"}"; do
	id=$(open "${spec%%|*}" "${spec#*|}")
	[ -n "$id" ] || { echo "could not open ${spec%%|*}: ${spec#*|}" >&2; exit 1; }
	ids+=("$id")
done
# refunds where the decision allows them (some are refused: that is fine)
for id in "${ids[@]}"; do
	refund "$id" 1000 >/dev/null
	refund "$id" 250 >/dev/null
done
curl -s -o /dev/null "${AUTH[@]}" -X POST "$U/v1/cases/${ids[1]}/approve"
curl -s -o /dev/null "${AUTH[@]}" "${JSON[@]}" \
	"$U/v1/cases/${ids[4]}/override" \
	-d '{"verdict": "partial_refund", "refund_max_minor": 300, "reason": "goodwill"}'
refund "${ids[4]}" 300 >/dev/null
n_refunds=$(sql "SELECT count(*) FROM ledger WHERE kind = 'refund'")
check "the history has refunds in several currencies" "$n_refunds" \
	test "$n_refunds" -ge 4 -a "$(sql "SELECT count(DISTINCT currency) FROM ledger")" -ge 2

get() { curl -s "${AUTH[@]}" "$U/v1/reports/$1"; }

# ---- weeks: counted by awk from the instants ------------------------------
# monday US: the Monday 00:00 UTC (µs) of an instant (µs), by whole days
MONDAY='function monday(us,  s, d) { s = int(us / 1000000); d = int(s / 86400);
	return (d - (d + 3) % 7) * 86400 * 1000000 }'
{
	sql "SELECT c.opened_at, o.currency, 'case', 0 FROM cases c
		JOIN orders o ON o.id = c.order_id"
	sql "SELECT created_at, currency, 'refund', amount_minor FROM ledger
		WHERE kind = 'refund'"
} | awk -F'|' "$MONDAY"'
	{ k = sprintf("%.0f", monday($1)) "|" $2; seen[k] = 1
	  if ($3 == "case") c[k]++; else { r[k]++; m[k] += $4 } }
	END { for (k in seen) print k "|" c[k] + 0 "|" r[k] + 0 "|" m[k] + 0 }' |
	LC_ALL=C sort >"$T/weeks.want"
get weeks | jq -r '.rows[] | "\(.week_start | fromdateiso8601 * 1000000)|\(.currency)|\(.cases)|\(.refunds)|\(.refunded_minor)"' |
	LC_ALL=C sort >"$T/weeks.got"
check "weeks: cases and money per ISO week and currency, as the ledger says" \
	"$(diff "$T/weeks.want" "$T/weeks.got" | head -5)" \
	cmp -s "$T/weeks.want" "$T/weeks.got"
check "… over three weeks or more" "$(wc -l <"$T/weeks.got")" \
	test "$(cut -d'|' -f1 "$T/weeks.got" | sort -u | wc -l)" -ge 3
wk=$(get weeks | jq -r '.rows[0].week')
check "… a week is named 2026-W05-like" "$wk" \
	bash -c "[[ '$wk' =~ ^[0-9]{4}-W[0-9]{2}$ ]]"

# ---- by a column of the case ----------------------------------------------
# by KEY_SQL: rows key|currency|cases|refunds|minor from the cases
by() {
	sql "SELECT k, cur, count(*), sum(nr), sum(m) FROM (
		SELECT $1 AS k, o.currency AS cur,
			(SELECT count(*) FROM ledger l WHERE l.case_id = c.id
			 AND l.kind = 'refund') AS nr,
			(SELECT coalesce(sum(l.amount_minor), 0) FROM ledger l
			 WHERE l.case_id = c.id AND l.kind = 'refund') AS m
		FROM cases c JOIN orders o ON o.id = c.order_id) t
		GROUP BY k, cur" | LC_ALL=C sort
}
rows() {
	get "$1" | jq -r --arg k "$2" '.rows[] | "\(.[$k])|\(.currency)|\(.cases)|\(.refunds)|\(.refunded_minor)"' |
		LC_ALL=C sort
}
by "c.claim_type" >"$T/types.want"
rows types type >"$T/types.got"
check "types: per claim type, as the cases and the ledger say" \
	"$(diff "$T/types.want" "$T/types.got" | head -5)" \
	cmp -s "$T/types.want" "$T/types.got"
by "coalesce(c.clause, '(none)')" >"$T/clauses.want"
rows clauses clause >"$T/clauses.got"
check "clauses: per current deciding clause" \
	"$(diff "$T/clauses.want" "$T/clauses.got" | head -5)" \
	cmp -s "$T/clauses.want" "$T/clauses.got"

# materials and kinds: the items the claim names (all when it names none)
if [ $PG = 1 ]; then
	CLAIMED="(json_typeof(c.claim_json::json -> 'lines') IS DISTINCT FROM 'array'
		OR i.line IN (SELECT json_array_elements_text(c.claim_json::json -> 'lines')::bigint))"
else
	CLAIMED="(coalesce(json_type(c.claim_json, '\$.lines'), '') <> 'array'
		OR i.line IN (SELECT value FROM json_each(c.claim_json, '\$.lines')))"
fi
for what in material:materials kind:kinds; do
	col=${what%%:*} rep=${what#*:}
	sql "SELECT k, cur, count(*), sum(nr), sum(m) FROM (
		SELECT DISTINCT c.id, i.$col AS k, o.currency AS cur,
			(SELECT count(*) FROM ledger l WHERE l.case_id = c.id
			 AND l.kind = 'refund') AS nr,
			(SELECT coalesce(sum(l.amount_minor), 0) FROM ledger l
			 WHERE l.case_id = c.id AND l.kind = 'refund') AS m
		FROM cases c JOIN orders o ON o.id = c.order_id
			JOIN items i ON i.order_id = c.order_id
		WHERE $CLAIMED) t GROUP BY k, cur" | LC_ALL=C sort >"$T/$rep.want"
	rows "$rep" "$col" >"$T/$rep.got"
	check "$rep: per $col of the items claimed" \
		"$(diff "$T/$rep.want" "$T/$rep.got" | head -5)" \
		cmp -s "$T/$rep.want" "$T/$rep.got"
done
silver=$(get materials | jq '[.rows[] | select(.material == "sterling silver")] | length')
check "… the claim on line 2 of D-1013 counts its silver necklace" \
	"$silver" test "$silver" = 1

# ---- automation ------------------------------------------------------------
want=$(sql "SELECT
	sum(CASE WHEN override_verdict IS NULL AND approved_by IS NULL
		AND verdict IS NOT NULL AND verdict <> 'pending' THEN 1 ELSE 0 END),
	sum(CASE WHEN override_verdict IS NOT NULL OR approved_by IS NOT NULL
		THEN 1 ELSE 0 END),
	sum(CASE WHEN override_verdict IS NULL AND approved_by IS NULL
		AND (verdict IS NULL OR verdict = 'pending') THEN 1 ELSE 0 END)
	FROM cases")
got=$(get automation | jq -r '[.rows[] | .cases] | join("|")')
check "automation: decided alone, by staff, undecided" "$want / $got" \
	test "$want" = "$got"
IFS='|' read -r na ns _ <<<"$want"
share=$(get automation | jq '.figures.without_staff_permille')
check "… the share without staff, per mille" "$share" \
	test "$share" = $(((na * 2000 + na + ns) / (2 * (na + ns))))

# ---- durations -------------------------------------------------------------
BUCKET="CASE WHEN d <= 3600000000 THEN 0 WHEN d <= 7200000000 THEN 1
	WHEN d <= 14400000000 THEN 2 WHEN d <= 28800000000 THEN 3
	WHEN d <= 43200000000 THEN 4 WHEN d <= 86400000000 THEN 5
	WHEN d <= 172800000000 THEN 6 WHEN d <= 259200000000 THEN 7
	WHEN d <= 432000000000 THEN 8 WHEN d <= 604800000000 THEN 9
	WHEN d <= 1209600000000 THEN 10 WHEN d <= 2592000000000 THEN 11
	WHEN d <= 5184000000000 THEN 12 ELSE 13 END"
for w in "decision:decisions:decided_at:decisions x WHERE x.case_id = c.id AND x.verdict <> 'pending'" \
	"refund:refunds:created_at:ledger x WHERE x.case_id = c.id AND x.kind = 'refund'"; do
	IFS=: read -r what col at from <<<"$w"
	sql "SELECT b, count(*) FROM (SELECT $BUCKET AS b FROM (
		SELECT (SELECT x.$at FROM $from ORDER BY x.id LIMIT 1)
			- c.opened_at AS d FROM cases c) t
		WHERE d IS NOT NULL) u GROUP BY b" | LC_ALL=C sort >"$T/d.want"
	get durations | jq -r --arg c "$col" '.rows | to_entries[] |
		select(.value[$c] > 0) | "\(.key)|\(.value[$c])"' |
		LC_ALL=C sort >"$T/d.got"
	check "durations: claim to first $what, bucket by bucket" \
		"$(diff "$T/d.want" "$T/d.got" | head -5)" \
		cmp -s "$T/d.want" "$T/d.got"
done
med=$(get durations | jq '.figures.median_decision_s')
check "… a median time to decision, in seconds" "$med" \
	bash -c "[[ '$med' =~ ^[0-9]+$ ]]"

# ---- overdue and claimants ---------------------------------------------------
r=$(get overdue)
at=$(jq -r '.generated_at' <<<"$r")
now_us=$(($(date -u -d "$at" +%s%N) / 1000))
want=$(sql "SELECT count(*) FROM cases WHERE status NOT IN ('resolved', 'closed')
	AND coalesce(CASE WHEN deadline < response_due_at THEN deadline
		ELSE response_due_at END, deadline, response_due_at) < $now_us")
check "overdue: the cases past their deadline or response time" \
	"$want / $(jq '.figures.overdue' <<<"$r")" \
	test "$want" = "$(jq '.figures.overdue' <<<"$r")"
want=$(sql "SELECT count(*) FROM cases c JOIN orders o ON o.id = c.order_id
	WHERE c.claim_type IN ('not_received', 'damaged')
	AND o.customer_email = 'ana@example.com'")
got=$(get claimants | jq '.rows[] | select(.by == "email" and .key == "ana@example.com") | .claims')
check "claimants: ana's not_received and damaged claims" "$want / $got" \
	test "$want" = "$got" -a "$want" -ge 2
got=$(get 'claimants?min_claims=1000' | jq '.rows | length')
check "… none with a thousand" "$got" test "$got" = 0

# ---- errors ------------------------------------------------------------------
code=$(curl -s -o "$T/e" -w '%{http_code}' "${AUTH[@]}" "$U/v1/reports/nope")
check "an unknown report is 404 naming it" "$code" \
	bash -c "[ $code = 404 ] && jq -e '.field == \"report\"' '$T/e'"
code=$(curl -s -o "$T/e" -w '%{http_code}' "${AUTH[@]}" \
	"$U/v1/reports/weeks?from=yesterday")
check "a from that is not RFC 3339 is 422 naming it" "$code" \
	bash -c "[ $code = 422 ] && jq -e '.field == \"from\"' '$T/e'"
code=$(curl -s -o "$T/e" -w '%{http_code}' "${AUTH[@]}" \
	"$U/v1/reports/weeks?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")
check "to before from is 422 naming to" "$code" \
	bash -c "[ $code = 422 ] && jq -e '.field == \"to\"' '$T/e'"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/reports/weeks")
check "without a token 401" "$code" test "$code" = 401
from=$(ago 10) to=$(ago 0)
n=$(curl -s "${AUTH[@]}" "$U/v1/reports/weeks?from=$from&to=$to" | jq '.rows | length')
all=$(get weeks | jq '.rows | length')
check "from and to narrow the weeks" "$n of $all" test "$n" -lt "$all" -a "$n" -ge 1

# ---- the console: CSV equals JSON, managers only ------------------------------
login() {
	curl -s -D "$T/h" -o /dev/null "$U/console/signin" \
		--data-urlencode "user=$1" --data-urlencode "password=$2"
	sed -n 's/.*ac_staff=\([0-9a-f]*\).*/\1/p' "$T/h" | head -n 1
}
M=(-b "ac_staff=$(login manager manager-demo-1)")
A=(-b "ac_staff=$(login agent agent-demo-1)")
CSVJQ='def q: if type == "string" and test("[,\"\r\n]")
	then "\"" + gsub("\""; "\"\"") + "\"" else tostring end;
	(.rows[0] // {} | keys_unsorted | join(",")),
	(.rows[] | [.[] | q] | join(","))'
for name in weeks clauses types materials kinds automation durations claimants; do
	curl -s "${M[@]}" -o "$T/$name.csv" -D "$T/$name.h" \
		"$U/console/reports/$name.csv"
	get "$name" | jq -r "$CSVJQ" >"$T/$name.fromjson"
	tr -d '\r' <"$T/$name.csv" >"$T/$name.csvn"
	check "$name.csv has the JSON's rows" \
		"$(diff "$T/$name.fromjson" "$T/$name.csvn" | head -4)" \
		cmp -s "$T/$name.fromjson" "$T/$name.csvn"
done
check "… served as text/csv, an attachment" "$(cat "$T/weeks.h")" \
	bash -c "grep -qi '^content-type: text/csv' '$T/weeks.h' && grep -qi '^content-disposition: attachment; filename=\"weeks.csv\"' '$T/weeks.h'"
code=$(curl -s -o "$T/dash.html" -w '%{http_code}' "${M[@]}" "$U/console/reports")
nsvg=$(grep -o '<svg ' "$T/dash.html" | wc -l)
nalt=$(grep -o 'role="img" aria-labelledby="c-[a-z]*-[12]-t c-[a-z]*-[12]-d"><title id="c-[a-z]*-[12]-t">[^<]' "$T/dash.html" | wc -l)
check "the dashboard draws every chart with a title and desc" \
	"$code $nsvg svg, $nalt named" \
	test "$code" = 200 -a "$nsvg" -ge 9 -a "$nsvg" = "$nalt"
check "… and no inline script or style" "" \
	bash -c "! grep -Eq '<script>|<script [^s]|<style|style=' '$T/dash.html'"
check "… a CSV link for each report" "" \
	test "$(grep -o 'href="/console/reports/[a-z]*\.csv"' "$T/dash.html" | wc -l)" = 9
code=$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" "$U/console/reports")
check "an agent is refused the dashboard (403)" "$code" test "$code" = 403
code=$(curl -s -o /dev/null -w '%{http_code}' "${A[@]}" "$U/console/reports/weeks.csv")
check "… and its CSV (403)" "$code" test "$code" = 403
check "the nav links the reports for a manager" "" \
	grep -q 'href="/console/reports">Reports<' "$T/dash.html"

# ---- the migration's fill gives what the triggers kept (SQLite) ---------------
if [ $PG = 0 ]; then
	cp "$DB" "$T/copy.db"
	[ -f "$DB-wal" ] && cp "$DB-wal" "$T/copy.db-wal"
	{
		echo "CREATE TEMP TABLE kept_s AS SELECT * FROM report_sums WHERE cases <> 0 OR refunds <> 0;"
		echo "CREATE TEMP TABLE kept_d AS SELECT * FROM report_durations;"
		echo "CREATE TEMP TABLE kept_c AS SELECT * FROM report_claimants;"
		echo "CREATE TEMP TABLE kept_u AS SELECT * FROM report_due WHERE n <> 0;"
		echo "DELETE FROM report_sums; DELETE FROM report_durations; DELETE FROM report_claimants;"
		echo "DROP TABLE report_due;"
		sed -n '/^-- ---- the existing rows, once/,/^-- ---- the triggers/p' \
			"$ROOT/src/store/migrations/0007_reports.sql"
		echo "SELECT 'sums', count(*) FROM (SELECT * FROM kept_s EXCEPT SELECT * FROM report_sums WHERE cases <> 0 OR refunds <> 0);"
		echo "SELECT 'sums2', count(*) FROM (SELECT * FROM report_sums WHERE cases <> 0 OR refunds <> 0 EXCEPT SELECT * FROM kept_s);"
		echo "SELECT 'durations', count(*) FROM (SELECT * FROM kept_d EXCEPT SELECT * FROM report_durations);"
		echo "SELECT 'durations2', count(*) FROM (SELECT * FROM report_durations EXCEPT SELECT * FROM kept_d);"
		echo "SELECT 'claimants', count(*) FROM (SELECT * FROM kept_c EXCEPT SELECT * FROM report_claimants);"
		echo "SELECT 'claimants2', count(*) FROM (SELECT * FROM report_claimants EXCEPT SELECT * FROM kept_c);"
		echo "SELECT 'due', count(*) FROM (SELECT * FROM kept_u EXCEPT SELECT * FROM report_due);"
		echo "SELECT 'due2', count(*) FROM (SELECT * FROM report_due EXCEPT SELECT * FROM kept_u);"
		echo "SELECT 'rows', count(*) FROM report_sums;"
	} | sqlite3 -separator '|' "$T/copy.db" >"$T/refill" 2>&1
	check "the migration's fill of existing rows equals the triggers' sums" \
		"$(cat "$T/refill")" \
		bash -c "grep -q '^rows|[1-9]' '$T/refill' && ! grep -Ev '^[a-z0-9]+\|0$|^rows\|' '$T/refill'"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
