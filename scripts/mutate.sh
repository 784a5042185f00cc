#!/usr/bin/env bash
# mutate.sh: the mutation check of the desk's rules (make mutate).
# Each mutant below is one small change to src/desk: a rule dropped, a
# limit off by one, a state allowed, a comparison lost. Each is applied to
# a copy of the tree in a temporary directory (the shared src/ is never
# touched), built there, and run against the desk suite (tests/desk); a
# mutant the suite still passes has survived. With --api, a survivor is
# also run against tests/api/run.sh (the whole HTTP suite, ~20 s each).
#
# Usage: scripts/mutate.sh [--api] [--list] [NAME...]
#   NAME...  run only the mutants whose name contains one of these words
#   --list   print the mutants and whether each still matches the source
# Prints one line per mutant (killed, SURVIVED, STALE: its text is no
# longer in the source, AMBIGUOUS: it is there more than once, BROKEN:
# the mutant does not build), then the score: killed / (killed +
# survived). Exit 1 when a mutant survived, or when one is stale or
# ambiguous (MUTATE_ALLOW_STALE=1 lets those pass); 2 when the suite fails
# on the source itself.
#
# A mutant is four lines:  "# name", "F file", "- text", "+ replacement".
# The text is matched with any run of white space (newlines too) standing
# for any other, so re-wrapping a line keeps a mutant alive; it must occur
# exactly once in the file.
set -u
cd "$(dirname "$0")/.." || exit 2
API=0
LIST=0
ONLY=()
for a in "$@"; do
	case $a in
	--api) API=1 ;;
	--list) LIST=1 ;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "mutate.sh: unknown option $a" >&2
		exit 2
		;;
	*) ONLY+=("$a") ;;
	esac
done

