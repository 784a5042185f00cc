'use strict';
// Every page, at a desktop's 1280 px and a phone's 360 px: axe-core finds
// no serious or critical violation, and nothing scrolls sideways on the
// phone. WEB_SCREENSHOTS=1 saves each as docs/screenshots/NAME-desktop.png
// and NAME-phone.png (make screenshots).
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

// A tiny valid PNG (8x8, one colour), to show a photo on the case pages.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSnc' +
	'AAAAEUlEQVR4nGM4EVCBFTEMLQkAJxFkAbYxp5sAAAAASUVORK5CYII=', 'base64');

// the pages checked, counted at the end (a page left out is noticed)
const seen = [];
async function sweep(who, name) {
	await L.sweep(who, name);
	seen.push(name);
}

test('every page: axe-core, the phone\'s width, screenshots', async () => {
	const ana = await L.person();
	const boss = await L.person();
	let id;

	await L.step('the look-up page', ana, async () => {
		L.check(await L.go(ana, '/') === 200, 'GET / failed');
	});
	await sweep(ana, 'portal-lookup');
	await L.step('the look-up that finds nothing', ana, async () => {
		L.check(await L.lookup(ana, 'D-9999') === 404, 'not a 404');
	});
	await sweep(ana, 'portal-not-found');
	await L.step('the order page (D-1013, two items)', ana, async () => {
		L.check(await L.lookup(ana, 'D-1013') === 200,
			'look-up failed');
	});
	await sweep(ana, 'portal-order');
	await L.step('the claim form', ana, async () => {
		L.check(await L.go(ana, '/order/claim') === 200,
			'no claim form');
	});
	await sweep(ana, 'portal-claim');
	await L.step('a damaged claim with a photo', ana, async () => {
		id = await L.fileClaim(ana, 'damaged', {
			defects: ['stone_loose'],
			files: [{ name: 'ring.png', mimeType: 'image/png',
				  buffer: PNG }],
			message: 'The stone moves in its setting.',
		});
	});
	await sweep(ana, 'portal-case');
	await L.step('the order with its case', ana, async () => {
		await L.go(ana, '/order');
		await ana.page.getByRole('link', { name: id }).waitFor();
	});
	await sweep(ana, 'portal-order-case');
	await L.step('another case id: 404', ana, async () => {
		L.check(await L.go(ana, '/order/cases/C-999999') === 404,
			'not a 404');
	});
	await sweep(ana, 'portal-case-missing');

	await L.step('the sign-in page', boss, async () => {
		L.check(await L.go(boss, '/console') === 200, 'no sign-in');
	});
	await sweep(boss, 'console-signin');
	await L.step('a wrong password', boss, async () => {
		const p = boss.page;
		await p.getByLabel('User name').fill('nobody');
		await p.getByLabel('Password').fill('not-the-password');
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Sign in' }));
		L.check(st === 401, `a wrong password answered ${st}`);
		L.check((await L.mainText(boss))
			.includes('Wrong user name or password.'),
			'no "Wrong user name or password."');
	});
	await sweep(boss, 'console-signin-wrong');
	await L.step('the queue', boss, async () => {
		await L.signIn(boss, L.MANAGER);
		await boss.page.getByRole('link', { name: id }).waitFor();
	});
	await sweep(boss, 'console-queue');
	await L.step('the staff\'s case page', boss, async () => {
		L.check(await L.go(boss, `/console/cases/${id}`) === 200,
			'no case page');
		const c = await L.apiCase(id);
		const t = await L.mainText(boss);
		L.check(t.includes(c.clauses[0].title) &&
			t.includes(c.clauses[0].text.slice(0, 60)),
			'the clause\'s title and text are not both shown');
		await boss.page.getByRole('button', { name: 'Approve' })
			.waitFor();
		L.check(await boss.page.getByRole('img').count() >= 1,
			'the photo is not shown');
	});
	await sweep(boss, 'console-case');
	await L.step('the policy page', boss, async () => {
		L.check(await L.go(boss, '/console/policy') === 200,
			'no policy');
	});
	await sweep(boss, 'console-policy');
	await L.step('the accounts page', boss, async () => {
		L.check(await L.go(boss, '/console/users') === 200, 'no users');
		await boss.page.getByRole('button', { name: 'Add user' })
			.waitFor();
	});
	await sweep(boss, 'console-users');
	L.check(seen.length === 13, `checked ${seen.length} pages`);
});
