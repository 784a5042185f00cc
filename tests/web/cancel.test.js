'use strict';
// A customer cancels in time and gets the refund: D-1001 has been in
// production for 2 hours, inside the free cancellation window.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

// "Mon 30 Nov, 16:47": an instant as the pages write it, in a time zone.
function inZone(at, timeZone) {
	const f = new Intl.DateTimeFormat('en-GB', {
		timeZone, weekday: 'short', day: 'numeric', month: 'short',
		hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
	}).formatToParts(at);
	const v = (type) => f.find((x) => x.type === type).value;
	return `${v('weekday')} ${v('day')} ${v('month')}, ` +
		`${v('hour')}:${v('minute')}`;
}

test('a customer cancels D-1001 in time and gets the refund', async () => {
	const ana = await L.person();
	const boss = await L.person();
	let id, c;

	await L.step('look up D-1001 with its e-mail', ana, async () => {
		const st = await L.lookup(ana, 'D-1001');
		L.check(st === 200, `the look-up landed on ${st}`);
		L.check(new URL(ana.page.url()).pathname === '/order',
			`the look-up landed on ${ana.page.url()}, not /order`);
		await ana.page.getByRole('heading', { name: 'Order D-1001' })
			.waitFor();
	});
	await L.step('the order says it can still be cancelled, until when',
		     ana, async () => {
		const t = await L.mainText(ana);
		L.check(/What you can still do/.test(t),
			'no "What you can still do"');
		// the cut-off itself is too late: "before" (pages-spec, words)
		const when = new RegExp('cancel[^.]*(before|until) ' +
			'\\w{3} \\d+ \\w{3}, \\d\\d:\\d\\d', 'i');
		L.check(when.test(t),
			`no "cancel ... before DAY" in: ${t.slice(0, 400)}`);
	});
	await L.step('file a cancellation', ana, async () => {
		id = await L.fileClaim(ana, 'cancel');
	});
	await L.step('the decision is a full refund, its clause quoted',
		     ana, async () => {
		c = await L.apiCase(id);
		L.check(c.decision.verdict === 'full_refund',
			`the stored verdict is ${c.decision.verdict}`);
		const t = await L.mainText(ana);
		const cl = c.clauses[0];
		L.check(t.includes(cl.title),
			`the case page does not name the clause "${cl.title}"`);
		L.check(t.includes(cl.text.slice(0, 60)),
			`the case page does not quote the clause's text`);
		L.check(t.includes(L.major(c.refund_max_minor, 'USD')),
			`the case page does not show the refund ` +
			`${L.major(c.refund_max_minor, 'USD')}`);
	});
	await L.step('the deadline is in each customer\'s time zone', ana,
		     async () => {
		const at = new Date(c.decision.deadline);
		const auckland = inZone(at, 'Pacific/Auckland');
		let t = await L.mainText(ana);
		L.check(t.includes(auckland), `no ${auckland} (Auckland) in: ` +
			t.slice(0, 600));
		const ny = await L.person({ timezoneId: 'America/New_York' });
		L.check(await L.lookup(ny, 'D-1001') === 200, 'look-up failed');
		await L.go(ny, `/order/cases/${id}`);
		t = await L.mainText(ny);
		const newYork = inZone(at, 'America/New_York');
		L.check(t.includes(newYork) && !t.includes(auckland),
			`no ${newYork} (New York) in: ${t.slice(0, 600)}`);
	});
	await L.step('the manager approves and refunds it in full', boss,
		     async () => {
		await L.signIn(boss, L.MANAGER);
		const st = await L.go(boss, `/console/cases/${id}`);
		L.check(st === 200, `the case page answered ${st}`);
		const p = boss.page;
		await L.submit(boss,
			p.getByRole('button', { name: 'Approve' }));
		await p.getByLabel('Amount')
			.fill(L.major(c.refund_max_minor, 'USD'));
		const s2 = await L.submit(boss,
			p.getByRole('button', { name: 'Refund', exact: true }));
		L.check(s2 === 200, `the refund landed on ${s2}: ` +
			(await L.alertText(p)));
	});
	await L.step('the ledger has the refund and the case is resolved',
		     null, async () => {
		const c2 = await L.apiCase(id);
		L.check(c2.refunded_total_minor === c.refund_max_minor,
			`refunded ${c2.refunded_total_minor}, expected ` +
			`${c.refund_max_minor}`);
		L.check(c2.status === 'resolved', `status ${c2.status}`);
	});
	await L.step('the audit names the customer and the manager', null,
		     async () => {
		const a = await L.api('GET',
			`/v1/audit?entity=case&entity_id=${id}&limit=100`);
		const who = new Map(a.json.events.map((e) =>
			[e.action, e.actor]));
		L.check(who.get('case.open') === 'customer:D-1001' &&
			who.get('case.refund') === 'user:manager',
			`the audit: ${JSON.stringify([...who])}`);
		L.check([...who].some(([k, v]) => /approv/.test(k) &&
					 v === 'user:manager'),
			'no approval by user:manager: ' +
			JSON.stringify([...who]));
	});
	await L.step('the customer sees the refund on the case', ana,
		     async () => {
		await L.go(ana, `/order/cases/${id}`);
		const t = await L.mainText(ana);
		L.check(/refunded/i.test(t) &&
			t.includes(L.major(c.refund_max_minor, 'USD')),
			`no refund of ${L.major(c.refund_max_minor, 'USD')} ` +
			`on the page: ${t.slice(0, 500)}`);
	});
	await L.step('the order lists the case with its clause', ana,
		     async () => {
		await L.go(ana, '/order');
		await ana.page.getByRole('link', { name: id }).waitFor();
		const t = await L.mainText(ana);
		L.check(t.includes(c.clauses[0].title),
			`the order page does not name "${c.clauses[0].title}"`);
	});
});
