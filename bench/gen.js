#!/usr/bin/env node
// gen.js: deterministic generator of aftercare cases, JSON Lines (bench).
// Every case is valid per CONTRACT.md; the mix covers every claim type and
// every path of docs/DECISIONS.md (boundaries included), 1-4 items an order,
// USD/EUR/JPY/KWD, realistic strings, about 600-1200 bytes a line.
//
//   node bench/gen.js --mb 200 --seed 1 > FILE    at least 200 MB (10^6 bytes)
//   node bench/gen.js --count 2000 --seed 1 > FILE exactly 2000 lines
//   --stats   print to stderr how many cases each scenario got
'use strict';

const HOUR = 3600;
const DAY = 24 * HOUR;

// ---- arguments -------------------------------------------------------------
function parseArgs(argv) {
	const a = { mb: 0, count: 0, seed: 1, stats: false };
	for (let i = 2; i < argv.length; i++) {
		const k = argv[i];
		const v = argv[i + 1];
		if (k === '--mb') { a.mb = Number(v); i++; }
		else if (k === '--count') { a.count = Number(v); i++; }
		else if (k === '--seed') { a.seed = Number(v); i++; }
		else if (k === '--stats') a.stats = true;
		else {
			process.stderr.write(`gen.js: unknown argument '${k}'\n` +
				'usage: gen.js (--mb N | --count N) [--seed S] [--stats]\n');
			process.exit(2);
		}
	}
	if (!(a.mb > 0) && !(a.count > 0)) a.count = 1000;
	if (!Number.isInteger(a.seed)) {
		process.stderr.write('gen.js: --seed takes an integer\n');
		process.exit(2);
	}
	return a;
}

// ---- deterministic random numbers (mulberry32) ------------------------------
function makeRng(seed) {
	let s = (seed ^ 0x9e3779b9) >>> 0;
	const next = () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const r = {
		next,
		int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
		pick: (arr) => arr[Math.floor(next() * arr.length)],
		chance: (p) => next() < p,
		weighted: (pairs) => { // [[weight, value], ...]
			let total = 0;
			for (const [w] of pairs) total += w;
			let x = next() * total;
			for (const [w, v] of pairs) { if ((x -= w) < 0) return v; }
			return pairs[pairs.length - 1][1];
		},
	};
	return r;
}

// ---- vocabulary -------------------------------------------------------------
const FIRST = ['Ana', 'Liam', 'Sofia', 'Noah', 'Yuki', 'Fatima', 'Lukas', 'Chloé',
	'Mateo', 'Aisha', 'Oliver', 'Hana', 'Giulia', 'Ethan', 'Mei', 'Omar', 'Emma',
	'Lucas', 'Sara', 'Kenji', 'Nora', 'Jonas', 'Leila', 'Hugo', 'Amelia', 'Daniel'];
const LAST = ['Li', 'Smith', 'García', 'Tanaka', 'Al-Sabah', 'Müller', 'Rossi',
	'Dubois', 'Johnson', 'Nakamura', 'Haddad', 'Schneider', 'Bianchi', 'Martin',
	'Brown', 'Kim', 'van Dijk', 'Novak', 'Silva', 'Okafor', "O'Brien", 'Larsen'];
const STREETS = ['Quay St', 'Queen Street', 'Main Street', 'Rue de Rivoli',
	'Friedrichstraße', 'Via Roma', 'Calle Mayor', 'Baker Street', 'George St',
	'King Street West', 'Omotesando', 'Gulf Road', 'Herengracht', 'Elm Avenue',
	'Harbour Road', 'Maple Drive', 'Kärntner Straße', 'Rua Augusta'];
const LINE2 = ['Apt 4B', 'Suite 1200', 'Unit 7', 'Flat 3', '2nd floor',
	'Building C, Room 305', 'c/o Reception', 'PO Box 118'];
