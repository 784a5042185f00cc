#!/usr/bin/env node
// peer_js.js: the plain Node.js peer of `aftercare decide --batch` (bench).
// JSON Lines in on stdin, JSON.parse, the checks of CONTRACT.md and the rules
// of docs/DECISIONS.md written by hand in JavaScript, JSON.stringify, one
// line out a line in (errors as {"line": N, "error": {...}}, exit 1).
//
//   node bench/peer_js.js < cases.jsonl > decisions.jsonl
//   node bench/peer_js.js --in-memory N [SAMPLE]   time N decisions in memory
//        (SAMPLE: a JSON Lines file, default stdin; parsed once, not timed)
//
// The policy numbers are the shop's (policy/shop.policy) written in as
// constants; the "policy" string is the SHA-256 of that file, read once.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const US = 1e6; // instants are microseconds since the epoch (Numbers, exact)
const POLICY = {
	production_delay_us: 24 * 3600 * US,
	contact_window_us: 48 * 3600 * US,
	warranty_us: 365 * 24 * 3600 * US,
	partial_cap_bp: 2000,
	tolerance_milli: { ring: 250, necklace: 500, bracelet: 500,
		earrings: -1, pendant: -1, other: -1 },
	version: policyVersion(),
};

function policyVersion() {
	try {
		const bytes = fs.readFileSync(path.join(__dirname, '..', 'policy', 'shop.policy'));
		return 'sha256:' + crypto.createHash('sha256').update(bytes).digest('hex');
	} catch (e) {
		return 'sha256:7b45af184003ea9ab6aed49b42c5ebbd4ed09b7eb72e072423853cea2522b239';
	}
}

// ---- reading a case (the checks of CONTRACT.md) ----------------------------
class BadInput extends Error {
	constructor(field, message) { super(message); this.field = field; }
}
function bad(field, message) { throw new BadInput(field, message); }

const MONEY_MAX = 9007199254740991;
const MAX_CASE_BYTES = 1 << 20; // AC_CASE_MAX_BYTES
const KINDS = new Set(['ring', 'necklace', 'bracelet', 'earrings', 'pendant', 'other']);
const SIZED = new Set(['ring', 'necklace', 'bracelet']);
const CLAIMS = new Set(['cancel', 'not_received', 'damaged', 'wrong_item', 'unwanted',
	'wrong_address', 'customs', 'repair']);
const DEFECTS = new Set(['scratch', 'packaging', 'size', 'stone_loose', 'broken',
	'clasp', 'tarnish', 'other']);
const MINOR_DEFECTS = new Set(['scratch', 'packaging', 'size']);
const FINDINGS = new Set(['none', 'investigating', 'lost_confirmed', 'delivered_proven']);
const CUSTOMS = new Set(['none', 'held', 'cleared', 'refused_by_customer']);
const CURRENCIES = new Set(('AED AUD BHD BRL CAD CHF CLP CNY CZK DKK EUR GBP HKD HUF IDR ' +
	'ILS INR ISK JOD JPY KRW KWD LYD MXN MYR NOK NZD OMR PHP PLN QAR RUB SAR SEK SGD ' +
	'THB TND TRY TWD UAH USD VND ZAR').split(' '));

