#!/usr/bin/env bash
# import.sh: `aftercare import` on a generated shop of N orders (default
# 100,000) in Shopify's order JSON and in its orders CSV export (1 to 3
# line items an order, a third fulfilled with a tracking number): orders
# imported a second into a new SQLite file (and a CPU second: user +
# system time, steadier than the wall clock on a shared machine), the
# same file imported again
# (every order already there: the re-import's rate), and the peak memory
# of each run: the maximum resident set size (/usr/bin/time -v; the
# file's mapped pages and the database's included) and the largest
# anonymous part of it (RssAnon, sampled). Baseline in the same run: sqlite3 loading the
# same orders and items as plain INSERTs in one transaction, the
# fastest the database takes those rows. Usage: bench/import.sh BUILD_DIR
set -u
BIN=$(realpath -- "${1:-build}/aftercare") || exit 2
N=${N:-100000}
T=$(mktemp -d /tmp/ac-bimport-XXXXXX) || exit 2
trap 'rm -rf -- "$T"' EXIT

python3 - "$N" "$T" <<'EOF'
import json, random, sys
n, t = int(sys.argv[1]), sys.argv[2]
random.seed(7)
kinds = [("Halo Ring", "R", "7"), ("Rope Chain Necklace", "N", "45"),
         ("Tennis Bracelet", "B", "18"), ("Pearl Stud Earrings", "E", None),
         ("Solitaire Pendant", "P", None)]
head = ("Name,Email,Financial Status,Paid at,Fulfillment Status,"
        "Fulfilled at,Currency,Subtotal,Shipping,Taxes,Total,Created at,"
        "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,"
        "Shipping Name,Shipping Address1,Shipping Address2,Shipping City,"
        "Shipping Zip,Shipping Province,Shipping Country,Id")
