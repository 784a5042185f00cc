'use strict';
// A script in a claim's message, a message either way or a staff note
// shows as text: nothing runs (no dialog, no element made from it) and
// the text itself is on the page, for the customer and for the staff.
const { test, after } = require('node:test');
const L = require('./lib.js');

after(L.closeBrowser);

const SCRIPT = '<script>alert("xss-1")</script>';
const IMG = '<img src=x onerror=alert("xss-2")>';
const EVIL = `Hello ${SCRIPT} ${IMG} & "quotes"`;

async function shownAsText(who, text, where) {
	const p = who.page;
	await p.waitForLoadState('load');
	// the CSP would stop these from running: that they were made at all
	// is the fault
	L.check(await p.locator('main img[src="x"]').count() === 0,
		`${where}: an img element was made from the text`);
	const scripts = await p.locator('main script').count();
	L.check(scripts === 0, `${where}: ${scripts} script elements in main`);
	L.check(who.dialogs.length === 0,
		`${where}: dialogs fired: ${who.dialogs.join('; ')}`);
	L.check(await p.getByText(text, { exact: false }).count() >= 1,
		`${where}: the text "${text}" is not on the page`);
}

test('a script in a message or note shows as text', async () => {
	const ana = await L.person();
	const agent = await L.person();
	let id;

	await L.step('the customer files a claim with a script in it', ana,
		     async () => {
		L.check(await L.lookup(ana, 'D-1010') === 200,
			'look-up failed');
		id = await L.fileClaim(ana, 'customs',
				       { message: `claim ${EVIL}` });
		await shownAsText(ana, `claim ${EVIL}`, 'the claim\'s message');
	});
	await L.step('and sends a message with one', ana, async () => {
		const p = ana.page;
		await p.getByLabel('Message').fill(`message ${EVIL}`);
		await L.submit(ana,
			p.getByRole('button', { name: 'Send message' }));
		await shownAsText(ana, `message ${EVIL}`,
				  'the customer\'s page');
	});
	await L.step('staff see them as text, add a note and a message',
		     agent, async () => {
		await L.signIn(agent, L.AGENT);
		await L.go(agent, `/console/cases/${id}`);
		await shownAsText(agent, `message ${EVIL}`, 'the console');
		const p = agent.page;
		await p.getByLabel('Note', { exact: true })
			.fill(`note ${EVIL}`);
		await L.submit(agent,
			p.getByRole('button', { name: 'Add note' }));
		await shownAsText(agent, `note ${EVIL}`, 'the staff note');
		await p.getByLabel('Message to the customer')
			.fill(`reply ${EVIL}`);
		await L.submit(agent,
			p.getByRole('button', { name: 'Send message' }));
		await shownAsText(agent, `reply ${EVIL}`, 'the staff message');
	});
	await L.step('the customer sees the reply as text', ana, async () => {
		await L.go(ana, `/order/cases/${id}`);
		await shownAsText(ana, `reply ${EVIL}`, 'the reply');
		L.check(!(await L.mainText(ana)).includes(`note ${EVIL}`),
			'the staff note is shown to the customer');
		L.check(ana.errors.length === 0 && agent.errors.length === 0,
			`script errors: ${ana.errors.concat(agent.errors)}`);
	});
});
