'use strict';
// A double-clicked refund pays once: each refund form carries its own
// idempotency key. Checked with the page's script (which stops a second
// send), without JavaScript, and with the same form sent again (the key
// alone stops it), on the page and through the API.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

async function refunds(id) {
	const a = await L.api('GET',
		`/v1/audit?entity=case&entity_id=${id}&limit=100`);
	L.check(a.status === 200, `GET /v1/audit: ${a.status}`);
	return a.json.events.filter((e) => e.action === 'case.refund');
}

async function doubleClickRefund(who, id, amount) {
	const p = who.page;
	const st = await L.go(who, `/console/cases/${id}`);
	L.check(st === 200, `the case page answered ${st}`);
	await p.getByLabel('Amount').fill(amount);
	const form = {
		csrf: await L.csrfOf(who),
		idem: await p.locator('input[name=idem]').inputValue(),
		amount,
	};
	L.check(form.idem, 'the refund form has no idem key');
	const posts = [];
	const count = (r) => {
		if (r.method() === 'POST' && r.url().endsWith('/refund'))
			posts.push(r.url());
	};
	p.on('request', count);
	// the second click may abort the first navigation: wait for the
	// page the form's answer leads to, however many were sent
	await p.getByRole('button', { name: 'Refund', exact: true }).dblclick();
	// an aborted navigation fails the wait: wait again for the next
	for (let tries = 1; ; tries++) {
		try {
			await p.waitForURL(/[?&]done=/, { waitUntil: 'load' });
			break;
		} catch (e) {
			if (tries >= 3 || !/ERR_ABORTED|detached/.test(e.message))
				throw e;
		}
	}
	p.off('request', count);
	form.sent = posts.length;
	return form;
}

test('a double-clicked refund pays once', async () => {
	const agent = await L.person();
	const plain = await L.person({ javaScript: false });
	let id;

	await L.step('open a lost-parcel case on D-1008 (API)', null,
		     async () => {
		id = (await L.apiOpenCase('D-1008',
					  { type: 'not_received' })).id;
		const c = await L.apiCase(id);
		L.check(c.decision.verdict === 'full_refund' &&
			c.refund_max_minor >= 3000,
			`verdict ${c.decision.verdict}, ${c.refund_max_minor}`);
	});
	await L.step('the agent double-clicks Refund for 10.00', agent,
		     async () => {
		await L.signIn(agent, L.AGENT);
		const f = await doubleClickRefund(agent, id, '10.00');
		// the page's script sends the form once
		L.check(f.sent === 1, `the browser sent ${f.sent} refunds`);
		const c = await L.apiCase(id);
		L.check(c.refunded_total_minor === 1000,
			`refunded ${c.refunded_total_minor}, not 1000`);
		L.check((await refunds(id)).length === 1,
			'not one refund in the audit');
		await L.go(agent, `/console/cases/${id}`);
		const t = await L.mainText(agent);
		L.check(/refunded[^0-9]*10\.00/i.test(t),
			`no 10.00 refunded on the page: ${t.slice(0, 400)}`);
	});
	await L.step('without JavaScript, a double click pays once too', plain,
		     async () => {
		await L.signIn(plain, L.AGENT);
		const form = await doubleClickRefund(plain, id, '10.00');
		// Chromium itself sends a form once while its answer is awaited
		// (1 here); a second send of the same form, as a slower browser
		// or a retry makes it, is answered from the form's key
		L.check(form.sent >= 1,
			`the browser sent ${form.sent} refunds`);
		delete form.sent;
		let c = await L.apiCase(id);
		L.check(c.refunded_total_minor === 2000,
			`refunded ${c.refunded_total_minor}, not 2000`);
		// the same form once more, as a third click would send it
		const st = await L.postFromPage(plain,
			`/console/cases/${id}/refund`, form);
		L.check(st === 303 || st === 200 || st === 409,
			`the form sent again answered ${st}`);
		c = await L.apiCase(id);
		L.check(c.refunded_total_minor === 2000,
			'after sending the form again: ' +
			c.refunded_total_minor);
		const r = await refunds(id);
		L.check(r.length === 2,
			`${r.length} refunds in the audit, not 2`);
		L.check(r.every((e) => e.actor === 'user:agent'),
			`actors: ${r.map((e) => e.actor)}`);
	});
	await L.step('the ledger on the page shows 20.00 refunded', plain,
		     async () => {
		await L.go(plain, `/console/cases/${id}`);
		const t = await L.mainText(plain);
		L.check(/refunded[^0-9]*20\.00/i.test(t),
			`no 20.00 refunded on the page: ${t.slice(0, 400)}`);
	});
});
