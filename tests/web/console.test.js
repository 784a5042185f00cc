'use strict';
// The staff console beyond a single case: the queue (soonest due first,
// filters, counts per state), the policy page (every clause and the
// version), the accounts (a manager adds one; an agent may not).
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

// The queue's rows as [{ id, order }], in the page's order.
async function rows(who) {
	const trs = who.page.locator('main table tbody tr');
	return trs.evaluateAll((all) =>
		all.map((tr) => {
			const a = tr.querySelector('a');
			const o = tr.cells[1];
			return { id: a ? a.textContent.trim() : '',
				 order: o ? o.textContent.trim() : '' };
		}));
}

// Every case through the API, paged.
async function allCases(query = '') {
	const out = [];
	let after = '';
	for (;;) {
		const r = await L.api('GET', `/v1/cases?limit=100${query}` +
				      (after ? `&after=${after}` : ''));
		L.check(r.status === 200, `GET /v1/cases: ${r.status}`);
		out.push(...r.json.cases);
		if (!r.json.next)
			return out;
		after = r.json.next;
	}
}

test('the queue: soonest due first, filters', async () => {
	const boss = await L.person();
	let a, b;

	await L.step('two new cases (API)', null, async () => {
		a = (await L.apiOpenCase('D-1009',
					 { type: 'not_received' })).id;
		b = (await L.apiOpenCase('D-1002', { type: 'cancel' })).id;
	});
	await L.step('the queue links them, the soonest due first', boss,
		     async () => {
		await L.signIn(boss, L.MANAGER);
		await boss.page.getByRole('link', { name: a }).waitFor();
		await boss.page.getByRole('link', { name: b }).waitFor();
		const r = await L.api('GET',
			'/v1/deadlines?within=31536000&limit=100');
		L.check(r.status === 200, `GET /v1/deadlines: ${r.status}`);
		const due = new Map(r.json.cases.map((c) => [c.id, c.due]));
		const seq = (await rows(boss)).map((x) => x.id)
			.filter((id) => due.has(id)).map((id) => due.get(id));
		L.check(seq.length >= 2, `${seq.length} rows with a due time`);
		for (let i = 1; i < seq.length; i++)
			L.check(Date.parse(seq[i - 1]) <= Date.parse(seq[i]),
				`row ${i} due ${seq[i - 1]} before row ` +
				`${i + 1} due ${seq[i]}: not soonest first`);
		const t = await L.mainText(boss);
		L.check(/\d+ (minutes?|hours?|days?)/.test(t),
			'no time left shown');
	});
	await L.step('filtered by order', boss, async () => {
		const p = boss.page;
		await p.getByLabel('Order', { exact: true }).fill('D-1009');
		await L.submit(boss, p.getByRole('button', { name: 'Filter' }));
		const rs = await rows(boss);
		L.check(rs.some((x) => x.id === a), `${a} is not listed`);
		L.check(rs.every((x) => x.order === 'D-1009'),
			`other orders listed: ${JSON.stringify(rs)}`);
	});
	await L.step('filtered by claim type', boss, async () => {
		const p = boss.page;
		await p.getByLabel('Order', { exact: true }).fill('');
		await p.getByLabel('Claim type').selectOption('cancel');
		await L.submit(boss, p.getByRole('button', { name: 'Filter' }));
		const ids = (await rows(boss)).map((x) => x.id);
		L.check(ids.includes(b) && !ids.includes(a),
			`cancellations listed: ${ids}`);
	});
});

test('the queue: by clause and by customer (pages-spec query names)',
     async () => {
	const boss = await L.person();
	let a, b, clause;

	await L.step('two cases under two clauses (API)', null, async () => {
		a = (await L.apiOpenCase('D-1011', { type: 'customs' })).id;
		b = (await L.apiOpenCase('D-1008',
					 { type: 'not_received' })).id;
		clause = (await L.apiCase(a)).clauses[0].id;
		const other = (await L.apiCase(b)).clauses[0].id;
		L.check(other !== clause, `both under ${clause}`);
	});
	await L.step(`?clause=${clause} lists it and no other clause`, boss,
		     async () => {
		await L.signIn(boss, L.MANAGER);
		await L.go(boss, `/console?clause=${clause}`);
		const ids = (await rows(boss)).map((x) => x.id);
		L.check(ids.includes(a) && !ids.includes(b),
			`${a} and not ${b} should be listed: ${ids}`);
		for (const id of ids) {
			const c = (await L.apiCase(id)).clauses[0].id;
			L.check(c === clause, `${id} is under ${c}`);
		}
	});
	await L.step('?customer= finds the customer\'s and only theirs', boss,
		     async () => {
		await L.go(boss, `/console?customer=${L.EMAIL}`);
		const ids = (await rows(boss)).map((x) => x.id);
		L.check(ids.includes(a), `${a} is not in ${ids}`);
		await L.go(boss, '/console?customer=nobody@example.com');
		L.check((await rows(boss)).length === 0,
			'another customer\'s cases listed');
	});
});