// country, city, region, postal codes
const PLACES = [
	['US', 'New York', 'NY', ['10001', '10011', '10128']],
	['US', 'San Francisco', 'CA', ['94103', '94110']],
	['NZ', 'Auckland', '', ['1010', '1021']],
	['JP', 'Tokyo', 'Tokyo', ['150-0001', '106-0032']],
	['JP', 'Osaka', 'Osaka', ['530-0001']],
	['KW', 'Kuwait City', 'Al Asimah', ['13001', '15252']],
	['DE', 'Berlin', '', ['10115', '10117']],
	['FR', 'Paris', 'Île-de-France', ['75002', '75008']],
	['GB', 'London', '', ['SW1A 1AA', 'EC1A 1BB', 'W1D 3QF']],
	['AU', 'Sydney', 'NSW', ['2000', '2010']],
	['CA', 'Toronto', 'ON', ['M5V 2T6', 'M4W 1A8']],
	['IT', 'Milano', 'MI', ['20121']],
	['ES', 'Madrid', '', ['28013']],
	['NL', 'Amsterdam', '', ['1012 AB', '1017 CE']],
];
const KINDS = [[40, 'ring'], [18, 'necklace'], [14, 'bracelet'], [16, 'earrings'],
	[9, 'pendant'], [3, 'other']];
const STYLES = {
	ring: ['solitaire', 'halo', 'pavé', 'three-stone', 'eternity', 'vintage',
		'signet', 'cathedral', 'bezel', 'twisted band'],
	necklace: ['tennis', 'riviera', 'station', 'choker', 'rope', 'lariat'],
	bracelet: ['tennis', 'bangle', 'cuff', 'chain link', 'charm'],
	earrings: ['stud', 'hoop', 'drop', 'huggie', 'chandelier', 'climber'],
	pendant: ['solitaire', 'locket', 'halo', 'bar', 'initial'],
	other: ['brooch', 'cufflinks', 'tie pin', 'anklet'],
};
const SHAPES = ['round', 'oval', 'princess', 'cushion', 'emerald', 'pear',
	'marquise', 'heart', 'radiant', 'asscher'];
const MATERIALS = ['14k white gold', '18k yellow gold', '14k rose gold',
	'platinum 950', 'sterling silver', '18k white gold', '10k yellow gold',
	'titanium'];
const COLORS = ['white', 'yellow', 'rose', 'D-E colourless', 'blue sapphire',
	'emerald green', 'ruby red', 'champagne', 'black onyx'];
const CERTS = ['GIA ', 'IGI LG', 'HRD ', 'AGS '];
const SIZES = {
	ring: () => null, // filled by ringSize
	necklace: ['40', '42', '45', '45.5', '50', '55', '60'],
	bracelet: ['15', '16', '16.5', '17', '17.5', '18', '19'],
	pendant: ['1.5', '2', '2.5', '3'],
};
const TOLERANCE_MILLI = { ring: 250, necklace: 500, bracelet: 500 };
const CURRENCIES = [[4, 'USD'], [3, 'EUR'], [2, 'JPY'], [1, 'KWD']];
const MINOR_DEFECTS = ['scratch', 'packaging', 'size'];
const MAJOR_DEFECTS = ['stone_loose', 'broken', 'clasp', 'tarnish', 'other'];
const ZONES = [[6, 0], [1, 60], [1, 120], [1, -300], [1, -480], [1, 330],
	[1, 540], [1, 180]]; // minutes east of UTC; 0 written as Z (mostly)

// ---- formatting -------------------------------------------------------------
function pad(n, w) { return String(n).padStart(w, '0'); }

