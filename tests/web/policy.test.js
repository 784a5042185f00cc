'use strict';
// The policy's versions in the console (issue 9), on a server of its own
// (activating a policy would reach the other tests' cases). "A manager,
// signed in to the console, edits the contact window, sees which past
// cases would change and what it costs, activates it": a text that fails
// the check shows the check's problems with line and key and changes
// nothing; the preview lists the changed cases (linked) and the refunds
// allowed before and after; Activate makes it the policy new cases are
// decided under. An agent sees no editor and is refused (403) when the
// forms are posted anyway. Every page axe-clean, at 1280 and 360 px.
const { test, after } = require('node:test');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const L = require('./lib.js');

let srv = null;
after(async () => {
	await L.closeBrowser();
	if (srv)
		await srv.stop();
});

// The demo shop on a database of its own, an API token, `serve`.
async function server() {
	const bin = process.env.AC_BIN;
	L.check(bin, 'AC_BIN is unset: run tests/web/run.sh');
	const dir = fs.mkdtempSync(path.join(L.OUT, 'policy-'));
	const db = path.join(dir, 'demo.db');
	execFileSync(bin, ['demo', '--db', db], { stdio: 'ignore' });
	const token = execFileSync(bin, ['token', 'add', 'policy', '--db', db])
		.toString().trim().split('\n').pop();
	const errf = path.join(dir, 'serve.err');
	const proc = spawn(bin, ['serve', '--db', db, '--listen',
				 '127.0.0.1:0'],
			   { stdio: ['ignore', 'ignore', fs.openSync(errf, 'w')] });
	let url = null;
	for (let i = 0; i < 200 && !url; i++) {
		const m = /^listening on (\S+)/m.exec(fs.readFileSync(errf,
								      'utf8'));
		if (m)
			url = m[1];
		else
			await new Promise((r) => setTimeout(r, 50));
	}
	L.check(url, `serve did not start: ${fs.readFileSync(errf, 'utf8')}`);
	async function api(method, p, body) {
		const r = await fetch(url + p, {
			method,
			headers: { Authorization: `Bearer ${token}`,
				   'Content-Type': 'application/json' },
			body: body === undefined ? undefined :
				JSON.stringify(body),
		});
		return r.json();
	}
	return {
		url, api,
		stop: () => new Promise((res) => {
			if (proc.exitCode !== null)
				return res();
			proc.once('exit', res);
			proc.kill('SIGTERM');
		}),
	};
}

async function go(who, p) {
	const r = await who.page.goto(srv.url + p);
	return r ? r.status() : 0;
}

async function signIn(who, acct) {
	const p = who.page;
	await go(who, '/console');
	await p.getByLabel('User name').fill(acct.user);
	await p.getByLabel('Password').fill(acct.password);
	const st = await L.submit(who,
		p.getByRole('button', { name: 'Sign in' }));
	L.check(st === 200, `signing in as ${acct.user} landed on ${st}`);
}

async function post(who, action, fields) {
	const r = await who.ctx.request.post(srv.url + action, {
		multipart: fields,
		headers: { Origin: srv.url, Referer: who.page.url() },
		maxRedirects: 0, failOnStatusCode: false,
	});
	return r.status();
}

const SCRATCH = { type: 'damaged', defects: ['scratch'] };

