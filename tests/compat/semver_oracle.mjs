// node-semver (tests/compat/node_modules/semver) as the oracle for
// src/package/semver.h: `inputs` prints a generated table of versions and
// ranges as JSON; `table FILE` prints, for each range of FILE, its validRange,
// satisfies() against every version and maxSatisfying — the same lines
// tests/tools/semver_tool prints from Sluice's implementation
// (tests/cli/pkg_semver_oracle.sh diffs the two).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const semver = require('./node_modules/semver');

function generateVersions() {
  const versions = [];
  const pre = ['alpha', 'alpha.1', 'alpha.beta', 'beta.2', 'beta.11', 'rc.1', '0', '1'];
  for (const M of [0, 1, 2, 10]) {
    for (const m of [0, 1, 3]) {
      for (const p of [0, 1, 5]) {
        const base = `${M}.${m}.${p}`;
        versions.push(base);
        for (const pr of pre) versions.push(`${base}-${pr}`);
      }
    }
  }
  versions.push('1.2.3+build.5', '1.2.3-alpha+sha.1', '0.0.0', '0.0.0-0', '3.0.0', '1.2.3', '1.2.4-alpha',
    '1.2.3-alpha.10', '1.2.3-alpha.9', '99.99.99', '9007199254740991.0.0',
    // The versions of the examples table in docs/packages.md.
    '0.2.9', '1.2.0', '1.2.7', '1.3.0-beta.1', '1.9.0', '2.1.0', '1.2.0-beta.2', '1.2.1-beta.2');
  return versions;
}

