// hostile.js: a hostile client against a real `aftercare serve` on
// loopback, over raw sockets (node's net module, nothing to install).
// Usage: node tests/api/hostile.js URL TOKEN CASE_ID [SLOW IDLE]
//   (tests/api/hostile.sh starts the server and passes these).
// Checks, each a line "ok NAME" or "FAIL NAME: why", then "N passed, M
// failed" (exit 1 on any failure):
//   smuggling  both Content-Length and Transfer-Encoding, two different
//              Content-Lengths: 400 problem+json, Connection: close, the
//              connection closed and the request hidden in the body never
//              run; an unknown transfer coding: 501 at once; an
//              unauthenticated chunked body: 401 at once, unread
//   NUL        "\u0000" in a JSON string: 422 naming the field, nothing
//              stored; %00 in the path or a query value: 400
//   problems   every error the server makes is application/problem+json
//              with a urn:aftercare:problem type
//   deadline   a client sending its headers a byte a second is cut at the
//              10 s deadline with a 408; an idle one is closed
//   flood      SLOW (1,500) slow-header clients and IDLE (2,000) idle
//              connections, 20 from each of many loopback addresses, do
//              not keep a normal client from being answered within 2 s,
//              and are all closed by the deadline
//   keep-alive the deadline counts from the last answer: a connection
//              asked at 0, 6 and 12 s answers each time, and is closed
//              10 s after its last answer; a body may take longer
//   per client one address gets 128 connections at once, no more.
'use strict';
const net = require('net');

const [URL_, TOKEN, CASE_ID] = process.argv.slice(2, 5);
const SLOW = Number(process.argv[5] || 1500);
const IDLE = Number(process.argv[6] || 2000);
if (!URL_ || !TOKEN || !CASE_ID) {
	console.error('usage: node hostile.js URL TOKEN CASE_ID [SLOW IDLE]');
	process.exit(2);
}
const { hostname: HOST, port: PORT_S } = new URL(URL_);
const PORT = Number(PORT_S);
const DEADLINE_S = 10;
const PER_CLIENT = 128;

let passed = 0, failed = 0;
function ok(name) { passed++; console.log('ok   ' + name); }
function bad(name, why) {
	failed++;
	console.log('FAIL ' + name + ': ' + String(why).slice(0, 600));
}
function check(name, cond, why) { if (cond) ok(name); else bad(name, why); }
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// exchange sends bytes on a new connection and gathers what comes back
// until the server closes or `wait` ms pass: {data, closed, ms, error}.
function exchange(bytes, { wait = 3000, from } = {}) {
	return new Promise((resolve) => {
		const t0 = Date.now();
		const chunks = [];
		let done = false;
		const s = net.connect({ host: HOST, port: PORT,
					localAddress: from });
		const finish = (closed, error) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			s.destroy();
			resolve({ data: Buffer.concat(chunks).toString('latin1'),
				  closed, ms: Date.now() - t0, error });
		};
		const timer = setTimeout(() => finish(false), wait);
		s.on('connect', () => s.write(bytes));
		s.on('data', (d) => chunks.push(d));
		s.on('end', () => finish(true));
		s.on('error', (e) => finish(true, e.code));
		s.on('close', () => finish(true));
	});
}

// parse reads the first response of a raw answer: {status, headers,
// body, rest} (rest: whatever followed it: a second response means a
// smuggled request ran).
function parse(raw) {
	const end = raw.indexOf('\r\n\r\n');
	if (end < 0) return null;
	const lines = raw.slice(0, end).split('\r\n');
	const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
	if (!m) return null;
	const headers = {};
	for (const l of lines.slice(1)) {
		const i = l.indexOf(':');
		headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
	}
	const len = Number(headers['content-length'] || 0);
	const body = raw.slice(end + 4, end + 4 + len);
	return { status: Number(m[1]), headers, body,
		 rest: raw.slice(end + 4 + len) };
}

function json(s) { try { return JSON.parse(s); } catch { return null; } }

// problem checks a parsed answer: status, problem+json, the type, and
// the field when given.
function problem(name, res, status, type, field) {
	if (!res) return bad(name, 'no HTTP answer');
	const p = json(res.body);
	const why = [];
	if (res.status !== status) why.push(`status ${res.status}`);
	if (res.headers['content-type'] !== 'application/problem+json')
		why.push(`content type ${res.headers['content-type']}`);
	if (!p || p.type !== 'urn:aftercare:problem:' + type)
		why.push(`type ${p && p.type}`);
	if (!p || p.status !== status || typeof p.detail !== 'string')
		why.push('status or detail in the body');
	if (field !== undefined && (!p || p.field !== field))
		why.push(`field ${p && p.field}`);
	check(name, why.length === 0, why.join(', ') + ': ' + res.body);
}

