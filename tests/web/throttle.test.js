'use strict';
// Too many wrong look-ups get 429 with a wait. On a server of its own:
// the limit counts per client address, and every test comes from
// 127.0.0.1.
const { test, after } = require('node:test');
const L = require('./lib.js');

let srv = null;
after(async () => {
	await L.closeBrowser();
	if (srv)
		await srv.stop();
});

test('too many wrong look-ups get 429', async () => {
	srv = await L.ownServer('throttle');
	const eve = await L.person();
	const p = eve.page;
	async function attempt(order, email) {
		await p.goto(srv.url + '/');
		await p.getByLabel('Order number').fill(order);
		await p.getByLabel('E-mail').fill(email);
		const [resp] = await Promise.all([
			p.waitForNavigation({ waitUntil: 'load' }),
			p.getByRole('button', { name: 'Find my order' })
				.click(),
		]);
		return resp;
	}

	await L.step('five wrong e-mails are each 404', eve, async () => {
		for (let i = 1; i <= 5; i++) {
			const r = await attempt('D-1004',
						`eve${i}@example.com`);
			L.check(r.status() === 404,
				`attempt ${i}: ${r.status()}`);
		}
	});
	await L.step('the sixth is 429 with Retry-After and the wait', eve,
		     async () => {
		const r = await attempt('D-1004', 'eve6@example.com');
		L.check(r.status() === 429, `the sixth: ${r.status()}`);
		const ra = Number(r.headers()['retry-after']);
		L.check(Number.isInteger(ra) && ra > 0 && ra <= 15 * 60,
			`Retry-After: ${r.headers()['retry-after']}`);
		const t = await L.mainText(eve);
		L.check(t.includes('Too many attempts'),
			`no "Too many attempts" in: ${t}`);
		L.check(/\d+\s+minutes?/.test(t),
			`no wait in minutes in: ${t}`);
	});
	await L.sweep(eve, 'portal-too-many');
	await L.step('then even the right e-mail waits', eve, async () => {
		const r = await attempt('D-1004', L.EMAIL);
		L.check(r.status() === 429, `the right e-mail: ${r.status()}`);
	});
});