function isObj(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function reqObj(o, k, f) {
	const v = o[k];
	if (v === undefined) bad(f, 'missing');
	if (!isObj(v)) bad(f, 'not an object');
	return v;
}
function reqStr(o, k, f) {
	const v = o[k];
	if (v === undefined) bad(f, 'missing');
	if (typeof v !== 'string') bad(f, 'not a string');
	return v;
}
function optStr(o, k, f) {
	const v = o[k];
	if (v === undefined) return '';
	if (typeof v !== 'string') bad(f, 'not a string');
	return v;
}
function checkInt(v, f) {
	if (typeof v !== 'number') bad(f, 'not an integer');
	if (!Number.isInteger(v)) bad(f, 'not an integer');
	if (v < 0) bad(f, 'negative');
	if (v > MONEY_MAX) bad(f, 'too large');
	return v;
}
function reqInt(o, k, f) {
	const v = o[k];
	if (v === undefined) bad(f, 'missing');
	return checkInt(v, f);
}
function reqEnum(o, k, f, set) {
	const v = reqStr(o, k, f);
	if (!set.has(v)) bad(f, 'unknown value');
	return v;
}
function optEnum(o, k, f, set, dflt) {
	const v = o[k];
	if (v === undefined) return dflt;
	if (typeof v !== 'string') bad(f, 'not a string');
	if (!set.has(v)) bad(f, 'unknown value');
	return v;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const MDAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function parseTime(s, f) {
	if (typeof s !== 'string') bad(f, 'not an RFC 3339 time');
	const m = TIME_RE.exec(s);
	if (m === null) bad(f, 'not an RFC 3339 time');
	const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], se = +m[6];
	const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
	if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : MDAYS[mo - 1]) ||
	    h > 23 || mi > 59 || se > 60)
		bad(f, 'not an RFC 3339 time');
	let us = Date.UTC(y, mo - 1, d, h, mi, se) * 1000;
	if (m[7] !== undefined) us += +(m[7] + '00000').slice(0, 6);
	if (m[8] === undefined) {
		const oh = +m[10], om = +m[11];
		if (oh > 23 || om > 59) bad(f, 'not an RFC 3339 time');
		const off = (oh * 60 + om) * 60 * US;
		us += m[9] === '+' ? -off : off;
	}
	return us;
}

const SIZE_RE = /^(\d+)(?:\.(\d{1,3}))?$/;
function parseSize(s, f) {
	if (typeof s !== 'string') bad(f, 'not a string');
	const m = SIZE_RE.exec(s);
	if (m === null) bad(f, 'not a decimal');
	const milli = +m[1] * 1000 + (m[2] === undefined ? 0 : +(m[2] + '00').slice(0, 3));
	if (milli > 1e9) bad(f, 'not a decimal');
	return milli;
}

function readAddress(o, k, f) {
	const a = reqObj(o, k, f);
	return {
		name: optStr(a, 'name', f + '.name'),
		line1: reqStr(a, 'line1', f + '.line1'),
		line2: optStr(a, 'line2', f + '.line2'),
		city: reqStr(a, 'city', f + '.city'),
		region: optStr(a, 'region', f + '.region'),
		postal_code: reqStr(a, 'postal_code', f + '.postal_code'),
		country: reqStr(a, 'country', f + '.country'),
	};
}

function readItem(it, f) {
	if (!isObj(it)) bad(f, 'not an object');
	const kind = reqEnum(it, 'kind', f + '.kind', KINDS);
	const r = {
		line: reqInt(it, 'line', f + '.line'),
		sku: reqStr(it, 'sku', f + '.sku'),
		kind,
		style: reqStr(it, 'style', f + '.style'),
		shape: reqStr(it, 'shape', f + '.shape'),
		material: reqStr(it, 'material', f + '.material'),
		color: reqStr(it, 'color', f + '.color'),
		size_milli: -1,
		price_minor: reqInt(it, 'price_minor', f + '.price_minor'),
		certificate: optStr(it, 'certificate', f + '.certificate'),
	};
	if (it.size !== undefined) r.size_milli = parseSize(it.size, f + '.size');
	else if (SIZED.has(kind)) bad(f + '.size', 'missing');
	return r;
}

function readReceived(r, f, lineOk) {
	if (!isObj(r)) bad(f, 'not an object');
	const line = reqInt(r, 'line', f + '.line');
	if (!lineOk(line)) bad(f + '.line', 'not a line of the claim');
	return {
		line,
		style: optStr(r, 'style', f + '.style'),
		shape: optStr(r, 'shape', f + '.shape'),
		material: optStr(r, 'material', f + '.material'),
		color: optStr(r, 'color', f + '.color'),
		size_milli: r.size === undefined ? -1 : parseSize(r.size, f + '.size'),
	};
}