function request(method, path, { headers = {}, body } = {}) {
	let h = `${method} ${path} HTTP/1.1\r\nHost: ${HOST}\r\n`;
	for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
	if (body !== undefined)
		h += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
	return h + 'Connection: close\r\n\r\n' + (body || '');
}
const AUTH = { Authorization: 'Bearer ' + TOKEN };
const JSONH = { 'Content-Type': 'application/json' };

async function get(path, headers = AUTH, from) {
	const r = await exchange(request('GET', path, { headers }),
				 { from });
	return parse(r.data);
}

// ---- smuggling --------------------------------------------------------

// An order created only if the request hidden in a body runs.
function hidden(id) {
	const b = JSON.stringify({
		id, placed_at: '2026-05-04T08:00:00Z', currency: 'USD',
		shipping_minor: 0,
		address: { name: 'A', line1: 'B', city: 'C',
			   postal_code: '1', country: 'NZ' },
		items: [{ line: 1, sku: 'S', kind: 'other', style: 's',
			  shape: 's', material: 'm', color: 'c',
			  price_minor: 100 }],
		customer: { name: 'X', email: 'x@example.com' } });
	return `POST /v1/orders HTTP/1.1\r\nHost: ${HOST}\r\n` +
		`Authorization: Bearer ${TOKEN}\r\n` +
		'Content-Type: application/json\r\n' +
		`Content-Length: ${b.length}\r\n\r\n${b}`;
}

async function smuggling() {
	const inner = hidden('SMUGGLED-TE');
	let r = await exchange('POST /v1/decide HTTP/1.1\r\n' +
		`Host: ${HOST}\r\nContent-Type: application/json\r\n` +
		'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n' +
		`0\r\n\r\n${inner}`);
	let res = parse(r.data);
	problem('cl-and-te: 400', res, 400, 'bad-request', 'Transfer-Encoding');
	check('cl-and-te: closed', r.closed && res &&
	      /close/i.test(res.headers.connection || '') && !res.rest,
	      `closed ${r.closed}, Connection ${res && res.headers.connection}` +
	      `, after it: ${res && res.rest.slice(0, 80)}`);

	const inner2 = hidden('SMUGGLED-CL');
	r = await exchange('POST /v1/decide HTTP/1.1\r\n' +
		`Host: ${HOST}\r\nContent-Type: application/json\r\n` +
		'Content-Length: 2\r\n' +
		`Content-Length: ${2 + inner2.length}\r\n\r\n{}${inner2}`);
	res = parse(r.data);
	problem('two-content-lengths: 400', res, 400, 'bad-request',
		'Content-Length');
	check('two-content-lengths: closed', r.closed && res && !res.rest,
	      `closed ${r.closed}; after it: ${res && res.rest.slice(0, 80)}`);
	for (const id of ['SMUGGLED-TE', 'SMUGGLED-CL']) {
		res = await get('/v1/orders/' + id);
		check(`hidden request never ran (${id})`,
		      res && res.status === 404, res && res.status);
	}

	r = await exchange('GET /healthz HTTP/1.1\r\n' +
		`Host: ${HOST}\r\nContent-Length: 0\r\n` +
		'Content-Length: 0\r\nConnection: close\r\n\r\n');
	res = parse(r.data);
	check('the same content-length twice is one', res &&
	      res.status === 200, r.data.slice(0, 200));

	for (const te of ['gzip', 'identity', 'chunked, gzip']) {
		r = await exchange('POST /v1/decide HTTP/1.1\r\n' +
			`Host: ${HOST}\r\nContent-Type: application/json\r\n` +
			`Transfer-Encoding: ${te}\r\n\r\n{}`);
		res = parse(r.data);
		problem(`transfer coding '${te}': 501`, res, 501,
			'not-implemented', 'Transfer-Encoding');
		check(`transfer coding '${te}': at once, closed`,
		      r.closed && r.ms < 1000, `${r.ms} ms, closed ${r.closed}`);
	}

	// a chunked body that never ends, without a token: 401 at once
	r = await exchange('POST /v1/cases HTTP/1.1\r\n' +
		`Host: ${HOST}\r\nContent-Type: application/json\r\n` +
		'Transfer-Encoding: chunked\r\n\r\n10\r\n{"order": "D-1',
		{ wait: 3000 });
	res = parse(r.data);
	problem('unauthenticated chunked: 401', res, 401, 'unauthorized');
	check('unauthenticated chunked: at once, body unread, closed',
	      r.closed && r.ms < 1000, `${r.ms} ms, closed ${r.closed}`);
}