function generateRanges() {
  const partials = ['*', 'x', 'X', '1', '0', '2', '10', '1.x', '1.X', '1.*', '0.x', '1.2', '0.0', '0.1', '0.3', '1.3',
    '1.2.x', '1.2.*', '0.0.x', '0.1.x', '2.x.x', 'x.x.x', '1.x.3', 'x.1', '1.2.3', '0.0.1', '0.0.0', '0.1.3', '1.0.0',
    '2.0.0', '10.3.5', '1.2.3-alpha', '1.2.3-alpha.1', '1.2.3-0', '0.0.1-beta.2', '2.0.0-rc.1', '1.0.0-0',
    '0.1.0-alpha', '1.0.0+build', '1.2.3-beta+exp.1', 'v1.2.3', '=1.2.3', 'v1.2', '=1', 'v1.x',
    '01.2.3', '1.02.3', '1.2.3.4', '1.2.3-', '1.2.-3', 'a.b.c', '1.2.3-01', 'latest', '9007199254740991',
    '9007199254740992.0.0', '1.2.3-alpha..1'];
  const ops = ['', '=', '<', '<=', '>', '>=', '~', '~>', '^'];
  const ranges = new Set(['', ' ', '*', '||', '1 ||', '|| 2', '1 | 2', '>=*', '<*', '>*', '<=*', '=*', '^*', '~*',
    '^0.0.x', '^0.0', '^0.x', '~1', '>=1.2.x', '<1', '>= 1.2.3', '> 1.2 < 2', '~ 1.2', '^ 1.2', '~> 1.2',
    ' 1.2.3 ', '1.2.3\t- 2.0', '  ^1  ||  ~2.1 ', '>=0.0.0', '>=0.0.0-0', '<0.0.0-0', '<0.0.0', '>1.x',
    '<=1.x', '<=1.2.x', '>1.2.x', '<1.2.x', '=1.x', '>= 1', '>=1.0.0 <1.0.0', '<1.0.0 || <0.0.0-0',
    '1.2.3 - 2.3.4', '1.2 - 2.3.4', '1.2.3 - 2.3', '1.2.3 - 2', '* - 2', '1.2.3 - *', 'x - x',
    '1.2.3-alpha - 1.2.3-beta', '1.2.3 - 1.2.3-alpha', 'v1.2.3 - v2.0.0', '=1.2.3 - 2', '1.2.3 -2',
    '1.2.3- 2', '1.2.3 - 2.0.0+build', '>=1.2.3-alpha.1 <1.2.3', '^1.2.3-beta.2', '~1.2.3-beta.2',
    '^0.0.1-beta.2', '^0.1.0-alpha', '>1.2.3-alpha <1.2.4', '1.2.3-alpha || 2.0.0-rc.1', '>=1.2.3 <=1.2.3',
    '>1 <1', '^1 ^1', '* ^1', '^1 *', '>=1.0.0 >=1.0.0', '<2 >=1 <2', '~0.0.1', '~0.1', '~0', '^0', '^0.0.0',
    '^0.0.0-0', '~>1', '~>0.1.3', '>=1.2.3 || >=2', '1.x || >=2.5.0 || 5.0.0 - 7.2.3', '> =1.2.3',
    '>=1.2.3 <', '<=', '>=', '~', '^', '=', 'v', 'x.x', '1.2.3 +build', '1.2.3+build - 2', '^1.2.3+build',
    '1.2.3 1.2.4', '>=1.2.3-0 <1.3.0-0', '~1.2.3-0', '^1.2.3-0', '<=1.2.3-0', '>1.0.0-alpha.1 <1.0.0',
    '>=0.0.0-0 <0.0.1', '2.0.0-0 - 2.0.0', '<2.0.0-0', '<=2.0.0-0', '>=1.0.0-rc.1 <2.0.0-0',
    // The examples table in docs/packages.md.
    '1.2.0', '=1.2.0', '>=1.2.0', '<2', '^1.2', '^1.2.0-beta', '^0.2.3', '^0.0.3', '~1.2', '1.2 - 2.0',
    '>=1.2.0 <1.3.0', '^1.2 || ^2', '>=2.0.0-rc.1']);
  for (const op of ops) {
    for (const p of partials) {
      ranges.add(op + p);
      if (op) ranges.add(`${op} ${p}`);
    }
  }
  const hyphenSides = ['1', '1.2', '1.2.3', '0.1', '1.x', '*', '2', '2.3.x', '1.2.3-alpha', '10.3.5', 'v1.2.3'];
  for (const a of hyphenSides) for (const b of hyphenSides) ranges.add(`${a} - ${b}`);
  const ands = ['>=1.0.0', '<2.0.0', '>1.2', '<=2.x', '^1.2', '~1.3', '<1.3.0-0', '>=0.1.0', '<10', '>=2.0.0-rc.1',
    '1.x', '!1.2.3'];
  for (const a of ands) for (const b of ands) if (a !== b) ranges.add(`${a} ${b}`);
  const ors = ['^0.1', '~2.0', '1.2.3-alpha', '>=10', '<0.0.1', '1.x', '*', '<0.0.0-0'];
  for (const a of ors) for (const b of ors) if (a !== b) ranges.add(`${a} || ${b}`);
  return [...ranges];
}

function table(inputs) {
  const lines = [];
  for (const r of inputs.ranges) {
    const valid = semver.validRange(r);
    let bits = '-';
    let max = null;
    if (valid !== null) {
      bits = inputs.versions.map((v) => (semver.satisfies(v, r) ? '1' : '0')).join('');
      max = semver.maxSatisfying(inputs.versions, r);
    }
    lines.push([JSON.stringify(r), JSON.stringify(valid), bits, JSON.stringify(max)].join('\t'));
  }
  return lines.join('\n') + '\n';
}

const [mode, file] = process.argv.slice(2);
if (mode === 'inputs') {
  const versions = generateVersions();
  for (const v of versions) {
    if (semver.valid(v) !== v.replace(/\+.*/, '')) throw new Error(`not a strict version: ${v}`);
  }
  process.stdout.write(JSON.stringify({ versions, ranges: generateRanges() }, null, 1) + '\n');
} else if (mode === 'table') {
  process.stdout.write(table(JSON.parse(readFileSync(file, 'utf8'))));
} else {
  process.stderr.write('usage: semver_oracle.mjs inputs | table FILE\n');
  process.exit(2);
}
