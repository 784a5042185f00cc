'use strict';
// Too many wrong look-ups get 429 with a wait; too many wrong passwords
// lock the account (423). On a server of its own: the look-up limit counts
// per client address, every test comes from 127.0.0.1, and the other
// tests sign in as the agent.
const { test, after } = require('node:test');
const L = require('./lib.js');

let srv = null;
after(async () => {
	await L.closeBrowser();
	if (srv)
		await srv.stop();
});

test('too many wrong look-ups get 429', async () => {
	srv = srv || await L.ownServer('throttle');
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

test('five wrong passwords lock the account (423)', async () => {
	srv = srv || await L.ownServer('throttle');
	const eve = await L.person();
	const p = eve.page;
	async function signIn(password) {
		await p.goto(srv.url + '/console');
		await p.getByLabel('User name').fill('agent');
		await p.getByLabel('Password').fill(password);
		const [resp] = await Promise.all([
			p.waitForNavigation({ waitUntil: 'load' }),
			p.getByRole('button', { name: 'Sign in' }).click(),
		]);
		return resp.status();
	}

	await L.step('five wrong passwords are each 401', eve, async () => {
		for (let i = 1; i <= 5; i++) {
			const st = await signIn(`wrong-password-${i}`);
			L.check(st === 401 || (i === 5 && st === 423),
				`attempt ${i}: ${st}`);
		}
	});
	await L.step('then the right one is refused: locked, until when',
		     eve, async () => {
		const st = await signIn(L.AGENT.password);
		L.check(st === 423, `the right password: ${st}`);
		const t = await L.mainText(eve);
		L.check(/until/i.test(t) && /\d\d:\d\d/.test(t),
			`no "until" and a time in: ${t}`);
		L.check(await p.getByRole('button', { name: 'Sign out' })
			.count() === 0, 'signed in all the same');
	});
	await L.sweep(eve, 'console-locked');
});
