#!/usr/bin/env node
// peer_rules_engine.js: the rules of docs/DECISIONS.md for the npm package
// json-rules-engine (bench). Facts are computed from the case (dynamic
// facts); each row of DECISIONS.md is a rule whose conditions test them and
// whose event carries the verdict, the clauses, the remedies and which
// amounts and deadline apply; the amounts are computed in the event handler.
// Within a claim type, the row order is the rule priority, and the first
// rule that fits stops the engine ("the first row that fits decides").
//
//   node bench/peer_rules_engine.js SAMPLE.jsonl [MAX_CASES] [MAX_SECONDS]
//        decide cases of the sample in turn (parsed once, not timed) until
//        MAX_CASES (default 20000) or MAX_SECONDS (default 10) and print
//        decide_per_s; every decision is compared with peer_js.js's
//        (mismatches N; the first few are shown on stderr).
'use strict';

const fs = require('fs');
const { Engine } = require('json-rules-engine');
const js = require('./peer_js.js');

const P = js.POLICY;

// ---- facts --------------------------------------------------------------------
function addFacts(engine) {
	const f = (id, fn) => engine.addFact(id, (params, almanac) =>
		almanac.factValue('case').then(fn), { cache: true });
	f('claimType', (c) => c.claim.type);
	f('shipped', (c) => c.shipped);
	f('delivered', (c) => c.shipped && c.shipment.delivered);
	f('beforeCutoff', (c) => c.claim.opened_at < c.order.placed_at + P.production_delay_us);
	f('shipAddressDiffers', (c) => c.shipped && !js.samePlace(c.shipment.address, c.order.address));
	f('customerAddressDiffers', (c) => c.claim.correct_address !== null &&
		!js.samePlace(c.claim.correct_address, c.order.address));
	f('courierFinding', (c) => (c.shipped ? c.shipment.courier_finding : 'none'));
	f('customs', (c) => (c.shipped ? c.shipment.customs : 'none'));
	f('afterWindow', (c) => c.shipped && c.shipment.delivered &&
		c.claim.opened_at > c.shipment.delivered_at + P.contact_window_us);
	f('inWarranty', (c) => c.shipped && c.claim.opened_at <=
		(c.shipment.delivered ? c.shipment.delivered_at : c.shipment.shipped_at) + P.warranty_us);
	f('lineClasses', (c) => {
		let wrong = 0, minor = 0;
		let dclass = js.CLASS_MINOR;
		if (c.claim.type === 'damaged') {
			for (const x of c.claim.defects) if (!js.MINOR_DEFECTS.has(x)) dclass = js.CLASS_WRONG;
		}
		for (const it of js.concerned(c)) {
			const k = c.claim.type === 'damaged' ? dclass : js.classWrongItem(P, it, c.claim.received);
			if (k === js.CLASS_WRONG) wrong++;
			else if (k === js.CLASS_MINOR) minor++;
		}
		return { wrong, minor };
	});
	f('costRise', (c) => c.claim.material_cost_rise_minor);
}

// ---- rules ----------------------------------------------------------------------
const is = (fact, value) => ({ fact, operator: 'equal', value });
const typeIn = (...types) => ({ fact: 'claimType', operator: 'in', value: types });
const lines = (which, operator, value) => ({ fact: 'lineClasses', path: '$.' + which, operator, value });

// remedies: [type, bearer, amount], amount one of 0, 'whole', 'wrong',
// 'caps', 'rise'; refund: the amounts; deadline: 'cutoff', 'window',
// 'warranty' or none
function ev(verdict, clauses, remedies, extra) {
	return { type: 'decision', params: Object.assign({ verdict, clauses, remedies: remedies || [], needs: [] }, extra || {}) };
}

const NOT_RECEIVED_ROWS = (types) => [
	[[is('shipped', false)], ev('pending', ['refund.3'], [], { needs: ['shipment'] })],
	[[is('shipAddressDiffers', true)], ev('full_refund', ['refund.2'], [['full_refund', 'shop', 'whole']])],
	[[is('customerAddressDiffers', true)], ev('no_refund', ['no-refund.5'], [['address_change', 'customer', 0]])],
	[[is('courierFinding', 'lost_confirmed')], ev('full_refund', ['refund.3'], [['full_refund', 'shop', 'whole']])],
	[[is('courierFinding', 'delivered_proven')], ev('no_refund', ['refund.3'])],
	[[], ev('pending', ['refund.3'], [['courier_investigation', 'shop', 0]], { needs: ['courier_investigation'] })],
].map(([conds, event]) => [[typeIn(...types), ...conds], event]);

