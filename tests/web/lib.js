'use strict';
// lib.js: what the browser tests share. run.sh starts `aftercare serve` on
// a fresh demo database and passes it here through the environment:
//   AC_URL    the server, like http://127.0.0.1:41234
//   AC_TOKEN  an API token (aftercare token add), to check what a page did
//   AC_BIN    the program (a test that needs a server of its own starts it)
//   AC_OUT    a folder for what a failing step leaves (screenshot, HTML)
//   WEB_SCREENSHOTS=1  also writes docs/screenshots/*.png
// Each step of a scenario is named: a failure says which step, the page's
// URL and where its screenshot and HTML were saved.
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { spawn, execFileSync } = require('node:child_process');
const { chromium } = require('playwright-core');

const URL_ = process.env.AC_URL;
const TOKEN = process.env.AC_TOKEN;
const OUT = process.env.AC_OUT ||
	fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-web-'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = process.env.WEB_SCREENSHOTS === '1' ?
	path.join(ROOT, 'docs', 'screenshots') : null;

if (!URL_ || !TOKEN) {
	console.error('lib.js: AC_URL and AC_TOKEN are unset: ' +
		      'run tests/web/run.sh');
	process.exit(2);
}

// The demo shop's customer and staff (src/cli/cmd_demo.c).
const EMAIL = 'ana@example.com';
const MANAGER = { user: 'manager', password: 'manager-demo-1' };
const AGENT = { user: 'agent', password: 'agent-demo-1' };

// Playwright's waits give up after this long (a page answers in far less).
const WAIT_MS = 15000;

let browserP = null;
function browser() {
	if (!browserP)
		browserP = chromium.launch({
			executablePath: CHROMIUM,
			headless: true,
			args: ['--no-sandbox', '--disable-dev-shm-usage'],
		});
	return browserP;
}

async function closeBrowser() {
	if (browserP) {
		const b = await browserP;
		browserP = null;
		await b.close();
	}
}

// A browser context of its own (its own cookies): a customer or a member of
// staff. Dialogs (alert, confirm) are recorded and dismissed: a script that
// runs out of a message would show up in ctx.dialogs.
async function person(opts = {}) {
	const b = await browser();
	const ctx = await b.newContext({
		viewport: opts.viewport || { width: 1280, height: 900 },
		javaScriptEnabled: opts.javaScript !== false,
		locale: 'en-GB',
		timezoneId: opts.timezoneId || 'Pacific/Auckland',
	});
	ctx.setDefaultTimeout(WAIT_MS);
	ctx.setDefaultNavigationTimeout(WAIT_MS);
	const page = await ctx.newPage();
	const who = { ctx, page, dialogs: [], errors: [] };
	ctx.on('page', (p) => watch(who, p));
	watch(who, page);
	return who;
}

function watch(who, page) {
	page.on('dialog', (d) => {
		who.dialogs.push(`${d.type()}: ${d.message()}`);
		d.dismiss().catch(() => {});
	});
	page.on('pageerror', (e) => who.errors.push(String(e)));
}

let nfail = 0;
// the test file's name, for the names of what its failures leave
const FILE = path.basename(process.argv[1] || 'web', '.js')
	.replace(/\.test$/, '');
function slug(s) {
	return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
		.slice(0, 60);
}

// step(name, who, fn): runs fn(); when it fails, saves the page of `who`
// (a person, or null) as PNG and HTML under AC_OUT and throws an error
// that names the step, the URL and the files.
async function step(name, who, fn) {
	const t0 = Date.now();
	try {
		const r = await fn();
		if (process.env.WEB_TIMING)  // WEB_TIMING=1: each step's time
			console.error(`${Date.now() - t0} ms  ${FILE}: ` +
				      name);
		return r;
	} catch (e) {
		let where = '';
		if (who && who.page && !who.page.isClosed()) {
			const base = path.join(OUT, `fail-${FILE}-${++nfail}-` +
					       slug(name));
			const url = who.page.url();
			try {
				await who.page.screenshot({ path: `${base}.png`,
							    fullPage: true,
							    timeout: 3000 });
				fs.writeFileSync(`${base}.html`,
						 await who.page.content());
				where = `\n  page: ${url}\n  saved: ` +
					`${base}.png ${base}.html`;
			} catch (e2) {
				where = `\n  page: ${url} ` +
					`(not saved: ${e2.message})`;
			}
		}
		const msg = (e && e.message ? e.message : String(e))
			.split('\n').slice(0, 12).join('\n    ');
		const err = new Error(`step "${name}" failed: ${msg}${where}`);
		err.stack = err.message;
		throw err;
	}
}

function check(cond, what) {
	if (!cond)
		throw new Error(what);
}

// ---- the API, to see what a page did ---------------------------------------

