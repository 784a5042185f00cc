#!/usr/bin/env node
// replay-fill.js: a shop's history for tests/cli/replay.sh, made through
// the API: each case of bench/gen.js (JSON Lines on stdin) becomes an
// order (with a customer) and a case opened on it, with the claim as
// generated (its opened_at kept). Then a few cases are overridden by
// staff and one paid repair gets an accepted quote, so that replay sees
// those too; every 7th case is approved (status decided). Prints one
// line: "cases N overridden K approved A quoted Q".
//
//   node tests/cli/replay-fill.js URL TOKEN < cases.jsonl
'use strict';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
	process.stderr.write('usage: replay-fill.js URL TOKEN < cases.jsonl\n');
	process.exit(2);
}

async function post(path, body) {
	const r = await fetch(url + path, {
		method: 'POST',
		headers: {
			'Authorization': 'Bearer ' + token,
			'Content-Type': 'application/json',
		},
		body: JSON.stringify(body),
	});
	const text = await r.text();
	return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function main() {
	const lines = require('fs').readFileSync(0, 'utf8').split('\n')
		.filter((l) => l.trim());
	const opened = [];
	let n = 0;
	for (const line of lines) {
		const c = JSON.parse(line);
		const order = Object.assign({}, c.order, {
			customer: { name: c.order.address.name,
				email: `buyer${n}@example.com` },
		});
		if (c.shipment) order.shipment = c.shipment;
		let r = await post('/v1/orders', order);
		if (r.status !== 201) {
			process.stderr.write(`order ${c.order.id}: ${r.status} ` +
				`${JSON.stringify(r.body)}\n`);
			process.exit(1);
		}
		r = await post('/v1/cases', { order: c.order.id, claim: c.claim });
		if (r.status !== 201) {
			// a claim the desk refuses is not history: skip it
			continue;
		}
		opened.push(r.body);
		n++;
	}
	// staff override every 25th case (kept by replay, not decided again)
	let overridden = 0;
	for (let i = 0; i < opened.length; i += 25) {
		const r = await post(`/v1/cases/${opened[i].id}/override`, {
			verdict: 'no_refund', reason: 'replay test',
		});
		if (r.status === 200) overridden++;
	}
	// staff approve every 7th case that is not pending: status decided
	let approved = 0;
	for (let i = 3; i < opened.length; i += 7) {
		if (opened[i].decision.verdict === 'pending') continue;
		const r = await post(`/v1/cases/${opened[i].id}/approve`, {});
		if (r.status === 200) approved++;
	}
	// a paid repair with a quote accepted: its stored charge is the
	// quote's (warranty.3), not the policy's
	let quoted = 0;
	for (const c of opened) {
		if (quoted || c.decision.verdict !== 'paid_repair')
			continue;
		let r = await post(`/v1/cases/${c.id}/quotes`,
			{ amount_minor: 4200 });
		if (r.status !== 201) continue;
		r = await post(`/v1/cases/${c.id}/quote/accept`, {});
		if (r.status === 200) quoted++;
	}
	process.stdout.write(`cases ${opened.length} overridden ${overridden} ` +
		`approved ${approved} quoted ${quoted}\n`);
}

main().catch((e) => {
	process.stderr.write(`replay-fill.js: ${e.stack}\n`);
	process.exit(1);
});
