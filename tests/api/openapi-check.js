// openapi-check.js: validates an OpenAPI description with a real validator
// (@apidevtools/swagger-parser: the OpenAPI 3.0 schema and $ref
// resolution), then what that validator leaves out for OpenAPI 3: every
// {param} of a path template is declared as a path parameter and every
// declared path parameter is in the template; operation ids are unique.
// With a routes file ("METHOD PATH" lines), every route must be described
// and every described operation must be a route.
// Usage: node openapi-check.js FILE [ROUTES]. Exit 1 on any error.
'use strict';
const fs = require('fs');
const SwaggerParser = require('@apidevtools/swagger-parser');

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head',
	'patch', 'trace'];

function semantic(api, routesFile) {
	const errors = [];
	const ids = new Map();
	const described = new Set();

	for (const [path, item] of Object.entries(api.paths)) {
		const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)]
			.map((m) => m[1]);
		for (const method of METHODS.filter((m) => item[m])) {
			const op = item[method];
			const params = [...(item.parameters || []),
				...(op.parameters || [])]
				.filter((p) => p.in === 'path');
			const declared = params.map((p) => p.name);
			for (const name of inTemplate)
				if (!declared.includes(name))
					errors.push(`${method.toUpperCase()} ${path}: ` +
						`path parameter {${name}} is not declared`);
			for (const p of params) {
				if (!inTemplate.includes(p.name))
					errors.push(`${method.toUpperCase()} ${path}: ` +
						`parameter ${p.name} is not in the path`);
				if (p.required !== true)
					errors.push(`${method.toUpperCase()} ${path}: ` +
						`path parameter ${p.name} must be required`);
			}
			if (!op.operationId)
				errors.push(`${method.toUpperCase()} ${path}: no operationId`);
			else if (ids.has(op.operationId))
				errors.push(`operationId ${op.operationId} is used by ` +
					`${ids.get(op.operationId)} and ${path}`);
			else
				ids.set(op.operationId, path);
			described.add(`${method.toUpperCase()} ${path}`);
		}
	}
	if (routesFile) {
		const routes = new Set(fs.readFileSync(routesFile, 'utf8')
			.split('\n').map((l) => l.trim()).filter(Boolean));
		for (const r of routes)
			if (!described.has(r))
				errors.push(`route ${r} is not described`);
		for (const d of described)
			if (!routes.has(d))
				errors.push(`${d} is described but is no route`);
	}
	return errors;
}

async function main() {
	const [file, routesFile] = process.argv.slice(2);
	if (!file) {
		console.error('usage: node openapi-check.js FILE [ROUTES]');
		process.exit(2);
	}
	const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
	if (doc.openapi !== '3.0.3')
		throw new Error(`openapi is ${doc.openapi}, not 3.0.3`);
	// validate() returns the document with every $ref resolved
	const api = await SwaggerParser.validate(structuredClone(doc));
	const errors = semantic(api, routesFile);
	if (errors.length)
		throw new Error(`${errors.length} problems:\n  ` +
			errors.join('\n  '));
	const n = Object.values(doc.paths).flatMap((p) =>
		METHODS.filter((m) => p[m])).length;
	console.log(`openapi-check: ${api.info.title} ${api.info.version}: ` +
		`${Object.keys(doc.paths).length} paths, ${n} operations: valid`);
}

main().catch((e) => {
	const lines = String(e.message).split('\n');
	console.error('openapi-check: ' + lines.slice(0, 40).join('\n'));
	if (lines.length > 40)
		console.error(`... and ${lines.length - 40} more lines`);
	process.exit(1);
});
