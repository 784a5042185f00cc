'use strict';
// A form sent without its session's CSRF token (or with another one) is
// refused with 403, for the customer's and the staff's forms; the same
// request with the token is taken (so the 403 is the token's doing).
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('a form without its CSRF token is refused', async () => {
	const ana = await L.person();
	const agent = await L.person();
	let id;

	await L.step('D-1007\'s customer files a claim', ana, async () => {
		L.check(await L.lookup(ana, 'D-1007') === 200,
			'look-up failed');
		id = await L.fileClaim(ana, 'repair', { defects: ['clasp'] });
	});
	await L.step('the customer\'s message without the token: 403', ana,
		     async () => {
		const a = `/order/cases/${id}/messages`;
		const none = await L.postFromPage(ana, a,
			{ message: 'no token' });
		L.check(none === 403, `without a token: ${none}`);
		const wrong = await L.postFromPage(ana, a,
			{ csrf: 'ab'.repeat(32), message: 'wrong token' });
		L.check(wrong === 403, `with a wrong token: ${wrong}`);
		const right = await L.postFromPage(ana, a, {
			csrf: await L.csrfOf(ana), message: 'with the token' });
		L.check(right === 303, `with the token: ${right}`);
		await L.go(ana, `/order/cases/${id}`);
		const t = await L.mainText(ana);
		L.check(t.includes('with the token') &&
			!t.includes('no token') && !t.includes('wrong token'),
			'the page\'s messages are not the one sent with it');
	});
	await L.step('a claim without the token: 403', ana, async () => {
		const st = await L.postFromPage(ana, '/order/claim',
			{ type: 'unwanted' }, true);
		L.check(st === 403, `a claim without the token: ${st}`);
	});
	await L.step('the staff\'s note without the token: 403', agent,
		     async () => {
		await L.signIn(agent, L.AGENT);
		await L.go(agent, `/console/cases/${id}`);
		const a = `/console/cases/${id}/note`;
		const none = await L.postFromPage(agent, a,
			{ note: 'no token' });
		L.check(none === 403, `without a token: ${none}`);
		// the customer's token is not the staff session's
		const other = await L.postFromPage(agent, a,
			{ csrf: await L.csrfOf(ana), note: 'customer token' });
		L.check(other === 403, `with the customer's token: ${other}`);
		const right = await L.postFromPage(agent, a,
			{ csrf: await L.csrfOf(agent), note: 'staff token' });
		L.check(right === 303, `with the token: ${right}`);
		const n = await L.api('GET', `/v1/cases/${id}/notes`);
		const bodies = (n.json.notes || []).map((x) => x.body);
		L.check(bodies.length === 1 && bodies[0] === 'staff token',
			`the notes: ${JSON.stringify(bodies)}`);
	});
	await L.step('signing out without the token: 403', agent, async () => {
		const st = await L.postFromPage(agent, '/console/signout', {});
		L.check(st === 403, `sign-out without a token: ${st}`);
		const s2 = await L.go(agent, '/console');
		L.check(s2 === 200 && await agent.page.getByRole('button',
			{ name: 'Sign out' }).count() === 1,
			'the staff session ended without the token');
	});
});