test('a manager edits the contact window, previews what it changes and ' +
     'what it costs, and activates it; an agent is refused', async () => {
	srv = await server();
	const boss = await L.person();
	const agent = await L.person();
	let late, fresh, text, hash;

	await L.step('two cases decided under the shop\'s policy (API)', null,
		     async () => {
		// D-1005 was delivered 5 days ago: past the 48 hours
		late = await srv.api('POST', '/v1/cases',
				     { order: 'D-1005', claim: SCRATCH });
		L.check(late.decision.verdict === 'no_refund',
			`D-1005: ${late.decision.verdict}`);
		// D-1004 yesterday: within them
		fresh = await srv.api('POST', '/v1/cases',
				      { order: 'D-1004', claim: SCRATCH });
		L.check(fresh.decision.verdict === 'partial_refund',
			`D-1004: ${fresh.decision.verdict}`);
	});

	await L.step('the agent sees the clauses but no editor', agent,
		     async () => {
		await signIn(agent, L.AGENT);
		L.check(await go(agent, '/console/policy') === 200,
			'the policy page');
		const p = agent.page;
		await p.getByRole('heading', { name: 'Policy', level: 1 })
			.waitFor();
		L.check(await p.getByLabel('Policy file', { exact: true })
			.count() === 0, 'an agent sees the policy editor');
		L.check(await p.getByRole('button',
			{ name: 'Check and preview' }).count() === 0,
			'an agent sees Check and preview');
	});
	await L.step('the agent\'s preview and activation, posted anyway, ' +
		     'are 403', agent, async () => {
		const csrf = await L.csrfOf(agent);
		let st = await post(agent, '/console/policy/preview',
				    { csrf, text: 'contact_window = 168h\n' });
		L.check(st === 403, `the agent's preview answered ${st}`);
		st = await post(agent, '/console/policy/activate',
				{ csrf, text: 'x', hash: 'sha256:x' });
		L.check(st === 403, `the agent's activation answered ${st}`);
	});

	await L.step('the manager opens the policy: its text in an editor',
		     boss, async () => {
		await signIn(boss, L.MANAGER);
		L.check(await go(boss, '/console/policy') === 200,
			'the policy page');
		text = await boss.page.getByLabel('Policy file',
						   { exact: true }).inputValue();
		L.check(/^contact_window = 48h$/m.test(text),
			'the editor holds no "contact_window = 48h" line');
		const rows = boss.page.locator('table tbody tr');
		L.check(await rows.count() === 1, 'one version listed');
		L.check(/Active/.test(await rows.first().innerText()),
			'the version is not marked active');
	});
	await L.sweep(boss, 'console-policy-editor');

	await L.step('a text that fails the check: its problems, with line ' +
		     'and key, nothing stored', boss, async () => {
		const p = boss.page;
		await p.getByLabel('Policy file', { exact: true }).fill(
			text.replace(/^contact_window = 48h$/m,
				     'contact_window = 7 days'));
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Check and preview' }));
		L.check(st === 422, `a bad policy answered ${st}`);
		const a = await L.alertText(p);
		const line = text.split('\n')
			.findIndex((l) => l === 'contact_window = 48h') + 1;
		L.check(a.includes(`Line ${line}, contact_window: not a ` +
				   'duration'), `the alert says: ${a}`);
		L.check(/contact_window = 7 days/.test(await p.getByLabel(
			'Policy file', { exact: true }).inputValue()),
			'the text was not kept in the editor');
	});
	await L.sweep(boss, 'console-policy-problems');

	await L.step('the contact window made a week: the preview', boss,
		     async () => {
		const p = boss.page;
		await p.getByLabel('Policy file', { exact: true }).fill(
			text.replace(/^contact_window = 48h$/m,
				     'contact_window = 168h'));
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Check and preview' }));
		L.check(st === 200, `the preview answered ${st}: ` +
			(await L.alertText(p)));
		await p.getByRole('heading',
			{ name: 'What this policy would change' }).waitFor();
		hash = await p.locator('input[name=hash]').inputValue();
		L.check(/^sha256:[0-9a-f]{64}$/.test(hash), `hash ${hash}`);
		L.check(hash !== late.decision.policy,
			'the preview names the active policy');
		const sum = await p.locator('#replay-summary').innerText();
		L.check(/of 2 cases would be decided differently/.test(sum),
			`the summary says: ${sum}`);
	});
	await L.step('the preview says which policy the cases were ' +
		     'decided under', boss, async () => {
		const t = await boss.page.locator('#decided-under')
			.innerText();
		L.check(t.includes(late.decision.policy) &&
			/\s2\s*$/.test(t.trim().split('\n').pop() + ' '),
			`the table says: ${t}`);
	});
	await L.step('the same text uploaded as a file previews the same ' +
		     'version', boss, async () => {
		const p = boss.page;
		const back = p.url();
		await go(boss, '/console/policy');
		await p.getByLabel('Or upload a policy file').setInputFiles({
			name: 'week.policy', mimeType: 'text/plain',
			buffer: Buffer.from(text.replace(
				/^contact_window = 48h$/m,
				'contact_window = 168h')),
		});
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Check and preview' }));
		L.check(st === 200, `the upload's preview answered ${st}`);
		const h = await p.locator('input[name=hash]').inputValue();
		L.check(h === hash, `the upload previews ${h}, not ${hash}` +
			` (from ${back})`);
	});
	await L.step('the preview: which cases change, each linked', boss,
		     async () => {
		const p = boss.page;
		const row = p.locator('#changed-cases tbody tr')
			.filter({ hasText: late.id });
		L.check(await row.count() === 1,
			`${late.id} is not among the changed cases`);
		const t = (await row.innerText()).replace(/\s+/g, ' ');
		L.check(/No refund.*A partial refund/.test(t),
			`its row says: ${t}`);
		const href = await row.getByRole('link', { name: late.id })
			.getAttribute('href');
		L.check(href === `/console/cases/${late.id}`,
			`its link goes to ${href}`);
	});
	await L.step('the preview: what it costs', boss, async () => {
		const t = (await boss.page.locator('#money').innerText())
			.replace(/\s+/g, ' ');
		// a scratch: 20% of the 520.00 ring, one more case
		L.check(/USD USD 104\.00 USD 208\.00 \+USD 104\.00/.test(t),
			`the money table says: ${t}`);
	});
	await L.sweep(boss, 'console-policy-preview');

	await L.step('Activate: the policy page says so, two versions', boss,
		     async () => {
		const p = boss.page;
		await p.setViewportSize({ width: 1280, height: 900 });
		const st = await L.submit(boss,
			p.getByRole('button', { name: 'Activate' }));
		L.check(st === 200, `activating landed on ${st}: ` +
			(await L.alertText(p)));
		L.check(new URL(p.url()).pathname === '/console/policy',
			`landed on ${p.url()}`);
		await p.getByRole('status').filter({ hasText: 'now active' })
			.waitFor();
		const rows = p.locator('table tbody tr');
		L.check(await rows.count() === 2, 'two versions listed');
		const active = rows.filter({ hasText: hash });
		L.check(/Active/.test(await active.innerText()) &&
			/user:manager/.test(await active.innerText()),
			`the new version's row: ${await active.innerText()}`);
	});
	await L.step('new cases are decided under it, old ones keep theirs',
		     null, async () => {
		const c = await srv.api('POST', '/v1/cases',
					{ order: 'D-1005', claim: SCRATCH });
		L.check(c.decision.verdict === 'partial_refund' &&
			c.decision.policy === hash,
			`a new case: ${c.decision.verdict} ` +
			`${c.decision.policy}`);
		const old = await srv.api('GET', `/v1/cases/${late.id}`);
		L.check(old.decision.verdict === 'no_refund' &&
			old.decision.policy === late.decision.policy,
			`the old case: ${old.decision.verdict} ` +
			`${old.decision.policy}`);
	});
	await L.step('a forged activation of another text is refused', boss,
		     async () => {
		const st = await post(boss, '/console/policy/activate', {
			csrf: await L.csrfOf(boss), hash,
			text: text.replace(/^contact_window = 48h$/m,
					   'contact_window = 1h'),
		});
		L.check(st === 409, `a text other than the previewed: ${st}`);
	});
});
