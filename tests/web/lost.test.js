'use strict';
// A customer reports a lost parcel (D-1003, shipped 2 days ago, in
// transit); staff record the courier's confirmation that it is lost, and
// the case is decided again: a refund.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('a lost parcel becomes a refund once the courier confirms it',
     async () => {
	const ana = await L.person();
	const agent = await L.person();
	let id, before;

	await L.step('look up D-1003 and report it not received', ana,
		     async () => {
		const st = await L.lookup(ana, 'D-1003');
		L.check(st === 200, `the look-up landed on ${st}`);
		id = await L.fileClaim(ana, 'not_received',
				       { message: 'It never came.' });
		before = await L.apiCase(id);
		L.check(!/refund/.test(before.decision.verdict) ||
			before.decision.verdict === 'no_refund',
			`already a refund before the courier answered: ` +
			before.decision.verdict);
	});
	await L.step('the agent records the courier\'s confirmation', agent,
		     async () => {
		await L.signIn(agent, L.AGENT);
		const st = await L.go(agent, `/console/cases/${id}`);
		L.check(st === 200, `the case page answered ${st}`);
		const p = agent.page;
		await p.getByLabel('Courier event')
			.selectOption('lost_confirmed');
		const s2 = await L.submit(agent,
			p.getByRole('button', { name: 'Record event' }));
		L.check(s2 === 200, `recording landed on ${s2}: ` +
			(await L.alertText(p)));
	});
	await L.step('the case is decided again: a refund', agent, async () => {
		const c = await L.apiCase(id);
		L.check(c.decision.verdict === 'full_refund',
			`verdict ${c.decision.verdict} (was ` +
			`${before.decision.verdict})`);
		const t = await L.mainText(agent);
		L.check(t.includes(c.clauses[0].title),
			`the console does not name "${c.clauses[0].title}"`);
	});
	await L.step('the customer sees the refund', ana, async () => {
		const c = await L.apiCase(id);
		await L.go(ana, `/order/cases/${id}`);
		const t = await L.mainText(ana);
		L.check(t.includes(c.clauses[0].title),
			`the case page does not name "${c.clauses[0].title}"`);
		L.check(t.includes(L.major(c.refund_max_minor, 'EUR')),
			`the case page does not offer ` +
			`${L.major(c.refund_max_minor, 'EUR')}: ` +
			t.slice(0, 500));
	});
});
