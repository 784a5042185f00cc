// openapi-responses.js: checks answers the server really gave against the
// OpenAPI description: each answer's status must be documented for its
// operation, and its JSON body must match the documented schema (Ajv; an
// OpenAPI 3.0 `nullable` is read as "or null").
// Usage: node openapi-responses.js OPENAPI.json DIR, where DIR/index has
// one line per answer, "N METHOD PATH STATUS CONTENT-TYPE", and DIR/N the
// body. Prints one line per problem; exit 1 when there is any.
'use strict';
const fs = require('fs');
const path = require('path');
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv = require('ajv');

// orNull rewrites {..., nullable: true} as {anyOf: [{...}, {type: null}]}.
function orNull(s) {
	if (Array.isArray(s))
		return s.map(orNull);
	if (!s || typeof s !== 'object')
		return s;
	const out = {};
	for (const [k, v] of Object.entries(s))
		if (k !== 'nullable' && k !== 'example')
			out[k] = orNull(v);
	return s.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function templates(api) {
	return Object.keys(api.paths).map((t) => ({
		t,
		re: new RegExp('^' + t.replace(/\{[^}]+\}/g, '[^/]+') + '$'),
		literals: t.split('/').filter((s) => s && s[0] !== '{').length,
	}));
}

async function main() {
	const [file, dir] = process.argv.slice(2);
	if (!file || !dir) {
		console.error('usage: node openapi-responses.js OPENAPI.json DIR');
		process.exit(2);
	}
	const api = await SwaggerParser.dereference(
		JSON.parse(fs.readFileSync(file, 'utf8')));
	const ajv = new Ajv({ strict: false, allErrors: true,
		validateFormats: false });
	const tpls = templates(api);
	const problems = [];
	const seen = new Set();
	let checked = 0;

	const lines = fs.readFileSync(path.join(dir, 'index'), 'utf8')
		.split('\n').filter(Boolean);
	for (const line of lines) {
		const [n, method, p, status, ctype] = line.split(' ');
		const m = (method === 'HEAD' ? 'get' : method.toLowerCase());
		const hits = tpls.filter((x) => x.re.test(p) &&
			api.paths[x.t][m]).sort((a, b) => b.literals - a.literals);
		if (!hits.length)
			continue;               // no such operation: 404 or 405
		const op = api.paths[hits[0].t][m];
		const where = `${method} ${p} -> ${status}`;
		const resp = op.responses[status] || op.responses.default;
		seen.add(`${method} ${hits[0].t} ${status}`);
		if (!resp) {
			problems.push(`${where}: status ${status} is not documented ` +
				`for ${method} ${hits[0].t}`);
			continue;
		}
		const media = resp.content && resp.content[ctype];
		if (!ctype || !ctype.includes('json'))
			continue;               // images: bytes, nothing to check
		if (!media || !media.schema) {
			problems.push(`${where}: ${ctype} is not documented`);
			continue;
		}
		let body;
		try {
			body = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8'));
		} catch (e) {
			problems.push(`${where}: the body is not JSON: ${e.message}`);
			continue;
		}
		const validate = ajv.compile(orNull(media.schema));
		checked++;
		if (!validate(body))
			problems.push(`${where}: ` + validate.errors.slice(0, 3).map(
				(e) => `${e.instancePath || '/'} ${e.message}`).join('; '));
	}
	for (const p of problems)
		console.log(p);
	console.log(`openapi-responses: ${checked} answers checked (` +
		`${seen.size} operation and status pairs), ${problems.length} ` +
		'problems');
	process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
	console.error(`openapi-responses: ${e.message}`);
	process.exit(1);
});