async function api(method, p, body, headers = {}) {
	const h = { Authorization: `Bearer ${TOKEN}`, ...headers };
	if (body !== undefined)
		h['Content-Type'] = 'application/json';
	const r = await fetch(URL_ + p, {
		method, headers: h,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await r.text();
	let json = null;
	try { json = JSON.parse(text); } catch { /* not JSON */ }
	return { status: r.status, json, text, headers: r.headers };
}

async function apiCase(id) {
	const r = await api('GET', `/v1/cases/${id}`);
	check(r.status === 200, `GET /v1/cases/${id}: ${r.status} ${r.text}`);
	return r.json;
}

// Opens a case through the API (for scenarios about the staff's side).
async function apiOpenCase(order, claim) {
	const r = await api('POST', '/v1/cases', { order, claim });
	check(r.status === 201,
	      `POST /v1/cases ${order}: ${r.status} ${r.text}`);
	return r.json;
}

// "53500" in minor units as the pages' major units ("535.00"; JPY "40000").
function major(minor, currency) {
	if (currency === 'JPY')
		return String(minor);
	const s = String(minor).padStart(3, '0');
	return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

// ---- the pages --------------------------------------------------------------

async function go(who, p) {
	const r = await who.page.goto(URL_ + p);
	return r ? r.status() : 0;
}

// Submits a form by clicking its button; resolves with the status of the
// page the browser lands on (after a 303, that page's own status).
async function submit(who, button) {
	const [resp] = await Promise.all([
		who.page.waitForNavigation({ waitUntil: 'load' }),
		button.click(),
	]);
	return resp ? resp.status() : 0;
}

async function lookup(who, order, email = EMAIL) {
	const s = await go(who, '/');
	check(s === 200, `GET / answered ${s}`);
	const p = who.page;
	await p.getByLabel('Order number').fill(order);
	await p.getByLabel('E-mail').fill(email);
	return submit(who, p.getByRole('button', { name: 'Find my order' }));
}

async function signIn(who, acct) {
	const s = await go(who, '/console');
	check(s === 200, `GET /console answered ${s}`);
	const p = who.page;
	await p.getByLabel('User name').fill(acct.user);
	await p.getByLabel('Password').fill(acct.password);
	const st = await submit(who,
		p.getByRole('button', { name: 'Sign in' }));
	check(st === 200, `signing in as ${acct.user} landed on ${st}`);
	await p.getByRole('button', { name: 'Sign out' }).waitFor();
}

// Files a claim of a type (its wire name is the radio's value; the label is
// in the customer's words) from /order/claim; returns the new case's id.
async function fileClaim(who, type, { message, items, defects, files } = {}) {
	const p = who.page;
	const s = await go(who, '/order/claim');
	check(s === 200, `GET /order/claim answered ${s}`);
	const group = p.getByRole('group', { name: 'What happened?' });
	const radio = group.locator(`input[type=radio][value="${type}"]`);
	check(await radio.count() === 1,
	      `no radio with value "${type}" under "What happened?"`);
	await radio.check();
	for (const name of items || [])
		await p.getByRole('group', { name: 'Which items?' })
			.getByLabel(name).check();
	for (const d of defects || [])
		await p.locator(`input[name=defects][value="${d}"]`).check();
	if (files)
		await p.getByLabel('Photos').setInputFiles(files);
	if (message !== undefined)
		await p.getByLabel('Message').fill(message);
	const st = await submit(who,
		p.getByRole('button', { name: 'Send my claim' }));
	const m = /\/order\/cases\/([^/?#]+)/.exec(p.url());
	check(st === 200 && m, `sending the claim landed on ${p.url()} ` +
	      `(${st}): ${await alertText(p)}`);
	return decodeURIComponent(m[1]);
}

async function alertText(p) {
	const a = p.getByRole('alert');
	return (await a.count()) ? (await a.first().innerText()) : '(no alert)';
}

// The text of the page's main region, white space folded.
async function mainText(who) {
	const t = await who.page.locator('main').innerText();
	return t.replace(/\s+/g, ' ');
}

// POSTs a form with the cookies of `who` (their browser context's own
// request client: the pages' CSP allows no fetch from a page), as a forged
// or tampered form would; returns the status, redirects not followed.
// `multipart` sends it as multipart/form-data.
async function postFromPage(who, action, fields, multipart = false) {
	const r = await who.ctx.request.post(URL_ + action, {
		[multipart ? 'multipart' : 'form']: fields,
		headers: { Origin: URL_, Referer: who.page.url() },
		maxRedirects: 0,
		failOnStatusCode: false,
	});
	return r.status();
}

// GETs a URL with the cookies of `who`; returns the status.
async function getWithCookies(who, p) {
	const r = await who.ctx.request.get(URL_ + p, {
		maxRedirects: 0, failOnStatusCode: false });
	return r.status();
}

// The value of a form's hidden csrf field on the page (the first one).
async function csrfOf(who) {
	return who.page.locator('input[name=csrf]').first().inputValue();
}

// ---- accessibility, the phone's width, screenshots -------------------------

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core on the page as it is: fails on a serious or critical violation,
// listing each with its rule, impact and the elements it names.
async function axe(who, what) {
	const p = who.page;
	if (!(await p.evaluate(() => typeof window.axe === 'object')))
		await p.evaluate(AXE);  // CSP does not stop a devtools evaluate
	const res = await p.evaluate(async () => {
		const r = await window.axe.run(document, {
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.slice(0, 3)
				.map((n) => n.target.join(' ')),
		}));
	});
	const bad = res.filter((v) => v.impact === 'serious' ||
					v.impact === 'critical');
	check(bad.length === 0, `axe on ${what} (${p.url()}): ` + bad.map((v) =>
		`${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`)
		.join('; '));
	return res;
}

// No horizontal scrolling at the phone's 360 px.
async function fitsPhone(who, what) {
	const p = who.page;
	const vw = p.viewportSize().width;
	const w = await p.evaluate(() => ({
		doc: document.documentElement.scrollWidth,
		body: document.body ? document.body.scrollWidth : 0,
		wide: Array.from(document.querySelectorAll('body *'))
			.filter((e) => e.getBoundingClientRect().right >
				       document.documentElement.clientWidth + 1)
			.slice(0, 3).map((e) => e.tagName.toLowerCase() +
				(e.id ? '#' + e.id : '') +
				(typeof e.className === 'string' &&
				 e.className ?
				 '.' + e.className.split(' ')[0] : '')),
	}));
	check(w.doc <= vw, `${what} (${p.url()}) is ${w.doc} px wide at a ` +
	      `${vw} px viewport: it scrolls sideways ` +
	      `(wider: ${w.wide.join(', ')})`);
}

async function screenshot(who, name) {
	if (!SHOTS)
		return;
	fs.mkdirSync(SHOTS, { recursive: true });
	await who.page.screenshot({ path: path.join(SHOTS, `${name}.png`),
				    fullPage: true });
}

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };

// sweep(who, name): the page as it is now, at a desktop's 1280 px (axe)
// and at a phone's 360 px (no sideways scrolling, axe again); with
// WEB_SCREENSHOTS=1 saved as NAME-desktop.png and NAME-phone.png.
async function sweep(who, name) {
	await step(`${name}: axe at 1280 px`, who, async () => {
		await who.page.setViewportSize(DESKTOP);
		await axe(who, name);
		await screenshot(who, `${name}-desktop`);
	});
	await step(`${name}: 360 px wide, axe again`, who, async () => {
		await who.page.setViewportSize(PHONE);
		await fitsPhone(who, name);
		await axe(who, `${name} at 360 px`);
		await screenshot(who, `${name}-phone`);
		await who.page.setViewportSize(DESKTOP);
	});
}

// ---- a server of a test's own ----------------------------------------------

// Starts `aftercare serve` on a fresh demo database in a folder of its own
// (for a test whose effects would reach the others, like the look-up
// limit); resolves to { url, stop() }.
async function ownServer(name) {
	const bin = process.env.AC_BIN;
	check(bin, 'AC_BIN is unset: run tests/web/run.sh');
	const dir = fs.mkdtempSync(path.join(OUT, `${name}-`));
	const db = path.join(dir, 'demo.db');
	execFileSync(bin, ['demo', '--db', db], { stdio: 'ignore' });
	const err = fs.openSync(path.join(dir, 'serve.err'), 'w');
	const proc = spawn(bin,
		['serve', '--db', db, '--listen', '127.0.0.1:0'],
		{ stdio: ['ignore', 'ignore', err] });
	const t0 = Date.now();
	let url = null;
	while (!url && Date.now() - t0 < 10000) {
		const m = /^listening on (\S+)/m.exec(
			fs.readFileSync(path.join(dir, 'serve.err'), 'utf8'));
		if (m)
			url = m[1];
		else if (proc.exitCode !== null)
			break;
		else
			await new Promise((r) => setTimeout(r, 50));
	}
	if (!url) {
		proc.kill('SIGTERM');
		throw new Error(`ownServer ${name} did not start: ` +
			fs.readFileSync(path.join(dir, 'serve.err'), 'utf8'));
	}
	return {
		url,
		stop: () => new Promise((res) => {
			if (proc.exitCode !== null)
				return res();
			proc.once('exit', res);
			proc.kill('SIGTERM');
		}),
	};
}

module.exports = {
	URL: URL_, OUT, EMAIL, MANAGER, AGENT, SHOTS,
	browser, closeBrowser, person, step, check,
	api, apiCase, apiOpenCase, major,
	go, submit, lookup, signIn, fileClaim, alertText, mainText,
	postFromPage, getWithCookies, csrfOf, axe, fitsPhone, screenshot, sweep,
	ownServer,
};