const GOODS_ROWS = [
	[[is('shipped', false)], ev('no_refund', ['no-refund.1'])],
	[[is('afterWindow', true), is('inWarranty', true)],
		ev('no_refund', ['no-refund.2', 'warranty.2'], [['repair', 'shop', 0]], { deadline: 'warranty' })],
	[[is('afterWindow', true)], ev('no_refund', ['no-refund.2', 'warranty.3'], [['repair', 'customer', 0]])],
	[[lines('wrong', 'greaterThan', 0), lines('minor', 'greaterThan', 0)],
		ev('full_refund', ['refund.1', 'no-refund.3'],
			[['full_refund', 'shop', 'wrong'], ['remake', 'shop', 0], ['partial_refund', 'shop', 'caps']],
			{ deadline: 'window' })],
	[[lines('wrong', 'greaterThan', 0)],
		ev('full_refund', ['refund.1'], [['full_refund', 'shop', 'wrong'], ['remake', 'shop', 0]], { deadline: 'window' })],
	[[lines('minor', 'greaterThan', 0)],
		ev('partial_refund', ['no-refund.3'], [['partial_refund', 'shop', 'caps']], { deadline: 'window' })],
	[[], ev('no_refund', ['no-refund.4'], [['remake', 'customer', 0], ['repair', 'customer', 0]], { deadline: 'window' })],
].map(([conds, event]) => [[typeIn('damaged', 'wrong_item'), ...conds], event]);

const CERT = { certificate: true };
const RULES = [
	// cancel
	[[typeIn('cancel'), is('shipped', false), is('beforeCutoff', true)],
		ev('full_refund', ['no-refund.1'], [['full_refund', 'shop', 'whole']], { deadline: 'cutoff' })],
	[[typeIn('cancel')], ev('no_refund', ['no-refund.1'])],
	// unwanted
	[[typeIn('unwanted'), is('shipped', false), is('beforeCutoff', true)],
		ev('full_refund', ['no-refund.1'], [['full_refund', 'shop', 'whole']], { deadline: 'cutoff' })],
	[[typeIn('unwanted'), is('delivered', false)], ev('no_refund', ['no-refund.1'])],
	[[typeIn('unwanted')], ev('no_refund', ['no-refund.4'], [['remake', 'customer', 0], ['repair', 'customer', 0]])],
	// not_received
	...NOT_RECEIVED_ROWS(['not_received']),
	// wrong_address
	[[typeIn('wrong_address'), is('shipped', false)], ev('no_refund', ['no-refund.5'], [['address_change', 'shop', 0]])],
	[[typeIn('wrong_address'), is('shipAddressDiffers', true)],
		ev('full_refund', ['refund.2'], [['full_refund', 'shop', 'whole']])],
	[[typeIn('wrong_address')], ev('no_refund', ['no-refund.5'], [['address_change', 'customer', 0]])],
	// customs: refused, held, otherwise as not_received
	[[typeIn('customs'), is('customs', 'refused_by_customer')],
		ev('no_refund', ['no-refund.6'], [['customs_documents', 'shop', 0]])],
	[[typeIn('customs'), is('customs', 'held')],
		ev('pending', ['no-refund.6'], [['customs_documents', 'shop', 0]], { needs: ['customs_clearance'] })],
	...NOT_RECEIVED_ROWS(['customs']),
	// damaged, wrong_item
	...GOODS_ROWS,
	// repair
	[[typeIn('repair'), is('shipped', false)], ev('pending', ['warranty.2'], [], Object.assign({ needs: ['shipment'] }, CERT))],
	[[typeIn('repair'), is('inWarranty', true), is('costRise', 0)],
		ev('free_repair', ['warranty.2'], [['repair', 'shop', 0]], Object.assign({ deadline: 'warranty' }, CERT))],
	[[typeIn('repair'), is('inWarranty', true)],
		ev('paid_repair', ['warranty.2'], [['repair', 'customer', 'rise']], Object.assign({ deadline: 'warranty', charge: 'rise' }, CERT))],
	[[typeIn('repair')],
		ev('paid_repair', ['warranty.3'], [['repair', 'customer', 0]], Object.assign({ needs: ['repair_quote'] }, CERT))],
];

function buildEngine() {
	const engine = new Engine([], { allowUndefinedFacts: false });
	addFacts(engine);
	// priority: rows of one claim type run first to last; the claim type
	// conditions keep the types apart, so types may share a priority.
	const rank = new Map();
	for (const [conds, event] of RULES) {
		const key = JSON.stringify(conds[0].value);
		const r = rank.get(key) || 0;
		rank.set(key, r + 1);
		engine.addRule({ conditions: { all: conds }, event, priority: 100 - r, name: `${key}#${r}` });
	}
	return engine;
}