// readCase checks a parsed JSON value and returns the case the rules use
// (instants in microseconds, sizes in thousandths); throws BadInput.
function readCase(j) {
	if (!isObj(j)) bad('', 'not a JSON object');
	const jo = reqObj(j, 'order', 'order');
	const cur = reqStr(jo, 'currency', 'order.currency');
	if (!CURRENCIES.has(cur)) bad('order.currency', 'unknown currency');
	const ji = jo.items;
	if (ji === undefined) bad('order.items', 'missing');
	if (!Array.isArray(ji)) bad('order.items', 'not an array');
	if (ji.length === 0 || ji.length > 64) bad('order.items', 'must hold 1 to 64 items');
	const items = new Array(ji.length);
	const byLine = new Map();
	for (let i = 0; i < ji.length; i++) {
		const it = readItem(ji[i], `order.items[${i}]`);
		if (byLine.has(it.line)) bad(`order.items[${i}].line`, 'duplicate line');
		byLine.set(it.line, it);
		items[i] = it;
	}
	const order = {
		id: reqStr(jo, 'id', 'order.id'),
		placed_at: parseTime(jo.placed_at === undefined ? bad('order.placed_at', 'missing') : jo.placed_at, 'order.placed_at'),
		currency: cur,
		shipping_minor: reqInt(jo, 'shipping_minor', 'order.shipping_minor'),
		address: readAddress(jo, 'address', 'order.address'),
		items,
		byLine,
	};

	let shipment = null;
	if (j.shipment !== undefined) {
		const js = j.shipment;
		if (!isObj(js)) bad('shipment', 'not an object');
		if (js.shipped_at === undefined) bad('shipment.shipped_at', 'missing');
		shipment = {
			shipped_at: parseTime(js.shipped_at, 'shipment.shipped_at'),
			address: readAddress(js, 'address', 'shipment.address'),
			delivered: js.delivered_at !== undefined,
			delivered_at: 0,
			courier_finding: optEnum(js, 'courier_finding', 'shipment.courier_finding', FINDINGS, 'none'),
			customs: optEnum(js, 'customs', 'shipment.customs', CUSTOMS, 'none'),
		};
		if (shipment.delivered) {
			shipment.delivered_at = parseTime(js.delivered_at, 'shipment.delivered_at');
			if (shipment.delivered_at < shipment.shipped_at)
				bad('shipment.delivered_at', 'before shipped_at');
		}
	}

	const jc = reqObj(j, 'claim', 'claim');
	const type = reqEnum(jc, 'type', 'claim.type', CLAIMS);
	if (jc.opened_at === undefined) bad('claim.opened_at', 'missing');
	const claim = {
		type,
		opened_at: parseTime(jc.opened_at, 'claim.opened_at'),
		lines: null, // null: the whole order
		received: [],
		defects: [],
		correct_address: null,
		material_cost_rise_minor: 0,
	};
	if (jc.lines !== undefined) {
		if (!Array.isArray(jc.lines)) bad('claim.lines', 'not an array');
		if (jc.lines.length > 64) bad('claim.lines', 'more than 64 lines');
		const ls = [];
		for (let i = 0; i < jc.lines.length; i++) {
			const l = checkInt(jc.lines[i], `claim.lines[${i}]`);
			if (!byLine.has(l)) bad(`claim.lines[${i}]`, 'not a line of the order');
			if (!ls.includes(l)) ls.push(l);
		}
		claim.lines = ls;
	}
	if (jc.received !== undefined) {
		if (!Array.isArray(jc.received)) bad('claim.received', 'not an array');
		if (jc.received.length > 64) bad('claim.received', 'more than 64 entries');
		const ok = claim.lines === null ? (l) => byLine.has(l) : (l) => claim.lines.includes(l);
		for (let i = 0; i < jc.received.length; i++)
			claim.received.push(readReceived(jc.received[i], `claim.received[${i}]`, ok));
	}
	if (jc.defects !== undefined) {
		if (!Array.isArray(jc.defects)) bad('claim.defects', 'not an array');
		for (let i = 0; i < jc.defects.length; i++) {
			const v = jc.defects[i];
			if (typeof v !== 'string') bad(`claim.defects[${i}]`, 'not a string');
			if (!DEFECTS.has(v)) bad(`claim.defects[${i}]`, 'unknown value');
			claim.defects.push(v);
		}
	}
	if (type === 'damaged' && claim.defects.length === 0) bad('claim.defects', 'a damaged claim names at least one defect');
	if (jc.correct_address !== undefined) claim.correct_address = readAddress(jc, 'correct_address', 'claim.correct_address');
	if (jc.repair !== undefined) {
		const jr = jc.repair;
		if (!isObj(jr)) bad('claim.repair', 'not an object');
		if (jr.material_cost_rise_minor !== undefined)
			claim.material_cost_rise_minor = checkInt(jr.material_cost_rise_minor, 'claim.repair.material_cost_rise_minor');
	}
	const now = j.now === undefined ? claim.opened_at : parseTime(j.now, 'now');
	return { now, order, shipped: shipment !== null, shipment, claim };
}