// ---- NUL ---------------------------------------------------------------

const CASE = {
	order: { id: 'A-1001', placed_at: '2026-05-04T08:00:00Z',
		 currency: 'USD', shipping_minor: 1500,
		 address: { name: 'Ana Li', line1: '5 Quay St',
			    city: 'Auckland', postal_code: '1010',
			    country: 'NZ' },
		 items: [{ line: 1, sku: 'R-14W-7', kind: 'ring',
			   style: 'halo', shape: 'oval',
			   material: '14k white gold', color: 'white',
			   size: '7', price_minor: 52000 }] },
	shipment: { shipped_at: '2026-05-07T03:00:00Z',
		    address: { name: 'Ana Li', line1: '5 Quay St',
			       city: 'Auckland', postal_code: '1010',
			       country: 'NZ' },
		    delivered_at: '2026-05-12T16:20:00Z',
		    courier_finding: 'none', customs: 'cleared' },
	claim: { type: 'wrong_item', opened_at: '2026-05-13T09:05:00Z',
		 lines: [1],
		 received: [{ line: 1, material: '14k white gold\u0000 x' }] },
};

async function post(path, body, headers = { ...AUTH, ...JSONH }) {
	const r = await exchange(request('POST', path, { headers, body }));
	return parse(r.data);
}

async function nul() {
	let res = await post('/v1/decide', JSON.stringify(CASE), JSONH);
	problem('NUL in a material: 422 naming it', res, 422, 'invalid',
		'claim.received[0].material');

	const order = JSON.parse(hidden('N-1\u0000hidden').split('\r\n\r\n')[1]);
	res = await post('/v1/orders', JSON.stringify(order));
	problem('NUL in an order id: 422', res, 422, 'invalid', 'id');
	res = await get('/v1/orders/N-1');
	check('NUL in an order id: no order N-1', res && res.status === 404,
	      res && res.status);

	const before = await get(`/v1/cases/${CASE_ID}/notes`);
	res = await post(`/v1/cases/${CASE_ID}/notes`,
			 JSON.stringify({ body: 'call back\u0000 never' }));
	problem('NUL in a note: 422', res, 422, 'invalid', 'body');
	const after = await get(`/v1/cases/${CASE_ID}/notes`);
	check('NUL in a note: no note stored', before && after &&
	      before.body === after.body, after && after.body.slice(0, 200));

	res = await get(`/v1/cases/${CASE_ID}%00xyz`);
	problem('NUL in the path: 400', res, 400, 'bad-request', 'path');
	res = await get('/v1/cases?status=open%00x');
	problem('NUL in a query value: 400', res, 400, 'bad-request',
		'status');
	res = await get(`/v1/cases/${CASE_ID}`);
	check('the case itself still reads', res && res.status === 200,
	      res && res.status);
}

// ---- problem+json everywhere -----------------------------------------

async function problems() {
	problem('no route: 404', await get('/nowhere', {}), 404, 'not-found');
	problem('no token: 401', await get('/v1/cases', {}), 401,
		'unauthorized');
	let r = await exchange(request('DELETE', '/healthz'));
	problem('wrong method: 405', parse(r.data), 405,
		'method-not-allowed');
	problem('wrong media type: 415', await post('/v1/decide', '{}',
		{ 'Content-Type': 'text/plain' }), 415, 'media-type',
		'Content-Type');
	r = await exchange('POST /v1/decide HTTP/1.1\r\n' +
		`Host: ${HOST}\r\nContent-Type: application/json\r\n` +
		'Content-Length: 99999999\r\n\r\n');
	problem('declared too large: 413', parse(r.data), 413, 'too-large');
	problem('not JSON: 400', await post('/v1/decide', '{', JSONH), 400,
		'not-json');
	r = await exchange(request('GET', '/healthz',
				   { headers: { 'X-Big': 'a'.repeat(9000) } }));
	problem('headers over 8 KiB: 431', parse(r.data), 431,
		'headers-too-large');
	check('headers over 8 KiB: closed', r.closed, 'left open');
}