test('the queue: counts per state', async () => {
	const boss = await L.person();
	await L.step('the number of open cases is shown', boss, async () => {
		// other tests may open cases meanwhile: read before and after
		const n0 = (await allCases('&status=open')).length;
		L.check(n0 > 0, 'no open case to count');
		await L.signIn(boss, L.MANAGER);
		const n1 = (await allCases('&status=open')).length;
		const open = n0 === n1 ? `${n0}` : `(?:${n0}|${n1})`;
		// the page's words outside the table
		const t = await boss.page.locator('main').evaluate((m) => {
			const c = m.cloneNode(true);
			c.querySelectorAll('table, form')
				.forEach((e) => e.remove());
			return c.innerText.replace(/\s+/g, ' ');
		});
		// the state in the words of the status filter's option
		const word = (await boss.page.getByLabel('Status')
			.locator('option[value="open"]').innerText()).trim();
		const near = new RegExp(`\\b${word}\\W{0,3}${open}(?!\\d)|` +
			`(?<!\\d)${open}\\W{0,3}${word}\\b`, 'i');
		L.check(near.test(t), `no "${open}" beside "${word}" in: ${t}`);
	});
});

test('the policy page: every clause and the version', async () => {
	const agent = await L.person();
	const file = fs.readFileSync(path.join(__dirname, '..', '..',
					       'policy', 'shop.policy'));
	const version = crypto.createHash('sha256').update(file).digest('hex');
	const clauses = [...file.toString().matchAll(
		/^\[clause ([^\]]+)\]\ntitle = (.*)$/gm)]
		.map((m) => ({ id: m[1], title: m[2].trim() }));

	await L.step('every clause with its id and title, the version', agent,
		     async () => {
		L.check(clauses.length >= 10, `${clauses.length} clauses read`);
		await L.signIn(agent, L.AGENT);
		await agent.page.getByRole('link', { name: 'Policy' }).click();
		await agent.page.waitForURL(/\/console\/policy$/);
		const t = await L.mainText(agent);
		L.check(t.includes(version), `no version ${version}`);
		for (const c of clauses)
			L.check(t.includes(c.id) && t.includes(c.title),
				`clause ${c.id} "${c.title}" is not shown`);
	});
});

test('accounts: a manager adds one, an agent may not', async () => {
	const boss = await L.person();
	const agent = await L.person();
	const clerk = await L.person();
	const name = `clerk-${process.pid}`;
	const password = 'clerk-password-1';

	await L.step('an agent has no Accounts page (403)', agent, async () => {
		await L.signIn(agent, L.AGENT);
		L.check(await agent.page.getByRole('link', { name: 'Accounts' })
			.count() === 0, 'an agent sees the Accounts link');
		const st = await L.go(agent, '/console/users');
		L.check(st === 403, `GET /console/users as an agent: ${st}`);
		const st2 = await L.postFromPage(agent, '/console/users', {
			csrf: await L.csrfOf(agent), user: `${name}-x`,
			role: 'manager', password });
		L.check(st2 === 403, `POST /console/users as an agent: ${st2}`);
	});
	await L.step(`the manager adds ${name}`, boss, async () => {
		await L.signIn(boss, L.MANAGER);
		await boss.page.getByRole('link', { name: 'Accounts' }).click();
		await boss.page.waitForURL(/\/console\/users$/);
		const p = boss.page;
		await p.getByLabel('User name').fill(name);
		await p.getByLabel('Role').selectOption('agent');
		await p.getByLabel('Password').fill(password);
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Add user' }));
		L.check(st === 200, `adding landed on ${st}: ` +
			(await L.alertText(p)));
		await p.getByRole('cell', { name, exact: true }).waitFor();
		L.check(!(await L.mainText(boss)).includes(`${name}-x`),
			'the agent\'s account was added');
	});
	await L.step(`${name} signs in`, clerk, async () => {
		await L.signIn(clerk, { user: name, password });
		L.check((await L.mainText(clerk)).includes('Queue'),
			'not at the queue');
	});
});
