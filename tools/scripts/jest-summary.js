#!/usr/bin/env node
// Adds up jest's "Tests:" lines in a log and prints one plain closing line: "tests: N passed, N failed".
'use strict';
const { readFileSync } = require('node:fs');

const text = readFileSync(process.argv[2], 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
let passed = 0;
let failed = 0;
for (const line of text.split('\n')) {
  const match = /Tests:\s+(.*)\d+ total/.exec(line);
  if (!match) continue;
  passed += Number(/(\d+) passed/.exec(match[1])?.[1] ?? 0);
  failed += Number(/(\d+) failed/.exec(match[1])?.[1] ?? 0);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
