'use strict';
// An agent cannot override a decision (no form, and 403 when the form is
// posted anyway); a manager can, and the reason is in the audit trail.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('an agent cannot override and a manager can, the reason audited',
     async () => {
	const agent = await L.person();
	const boss = await L.person();
	const reason = `goodwill: repeat customer ${Date.now()}`;
	let id;

	await L.step('open an unwanted-item case on D-1005 (API)', null,
		     async () => {
		// delivered 5 days ago: past the 48 hours, no refund
		id = (await L.apiOpenCase('D-1005', { type: 'unwanted' })).id;
		const c = await L.apiCase(id);
		L.check(c.decision.verdict === 'no_refund',
			`verdict ${c.decision.verdict}`);
	});
	await L.step('the agent sees no override form', agent, async () => {
		await L.signIn(agent, L.AGENT);
		const st = await L.go(agent, `/console/cases/${id}`);
		L.check(st === 200, `the case page answered ${st}`);
		const p = agent.page;
		await p.getByRole('button', { name: 'Approve' }).waitFor();
		L.check(await p.getByRole('button', { name: 'Override' })
			.count() === 0, 'an agent sees the Override button');
		L.check(await p.getByLabel('Reason', { exact: true })
			.count() === 0, 'an agent sees the Reason field');
	});
	await L.step('the agent\'s override, posted anyway, is 403', agent,
		     async () => {
		const st = await L.postFromPage(agent,
			`/console/cases/${id}/override`, {
				csrf: await L.csrfOf(agent),
				verdict: 'full_refund',
				refund_limit: '535.00', reason,
			});
		L.check(st === 403, `the agent's override answered ${st}`);
		const c = await L.apiCase(id);
		L.check(!c.override && c.decision.verdict === 'no_refund',
			`the case changed: ${JSON.stringify(c.override)}`);
	});
	await L.step('the manager overrides with a reason', boss, async () => {
		await L.signIn(boss, L.MANAGER);
		await L.go(boss, `/console/cases/${id}`);
		const p = boss.page;
		await p.getByLabel('Verdict').selectOption('full_refund');
		await p.getByLabel('Refund limit').fill('100.00');
		await p.getByLabel('Reason', { exact: true }).fill(reason);
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Override' }));
		L.check(st === 200, `the override landed on ${st}: ` +
			(await L.alertText(p)));
		const c = await L.apiCase(id);
		L.check(c.override && c.override.reason === reason &&
			c.refund_max_minor === 10000,
			'the case after: override ' +
			JSON.stringify(c.override) +
			`, refund_max_minor ${c.refund_max_minor}`);
	});
	await L.step('the audit trail shows the override by user:manager ' +
		     'with its reason', boss, async () => {
		const rows = boss.page.getByRole('row')
			.filter({ hasText: 'user:manager' })
			.filter({ hasText: reason });
		L.check(await rows.count() >= 1,
			'no audit row by user:manager with the reason');
		const a = await L.api('GET',
			`/v1/audit?entity=case&entity_id=${id}&limit=100`);
		const ev = (a.json.events || []).filter((e) =>
			e.action === 'case.override');
		L.check(ev.length === 1 && ev[0].actor === 'user:manager' &&
			ev[0].after && ev[0].after.reason === reason,
			`the API's audit: ${JSON.stringify(ev)}`);
	});
});