// ---- amounts, in the event handler ---------------------------------------------
function amounts(c) {
	let wrong = 0, caps = 0;
	let dclass = js.CLASS_MINOR;
	if (c.claim.type === 'damaged') {
		for (const x of c.claim.defects) if (!js.MINOR_DEFECTS.has(x)) dclass = js.CLASS_WRONG;
	}
	for (const it of js.concerned(c)) {
		const k = c.claim.type === 'damaged' ? dclass : js.classWrongItem(P, it, c.claim.received);
		if (k === js.CLASS_WRONG) wrong += it.price_minor;
		else if (k === js.CLASS_MINOR) caps += js.cap(it.price_minor, P.partial_cap_bp);
	}
	return { wrong, caps };
}

function decisionFrom(params, c) {
	let goods = null;
	let refund = 0;
	const remedies = params.remedies.map(([type, bearer, amount]) => {
		let a = 0;
		if (amount === 'whole') a = js.wholeRefund(c);
		else if (amount === 'wrong') a = (goods = goods || amounts(c)).wrong;
		else if (amount === 'caps') a = (goods = goods || amounts(c)).caps;
		else if (amount === 'rise') a = c.claim.material_cost_rise_minor;
		if (type === 'full_refund' || type === 'partial_refund') refund += a;
		return { type, cost_bearer: bearer, amount_minor: a };
	});
	const clauses = params.clauses.slice();
	if (params.certificate && js.concerned(c).some((it) => it.certificate !== '')) clauses.push('warranty.1');
	let deadline = -1;
	const s = c.shipment;
	if (params.deadline === 'cutoff') deadline = c.order.placed_at + P.production_delay_us;
	else if (params.deadline === 'window' && c.shipped && s.delivered) deadline = s.delivered_at + P.contact_window_us;
	else if (params.deadline === 'warranty') deadline = (s.delivered ? s.delivered_at : s.shipped_at) + P.warranty_us;
	const d = {
		order: c.order.id,
		verdict: params.verdict,
		clauses,
		currency: c.order.currency,
		refund_max_minor: refund,
		charge_minor: params.charge === 'rise' ? c.claim.material_cost_rise_minor : 0,
		remedies,
		needs: params.needs.slice(),
	};
	if (deadline >= 0) d.deadline = js.fmtInstant(deadline);
	d.policy = P.version;
	return d;
}

async function main() {
	const [samplePath, maxCasesArg, maxSecArg] = process.argv.slice(2);
	if (!samplePath) {
		process.stderr.write('usage: peer_rules_engine.js SAMPLE.jsonl [MAX_CASES] [MAX_SECONDS]\n');
		process.exit(2);
	}
	const maxCases = Number(maxCasesArg || 20000);
	const maxSec = Number(maxSecArg || 10);
	const cases = fs.readFileSync(samplePath, 'utf8').split('\n')
		.filter((l) => l.length > 0).map((l) => js.readCase(JSON.parse(l)));

	const engine = buildEngine();
	let current = null;
	let decision = null;
	engine.on('success', (event) => {
		if (decision === null) decision = decisionFrom(event.params, current);
		engine.stop(); // the first row that fits decides
	});
	const decideOne = async (c) => {
		current = c;
		decision = null;
		await engine.run({ case: c });
		return decision;
	};

	// warm up (and the first check against peer_js)
	for (let i = 0; i < Math.min(200, cases.length); i++) await decideOne(cases[i]);

	let n = 0, sum = 0, mismatches = 0, j = 0;
	const t0 = process.hrtime.bigint();
	const c0 = process.cpuUsage();
	const limitNs = BigInt(Math.round(maxSec * 1e9));
	const check = [];
	while (n < maxCases) {
		const c = cases[j];
		const d = await decideOne(c);
		if (d === null) throw new Error(`no rule fired for sample case ${j + 1}`);
		sum += d.refund_max_minor + d.clauses.length;
		if (n < cases.length) check.push([j, d]);
		n++;
		if (++j === cases.length) j = 0;
		if ((n & 255) === 0 && process.hrtime.bigint() - t0 > limitNs) break;
	}
	const wall = Number(process.hrtime.bigint() - t0) / 1e9;
	const cu = process.cpuUsage(c0);
	// compare with the hand-written rules (outside the timing)
	for (const [k, d] of check) {
		const want = JSON.stringify(js.decide(P, cases[k]));
		const got = JSON.stringify(d);
		if (want !== got) {
			if (mismatches++ < 3) process.stderr.write(`peer_rules_engine: sample line ${k + 1}:\n  engine ${got}\n  peer_js ${want}\n`);
		}
	}
	process.stdout.write(`cases ${cases.length}\n` +
		`decisions ${n}\n` +
		`seconds ${wall.toFixed(3)}\n` +
		`decide_per_s ${(n / wall).toFixed(0)}\n` +
		`decide_cpu_per_s ${(n / ((cu.user + cu.system) / 1e6)).toFixed(0)}\n` +
		`mismatches ${mismatches}\n` +
		`checksum ${sum}\n`);
}

main().catch((e) => { process.stderr.write(`peer_rules_engine: ${e.stack}\n`); process.exit(1); });