MUTANTS=$(cat <<'EOF'
# transition: a resolved case may be reopened
F src/desk/cases.c
- case CASE_STATUS_RESOLVED: return to == CASE_STATUS_CLOSED;
+ case CASE_STATUS_RESOLVED: return to == CASE_STATUS_CLOSED || to == CASE_STATUS_OPEN;
# transition: a decided case may go back to open
F src/desk/cases.c
- return to == CASE_STATUS_WAITING || to == CASE_STATUS_RESOLVED
+ return to == CASE_STATUS_OPEN || to == CASE_STATUS_WAITING || to == CASE_STATUS_RESOLVED
# transition: an open case may be resolved without a decision
F src/desk/cases.c
- return to == CASE_STATUS_WAITING || to == CASE_STATUS_DECIDED || to == CASE_STATUS_CLOSED;
+ return to == CASE_STATUS_WAITING || to == CASE_STATUS_DECIDED || to == CASE_STATUS_RESOLVED || to == CASE_STATUS_CLOSED;
# transition: a closed case may move again
F src/desk/cases.c
- case CASE_STATUS_CLOSED: case CASE_STATUS_COUNT: break;
+ case CASE_STATUS_CLOSED: return to != CASE_STATUS_CLOSED; case CASE_STATUS_COUNT: break;
# transition: closing an unresolved case needs no reason
F src/desk/cases.c
- CASE_STATUS_RESOLVED && req->reason.n == 0)
+ CASE_STATUS_RESOLVED && req->reason.n == 99999)
# approve: a resolved case may be approved
F src/desk/cases.c
- sc.status != CASE_STATUS_WAITING && sc.status != CASE_STATUS_DECIDED)
+ sc.status != CASE_STATUS_WAITING && sc.status != CASE_STATUS_DECIDED && sc.status != CASE_STATUS_RESOLVED)
# approve: a pending decision may be approved
F src/desk/cases.c
- if (!rc && v == VERDICT_PENDING)
+ if (!rc && v == VERDICT_PENDING && 0)
# override: a closed case may be overridden
F src/desk/cases.c
- if (!rc && (l.sc.status == CASE_STATUS_CLOSED))
+ if (!rc && (l.sc.status == CASE_STATUS_COUNT))
# override: a limit above what was paid is taken
F src/desk/cases.c
- if (refund_max > paid)
+ if (refund_max > paid + 1000000)
# override: a limit one above what was paid is taken
F src/desk/cases.c
- if (refund_max > paid)
+ if (refund_max > paid + 1)
# override: no written reason needed
F src/desk/cases.c
- if (req->reason.n == 0)
+ if (req->reason.n == 99999)
# override: a refund verdict without a limit
F src/desk/cases.c
- if (refund && !req->has_refund_max)
+ if (refund && !req->has_refund_max && 0)
# override: refunds do not follow the override's limit
F src/desk/cases.c
- dec.refund_max_minor = refund_max;
+ dec.refund_max_minor = refund_max + 1;
# redecide: overridden cases are decided again
F src/desk/desk.c
- if (!rc && sc.has_override) {
+ if (!rc && sc.has_override && 0) {
# redecide: resolved cases are decided again
F src/desk/desk.c
- CASE_STATUS_BIT(CASE_STATUS_DECIDED), .order_id = order_id,
+ CASE_STATUS_BIT(CASE_STATUS_DECIDED) | CASE_STATUS_BIT(CASE_STATUS_RESOLVED), .order_id = order_id,
# redecide: a changed verdict leaves the status as it was
F src/desk/desk.c
- if (changed) st = desk_status_for(dec.verdict);
+ if (changed && 0) st = desk_status_for(dec.verdict);
# status: a pending decision does not wait
F src/desk/desk.c
- return v == VERDICT_PENDING ? CASE_STATUS_WAITING : CASE_STATUS_OPEN;
+ return v == VERDICT_PENDING ? CASE_STATUS_OPEN : CASE_STATUS_OPEN;
# paid: an order's paid_minor is ignored
F src/desk/desk.c
- return so->has_paid ? so->paid_minor : order_total_minor(&so->order);
+ return order_total_minor(&so->order);
# desk_fail: a failed call is not rolled back
F src/desk/desk.c
- } else if (store_in_transaction(d->store)) { store_rollback(d->store, NULL);
+ } else if (store_in_transaction(d->store)) { store_commit(d->store, NULL);
# batch: a savepoint that failed to release is kept
F src/desk/desk.c
- if (!rc) d->in_sp = false; return rc;
+ d->in_sp = false; return rc;
# refund: on a closed case
F src/desk/ledger.c
- (l.sc.status == CASE_STATUS_CLOSED ||
+ (l.sc.status == CASE_STATUS_COUNT ||
# refund: on a resolved case
F src/desk/ledger.c
- l.sc.status == CASE_STATUS_RESOLVED))
+ l.sc.status == CASE_STATUS_COUNT))
# refund: one above what the decision allows
F src/desk/ledger.c
- else if (amount > case_left)
+ else if (amount > case_left + 1)
# refund: one above what is left of the payment
F src/desk/ledger.c
- else if (amount > paid_left)
+ else if (amount > paid_left + 1)
# refund: the case's earlier refunds are forgotten
F src/desk/ledger.c
- int64_t case_left = sd.refund_max_minor - case_sum.refund_minor;
+ int64_t case_left = sd.refund_max_minor;
# refund: the other cases of the order are forgotten
F src/desk/ledger.c
- int64_t paid_left = desk_paid(&l.so) - order_sum.refund_minor;
+ int64_t paid_left = desk_paid(&l.so) - case_sum.refund_minor;
# refund: a refund of zero
F src/desk/ledger.c
- if (amount < 1)
+ if (amount < 0)
# refund: the whole allowance paid does not resolve
F src/desk/ledger.c
- if (!rc && total == sd.refund_max_minor &&
+ if (!rc && total == sd.refund_max_minor + 1 &&
# idempotency: the body is not compared
F src/desk/ledger.c
- if (strlen(hash) == idem.request_hash.n &&
+ if (strlen(hash) == idem.request_hash.n ||
# idempotency: the case is not part of the request
F src/desk/ledger.c
- strlen(case_id) + 1);
+ 0);
# idempotency: the key is not stored
F src/desk/ledger.c
- rc = store_put_idempotency(d->store, &r, err);
+ rc = ((void)r, 0);
# idempotency: a key of 256 bytes
F src/desk/ledger.c
- if (strlen(idem_key) > 255)
+ if (strlen(idem_key) > 256)
# idempotency: a store error reads as an unseen key
F src/desk/ledger.c
- if (rc && rc != AC_ENOTFOUND) /* the store failed: not "unseen" */ return desk_fail(d, rc);
+ if (rc && rc != AC_ENOTFOUND && rc != AC_EIO) return desk_fail(d, rc);
# quote: an expired quote is accepted a microsecond late
F src/desk/quotes.c
- q.expires_at < now
+ q.expires_at + 1 < now
# quote: expires at its expiry instant
F src/desk/quotes.c
- q.expires_at < now
+ q.expires_at <= now
# quote: a closed case's quote may be answered
F src/desk/quotes.c
- if (l.sc.status == CASE_STATUS_CLOSED ||
+ if (l.sc.status == CASE_STATUS_COUNT ||
# quote: a resolved case is quoted
F src/desk/quotes.c
- if (!rc && (sc.status == CASE_STATUS_RESOLVED ||
+ if (!rc && (sc.status == CASE_STATUS_COUNT ||
# quote: a declined quote may still be accepted
F src/desk/quotes.c
- bool ok = (q.status == QUOTE_STATUS_QUOTED &&
+ bool ok = ((q.status == QUOTE_STATUS_QUOTED || q.status == QUOTE_STATUS_DECLINED) &&
# open: a pending decision opens as open, not waiting
F src/desk/cases.c
- if (!rc && dec.verdict == VERDICT_PENDING)
+ if (!rc && dec.verdict == VERDICT_PENDING && 0)
# approve: the approval is not recorded
F src/desk/cases.c
- rc = store_update_case_approval(d->store, sc.id, S(actor),
+ rc = 1 ? 0 : store_update_case_approval(d->store, sc.id, S(actor),
# override: a resolved case goes back to decided
F src/desk/cases.c
- l.sc.status != CASE_STATUS_DECIDED && l.sc.status != CASE_STATUS_RESOLVED)
+ l.sc.status != CASE_STATUS_DECIDED)
# transition: the move is not audited
F src/desk/cases.c
- rc = desk_audit_rec(d, actor, action, "case", id, before,
+ rc = 1 ? 0 : desk_audit_rec(d, actor, action, "case", id, before,
# refund: the payment is not audited
F src/desk/ledger.c
- rc = desk_audit_rec(d, actor, "case.refund", "case",
+ rc = 1 ? 0 : desk_audit_rec(d, actor, "case.refund", "case",
# refund: the ledger books another amount
F src/desk/ledger.c
- .amount_minor = amount, .currency = l.so.order.currency,
+ .amount_minor = amount + 1, .currency = l.so.order.currency,
# idempotency: a replay is not marked replayed
F src/desk/ledger.c
- out->replayed = true;
+ out->replayed = false;
# idempotency: a replay answers another refund's id
F src/desk/ledger.c
- out->id = idem->ledger_id;
+ out->id = idem->ledger_id + 1;
# tracking: a delivery is recorded a microsecond late
F src/desk/orders.c
- sh->delivered_at = at;
+ sh->delivered_at = at + 1;
# tracking: a lost parcel changes no fact
F src/desk/orders.c
- sh->courier_finding = COURIER_LOST_CONFIRMED;
+ sh->courier_finding = COURIER_INVESTIGATING;
# quote: the default life is a microsecond short
F src/desk/quotes.c
- now + d->policy->quote_life_us;
+ now + d->policy->quote_life_us - 1;
# case view: the case's quote is not shown
F src/desk/cases.c
- out->has_quote = v->has_quote;
+ out->has_quote = false;
# absence: an accepted quote that cannot be read is not applied
F src/desk/desk.c
- if (rc == AC_ENOTFOUND) { /* not quoted yet */
+ if (rc == AC_ENOTFOUND || rc == AC_EIO) { /* not quoted yet */
# quote: accepting books no charge
F src/desk/quotes.c
- if (q.amount_minor > 0) rc = store_add_ledger(d->store, &e, NULL, err);
+ if (q.amount_minor < 0) rc = store_add_ledger(d->store, &e, NULL, err);
# policy: a write does not look up the active policy (issue 9)
F src/desk/desk.c
- (rc = store_begin(d->store, err)) == 0 && (rc = desk_policy_txn(d, err)) != 0)
+ (rc = store_begin(d->store, err)) == 0 && (rc = 0) != 0)
# policy: another text than the previewed one is activated
F src/desk/policies.c
- if (expect_hash && strcmp(expect_hash, p->version))
+ if (expect_hash && 0)
# policy: an activation is not audited as one
F src/desk/policies.c
- rc = desk_audit_rec(d, actor, "policy.activate", "policy",
+ rc = desk_audit_rec(d, actor, "policy.change", "policy",
EOF
)

# ---- applying one mutant -----------------------------------------------------

# apply FILE FROM TO: replaces the one match of FROM in FILE (white space
# flexible); prints "ok", "stale" or "ambiguous".
apply() {
	# the status goes to the caller, the file's text to the file
	# shellcheck disable=SC2069
	FROM=$2 TO=$3 perl -0777 -i -e '
		my $src = do { local $/; <> };
		my @tok = split /\s+/, $ENV{FROM};
		shift @tok if @tok && $tok[0] eq "";
		my $re = join "\\s*", map { quotemeta } @tok;
		my $n = () = $src =~ /$re/g;
		if ($n == 1) {
			$src =~ s/$re/$ENV{TO}/;
			print STDERR "ok\n";
		} else {
			print STDERR $n ? "ambiguous\n" : "stale\n";
		}
		print $src;
	' "$1" 2>&1 >/dev/null
}

# match FILE FROM: like apply, on a scratch copy
match() {
	local t
	t=$(mktemp)
	cp "$1" "$t"
	apply "$t" "$2" x
	rm -f "$t"
}

# ---- the run -------------------------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/aftercare-mutate.XXXXXX")
# shellcheck disable=SC2317
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

names=() files=() froms=() tos=()
while IFS= read -r line; do
	case $line in
	"# "*) names+=("${line#\# }") ;;
	"F "*) files+=("${line#F }") ;;
	"- "*) froms+=("${line#- }") ;;
	"+ "*) tos+=("${line#+ }") ;;
	esac
done <<<"$MUTANTS"
if [ ${#names[@]} -ne ${#files[@]} ] || [ ${#names[@]} -ne ${#froms[@]} ] ||
	[ ${#names[@]} -ne ${#tos[@]} ]; then
	echo "mutate.sh: a mutant in the list lacks a line" >&2
	exit 2
fi

wanted() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local w
	for w in "${ONLY[@]}"; do
		case $1 in *"$w"*) return 0 ;; esac
	done
	return 1
}

if [ $LIST -eq 1 ]; then
	for i in "${!names[@]}"; do
		wanted "${names[$i]}" || continue
		printf '%-9s %s (%s)\n' "$(match "${files[$i]}" "${froms[$i]}")" \
			"${names[$i]}" "${files[$i]}"
	done
	exit 0
fi

# The base copy, built once; each mutant is a copy of it with its
# timestamps, so that make rebuilds only the changed file.
BASE=$TMP/base
mkdir -p "$BASE/tests"
cp -r Makefile src policy web "$BASE"/
cp -r tests/desk tests/store "$BASE/tests/"
targets=(build/desk-tests)
[ $API -eq 1 ] && targets+=(build/aftercare)
echo "mutate: building the unchanged tree in $BASE"
if ! make -C "$BASE" -s B=build "${targets[@]}" >"$TMP/base.log" 2>&1; then
	cat "$TMP/base.log" >&2
	echo "mutate: the unchanged tree does not build" >&2
	exit 2
fi
if ! (cd "$BASE" && timeout 300 build/desk-tests --jobs 2) \
	>"$TMP/base.log" 2>&1; then
	tail -n 30 "$TMP/base.log" >&2
	echo "mutate: the desk suite fails on the unchanged source" >&2
	exit 2
fi

killed=0 survived=0 stale=0 broken=0
survivors=()
for i in "${!names[@]}"; do
	name=${names[$i]} file=${files[$i]}
	wanted "$name" || continue
	M=$TMP/m
	rm -rf "$M"
	cp -a "$BASE" "$M"
	how=$(apply "$M/$file" "${froms[$i]}" "${tos[$i]}")
	if [ "$how" != ok ]; then
		stale=$((stale + 1))
		printf '%-9s %s (%s)\n' "$(echo "$how" | tr '[:lower:]' '[:upper:]')" "$name" \
			"$file"
		continue
	fi
	touch "$M/$file"
	if ! make -C "$M" -s B=build "${targets[@]}" >"$TMP/m.log" 2>&1; then
		broken=$((broken + 1))
		printf '%-9s %s\n' BROKEN "$name"
		continue
	fi
	if ! (cd "$M" && timeout 300 build/desk-tests --jobs 2) \
		>"$TMP/m.log" 2>&1; then
		killed=$((killed + 1))
		by=$(grep -o '^\[FAIL\] [^:]*::[^:]*' "$TMP/m.log" | head -n 1 |
			sed 's/^\[FAIL\] //')
		printf '%-9s %s  [%s]\n' killed "$name" "${by:-crash or timeout}"
		continue
	fi
	if [ $API -eq 1 ] &&
		! tests/api/run.sh "$M/build/aftercare" >"$TMP/api.log" 2>&1; then
		killed=$((killed + 1))
		printf '%-9s %s  [tests/api]\n' killed "$name"
		continue
	fi
	survived=$((survived + 1))
	survivors+=("$name")
	printf '%-9s %s (%s)\n' SURVIVED "$name" "$file"
	[ $API -eq 1 ] && echo "          tests/api: $(tail -n 1 "$TMP/api.log")"
done

total=$((killed + survived))
echo "mutate: $killed of $total mutants killed" \
	"($([ $total -gt 0 ] && echo $((100 * killed / total)) || echo 0)%)," \
	"$survived survived, $stale stale or ambiguous, $broken do not build"
for s in "${survivors[@]}"; do
	echo "  survived: $s"
done
[ $survived -eq 0 ] || exit 1
if [ $stale -gt 0 ] && [ "${MUTATE_ALLOW_STALE:-0}" != 1 ]; then
	echo "mutate: update the stale mutants in scripts/mutate.sh" >&2
	exit 1
fi
exit 0