// ---- the rules (docs/DECISIONS.md) ------------------------------------------
// ASCII case folding, as the C core does.
function foldAscii(s) {
	let r = '';
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		r += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
	}
	return r;
}
const WS = /[ \t\n\v\f\r]/g;
function trimWs(s) {
	let a = 0, b = s.length;
	while (a < b && isWs(s.charCodeAt(a))) a++;
	while (b > a && isWs(s.charCodeAt(b - 1))) b--;
	return a === 0 && b === s.length ? s : s.slice(a, b);
}
function isWs(c) { return c === 32 || (c >= 9 && c <= 13); }
// equal ignoring ASCII case and surrounding white space
function eqFold(a, b) {
	if (a === b) return true;
	return foldAscii(trimWs(a)) === foldAscii(trimWs(b));
}
// equal ignoring ASCII case and all white space
function eqNospaceFold(a, b) {
	if (a === b) return true;
	return foldAscii(a.replace(WS, '')) === foldAscii(b.replace(WS, ''));
}
function samePlace(a, b) {
	return eqNospaceFold(a.line1, b.line1) && eqNospaceFold(a.line2, b.line2) &&
		eqNospaceFold(a.city, b.city) && eqNospaceFold(a.region, b.region) &&
		eqNospaceFold(a.postal_code, b.postal_code) && eqNospaceFold(a.country, b.country);
}

function cap(price, bp) {
	if (price < 1099511627776) return Math.floor(price * bp / 10000);
	return Number(BigInt(price) * BigInt(bp) / 10000n);
}

function fmtInstant(us) {
	const ms = Math.floor(us / 1000);
	const s = new Date(ms - (ms % 1000 + 1000) % 1000).toISOString(); // whole seconds
	const frac = ((us % US) + US) % US;
	if (frac === 0) return s.slice(0, 19) + 'Z';
	return s.slice(0, 19) + '.' + String(frac).padStart(6, '0').replace(/0+$/, '') + 'Z';
}

function concerned(c) {
	return c.claim.lines === null ? c.order.items : c.claim.lines.map((l) => c.order.byLine.get(l));
}
function isWholeOrder(c) {
	return c.claim.lines === null || c.claim.lines.length === c.order.items.length;
}
// a "whole-order" refund: everything paid when every line is concerned,
// the concerned items' prices otherwise
function wholeRefund(c) {
	let sum = 0;
	for (const it of concerned(c)) sum += it.price_minor;
	if (isWholeOrder(c)) sum += c.order.shipping_minor;
	return sum;
}

function remedy(type, bearer, amount) {
	return { type, cost_bearer: bearer, amount_minor: amount };
}

