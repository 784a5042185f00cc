'use strict';
// A customer asks for a repair of D-1006 (delivered last year: a paid
// repair); staff send a quote; the customer accepts it.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('a customer accepts a repair quote', async () => {
	const ana = await L.person();
	const agent = await L.person();
	let id;

	await L.step('look up D-1006 and ask for a repair', ana, async () => {
		const st = await L.lookup(ana, 'D-1006');
		L.check(st === 200, `the look-up landed on ${st}`);
		id = await L.fileClaim(ana, 'repair', { defects: ['clasp'] });
		const c = await L.apiCase(id);
		L.check(c.decision.verdict === 'paid_repair',
			`verdict ${c.decision.verdict}`);
		L.check(await ana.page.getByRole('button',
			{ name: 'Accept the quote' }).count() === 0,
			'a quote to accept before staff sent one');
	});
	await L.step('the agent sends a quote of 80.00', agent, async () => {
		await L.signIn(agent, L.AGENT);
		const st = await L.go(agent, `/console/cases/${id}`);
		L.check(st === 200, `the case page answered ${st}`);
		const p = agent.page;
		await p.getByLabel('Quote amount').fill('80.00');
		const s2 = await L.submit(agent,
			p.getByRole('button', { name: 'Send quote' }));
		L.check(s2 === 200, `sending the quote landed on ${s2}: ` +
			(await L.alertText(p)));
		const c = await L.apiCase(id);
		L.check(c.quote && c.quote.amount_minor === 8000,
			`the stored quote: ${JSON.stringify(c.quote)}`);
	});
	await L.step('the customer sees the quote', ana,
		     async () => {
		await L.go(ana, `/order/cases/${id}`);
		const t = await L.mainText(ana);
		L.check(t.includes('80.00'), 'the quote\'s 80.00 is not shown');
	});
	await L.sweep(ana, 'portal-quote');
	await L.step('the customer accepts the quote', ana, async () => {
		const s = await L.submit(ana, ana.page.getByRole('button',
			{ name: 'Accept the quote' }));
		L.check(s === 200, `accepting landed on ${s}`);
	});
	await L.step('the quote is accepted and the charge decided', ana,
		     async () => {
		const c = await L.apiCase(id);
		L.check(c.quote && c.quote.status === 'accepted',
			`the quote: ${JSON.stringify(c.quote)}`);
		L.check(c.decision.charge_minor === 8000,
			`charge_minor ${c.decision.charge_minor}`);
		L.check(await ana.page.getByRole('button',
			{ name: 'Accept the quote' }).count() === 0,
			'the quote can still be accepted');
		L.check(/accepted/i.test(await L.mainText(ana)),
			'the page does not say the quote is accepted');
	});
});
