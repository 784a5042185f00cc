'use strict';
// Every claim type through the portal's form, in a browser without
// JavaScript: what the customer ticked and typed is the claim the desk
// stored (type, items, defects, what arrived instead, the correct
// address), and the answer names its clause.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

// Opens a <details> by its summary, so that its fields can be filled.
async function open(p, summary) {
	const d = p.locator('details').filter({ hasText: summary });
	if (!(await d.evaluate((e) => e.open)))
		await d.locator('summary').click();
}

const CLAIMS = [
	{ order: 'D-1002', type: 'cancel' },
	{ order: 'D-1009', type: 'not_received' },
	{ order: 'D-1013', type: 'damaged', items: ['Necklace'],
	  defects: ['broken', 'clasp'],
	  want: (c) => JSON.stringify(c.lines) === '[2]' &&
		JSON.stringify(c.defects) === '["broken","clasp"]' },
	{ order: 'D-1004', type: 'wrong_item',
	  fill: async (p) => {
		await open(p, 'It is not what I ordered');
		await p.getByLabel('Material that arrived')
			.fill('sterling silver');
	  },
	  want: (c) => c.received && c.received.length === 1 &&
		c.received[0].line === 1 &&
		c.received[0].material === 'sterling silver' },
	{ order: 'D-1005', type: 'unwanted' },
	{ order: 'D-1012', type: 'wrong_address',
	  fill: async (p) => {
		await open(p, 'It went to the wrong address');
		await p.getByLabel('Name', { exact: true }).fill('Ana Li');
		await p.getByLabel('Street and number').fill('5 Quay St');
		await p.getByLabel('City').fill('Auckland');
		await p.getByLabel('Postal code').fill('1010');
		await p.getByLabel(/^Country/).fill('NZ');
	  },
	  want: (c) => c.correct_address &&
		c.correct_address.line1 === '5 Quay St' &&
		c.correct_address.country === 'NZ' },
	{ order: 'D-1011', type: 'customs' },
	{ order: 'D-1007', type: 'repair', defects: ['stone_loose'] },
];

// Looks up k.order afresh, fills the claim form as k says and sends it;
// returns the case's id and the type's label.
async function send(ana, k) {
	const p = ana.page;
	await p.context().clearCookies();
	L.check(await L.lookup(ana, k.order) === 200, 'look-up failed');
	const st = await L.go(ana, '/order/claim');
	L.check(st === 200, `GET /order/claim: ${st}`);
	const radio = p.getByRole('group', { name: 'What happened?' })
		.locator(`input[value="${k.type}"]`);
	const label = (await p.locator(
		`label[for="${await radio.getAttribute('id')}"]`)
		.innerText()).trim();
	L.check(label && label !== k.type,
		`the ${k.type} radio's label: "${label}"`);
	await radio.check();
	for (const name of k.items || [])
		await p.getByRole('group', { name: 'Which items?' })
			.getByLabel(name).check();
	for (const d of k.defects || [])
		await p.locator(`input[name=defects][value="${d}"]`).check();
	if (k.fill)
		await k.fill(p);
	await L.submit(ana, p.getByRole('button', { name: 'Send my claim' }));
	const m = /\/order\/cases\/([^/?#]+)/.exec(p.url());
	L.check(m, `landed on ${p.url()}: ${await L.alertText(p)}`);
	return { id: m[1], label };
}

// Without JavaScript: the core path needs none (pages-spec, issue 7).
test('every claim type through the form, without JavaScript', async () => {
	const ana = await L.person({ javaScript: false });
	const labels = new Set();

	for (const k of CLAIMS) {
		let id;
		await L.step(`${k.type} on ${k.order}: the form, sent`, ana,
			     async () => {
			const r = await send(ana, k);
			id = r.id;
			labels.add(r.label);
		});
		await L.step(`${k.type} on ${k.order}: stored and answered`,
			     ana, async () => {
			const c = await L.apiCase(id);
			L.check(c.type === k.type && c.claim.type === k.type,
				`stored as ${c.type}`);
			if (k.want)
				L.check(k.want(c.claim), 'the claim: ' +
					JSON.stringify(c.claim));
			else
				L.check(!c.claim.lines, 'lines: ' +
					JSON.stringify(c.claim.lines));
			const title = c.clauses[0].title;
			L.check((await L.mainText(ana)).includes(title),
				`the answer does not name "${title}"`);
		});
	}
	L.check(labels.size === CLAIMS.length,
		`${labels.size} different labels for ${CLAIMS.length} types`);
});