// decide returns the decision object for case c under policy P.
function decide(P, c) {
	const d = {
		verdict: '', clauses: null, refund: 0, charge: 0,
		remedies: [], needs: [], deadline: -1,
	};
	const cl = c.claim;
	const o = c.order;
	const s = c.shipment;
	const cutoff = o.placed_at + P.production_delay_us;
	switch (cl.type) {
	case 'cancel':
		if (!c.shipped && cl.opened_at < cutoff) fullBeforeCutoff(c, d, cutoff);
		else set(d, 'no_refund', ['no-refund.1']);
		break;
	case 'unwanted':
		if (!c.shipped && cl.opened_at < cutoff) fullBeforeCutoff(c, d, cutoff);
		else if (!c.shipped || !s.delivered) set(d, 'no_refund', ['no-refund.1']);
		else {
			set(d, 'no_refund', ['no-refund.4']);
			d.remedies.push(remedy('remake', 'customer', 0), remedy('repair', 'customer', 0));
		}
		break;
	case 'not_received':
		notReceived(c, d);
		break;
	case 'wrong_address':
		if (!c.shipped) {
			set(d, 'no_refund', ['no-refund.5']);
			d.remedies.push(remedy('address_change', 'shop', 0));
		} else if (!samePlace(s.address, o.address)) {
			fullRefund(d, 'refund.2', wholeRefund(c));
		} else {
			set(d, 'no_refund', ['no-refund.5']);
			d.remedies.push(remedy('address_change', 'customer', 0));
		}
		break;
	case 'customs':
		if (c.shipped && s.customs === 'refused_by_customer') {
			set(d, 'no_refund', ['no-refund.6']);
			d.remedies.push(remedy('customs_documents', 'shop', 0));
		} else if (c.shipped && s.customs === 'held') {
			set(d, 'pending', ['no-refund.6']);
			d.needs.push('customs_clearance');
			d.remedies.push(remedy('customs_documents', 'shop', 0));
		} else {
			notReceived(c, d);
		}
		break;
	case 'damaged':
	case 'wrong_item':
		goods(P, c, d);
		break;
	case 'repair':
		repair(P, c, d);
		break;
	}
	let refund = 0;
	for (const r of d.remedies)
		if (r.type === 'full_refund' || r.type === 'partial_refund') refund += r.amount_minor;
	const out = {
		order: o.id,
		verdict: d.verdict,
		clauses: d.clauses,
		currency: o.currency,
		refund_max_minor: refund,
		charge_minor: d.charge,
		remedies: d.remedies,
		needs: d.needs,
	};
	if (d.deadline >= 0) out.deadline = fmtInstant(d.deadline);
	out.policy = P.version;
	return out;
}

function set(d, verdict, clauses) { d.verdict = verdict; d.clauses = clauses; }

function fullRefund(d, clause, amount) {
	set(d, 'full_refund', [clause]);
	d.remedies.push(remedy('full_refund', 'shop', amount));
}

// no-refund.1: not shipped, before the cut-off
function fullBeforeCutoff(c, d, cutoff) {
	fullRefund(d, 'no-refund.1', wholeRefund(c));
	d.deadline = cutoff;
}

function notReceived(c, d) {
	const s = c.shipment;
	if (!c.shipped) {
		set(d, 'pending', ['refund.3']);
		d.needs.push('shipment');
	} else if (!samePlace(s.address, c.order.address)) {
		fullRefund(d, 'refund.2', wholeRefund(c)); // refund.2: we shipped elsewhere
	} else if (c.claim.correct_address !== null && !samePlace(c.claim.correct_address, c.order.address)) {
		// no-refund.5: it went where the customer said; beats a confirmed loss
		set(d, 'no_refund', ['no-refund.5']);
		d.remedies.push(remedy('address_change', 'customer', 0));
	} else if (s.courier_finding === 'lost_confirmed') {
		fullRefund(d, 'refund.3', wholeRefund(c));
	} else if (s.courier_finding === 'delivered_proven') {
		set(d, 'no_refund', ['refund.3']);
	} else {
		set(d, 'pending', ['refund.3']);
		d.needs.push('courier_investigation');
		d.remedies.push(remedy('courier_investigation', 'shop', 0));
	}
}

const CLASS_SAME = 0, CLASS_MINOR = 1, CLASS_WRONG = 2;

function classWrongItem(P, it, recv) {
	let r = null;
	for (const x of recv) if (x.line === it.line) { r = x; break; }
	if (r === null) return CLASS_SAME;
	if ((r.style !== '' && !eqFold(r.style, it.style)) ||
	    (r.shape !== '' && !eqFold(r.shape, it.shape)) ||
	    (r.material !== '' && !eqFold(r.material, it.material)) ||
	    (r.color !== '' && !eqFold(r.color, it.color)))
		return CLASS_WRONG;
	if (r.size_milli < 0 || it.size_milli < 0) return CLASS_SAME;
	const diff = Math.abs(r.size_milli - it.size_milli);
	if (diff === 0) return CLASS_SAME;
	const tol = P.tolerance_milli[it.kind];
	return tol >= 0 && diff <= tol ? CLASS_MINOR : CLASS_WRONG;
}