with open(t + "/orders.json", "w") as js, open(t + "/orders.csv", "w") as cs, \
     open(t + "/baseline.sql", "w") as sq:
    cs.write(head + "\r\n")
    sq.write("CREATE TABLE o (id TEXT PRIMARY KEY, email TEXT, total INTEGER,"
             " addr TEXT) STRICT;\nCREATE TABLE i (o TEXT, line INTEGER, "
             "sku TEXT, price INTEGER, PRIMARY KEY (o, line)) STRICT;\n"
             "BEGIN;\n")
    js.write('{"orders": [\n')
    for k in range(n):
        name = "#%d" % (100000 + k)
        day = 1 + k % 28
        lis, total = [], 0
        for j in range(random.randint(1, 3)):
            title, p, size = random.choice(kinds)
            price = random.randint(50, 900) * 100 + random.choice([0, 50, 99])
            total += price
            li = {"title": title, "sku": "%s-%d-%d" % (p, k, j),
                  "variant_title": size, "quantity": 1,
                  "price": "%d.%02d" % (price // 100, price % 100),
                  "properties": [{"name": "Material",
                                  "value": "14k white gold"}]}
            lis.append(li)
        shipped = k % 3 == 0
        o = {"id": 7000000000 + k, "name": name,
             "email": "buyer%d@example.com" % k,
             "created_at": "2026-03-%02dT10:00:00-04:00" % day,
             "currency": "USD", "financial_status": "paid",
             "total_price": "%d.%02d" % ((total + 1500) // 100,
                                         (total + 1500) % 100),
             "total_shipping_price_set": {"shop_money": {"amount": "15.00"}},
             "line_items": lis,
             "shipping_address": {"name": "Buyer %d" % k,
                                  "address1": "%d Quay St" % k,
                                  "city": "Auckland", "zip": "1010",
                                  "country_code": "NZ"},
             "fulfillments": [{"status": "success",
                               "created_at": "2026-04-%02dT10:00:00Z" % day,
                               "shipment_status": "in_transit",
                               "tracking_company": "UPS",
                               "tracking_number": "1Z%010d" % k}]
                             if shipped else [],
             "customer": {"first_name": "Buyer", "last_name": str(k)}}
        js.write(("," if k else "") + json.dumps(o) + "\n")
        for j, li in enumerate(lis):
            first = j == 0
            row = [name, o["email"] if first else "", "paid" if first else "",
                   "", "fulfilled" if first and shipped else "",
                   ("2026-04-%02d 10:00:00 +0000" % day)
                   if first and shipped else "",
                   "USD" if first else "", "", "15.00" if first else "", "",
                   o["total_price"] if first else "",
                   ("2026-03-%02d 10:00:00 -0400" % day) if first else "",
                   "1", '"%s - %s / 14k White Gold"' % (li["title"],
                                                        li["variant_title"])
                   if li["variant_title"] else li["title"],
                   li["price"], li["sku"],
                   "Buyer %d" % k if first else "",
                   '"%d Quay St, Apt 1"' % k if first else "", "",
                   "Auckland" if first else "", "1010" if first else "", "",
                   "NZ" if first else "", str(o["id"]) if first else ""]
            cs.write(",".join(row) + "\r\n")
            sq.write("INSERT INTO i VALUES ('%s',%d,'%s',%s);\n" % (
                name, j + 1, li["sku"], li["price"].replace(".", "")))
        sq.write("INSERT INTO o VALUES ('%s','%s',%d,'%d Quay St');\n" % (
            name, o["email"], total + 1500, k))
    js.write("]}\n")
    sq.write("COMMIT;\n")
EOF
[ -s "$T/orders.json" ] || { echo "import.sh: no orders generated" >&2; exit 1; }

# anon_peak PID: the largest RssAnon (kB) of PID, sampled every 0.1 s
# until it ends (the resident set without the file's mapped pages and
# the database's, which are page cache the kernel may take back).
anon_peak() {
	local max=0 k v
	while [ -r "/proc/$1/status" ]; do
		while read -r k v _; do
			[ "$k" = RssAnon: ] && [ "$v" -gt "$max" ] && max=$v
		done <"/proc/$1/status" 2>/dev/null
		sleep 0.1
	done
	echo "$max"
}

# run NAME DB ARGS...: one timed import; prints its line.
run() {
	local name=$1 db=$2 s e tpid pid=
	shift 2
	s=$(date +%s.%N)
	/usr/bin/time -v -o "$T/time" "$BIN" import shopify "$@" --db "$db" \
		>"$T/out" 2>"$T/err" &
	tpid=$!
	for _ in $(seq 100); do
		pid=$(pgrep -P "$tpid") && break
		sleep 0.01
	done
	anon=$(anon_peak "${pid:-0}")
	wait "$tpid" || {
		echo "import.sh: $name failed: $(tail -n 3 "$T/err")" >&2
		exit 1
	}
	e=$(date +%s.%N)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/time")
	cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' \
		"$T/time")
	awk -v n="$N" -v s="$s" -v e="$e" -v r="$rss" -v a="$anon" \
		-v b="$BASE" -v c="$cpu" -v name="$name" \
		-v out="$(cat "$T/out")" 'BEGIN {
		printf "import %-24s %6.0f orders/s (%.2f x baseline, " \
			"%.2f s; %.0f a CPU second), peak RSS %.0f MB, " \
			"anon %.0f MB\n", name, n / (e - s), n / (e - s) / b,
			e - s, n / (c > 0 ? c : 1), r / 1024, a / 1024
		print "    " out
	}'
}

echo "import: $N orders, $(du -m "$T/orders.json" | cut -f1) MB of JSON," \
	"$(du -m "$T/orders.csv" | cut -f1) MB of CSV"
s=$(date +%s.%N)
sqlite3 "$T/base.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" \
	>/dev/null
sqlite3 "$T/base.db" <"$T/baseline.sql"
e=$(date +%s.%N)
BASE=$(awk -v n="$N" -v s="$s" -v e="$e" \
	'BEGIN { printf "%.0f", n / (e - s) }')
echo "baseline: sqlite3, plain INSERTs of the same rows: $BASE orders/s"
run "Shopify JSON, new file" "$T/json.db" "$T/orders.json"
run "Shopify JSON, again" "$T/json.db" "$T/orders.json"
run "Shopify CSV, new file" "$T/csv.db" "$T/orders.csv"
run "Shopify CSV, again" "$T/csv.db" "$T/orders.csv"