function fmtTime(rng, sec) {
	const off = rng.weighted(ZONES);
	const d = new Date((sec + off * 60) * 1000);
	let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-` +
		`${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:` +
		`${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
	if (off === 0) return s + (rng.chance(0.9) ? 'Z' : '+00:00');
	const a = Math.abs(off);
	return s + (off < 0 ? '-' : '+') + pad(Math.floor(a / 60), 2) + ':' + pad(a % 60, 2);
}

function milliToSize(m) {
	let s = String(Math.floor(m / 1000));
	const f = m % 1000;
	if (f) s += '.' + pad(f, 3).replace(/0+$/, '');
	return s;
}
function sizeToMilli(s) {
	const [i, f = ''] = s.split('.');
	return Number(i) * 1000 + Number((f + '000').slice(0, 3));
}

// ---- building blocks --------------------------------------------------------
function makeAddress(rng, name) {
	const [country, city, region, postals] = rng.pick(PLACES);
	const a = { name };
	a.line1 = `${rng.int(1, 480)} ${rng.pick(STREETS)}`;
	if (rng.chance(0.3)) a.line2 = rng.pick(LINE2);
	a.city = city;
	if (region && rng.chance(0.8)) a.region = region;
	a.postal_code = rng.pick(postals);
	a.country = country;
	return a;
}

// the same place written differently: case and spacing change, name may too
function samePlaceVariant(rng, a) {
	const b = Object.assign({}, a);
	const v = rng.int(0, 3);
	if (v === 0) b.line1 = a.line1.toUpperCase();
	else if (v === 1) b.postal_code = a.postal_code.replace(/ /g, '') + (rng.chance(0.5) ? ' ' : '');
	else if (v === 2) b.city = '  ' + a.city.toLowerCase();
	else b.country = a.country.toLowerCase();
	if (rng.chance(0.3)) b.name = (a.name || '').toUpperCase();
	return b;
}

// another place: a different street number, street or postal code
function otherPlace(rng, a) {
	const b = Object.assign({}, a);
	const v = rng.int(0, 2);
	if (v === 0) b.line1 = `${rng.int(481, 999)} ${rng.pick(STREETS)}`;
	else if (v === 1) b.postal_code = a.postal_code + '9';
	else { b.line1 = a.line1; b.line2 = (a.line2 || '') + ' rear'; }
	return b;
}

function ringSize(rng) { return milliToSize(rng.int(16, 44) * 250); } // 4 .. 11

function price(rng, cur) {
	switch (cur) {
	case 'JPY': return rng.int(50, 6000) * 100;                 // 5,000 .. 600,000 yen
	case 'KWD': return rng.int(300, 40000) * 50;                // 15.000 .. 2000.000 KD
	default: return rng.int(45, 6500) * 100 - (rng.chance(0.4) ? 1 : 0);
	}
}
function shipping(rng, cur) {
	switch (cur) {
	case 'JPY': return rng.pick([0, 1500, 3000, 4800]);
	case 'KWD': return rng.pick([0, 3000, 5500]);
	default: return rng.pick([0, 0, 1500, 2500, 4500]);
	}
}

function makeItem(rng, line, cur, kind) {
	kind = kind || rng.weighted(KINDS);
	const material = rng.pick(MATERIALS);
	const it = {
		line, sku: '', kind,
		style: rng.pick(STYLES[kind]),
		shape: rng.pick(SHAPES),
		material,
		color: rng.pick(COLORS),
	};
	let size = null;
	if (kind === 'ring') size = ringSize(rng);
	else if (kind === 'necklace' || kind === 'bracelet') size = rng.pick(SIZES[kind]);
	else if (kind === 'pendant' && rng.chance(0.4)) size = rng.pick(SIZES.pendant);
	if (size !== null) it.size = size;
	it.sku = `${kind[0].toUpperCase()}${pad(rng.int(100, 9999), 4)}-` +
		`${material.replace(/[^0-9a-z]/gi, '').slice(0, 5).toUpperCase()}` +
		(size !== null ? '-' + size : '');
	it.price_minor = price(rng, cur);
	return it;
}

let orderSeq = 0;
function makeOrder(rng, opts) {
	const cur = rng.weighted(CURRENCIES);
	const n = opts.minItems ? rng.int(opts.minItems, 4) : rng.weighted([[50, 1], [28, 2], [15, 3], [7, 4]]);
	const base = Date.UTC(2025, 0, 1) / 1000;
	const placed = base + rng.int(0, 640 * DAY / 60) * 60 + rng.int(0, 59);
	const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
	const step = rng.chance(0.15) ? 10 : 1; // some shops number lines 10, 20, ...
	const items = [];
	for (let i = 0; i < n; i++) {
		const kind = opts.kinds && i < opts.kinds.length ? opts.kinds[i] : null;
		items.push(makeItem(rng, (i + 1) * step, cur, kind));
	}
	if (opts.cert || rng.chance(0.08)) {
		for (const it of items) {
			if (opts.cert || rng.chance(0.5))
				it.certificate = rng.pick(CERTS) + String(rng.int(1000000000, 2147483647));
		}
	}
	orderSeq++;
	const id = rng.chance(0.5) ? `A-${pad(100000 + (orderSeq % 900000), 6)}`
		: `SHOP-${new Date(placed * 1000).getUTCFullYear()}-${pad(orderSeq % 1000000, 6)}`;
	return {
		placedSec: placed,
		order: {
			id,
			placed_at: null, // filled by finish()
			currency: cur,
			shipping_minor: shipping(rng, cur),
			address: makeAddress(rng, name),
			items,
		},
	};
}

function subsetLines(rng, items, min) {
	// a strict or full subset of the lines, in order
	const picked = items.filter(() => rng.chance(0.5)).map((it) => it.line);
	if (picked.length < (min || 1)) picked.push(...items.slice(0, min || 1).map((it) => it.line).filter((l) => !picked.includes(l)));
	return picked.sort((a, b) => a - b);
}

// ---- scenarios --------------------------------------------------------------
// Each sets shipment and claim on g (the order is already made) and returns
// nothing. Times are kept as seconds and formatted at the end.
function ship(g, rng, opts) {
	const o = g.order;
	const shipped = g.placedSec + rng.int(2 * DAY, 9 * DAY) + rng.int(0, 3599);
	g.ship = {
		shippedSec: shipped,
		address: opts.addr === 'other' ? otherPlace(rng, o.address)
			: rng.chance(0.25) ? samePlaceVariant(rng, o.address) : Object.assign({}, o.address),
		deliveredSec: opts.delivered ? shipped + rng.int(2 * DAY, 12 * DAY) + rng.int(0, 3599) : null,
		courier_finding: opts.courier || null,
		customs: opts.customs || null,
	};
	if (!g.ship.courier_finding && rng.chance(0.4)) g.ship.courier_finding = 'none';
	if (!g.ship.customs && rng.chance(0.3)) g.ship.customs = rng.pick(['none', 'cleared']);
	return g.ship;
}

function claim(g, type, openedSec) {
	g.claim = { type, openedSec };
	return g.claim;
}

function maybeLines(g, rng, p) {
	if (g.order.items.length > 1 && rng.chance(p)) g.claim.lines = subsetLines(rng, g.order.items);
	else if (rng.chance(0.15)) g.claim.lines = g.order.items.map((it) => it.line); // all, spelt out
}

const S = {
	// cancel
	cancel_before(g, rng) {
		claim(g, 'cancel', g.placedSec + rng.weighted([[9, rng.int(60, DAY - 1)], [1, DAY - 1]]));
		maybeLines(g, rng, 0.25);
	},
	cancel_after(g, rng) {
		claim(g, 'cancel', g.placedSec + rng.weighted([[2, DAY], [8, rng.int(DAY, 6 * DAY)]]));
		maybeLines(g, rng, 0.2);
	},
	cancel_shipped(g, rng) {
		const s = ship(g, rng, { delivered: rng.chance(0.5) });
		claim(g, 'cancel', (s.deliveredSec || s.shippedSec) + rng.int(HOUR, 5 * DAY));
	},
	// unwanted
	unwanted_before(g, rng) {
		claim(g, 'unwanted', g.placedSec + rng.int(60, DAY - 1));
		maybeLines(g, rng, 0.2);
	},
	unwanted_after_unshipped(g, rng) {
		claim(g, 'unwanted', g.placedSec + rng.int(DAY, 4 * DAY));
	},
	unwanted_in_transit(g, rng) {
		const s = ship(g, rng, { delivered: false });
		claim(g, 'unwanted', s.shippedSec + rng.int(HOUR, 6 * DAY));
	},
	unwanted_delivered(g, rng) {
		const s = ship(g, rng, { delivered: true });
		claim(g, 'unwanted', s.deliveredSec + rng.int(HOUR, 20 * DAY));
		maybeLines(g, rng, 0.3);
	},
	// not_received
	nr_unshipped(g, rng) {
		claim(g, 'not_received', g.placedSec + rng.int(3 * DAY, 20 * DAY));
	},
	nr_misshipped(g, rng) {
		const s = ship(g, rng, { addr: 'other', courier: rng.pick(['none', 'delivered_proven', 'lost_confirmed']) });
		claim(g, 'not_received', s.shippedSec + rng.int(5 * DAY, 30 * DAY));
	},
	nr_customer_address(g, rng) {
		const s = ship(g, rng, { courier: rng.pick(['lost_confirmed', 'lost_confirmed', 'investigating', 'none']) });
		const c = claim(g, 'not_received', s.shippedSec + rng.int(5 * DAY, 30 * DAY));
		c.correct_address = otherPlace(rng, g.order.address);
	},
	nr_customer_address_same(g, rng) { // the "correct" address is the order's: no effect
		const s = ship(g, rng, { courier: rng.pick(['lost_confirmed', 'delivered_proven', 'investigating']) });
		const c = claim(g, 'not_received', s.shippedSec + rng.int(5 * DAY, 30 * DAY));
		c.correct_address = samePlaceVariant(rng, g.order.address);
	},
	nr_lost(g, rng) {
		const s = ship(g, rng, { courier: 'lost_confirmed' });
		claim(g, 'not_received', s.shippedSec + rng.int(7 * DAY, 40 * DAY));
		maybeLines(g, rng, 0.15);
	},
	nr_proven(g, rng) {
		const s = ship(g, rng, { courier: 'delivered_proven', delivered: rng.chance(0.7) });
		claim(g, 'not_received', (s.deliveredSec || s.shippedSec) + rng.int(DAY, 20 * DAY));
	},
	nr_investigating(g, rng) {
		const s = ship(g, rng, { courier: rng.pick(['investigating', 'none']) });
		if (s.courier_finding === 'none' && rng.chance(0.5)) s.courier_finding = null;
		claim(g, 'not_received', s.shippedSec + rng.int(5 * DAY, 25 * DAY));
	},
	// wrong_address
	wa_unshipped(g, rng) {
		const c = claim(g, 'wrong_address', g.placedSec + rng.int(HOUR, 3 * DAY));
		if (rng.chance(0.7)) c.correct_address = otherPlace(rng, g.order.address);
	},
	wa_misshipped(g, rng) {
		const s = ship(g, rng, { addr: 'other', delivered: rng.chance(0.5) });
		const c = claim(g, 'wrong_address', s.shippedSec + rng.int(2 * DAY, 20 * DAY));
		if (rng.chance(0.5)) c.correct_address = Object.assign({}, g.order.address);
	},
	wa_customer(g, rng) {
		const s = ship(g, rng, { delivered: rng.chance(0.4) });
		const c = claim(g, 'wrong_address', s.shippedSec + rng.int(DAY, 15 * DAY));
		c.correct_address = otherPlace(rng, g.order.address);
	},
	// customs
	customs_refused(g, rng) {
		const s = ship(g, rng, { customs: 'refused_by_customer', courier: rng.pick(['none', 'investigating']) });
		claim(g, 'customs', s.shippedSec + rng.int(7 * DAY, 30 * DAY));
	},
	customs_held(g, rng) {
		const s = ship(g, rng, { customs: 'held' });
		claim(g, 'customs', s.shippedSec + rng.int(3 * DAY, 20 * DAY));
	},
	customs_cleared(g, rng) { // decided as not_received
		const v = rng.int(0, 3);
		const s = ship(g, rng, {
			customs: rng.pick(['cleared', 'none']),
			addr: v === 0 ? 'other' : 'same',
			courier: ['none', 'lost_confirmed', 'delivered_proven', 'investigating'][v],
		});
		const c = claim(g, 'customs', s.shippedSec + rng.int(5 * DAY, 30 * DAY));
		if (v !== 0 && rng.chance(0.2)) c.correct_address = otherPlace(rng, g.order.address);
	},
	customs_unshipped(g, rng) {
		claim(g, 'customs', g.placedSec + rng.int(3 * DAY, 10 * DAY));
	},
	// damaged
	damaged_unshipped(g, rng) {
		const c = claim(g, 'damaged', g.placedSec + rng.int(DAY, 5 * DAY));
		c.defects = [rng.pick(MINOR_DEFECTS.concat(MAJOR_DEFECTS))];
	},
	damaged_late(g, rng) {
		const s = ship(g, rng, { delivered: true });
		const past = rng.chance(0.3);
		const c = claim(g, 'damaged', s.deliveredSec + (past
			? 365 * DAY + rng.weighted([[1, 1], [4, rng.int(DAY, 400 * DAY)]])
			: rng.weighted([[1, 2 * DAY + 1], [1, 365 * DAY], [6, rng.int(2 * DAY + 1, 364 * DAY)]])));
		c.defects = pickDefects(rng, rng.chance(0.5));
		maybeLines(g, rng, 0.4);
	},
	damaged_minor(g, rng) {
		const s = ship(g, rng, { delivered: true });
		const c = claim(g, 'damaged', s.deliveredSec + rng.weighted([[1, 2 * DAY], [6, rng.int(HOUR, 2 * DAY)]]));
		c.defects = pickDefects(rng, false);
		maybeLines(g, rng, 0.6);
	},
	damaged_defect(g, rng) {
		const s = ship(g, rng, { delivered: true });
		const c = claim(g, 'damaged', s.deliveredSec + rng.weighted([[1, 2 * DAY], [6, rng.int(HOUR, 2 * DAY)]]));
		c.defects = pickDefects(rng, true);
		maybeLines(g, rng, 0.6);
	},
	damaged_undelivered(g, rng) { // no delivered_at: decided on its merits, no deadline
		const s = ship(g, rng, { delivered: false });
		const c = claim(g, 'damaged', s.shippedSec + rng.int(3 * DAY, 60 * DAY));
		c.defects = pickDefects(rng, rng.chance(0.5));
		maybeLines(g, rng, 0.4);
	},
	// wrong_item
	wi_unshipped(g, rng) {
		claim(g, 'wrong_item', g.placedSec + rng.int(HOUR, 4 * DAY));
		received(g, rng, 'wrong');
	},
	wi_late(g, rng) {
		const s = ship(g, rng, { delivered: true });
		const past = rng.chance(0.3);
		claim(g, 'wrong_item', s.deliveredSec + (past
			? 365 * DAY + rng.int(1, 200 * DAY)
			: rng.weighted([[1, 2 * DAY + 1], [5, rng.int(2 * DAY + 1, 365 * DAY)]])));
		received(g, rng, rng.pick(['wrong', 'within', 'same']));
	},
	wi_wrong(g, rng) { wiInWindow(g, rng, 'wrong'); },
	wi_size_beyond(g, rng) { wiInWindow(g, rng, 'beyond'); },
	wi_within(g, rng) { wiInWindow(g, rng, 'within'); },
	wi_same(g, rng) { wiInWindow(g, rng, 'same'); },
	wi_mixed(g, rng) { wiInWindow(g, rng, 'mixed'); },
	wi_undelivered(g, rng) {
		const s = ship(g, rng, { delivered: false });
		claim(g, 'wrong_item', s.shippedSec + rng.int(3 * DAY, 30 * DAY));
		received(g, rng, rng.pick(['wrong', 'within', 'same', 'mixed']));
	},
	// repair
	repair_unshipped(g, rng) {
		const c = claim(g, 'repair', g.placedSec + rng.int(DAY, 6 * DAY));
		if (rng.chance(0.3)) c.repair = { material_cost_rise_minor: 0 };
	},
	repair_free(g, rng) {
		const s = ship(g, rng, { delivered: rng.chance(0.8) });
		const c = claim(g, 'repair', (s.deliveredSec || s.shippedSec) +
			rng.weighted([[1, 365 * DAY], [8, rng.int(3 * DAY, 364 * DAY)]]));
		if (rng.chance(0.5)) c.repair = { material_cost_rise_minor: 0 };
		maybeLines(g, rng, 0.6);
	},
	repair_rise(g, rng) {
		const s = ship(g, rng, { delivered: rng.chance(0.8) });
		const c = claim(g, 'repair', (s.deliveredSec || s.shippedSec) + rng.int(3 * DAY, 365 * DAY));
		c.repair = { material_cost_rise_minor: Math.max(1, Math.floor(price(rng, g.order.currency) / 10)) };
		maybeLines(g, rng, 0.6);
	},
	repair_after(g, rng) {
		const s = ship(g, rng, { delivered: rng.chance(0.8) });
		const c = claim(g, 'repair', (s.deliveredSec || s.shippedSec) + 365 * DAY +
			rng.weighted([[1, 1], [6, rng.int(DAY, 900 * DAY)]]));
		if (rng.chance(0.3)) c.repair = { material_cost_rise_minor: rng.int(0, 1) * 2500 };
		maybeLines(g, rng, 0.5);
	},
};

function pickDefects(rng, major) {
	const d = [];
	const n = rng.int(1, 3);
	for (let i = 0; i < n; i++) {
		const x = rng.pick(MINOR_DEFECTS);
		if (!d.includes(x)) d.push(x);
	}
	if (major) {
		const x = rng.pick(MAJOR_DEFECTS);
		if (rng.chance(0.5)) d.unshift(x); else d.push(x);
		if (rng.chance(0.3)) d.length = 1, d[0] = x;
	}
	return d;
}

function wiInWindow(g, rng, mode) {
	const s = ship(g, rng, { delivered: true });
	claim(g, 'wrong_item', s.deliveredSec + rng.weighted([[1, 2 * DAY], [6, rng.int(HOUR, 2 * DAY)]]));
	received(g, rng, mode);
}

const ATTRS = ['style', 'shape', 'material', 'color'];
const ATTR_POOLS = { style: null, shape: SHAPES, material: MATERIALS, color: COLORS };

function recvSame(rng, it) {
	const r = { line: it.line };
	// checked and equal, written with other case or spacing
	for (const a of ATTRS) {
		if (rng.chance(0.3)) {
			const v = it[a];
			r[a] = rng.chance(0.5) ? v.toUpperCase() : `  ${v} `;
		}
	}
	if (it.size !== undefined && rng.chance(0.4))
		r.size = rng.chance(0.5) ? it.size : milliToSize(sizeToMilli(it.size)) + (it.size.includes('.') ? '' : '.0');
	return r;
}

function recvWrong(rng, it) {
	const r = { line: it.line };
	const a = rng.pick(ATTRS);
	const pool = ATTR_POOLS[a] || STYLES[it.kind];
	let v = rng.pick(pool);
	if (v.toLowerCase() === it[a].toLowerCase()) v = pool[(pool.indexOf(v) + 1) % pool.length];
	r[a] = v;
	return r;
}

function recvSize(rng, it, within) {
	const r = { line: it.line };
	const m = sizeToMilli(it.size);
	const tol = TOLERANCE_MILLI[it.kind];
	let delta;
	if (within) delta = rng.pick([tol, -tol, tol / 2, -tol / 2].filter((x) => x === Math.trunc(x) && x !== 0));
	else delta = tol === undefined ? rng.pick([500, -500, 1000]) : rng.pick([tol + 250, -(tol + 250), 2 * tol + 500, 1000]);
	const got = Math.max(1000, m + delta);
	r.size = milliToSize(got === m ? m + 1000 : got);
	return r;
}

function received(g, rng, mode) {
	const items = g.order.items;
	const c = g.claim;
	const sized = items.filter((it) => it.size !== undefined && TOLERANCE_MILLI[it.kind] !== undefined);
	const anySized = items.filter((it) => it.size !== undefined);
	let recv = [];
	let lines = null;
	if (mode === 'within' && sized.length === 0) mode = 'wrong';
	if (mode === 'beyond' && anySized.length === 0) mode = 'wrong';
	if (mode === 'mixed' && (sized.length === 0 || items.length < 2)) mode = sized.length ? 'within' : 'wrong';
	switch (mode) {
	case 'wrong': {
		const it = rng.pick(items);
		recv.push(recvWrong(rng, it));
		if (rng.chance(0.2) && it.size !== undefined) Object.assign(recv[0], { size: it.size });
		break;
	}
	case 'beyond': recv.push(recvSize(rng, rng.pick(anySized), false)); break;
	case 'within': recv.push(recvSize(rng, rng.pick(sized), true)); break;
	case 'same': {
		if (rng.chance(0.8)) recv.push(recvSame(rng, rng.pick(items)));
		break;
	}
	case 'mixed': {
		const a = rng.pick(sized);
		const b = rng.pick(items.filter((it) => it !== a));
		recv.push(recvSize(rng, a, true));
		recv.push(rng.chance(0.5) ? recvWrong(rng, b)
			: (b.size !== undefined ? recvSize(rng, b, false) : recvWrong(rng, b)));
		recv.sort((x, y) => x.line - y.line);
		break;
	}
	}
	// claim.lines: absent, exactly the received lines, or those plus more
	if (items.length > 1 && rng.chance(0.6)) {
		const set = new Set(recv.map((r) => r.line));
		for (const it of items) if (rng.chance(0.3)) set.add(it.line);
		if (set.size === 0) set.add(items[0].line);
		lines = [...set].sort((x, y) => x - y);
	}
	if (lines) c.lines = lines;
	if (recv.length || rng.chance(0.5)) c.received = recv;
}

const MIX = [
	[3, 'cancel_before'], [3, 'cancel_after'], [2, 'cancel_shipped'],
	[2, 'unwanted_before'], [1, 'unwanted_after_unshipped'], [1, 'unwanted_in_transit'],
	[2, 'unwanted_delivered'],
	[1, 'nr_unshipped'], [2, 'nr_misshipped'], [2, 'nr_customer_address'],
	[1, 'nr_customer_address_same'], [3, 'nr_lost'], [2, 'nr_proven'], [3, 'nr_investigating'],
	[1, 'wa_unshipped'], [2, 'wa_misshipped'], [2, 'wa_customer'],
	[2, 'customs_refused'], [2, 'customs_held'], [2, 'customs_cleared'], [1, 'customs_unshipped'],
	[1, 'damaged_unshipped'], [3, 'damaged_late'], [4, 'damaged_minor'], [4, 'damaged_defect'],
	[2, 'damaged_undelivered'],
	[1, 'wi_unshipped'], [3, 'wi_late'], [4, 'wi_wrong'], [2, 'wi_size_beyond'], [3, 'wi_within'],
	[3, 'wi_same'], [3, 'wi_mixed'], [1, 'wi_undelivered'],
	[1, 'repair_unshipped'], [4, 'repair_free'], [3, 'repair_rise'], [3, 'repair_after'],
];
const MIX_PAIRS = MIX.map(([w, name]) => [w, name]);

// ---- one case ---------------------------------------------------------------
function finish(rng, g) {
	const o = g.order;
	o.placed_at = fmtTime(rng, g.placedSec);
	const out = {};
	const c = g.claim;
	if (rng.chance(0.25)) out.now = fmtTime(rng, c.openedSec + rng.int(0, 3 * DAY));
	out.order = o;
	if (g.ship) {
		const s = g.ship;
		const sh = { shipped_at: fmtTime(rng, s.shippedSec), address: s.address };
		if (s.deliveredSec !== null) sh.delivered_at = fmtTime(rng, s.deliveredSec);
		if (s.courier_finding) sh.courier_finding = s.courier_finding;
		if (s.customs) sh.customs = s.customs;
		out.shipment = sh;
	}
	const cl = { type: c.type, opened_at: fmtTime(rng, c.openedSec) };
	if (c.lines) cl.lines = c.lines;
	if (c.received) cl.received = c.received;
	if (c.defects) cl.defects = c.defects;
	if (c.correct_address) cl.correct_address = c.correct_address;
	if (c.repair) cl.repair = c.repair;
	out.claim = cl;
	return out;
}

function makeCase(rng, stats) {
	const name = rng.weighted(MIX_PAIRS);
	if (stats) stats[name] = (stats[name] || 0) + 1;
	const opts = {};
	if (name.startsWith('wi_') && rng.chance(0.7)) opts.kinds = ['ring'];
	if (name === 'wi_mixed') { opts.minItems = 2; opts.kinds = ['ring', rng.pick(['necklace', 'bracelet', 'earrings', 'ring'])]; }
	if (name.startsWith('repair') && rng.chance(0.3)) opts.cert = true;
	const g = makeOrder(rng, opts);
	S[name](g, rng);
	return finish(rng, g);
}

// ---- main -------------------------------------------------------------------
async function main() {
	const a = parseArgs(process.argv);
	const rng = makeRng(a.seed);
	const stats = a.stats ? {} : null;
	const wantBytes = a.mb > 0 ? a.mb * 1e6 : Infinity;
	const wantLines = a.count > 0 ? a.count : Infinity;
	const out = process.stdout;
	out.on('error', (e) => {
		if (e.code === 'EPIPE') process.exit(0); // a reader like head left
		throw e;
	});
	let bytes = 0;
	let lines = 0;
	let chunk = [];
	let chunkLen = 0;
	while (bytes < wantBytes && lines < wantLines) {
		const s = JSON.stringify(makeCase(rng, stats)) + '\n';
		const n = Buffer.byteLength(s);
		bytes += n;
		lines++;
		chunk.push(s);
		chunkLen += n;
		if (chunkLen >= 1 << 20) {
			if (!out.write(chunk.join(''))) await new Promise((r) => out.once('drain', r));
			chunk = [];
			chunkLen = 0;
		}
	}
	if (chunk.length) out.write(chunk.join(''));
	if (stats) {
		process.stderr.write(`gen.js: ${lines} lines, ${bytes} bytes, ${(bytes / lines).toFixed(0)} bytes a line\n`);
		for (const [k, v] of Object.entries(stats).sort()) process.stderr.write(`  ${k} ${v}\n`);
	}
}

if (require.main === module) {
	main().catch((e) => { process.stderr.write(`gen.js: ${e.stack}\n`); process.exit(1); });
}