// damaged and wrong_item: claims about the goods as received
function goods(P, c, d) {
	const s = c.shipment;
	const cl = c.claim;
	if (!c.shipped) {
		set(d, 'no_refund', ['no-refund.1']); // nothing has been received
		return;
	}
	if (s.delivered && cl.opened_at > s.delivered_at + P.contact_window_us) {
		const wend = s.delivered_at + P.warranty_us;
		if (cl.opened_at <= wend) {
			set(d, 'no_refund', ['no-refund.2', 'warranty.2']);
			d.remedies.push(remedy('repair', 'shop', 0));
			d.deadline = wend;
		} else {
			set(d, 'no_refund', ['no-refund.2', 'warranty.3']);
			d.remedies.push(remedy('repair', 'customer', 0));
		}
		return;
	}
	let wrong = 0, caps = 0, nWrong = 0, nMinor = 0;
	let damagedClass = CLASS_MINOR;
	if (cl.type === 'damaged') {
		for (const x of cl.defects) if (!MINOR_DEFECTS.has(x)) damagedClass = CLASS_WRONG;
	}
	for (const it of concerned(c)) {
		const k = cl.type === 'damaged' ? damagedClass : classWrongItem(P, it, cl.received);
		if (k === CLASS_WRONG) { nWrong++; wrong += it.price_minor; }
		else if (k === CLASS_MINOR) { nMinor++; caps += cap(it.price_minor, P.partial_cap_bp); }
	}
	if (nWrong > 0) {
		set(d, 'full_refund', nMinor > 0 ? ['refund.1', 'no-refund.3'] : ['refund.1']);
		d.remedies.push(remedy('full_refund', 'shop', wrong), remedy('remake', 'shop', 0));
		if (nMinor > 0) d.remedies.push(remedy('partial_refund', 'shop', caps));
	} else if (nMinor > 0) {
		set(d, 'partial_refund', ['no-refund.3']);
		d.remedies.push(remedy('partial_refund', 'shop', caps));
	} else {
		set(d, 'no_refund', ['no-refund.4']);
		d.remedies.push(remedy('remake', 'customer', 0), remedy('repair', 'customer', 0));
	}
	if (s.delivered) d.deadline = s.delivered_at + P.contact_window_us;
}

function repair(P, c, d) {
	const s = c.shipment;
	const cl = c.claim;
	let decider;
	if (!c.shipped) {
		decider = 'warranty.2';
		set(d, 'pending', [decider]);
		d.needs.push('shipment');
	} else {
		const wend = (s.delivered ? s.delivered_at : s.shipped_at) + P.warranty_us;
		if (cl.opened_at <= wend) {
			decider = 'warranty.2';
			const rise = cl.material_cost_rise_minor;
			if (rise === 0) {
				set(d, 'free_repair', [decider]);
				d.remedies.push(remedy('repair', 'shop', 0));
			} else {
				set(d, 'paid_repair', [decider]);
				d.charge = rise;
				d.remedies.push(remedy('repair', 'customer', rise));
			}
			d.deadline = wend;
		} else {
			decider = 'warranty.3';
			set(d, 'paid_repair', [decider]);
			d.needs.push('repair_quote');
			d.remedies.push(remedy('repair', 'customer', 0));
		}
	}
	// warranty.1: a concerned item with a certificate is shown on the case
	for (const it of concerned(c)) {
		if (it.certificate !== '') { d.clauses.push('warranty.1'); break; }
	}
}

// ---- the pipeline -----------------------------------------------------------
function decideLine(text, lineNo) {
	let j;
	if (text.length > 349525 && Buffer.byteLength(text) > MAX_CASE_BYTES)
		return { err: true, s: JSON.stringify({ line: lineNo, error: { field: '', message: 'over 1 MiB' } }) };
	try {
		j = JSON.parse(text);
	} catch (e) {
		return { err: true, s: JSON.stringify({ line: lineNo, error: { field: '', message: 'not JSON' } }) };
	}
	try {
		return { err: false, s: JSON.stringify(decide(POLICY, readCase(j))) };
	} catch (e) {
		if (!(e instanceof BadInput)) throw e;
		return { err: true, s: JSON.stringify({ line: lineNo, error: { field: e.field, message: e.message } }) };
	}
}

