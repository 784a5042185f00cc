#!/usr/bin/env node
// replay-check.js: checks one `aftercare replay --json` report case by case
// against what the test computed on its own (tests/cli/replay.sh):
//   ROWS     JSON Lines, one a decided case in case id order, as read from
//            the database with its own client: {"case", "status", "type",
//            "opened_at" (µs), "before" (the stored decision's text),
//            "facts"}
//   DECIDED  `aftercare decide --batch --policy FILE` on the rows' facts,
//            line by line
//   REPORT   the replay's JSON
//   FILTER   optional JSON: {"type", "status": [..], "since" (µs)}
// Every case the filter lets through, not overridden by staff: if decide's
// answer differs from the stored one in anything but the policy's version
// (a repair quote accepted on the case counts as the desk applies it),
// the report lists it with "before" the stored text and "after" decide's
// line, byte for byte; else the report does not list it. The counts, the
// verdict and clause transitions and the money per currency and clause
// are summed here and must be the report's. Prints "changed N of M";
// exit 1 with the first differences.
'use strict';

const fs = require('fs');
const [rowsF, decidedF, reportF, filterJ] = process.argv.slice(2);
const rows = fs.readFileSync(rowsF, 'utf8').split('\n').filter((l) => l)
	.map((l) => JSON.parse(l));
const decided = fs.readFileSync(decidedF, 'utf8').split('\n');
const report = JSON.parse(fs.readFileSync(reportF, 'utf8'));
const filter = filterJ ? JSON.parse(filterJ) : {};
const errors = [];
const fail = (m) => { if (errors.length < 20) errors.push(m); };

// the substance of a decision: all but the policy's version
function norm(d) {
	const x = Object.assign({}, d);
	delete x.policy;
	return JSON.stringify(x);
}
// a quote accepted on the case: after as the desk would keep it
function withQuote(after, before) {
	if (before.verdict !== 'paid_repair' || after.verdict !== 'paid_repair' ||
	    (before.needs || []).includes('repair_quote'))
		return after;
	const a = JSON.parse(JSON.stringify(after));
	a.charge_minor = before.charge_minor;
	a.needs = a.needs.filter((n) => n !== 'repair_quote');
	for (const r of a.remedies || [])
		if (r.type === 'repair') r.amount_minor = before.charge_minor;
	return a;
}
const clause = (d) => (d.clauses && d.clauses.length ? d.clauses[0] : null);

if (rows.length + 1 !== decided.length)
	fail(`${rows.length} rows but ${decided.length - 1} decided lines`);
const listed = new Map();
for (const c of report.changed) {
	if (listed.has(c.case)) fail(`${c.case} listed twice`);
	listed.set(c.case, c);
}
// the report's "changed" texts, byte for byte: cut them out of the raw
// report (JSON.parse would lose the bytes)
const raw = fs.readFileSync(reportF, 'utf8');
let cases = 0, changed = 0, overridden = 0;
const verdicts = {}, clauses = {}, money = {}, policies = {};
let order = [];
for (let i = 0; i < rows.length; i++) {
	const r = rows[i];
	if (filter.type && r.type !== filter.type) continue;
	if (filter.status && !filter.status.includes(r.status)) continue;
	if (filter.since !== undefined && r.opened_at < filter.since) continue;
	const before = JSON.parse(r.before);
	policies[before.policy] = (policies[before.policy] || 0) + 1;
	if (before.override) {
		overridden++;
		if (listed.has(r.case)) fail(`${r.case}: overridden, yet listed`);
		continue;
	}
	const line = decided[i];
	const after = JSON.parse(line);
	if (after.error) {
		fail(`${r.case}: decide fails on the stored facts: ${line}`);
		continue;
	}
	cases++;
	const isChanged = norm(withQuote(after, before)) !== norm(before);
	const l = listed.get(r.case);
	if (isChanged) {
		changed++;
		order.push(r.case);
		if (!l) {
			fail(`${r.case}: decide gives ${line}, stored ${r.before}, ` +
				'but the report does not list it');
		} else {
			const item = `{"case":${JSON.stringify(r.case)},"before":` +
				`${r.before},"after":${line}}`;
			if (!raw.includes(item))
				fail(`${r.case}: listed, but not byte for byte ` +
					`as stored and as decide prints it: ` +
					JSON.stringify(l).slice(0, 400));
		}
	} else if (l) {
		fail(`${r.case}: listed, but decide gives the same: ${line}`);
	}
	const vk = `${before.verdict}>${after.verdict}`;
	if (before.verdict !== after.verdict) verdicts[vk] = (verdicts[vk] || 0) + 1;
	const ck = `${clause(before)}>${clause(after)}`;
	if (clause(before) !== clause(after)) clauses[ck] = (clauses[ck] || 0) + 1;
	for (const [d, side] of [[before, 'b'], [after, 'a']]) {
		const m = money[d.currency] || (money[d.currency] =
			{ b: 0n, a: 0n, cl: {} });
		m[side] += BigInt(d.refund_max_minor);
		const k = String(clause(d));
		const cm = m.cl[k] || (m.cl[k] = { b: 0n, a: 0n });
		cm[side] += BigInt(d.refund_max_minor);
	}
}
const eq = (name, got, want) => {
	if (got !== want) fail(`${name}: report ${got}, computed ${want}`);
};
eq('cases', report.cases, cases);
eq('changed_cases', report.changed_cases, changed);
eq('changed listed', report.changed.length, changed);
eq('overridden', report.overridden, overridden);
eq('failed', report.failed, 0);
eq('order of changed', report.changed.map((c) => c.case).join(','),
	order.join(','));
const tv = {};
for (const t of report.transitions.verdicts) tv[`${t.before}>${t.after}`] = t.cases;
eq('verdict transitions', JSON.stringify(tv, Object.keys(tv).sort()),
	JSON.stringify(verdicts, Object.keys(verdicts).sort()));
const tc = {};
for (const t of report.transitions.clauses) tc[`${t.before}>${t.after}`] = t.cases;
eq('clause transitions', JSON.stringify(tc, Object.keys(tc).sort()),
	JSON.stringify(clauses, Object.keys(clauses).sort()));
eq('currencies', report.money.map((m) => m.currency).sort().join(','),
	Object.keys(money).sort().join(','));
for (const m of report.money) {
	const w = money[m.currency];
	if (!w) continue;
	eq(`${m.currency} before`, String(m.before_minor), String(w.b));
	eq(`${m.currency} after`, String(m.after_minor), String(w.a));
	const got = {};
	for (const c of m.clauses)
		got[String(c.clause)] = `${c.before_minor}/${c.after_minor}`;
	const want = {};
	for (const [k, v] of Object.entries(w.cl))
		if (v.b || v.a) want[k] = `${v.b}/${v.a}`;
	eq(`${m.currency} by clause`, JSON.stringify(got, Object.keys(got).sort()),
		JSON.stringify(want, Object.keys(want).sort()));
}
const pol = {};
for (const p of report.policies) pol[p.policy] = p.cases;
eq('policies', JSON.stringify(pol, Object.keys(pol).sort()),
	JSON.stringify(policies, Object.keys(policies).sort()));

if (errors.length) {
	for (const e of errors) process.stderr.write(e + '\n');
	process.exit(1);
}
process.stdout.write(`changed ${changed} of ${cases}\n`);
