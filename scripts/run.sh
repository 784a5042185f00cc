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
# The customers' mail (issue 10) goes to a small SMTP sink started beside
# the server (tests/api/smtp_sink.py): each message is kept whole in
# $db.mail/ and listed here as it comes. MAIL_PORT=port moves it.
mail_port=${MAIL_PORT:-2525}
set -- --db "$db" --listen "$listen"
if /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	/usr/bin/python3 "$(dirname "$0")/../tests/api/smtp_sink.py" \
		--dir "$db.mail" --port "$mail_port" 2>&1 |
		grep --line-buffered -v '^port ' &
	echo "mail: the customers' mail goes to an SMTP sink on" \
		"127.0.0.1:$mail_port;"
	echo "mail: each message is kept in $db.mail/ (an .eml file) and" \
		"listed here as it comes"
	echo
	set -- "$@" --smtp "smtp://127.0.0.1:$mail_port" \
		--mail-from desk@shop.example --public-url "http://$listen"
else
	echo "mail: off (python3-aiosmtpd is missing: scripts/deps.sh serve)"
fi
exec "$bin" serve "$@"
