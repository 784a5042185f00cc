#!/usr/bin/env node
// compare.js: compare two files of decisions line by line (bench).
// Each line is parsed and written back with sorted keys, "policy" left out
// (as `jq -S 'del(.policy)'` would), so that key order and the policy hash
// do not count. Prints "identical N of M"; the differing line numbers and
// both versions go to DIFF_FILE (default: stderr, the first 5).
//
//   node bench/compare.js A.jsonl B.jsonl [DIFF_FILE]
'use strict';

const fs = require('fs');

function canon(v) {
	if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
	if (v !== null && typeof v === 'object') {
		return '{' + Object.keys(v).filter((k) => k !== 'policy').sort()
			.map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
	}
	return JSON.stringify(v);
}
function canonLine(l) {
	try { return canon(JSON.parse(l)); } catch (e) { return 'NOT JSON: ' + l; }
}

const [a, b, diffFile] = process.argv.slice(2);
if (!a || !b) {
	process.stderr.write('usage: compare.js A.jsonl B.jsonl [DIFF_FILE]\n');
	process.exit(2);
}
const A = fs.readFileSync(a, 'utf8').split('\n');
const B = fs.readFileSync(b, 'utf8').split('\n');
if (A[A.length - 1] === '') A.pop();
if (B[B.length - 1] === '') B.pop();
const n = Math.max(A.length, B.length);
let same = 0;
const diffs = [];
for (let i = 0; i < n; i++) {
	const x = i < A.length ? canonLine(A[i]) : '(missing)';
	const y = i < B.length ? canonLine(B[i]) : '(missing)';
	if (x === y) same++;
	else diffs.push(`line ${i + 1}\n  ${a}: ${x}\n  ${b}: ${y}\n`);
}
if (diffFile) fs.writeFileSync(diffFile, diffs.join(''));
else process.stderr.write(diffs.slice(0, 5).join(''));
process.stdout.write(`identical ${same} of ${n}\n`);
process.exitCode = same === n ? 0 : 1;
