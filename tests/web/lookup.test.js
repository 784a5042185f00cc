'use strict';
// The look-up: a wrong e-mail finds nothing; a session reaches its own
// order only (another order's case is 404, as one that does not exist);
// without a session the order's pages send the browser to the look-up.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

const NOT_FOUND = 'We found no order with that number and e-mail address.';

test('a wrong e-mail finds nothing', async () => {
	const eve = await L.person();
	await L.step('look up D-1004 with another e-mail', eve, async () => {
		const st = await L.lookup(eve, 'D-1004', 'eve@example.com');
		L.check(st === 404, `answered ${st}, not 404`);
		const t = await L.mainText(eve);
		L.check(t.includes(NOT_FOUND), `no "${NOT_FOUND}" in: ${t}`);
		await eve.page.getByLabel('Order number').waitFor();
		await eve.page.getByRole('button', { name: 'Find my order' })
			.waitFor();
		L.check(!t.includes('ana@example.com'), 'the e-mail is shown');
	});
	await L.step('no session was given', eve, async () => {
		const cookies = await eve.ctx.cookies();
		L.check(!cookies.some((c) => c.name === 'ac_order' && c.value),
			`cookies: ${JSON.stringify(cookies)}`);
		const st = await L.go(eve, '/order');
		L.check(new URL(eve.page.url()).pathname === '/' && st === 200,
			`/order without a session landed on ${eve.page.url()}`);
	});
});

test('the session cookie is HttpOnly and SameSite=Strict; sign-out',
     async () => {
	const ana = await L.person();
	await L.step('look up D-1009', ana, async () => {
		L.check(await L.lookup(ana, 'D-1009') === 200,
			'look-up failed');
		const c = (await ana.ctx.cookies())
			.find((x) => x.name === 'ac_order');
		L.check(c && c.httpOnly && c.sameSite === 'Strict' &&
			c.path === '/', `the cookie: ${JSON.stringify(c)}`);
		L.check(await ana.page.evaluate(() => document.cookie) === '',
			'a script can read the cookie');
	});
	await L.step('signing out ends the session', ana, async () => {
		await L.submit(ana,
			ana.page.getByRole('button', { name: 'Sign out' }));
		L.check(new URL(ana.page.url()).pathname === '/',
			`signing out landed on ${ana.page.url()}`);
		await L.go(ana, '/order');
		L.check(new URL(ana.page.url()).pathname === '/',
			`/order after signing out: ${ana.page.url()}`);
	});
});

test('another order\'s case is unreachable', async () => {
	const ana = await L.person();
	const other = await L.person();
	let id;

	await L.step('D-1004\'s customer files a claim', ana, async () => {
		L.check(await L.lookup(ana, 'D-1004') === 200,
			'look-up failed');
		id = await L.fileClaim(ana, 'damaged', { defects: ['scratch'],
			message: 'A scratch on the band.' });
	});
	await L.step('D-1007\'s session cannot open it by URL', other,
		     async () => {
		L.check(await L.lookup(other, 'D-1007') === 200,
			'look-up failed');
		const st = await L.go(other, `/order/cases/${id}`);
		L.check(st === 404, `/order/cases/${id} answered ${st}`);
		const t = await L.mainText(other);
		L.check(!t.includes('D-1004') &&
			!t.includes('scratch on the band'),
			`it tells of the other order: ${t.slice(0, 300)}`);
		const st2 = await L.go(other, '/order/cases/C-999999');
		L.check(st2 === 404, `a case that does not exist: ${st2}`);
		await L.go(other, '/order');
		L.check(await other.page.getByRole('link', { name: id })
			.count() === 0, 'the other order links to the case');
	});
	await L.step('nor post to it', other, async () => {
		const st = await L.postFromPage(other,
			`/order/cases/${id}/messages`,
			{ csrf: await L.csrfOf(other), message: 'hello' });
		L.check(st === 404, `a message to it answered ${st}`);
	});
	await L.step('nor read it through the API with the cookie', other,
		     async () => {
		const st = await L.getWithCookies(other, `/v1/cases/${id}`);
		L.check(st === 401, `/v1/cases/${id} with the cookie: ${st}`);
	});
});
