'use strict';
// The console's outbox, in Chromium: the browser tests' server has no
// --smtp, so a case's customer mail waits in the outbox (pending). A
// manager reaches it from the nav, sees the case's mail listed with a link
// to the case; axe-core finds no serious or critical violation at 1280 and
// 360 px, and nothing scrolls sideways on the phone; an agent has no
// Outbox link and is refused (403).
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

test('the console outbox', async () => {
	const boss = await L.person();
	const agent = await L.person();
	const c = await L.apiOpenCase('D-1001', { type: 'cancel' });

	await L.step('an agent has no Outbox page (403)', agent, async () => {
		await L.signIn(agent, L.AGENT);
		L.check(await agent.page.getByRole('link', { name: 'Outbox' })
			.count() === 0, 'an agent sees the Outbox link');
		const st = await L.go(agent, '/console/outbox');
		L.check(st === 403, `GET /console/outbox as an agent: ${st}`);
	});
	await L.step('the manager opens the outbox from the nav', boss,
		async () => {
			await L.signIn(boss, L.MANAGER);
			await boss.page.getByRole('link', { name: 'Outbox' })
				.click();
			await boss.page.waitForURL(/\/console\/outbox$/);
			L.check((await L.mainText(boss)).includes('No dead'),
				'the dead letters are not the first tab');
			await boss.page.getByRole('link', { name: 'pending' })
				.click();
			await boss.page.waitForURL(/status=pending$/);
			L.check(await boss.page.locator(
				`a[href="/console/cases/${c.id}"]`).count() >= 1,
			`case ${c.id}'s mail is not listed as pending`);
		});
	await L.sweep(boss, 'console-outbox');
});
