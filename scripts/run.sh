#!/bin/sh
# run.sh: `make run`, the main job: the case desk on SQLite with a demo
# shop. Creates aftercare.db (a dozen demo orders in every state) and an
# API token the first time, then serves on http://127.0.0.1:8080 until
# Ctrl-C. Settings: DB=path LISTEN=host:port.
set -eu
bin=${1:-build/aftercare}
db=${DB:-aftercare.db}
listen=${LISTEN:-127.0.0.1:8080}
tokfile="$db.token"

"$bin" demo --db "$db" --cases
if [ ! -s "$tokfile" ]; then
	"$bin" token add demo --db "$db" | tail -n 1 > "$tokfile"
fi
token=$(cat "$tokfile")
cat <<MSG

The case desk is starting on http://$listen (Ctrl-C stops it).

In a browser:
  http://$listen/          the customer portal: order D-1001 (or any of
                           D-1001 to D-1013), e-mail ana@example.com
  http://$listen/console   the staff console: user manager, password
                           manager-demo-1 (or agent / agent-demo-1)

Your API token (also in $tokfile):

  export TOKEN=$token

Try it:
  curl -s http://$listen/v1/orders/D-1004 -H "Authorization: Bearer \$TOKEN"
  curl -s http://$listen/v1/cases -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' \\
       -d '{"order": "D-1001", "claim": {"type": "cancel"}}'
  curl -s http://$listen/v1/cases/C-000001/refunds -H "Authorization: Bearer \$TOKEN" \\
       -H 'Content-Type: application/json' -H 'Idempotency-Key: first-try' \\
       -d '{"amount_minor": 1000}'
  curl -s http://$listen/v1/audit -H "Authorization: Bearer \$TOKEN"
  build/aftercare decide --explain < examples/wrong-item.json

MSG
exec "$bin" serve --db "$db" --listen "$listen"