function runPipeline() {
	const input = fs.createReadStream(null, { fd: 0, highWaterMark: 1 << 20 });
	const out = process.stdout;
	let rest = null; // bytes after the last newline seen
	let lineNo = 0;
	let failed = false;
	const NL = 0x0a;

	function doLines(text, parts) {
		const lines = text.split('\n');
		for (const l of lines) {
			lineNo++;
			const r = decideLine(l, lineNo);
			if (r.err) failed = true;
			parts.push(r.s);
		}
	}
	function flush(parts) {
		if (parts.length === 0) return true;
		return out.write(parts.join('\n') + '\n');
	}
	input.on('data', (chunk) => {
		const last = chunk.lastIndexOf(NL);
		if (last < 0) {
			rest = rest === null ? chunk : Buffer.concat([rest, chunk]);
			return;
		}
		const parts = [];
		let from = 0;
		if (rest !== null) {
			// only the line that spans two chunks is copied
			const first = chunk.indexOf(NL);
			doLines(Buffer.concat([rest, chunk.subarray(0, first)]).toString('utf8'), parts);
			from = first + 1;
		}
		if (from <= last) doLines(chunk.toString('utf8', from, last), parts);
		rest = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null;
		if (!flush(parts)) {
			input.pause();
			out.once('drain', () => input.resume());
		}
	});
	input.on('end', () => {
		if (rest !== null && rest.length > 0) {
			const parts = [];
			doLines(rest.toString('utf8'), parts);
			flush(parts);
		}
		process.exitCode = failed ? 1 : 0;
	});
	out.on('error', (e) => {
		if (e.code === 'EPIPE') process.exit(failed ? 1 : 0); // a reader like head left
		process.stderr.write(`peer_js: ${e.message}\n`);
		process.exit(70);
	});
	input.on('error', (e) => {
		process.stderr.write(`peer_js: ${e.message}\n`);
		process.exitCode = 70;
	});
}

function runInMemory(n, samplePath) {
	const text = fs.readFileSync(samplePath || 0, 'utf8');
	const cases = [];
	for (const l of text.split('\n')) {
		if (l.length === 0) continue;
		cases.push(readCase(JSON.parse(l)));
	}
	if (cases.length === 0) {
		process.stderr.write('peer_js: empty sample\n');
		process.exit(2);
	}
	const P = POLICY;
	const m = cases.length;
	const time = (withJson) => {
		let sum = 0, j = 0;
		const t0 = process.hrtime.bigint();
		const c0 = process.cpuUsage();
		for (let i = 0; i < n; i++) {
			const d = decide(P, cases[j]);
			sum += d.refund_max_minor + d.clauses.length;
			if (withJson) sum += JSON.stringify(d).length;
			if (++j === m) j = 0;
		}
		const wall = Number(process.hrtime.bigint() - t0) / 1e9;
		const cu = process.cpuUsage(c0);
		return { wall, cpu: (cu.user + cu.system) / 1e6, sum };
	};
	time(false); // warm up: let the JIT settle
	const a = time(false);
	const b = time(true);
	process.stdout.write(`cases ${m}\n` +
		`decisions ${n}\n` +
		`decide_per_s ${(n / a.wall).toFixed(0)}\n` +
		`decide_cpu_per_s ${(n / a.cpu).toFixed(0)}\n` +
		`decide_json_per_s ${(n / b.wall).toFixed(0)}\n` +
		`checksum ${a.sum}\n`);
}

if (require.main === module) {
	const argv = process.argv.slice(2);
	if (argv[0] === '--in-memory') {
		const n = Number(argv[1]);
		if (!(n > 0)) {
			process.stderr.write('usage: peer_js.js [--in-memory N [SAMPLE]]\n');
			process.exit(2);
		}
		runInMemory(n, argv[2]);
	} else if (argv.length === 0) {
		runPipeline();
	} else {
		process.stderr.write('usage: peer_js.js [--in-memory N [SAMPLE]]\n');
		process.exit(2);
	}
}

module.exports = { POLICY, readCase, decide, samePlace, wholeRefund, concerned, cap,
	classWrongItem, fmtInstant, BadInput, MINOR_DEFECTS, CLASS_SAME, CLASS_MINOR, CLASS_WRONG };
