'use strict';
// The managers' reports (issue 9.3): after cases and a refund through the
// API, a manager follows the console's Reports link and sees every
// report as a chart drawn by the server, each an <svg role="img"> whose
// aria-labelledby names its own <title> and <desc> (its text
// alternative), with a table of the same numbers beside it and a CSV
// download; axe-clean at 1280 and 360 px. The weekly chart's numbers are
// the API's. An agent has no link and is refused the page (403).
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('the dashboard: charts with text alternatives, tables, CSV', async () => {
	const boss = await L.person();
	let refunded = 0;

	await L.step('cases and a refund (API)', null, async () => {
		await L.apiOpenCase('D-1004', { type: 'not_received' });
		const c = await L.apiOpenCase('D-1003',
			{ type: 'damaged', defects: ['broken'] });
		const r = await L.api('POST', `/v1/cases/${c.id}/refunds`,
				      { amount_minor: 1234 },
				      { 'Idempotency-Key': `dash-${c.id}` });
		L.check(r.status === 201, `refund: ${r.status}`);
		refunded = 1234;
	});
	await L.step('a manager follows the Reports link', boss, async () => {
		await L.signIn(boss, L.MANAGER);
		await L.submit(boss, boss.page.getByRole('link',
						       { name: 'Reports' }));
		await boss.page.getByRole('heading', { name: 'Reports',
						       level: 1 }).waitFor();
	});
	await L.step('every chart has its text alternative', boss, async () => {
		const charts = await boss.page.locator('svg.chart').evaluateAll(
			(all) => all.map((s) => {
				const ids = (s.getAttribute('aria-labelledby') ||
					     '').split(' ');
				const named = ids.map((id) => {
					const e = document.getElementById(id);
					return e && s.contains(e) ?
						e.tagName.toLowerCase() + ':' +
						e.textContent.trim() : '';
				});
				return { role: s.getAttribute('role'), named };
			}));
		L.check(charts.length >= 9, `${charts.length} charts`);
		for (const c of charts) {
			L.check(c.role === 'img', `a chart's role: ${c.role}`);
			L.check(c.named.length === 2 &&
				c.named[0].startsWith('title:') &&
				c.named[0].length > 7 &&
				c.named[1].startsWith('desc:') &&
				c.named[1].length > 6,
				`a chart not named by its title and desc: ` +
				JSON.stringify(c.named));
		}
		// an accessible name, as a screen reader gets it
		const name = await boss.page.getByRole('img', {
			name: /Cases and refunds per week: Cases opened/ })
			.first().count();
		L.check(name === 1, 'the weekly chart has no accessible name');
	});
	await L.step('each report has a table and a CSV link', boss,
		     async () => {
		const p = boss.page;
		const sections = await p.locator('section.report').count();
		L.check(sections === 9, `${sections} reports`);
		for (const n of ['weeks', 'clauses', 'types', 'materials',
				 'kinds', 'automation', 'durations',
				 'overdue', 'claimants']) {
			const s = p.locator(`#r-${n}`);
			L.check(await s.locator('table caption').count() === 1,
				`${n}: no table with a caption`);
			const href = await s.getByRole('link',
				{ name: /as CSV/ }).getAttribute('href');
			L.check(href === `/console/reports/${n}.csv`,
				`${n}: CSV link ${href}`);
		}
	});
	await L.step('the weekly table shows what the API says', boss,
		     async () => {
		// other tests write to the same shop at the same time: read
		// the API, the page, the API again, until nothing moved
		let r, cells;
		for (let i = 0; i < 5; i++) {
			r = await L.api('GET', '/v1/reports/weeks');
			L.check(r.status === 200,
				`GET /v1/reports/weeks: ${r.status}`);
			await boss.page.reload();
			cells = await boss.page.locator('#r-weeks tbody tr')
				.evaluateAll((trs) => trs.map((tr) =>
					Array.from(tr.cells).map((c) =>
						c.textContent.trim())));
			const again = await L.api('GET', '/v1/reports/weeks');
			if (JSON.stringify(again.json.rows) ===
			    JSON.stringify(r.json.rows))
				break;
		}
		const sum = r.json.rows.reduce((a, x) => a + x.refunded_minor,
					       0);
		L.check(sum >= refunded, `the API says ${sum} refunded`);
		L.check(cells.length === r.json.rows.length,
			`${cells.length} rows shown, ${r.json.rows.length} ` +
			'in the API');
		for (const row of r.json.rows) {
			const shown = cells.find((c) => c[0] === row.week &&
						 c[1] === row.currency);
			L.check(shown && shown[2] === String(row.cases) &&
				shown[3] === String(row.refunds),
				`week ${row.week} ${row.currency}: ` +
				JSON.stringify(shown));
		}
	});
	await L.step('the CSV downloads', boss, async () => {
		const status = await L.getWithCookies(boss,
			'/console/reports/weeks.csv');
		L.check(status === 200, `weeks.csv: ${status}`);
	});
	await L.sweep(boss, 'dashboard');

	const agent = await L.person();
	await L.step('an agent has no Reports link and gets 403', agent,
		     async () => {
		await L.signIn(agent, L.AGENT);
		L.check(await agent.page.getByRole('link', { name: 'Reports' })
			.count() === 0, 'an agent sees the Reports link');
		const status = await L.getWithCookies(agent,
						      '/console/reports');
		L.check(status === 403, `an agent's dashboard: ${status}`);
	});
	await boss.ctx.close();
	await agent.ctx.close();
});