// ---- the deadline, the flood and the limit per client -------------------

// open makes a connection from `from`; slow ones send a request line and
// then a header byte a second. Resolves once connected (or refused).
function open(from, slow) {
	return new Promise((resolve) => {
		const c = { closedAt: 0, data: '', openedAt: Date.now() };
		const s = net.connect({ host: HOST, port: PORT,
					localAddress: from });
		c.sock = s;
		s.on('connect', () => {
			if (slow)
				s.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}` +
					'\r\nX-Slow: ');
			resolve(c);
		});
		s.on('data', (d) => { c.data += d.toString('latin1'); });
		const closed = () => {
			if (!c.closedAt) c.closedAt = Date.now();
			resolve(c);
		};
		s.on('end', closed);
		s.on('close', closed);
		s.on('error', closed);
	});
}

// addresses: n loopback addresses, 127.0.B.C, from 127.0.1.1 on.
function addresses(n, base = 1) {
	const out = [];
	for (let i = 0; i < n; i++)
		out.push(`127.0.${base + Math.floor(i / 250)}.${1 + i % 250}`);
	return out;
}

async function openMany(n, slow, from) {
	const conns = [];
	for (let i = 0; i < n; i += 200) {
		const batch = [];
		for (let j = i; j < Math.min(n, i + 200); j++)
			batch.push(open(from[Math.floor(j / 20)], slow));
		conns.push(...await Promise.all(batch));
	}
	return conns;
}

// keepAlive asks on one connection at 0, 6 and 12 s: the deadline counts
// from the end of the last answer, not from the connection's start.
async function keepAlive() {
	const s = net.connect({ host: HOST, port: PORT,
				localAddress: '127.0.0.2' });
	let buf = '', closed = false;
	s.on('data', (d) => { buf += d.toString('latin1'); });
	s.on('close', () => { closed = true; });
	s.on('error', () => { closed = true; });
	await new Promise((r) => s.on('connect', r));
	const answers = [];
	for (let i = 0; i < 3; i++) {
		if (i) await sleep(6000);
		buf = '';
		if (!closed)
			s.write(`GET /healthz HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`);
		const until = Date.now() + 2000;
		while (Date.now() < until && !(parse(buf) &&
		       parse(buf).body.length > 0) && !closed)
			await sleep(20);
		const res = parse(buf);
		answers.push(res ? res.status : closed ? 'closed' : 'none');
	}
	const answered = Date.now();
	while (!closed && Date.now() - answered < 12000)
		await sleep(50);
	const idle = Date.now() - answered;
	s.destroy();
	check('keep-alive: asked at 0, 6 and 12 s on one connection, ' +
	      'answered each time', answers.join() === '200,200,200',
	      answers.join());
	check(`keep-alive: closed ${(idle / 1000).toFixed(1)} s after its ` +
	      'last answer', closed && idle > (DEADLINE_S - 1) * 1000 &&
	      idle < (DEADLINE_S + 1.5) * 1000,
	      closed ? `after ${idle} ms` : 'still open');
}

// slowBody sends a case as a body over 12 s: the deadline is for the
// request line and headers only, a body may take longer.
async function slowBody() {
	const body = JSON.stringify({ ...CASE, claim: { ...CASE.claim,
		received: [{ line: 1, material: 'sterling silver' }] } });
	const s = net.connect({ host: HOST, port: PORT,
				localAddress: '127.0.0.3' });
	let buf = '', closed = false;
	s.on('data', (d) => { buf += d.toString('latin1'); });
	s.on('close', () => { closed = true; });
	s.on('error', () => { closed = true; });
	await new Promise((r) => s.on('connect', r));
	s.write(`POST /v1/decide HTTP/1.1\r\nHost: ${HOST}\r\n` +
		'Content-Type: application/json\r\nConnection: close\r\n' +
		`Content-Length: ${body.length}\r\n\r\n`);
	const parts = 12, step = Math.ceil(body.length / parts);
	for (let i = 0; i < parts && !closed; i++) {
		await sleep(1000);
		s.write(body.slice(i * step, (i + 1) * step));
	}
	const until = Date.now() + 3000;
	while (!closed && Date.now() < until)
		await sleep(50);
	s.destroy();
	const res = parse(buf);
	check('slow body: a body sent over 12 s is read and answered',
	      res && res.status === 200 && /full_refund/.test(res.body),
	      buf.slice(0, 200) || (closed ? 'closed' : 'no answer'));
}

async function flood() {
	const t0 = Date.now();
	const kept = keepAlive();
	const slowly = slowBody();
	const slowFrom = addresses(Math.ceil(SLOW / 20), 1);
	const idleFrom = addresses(Math.ceil(IDLE / 20), 11);
	const slow = await openMany(SLOW, true, slowFrom);
	const idle = await openMany(IDLE, false, idleFrom);
	const opened = Date.now() - t0;
	const drip = setInterval(() => {
		for (const c of slow)
			if (!c.closedAt) c.sock.write('a');
	}, 1000);
	const early = slow.concat(idle).filter((c) => c.closedAt).length;
	check(`flood: ${SLOW} slow + ${IDLE} idle connections, none ` +
	      'refused', early === 0,
	      `${early} closed at once (a connection limit?)`);

	// a normal client, meanwhile, from its own address
	let worst = 0, answered = 0, asked = 0;
	while (Date.now() - t0 < (DEADLINE_S - 3) * 1000) {
		for (const path of ['/healthz', `/v1/cases/${CASE_ID}`]) {
			const s = Date.now();
			const r = await exchange(request('GET', path,
				{ headers: AUTH }), { wait: 5000,
						      from: '127.0.0.1' });
			const res = parse(r.data);
			asked++;
			if (res && res.status === 200) answered++;
			worst = Math.max(worst, Date.now() - s);
		}
		await sleep(200);
	}
	check(`flood: a normal client answered, ${answered}/${asked}, ` +
	      `slowest ${worst} ms (opening took ${opened} ms)`,
	      answered === asked && worst < 2000,
	      `${answered} of ${asked} answered, slowest ${worst} ms`);

	// the deadline: every one of them closed by the server
	while (Date.now() - t0 < (DEADLINE_S + 4) * 1000 &&
	       slow.concat(idle).some((c) => !c.closedAt))
		await sleep(250);
	clearInterval(drip);
	const open_ = slow.concat(idle).filter((c) => !c.closedAt).length;
	const last = Math.max(...slow.concat(idle).map((c) =>
		(c.closedAt || Date.now()) - c.openedAt));
	check(`deadline: all ${SLOW + IDLE} closed, the last after ` +
	      `${(last / 1000).toFixed(1)} s`, open_ === 0,
	      `${open_} still open after ${DEADLINE_S + 4} s`);
	const early2 = slow.concat(idle).filter((c) => c.closedAt &&
		c.closedAt - c.openedAt < (DEADLINE_S - 1) * 1000).length;
	check('deadline: none closed before it', early2 === 0,
	      `${early2} closed early`);
	const with408 = slow.filter((c) => {
		const res = parse(c.data);
		return res && res.status === 408 && json(res.body) &&
			json(res.body).type === 'urn:aftercare:problem:timeout';
	}).length;
	check(`deadline: the slow ones got a 408 problem (${with408})`,
	      with408 === slow.length, `${with408} of ${slow.length}`);
	check('deadline: the idle ones were closed without a word',
	      idle.every((c) => c.data === ''), 'an idle one got an answer');
	for (const c of slow.concat(idle)) c.sock.destroy();
	await kept;
	await slowly;
}

async function perClient() {
	const from = '127.0.0.77';
	const conns = [];
	for (let i = 0; i < PER_CLIENT + 40; i++)
		conns.push(open(from, false));
	const all = await Promise.all(conns);
	await sleep(500);
	const refused = all.filter((c) => c.closedAt).length;
	const res = await get('/healthz', {}, '127.0.0.1');
	check(`per client: ${PER_CLIENT} from one address, the other ` +
	      `${refused} refused`, refused === 40,
	      `${refused} of ${all.length} refused`);
	check('per client: another address still served',
	      res && res.status === 200, res && res.status);
	for (const c of all) c.sock.destroy();
}

(async () => {
	const t0 = Date.now();
	// what hostile.sh checked before the server started
	if (process.env.RO_RESULT !== undefined)
		check('read-only database: refused at start, naming the file',
		      process.env.RO_RESULT === 'ok', process.env.RO_RESULT);
	await smuggling();
	await nul();
	await problems();
	await perClient();
	await sleep(300);       // the per-client connections leave
	await flood();
	console.log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
})().catch((e) => {
	console.log('FAIL hostile.js: ' + (e && e.stack));
	process.exit(1);
});
