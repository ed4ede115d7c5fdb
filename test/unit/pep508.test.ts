// Vectors are read at run time from ../shared/vectors, the sibling of the repository root
// (/work/main -> /work/shared). This file runs as dist/test/unit/pep508.test.js, three levels
// below the repository root, hence '../../../../shared/vectors/'. The vector tests skip when
// the directory is missing.
//
// The vectors hold two oracles: packaging 23.0 (Debian 12) and packaging main. Where they agree
// we must agree. Where they differ we must give one of their answers, except for one documented
// case: an ordering comparison whose left side is not a PEP 440 version while `op right` is a
// valid specifier (`platform_release >= "6"` with release `6.1.0-28-amd64`). 23.0 raises
// InvalidVersion, main answers false; we follow PEP 508's text ("falls back to the Python
// behaviour for the operator") and compare the strings, which in every such vector row is true.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  canonicalizeName,
  defaultMarkerEnvironment,
  evaluateMarker,
  evaluateMarkerText,
  formatMarker,
  formatRequirement,
  markerExtras,
  parseMarker,
  parseRequirement,
  type MarkerEnvironment,
  type MarkerNode,
} from '../../src/python/pep508.js';

import { invalidMetadata, noVectors, readTsv, VECTORS } from '../support/vectors.js';

const EXTRA_COLUMNS: Array<[string, string | undefined]> = [
  ['eval_extra_unset', undefined],
  ['eval_extra_socks', 'socks'],
  ['eval_extra_security', 'security'],
  ['eval_extra_test', 'test'],
];

function vectorEnvironment(): MarkerEnvironment {
  const json = JSON.parse(readFileSync(VECTORS + 'requirements/environment.json', 'utf8')) as { environment: Record<string, string> };
  const env = defaultMarkerEnvironment('3.11.2', {
    platformRelease: json.environment.platform_release,
    platformVersion: json.environment.platform_version,
  });
  assert.deepEqual({ ...env }, json.environment, 'defaultMarkerEnvironment builds the vectors environment');
  return env;
}

function evaluate(node: MarkerNode, env: MarkerEnvironment, extra: string | undefined): string {
  try {
    return String(evaluateMarker(node, extra === undefined ? env : { ...env, extra }));
  } catch (e) {
    if (invalidMetadata(e)) return 'error';
    throw e;
  }
}

interface EvalStats {
  agreed: number;
  followedMain: number;
  followed23: number;
  stringFallback: number;
}

/** Compare one evaluation with both oracles; returns a failure text or undefined. */
function judge(got: string, old: string, main: string, stats: EvalStats): string | undefined {
  const o = old.startsWith('error') ? 'error' : old;
  const m = main.startsWith('error') ? 'error' : main;
  if (o === m) {
    if (got === o) {
      stats.agreed++;
      return undefined;
    }
    return `got ${got}, both packaging versions say ${o}`;
  }
  if (got === m) stats.followedMain++;
  else if (got === o) stats.followed23++;
  else if (old === 'error:InvalidVersion' && main === 'false' && got === 'true') stats.stringFallback++;
  else return `got ${got}, packaging 23.0 says ${old}, main says ${main}`;
  return undefined;
}

function report(t: TestContext, what: string, stats: EvalStats): void {
  t.diagnostic(
    `${what}: ${stats.agreed} as both packaging versions, ${stats.followedMain} as main only, ${stats.followed23} as 23.0 only, ${stats.stringFallback} string fallback`,
  );
}

test('requirements.tsv: validity, names, extras, specifiers, URLs and evaluations', { skip: noVectors }, (t) => {
  const env = vectorEnvironment();
  const main = new Map(readTsv('requirements/requirements.packaging-main.tsv').map((r) => [r.input as string, r]));
  const rows = readTsv('requirements/requirements.tsv');
  assert.ok(rows.length >= 388);
  const failures: string[] = [];
  const stats: EvalStats = { agreed: 0, followedMain: 0, followed23: 0, stringFallback: 0 };
  let valid = 0;
  for (const r of rows) {
    const input = r.input as string;
    const m = main.get(input);
    assert.ok(m, input);
    let req: ReturnType<typeof parseRequirement> | undefined;
    try {
      req = parseRequirement(input);
    } catch (e) {
      assert.ok(invalidMetadata(e), `${input}: ${String(e)}`);
      assert.doesNotMatch((e as Error).message, /\n/);
    }
    // validity: main's answer (it differs from 23.0 only for URLs without a netloc, which main accepts)
    if ((req !== undefined) !== (m.valid === 'true')) {
      failures.push(`${JSON.stringify(input)}: valid should be ${m.valid}`);
      continue;
    }
    if (!req) continue;
    valid++;
    const fields: Array<[string, string]> = [
      ['name', req.name],
      ['canonical_name', req.normalizedName],
      ['extras_canonical', req.extras.join(',')],
      ['specifier', req.specifier],
      ['url', req.url ?? ''],
    ];
    for (const [col, val] of fields) if (val !== m[col]) failures.push(`${JSON.stringify(input)}: ${col} ${JSON.stringify(val)} != ${JSON.stringify(m[col])}`);
    for (const [col, extra] of EXTRA_COLUMNS) {
      const got = req.marker ? evaluate(req.marker, env, extra) : 'true';
      const why = judge(got, r[col] as string, m[col] as string, stats);
      if (why) failures.push(`${JSON.stringify(input)} ${col}: ${why}`);
    }
  }
  report(t, `${valid} valid requirements`, stats);
  assert.deepEqual(failures, []);
  assert.ok(valid >= 349);
});

test('markers.tsv: validity and evaluation with and without extras', { skip: noVectors }, (t) => {
  const env = vectorEnvironment();
  const main = new Map(readTsv('requirements/markers.packaging-main.tsv').map((r) => [r.input as string, r]));
  const rows = readTsv('requirements/markers.tsv');
  assert.ok(rows.length >= 432);
  const failures: string[] = [];
  const stats: EvalStats = { agreed: 0, followedMain: 0, followed23: 0, stringFallback: 0 };
  let valid = 0;
  for (const r of rows) {
    const input = r.input as string;
    const m = main.get(input);
    assert.ok(m, input);
    let node: MarkerNode | undefined;
    try {
      node = parseMarker(input);
    } catch (e) {
      assert.ok(invalidMetadata(e), `${input}: ${String(e)}`);
    }
    // validity: main's answer (23.0 also accepts `(python_version == "2.7") with random text`)
    if ((node !== undefined) !== (m.valid === 'true')) {
      failures.push(`${JSON.stringify(input)}: valid should be ${m.valid}`);
      continue;
    }
    if (!node) continue;
    valid++;
    // formatting round-trips to the same tree
    assert.deepEqual(parseMarker(formatMarker(node)), node, `${input} -> ${formatMarker(node)}`);
    for (const [col, extra] of EXTRA_COLUMNS) {
      const why = judge(evaluate(node, env, extra), r[col] as string, m[col] as string, stats);
      if (why) failures.push(`${JSON.stringify(input)} ${col}: ${why}`);
    }
  }
  report(t, `${valid} valid markers`, stats);
  assert.deepEqual(failures, []);
  assert.ok(valid >= 424);
});

test('old METADATA spellings: parenthesised specifier, space before the semicolon', () => {
  const six = parseRequirement('six (>=1.5)');
  assert.equal(six.name, 'six');
  assert.equal(six.specifier, '>=1.5');
  const r = parseRequirement('typing-extensions ; python_version < "3.8"');
  assert.equal(r.specifier, '');
  assert.equal(formatMarker(r.marker as MarkerNode), 'python_version < "3.8"');
  const both = parseRequirement("Django (>=1.4.2, !=1.5.0) ; extra == 'Web_UI'");
  assert.equal(both.specifier, '!=1.5.0,>=1.4.2');
  assert.deepEqual(markerExtras(both.marker as MarkerNode), ['web-ui']);
  assert.equal(formatRequirement(both), 'Django!=1.5.0,>=1.4.2; extra == "Web_UI"');
});

test('requirement fields: PEP 503 name, PEP 685 extras, URL, sorted clauses', () => {
  const r = parseRequirement('Foo.Bar__baz[Security, TESTS,security]>=2.8.1,==2.8.*;python_version<"2.7"');
  assert.equal(r.name, 'Foo.Bar__baz');
  assert.equal(r.normalizedName, 'foo-bar-baz');
  assert.deepEqual(r.extras, ['security', 'tests']);
  assert.equal(r.specifier, '==2.8.*,>=2.8.1');
  const u = parseRequirement('pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; python_version >= "3"');
  assert.equal(u.url, 'https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee');
  assert.equal(u.specifier, '');
  assert.equal(formatRequirement(u), 'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; python_version >= "3"');
  assert.equal(canonicalizeName('Ruamel.YAML'), 'ruamel-yaml');
});

test('malformed requirements throw METADATA_INVALID with a one-line message', () => {
  for (const s of [
    '',
    'this is not a valid requirement',
    'name (>= 1.0',
    'name[bar baz]',
    'name==1.0.org1',
    'demo===x,y',
    'name; os_name = "x"',
    'name\n>=1',
    'name >= 1.0 #',
    '-name',
    'name @',
  ]) {
    assert.throws(
      () => parseRequirement(s),
      (e: unknown) => invalidMetadata(e) && !(e as Error).message.includes('\n'),
      JSON.stringify(s),
    );
  }
});

test('marker evaluation: versions, strings, in / not in, extras', () => {
  const env = defaultMarkerEnvironment('3.11.2');
  assert.equal(env.python_version, '3.11');
  assert.equal(env.sys_platform, 'linux');
  assert.equal(env.platform_python_implementation, 'CPython');
  const yes = (m: string, extra?: string) => assert.equal(evaluateMarkerText(m, extra === undefined ? env : { ...env, extra }), true, m);
  const no = (m: string, extra?: string) => assert.equal(evaluateMarkerText(m, extra === undefined ? env : { ...env, extra }), false, m);
  yes('python_version >= "3.8"');
  no('python_version < "3.8"'); // asgiref's typing-extensions: no dependency on 3.11
  yes('python_version > "3.9"'); // 3.11 > 3.9 as versions, not as strings
  yes('python_version == "3.11.*"');
  yes('python_full_version ~= "3.11.0"');
  yes('python_full_version >= "3.11.0rc1"');
  no('python_version >= "3.12" or sys_platform == "win32"');
  yes('sys_platform == "linux" and (platform_machine == "x86_64" or platform_machine == "aarch64")');
  yes('"linux" in sys_platform');
  yes('platform_system not in "Windows Darwin"');
  yes('os.name == "posix"'); // PEP 345 spelling
  yes('platform_python_implementation == "CPython" and implementation_name == "cpython"');
  no('extra == "socks"');
  yes('extra == "socks"', 'socks');
  yes('extra == "Use_Chardet.On-Py3"', 'use-chardet-on-py3');
  yes('extra == "rest"', 'reST'); // rpc4django: reST in PKG-INFO, rest in METADATA
  no('python_version < "3" and extra == "socks"', 'socks');
  // string fallback when the left side is no version (PEP 508: Python's behaviour)
  const linux = { ...env, platform_release: '6.1.0-28-amd64' };
  assert.equal(evaluateMarkerText('platform_release >= "6"', linux), true);
  assert.equal(evaluateMarkerText('platform_release == "6.1.0-28-amd64"', linux), true);
  // ~= needs versions on both sides
  assert.throws(() => evaluateMarkerText('os_name ~= "posix"', env), invalidMetadata);
  // quoted strings are Python literals
  yes('os_name == "\\x70osix"');
  assert.throws(() => parseMarker('os_name == "\\x"'), invalidMetadata);
});

test('markerExtras and precedence: and binds tighter than or', () => {
  const m = parseMarker('extra == "a" or python_version < "3" and extra == "B_c"');
  assert.deepEqual(markerExtras(m), ['a', 'b-c']);
  assert.equal(m.type, 'or');
  assert.equal(formatMarker(m), 'extra == "a" or python_version < "3" and extra == "B_c"');
  assert.equal(formatMarker(parseMarker('(extra == "a" or extra == "b") and os_name == "posix"')), '(extra == "a" or extra == "b") and os_name == "posix"');
});

test('formatMarker round-trips values with quotes, backslashes and control characters', () => {
  for (const text of ['os_name == "a\\\\b"', '"\\x27\\x22" == os_name', 'os_name == "tab\\there"', 'os_name == \'say "hi"\'', 'os_name == "\\u00e9t\u00e9"']) {
    const node = parseMarker(text);
    assert.deepEqual(parseMarker(formatMarker(node)), node, `${text} -> ${formatMarker(node)}`);
  }
  const v = parseMarker('os_name == "a\\\\b"');
  assert.deepEqual(v.type === 'compare' && v.right, { type: 'string', value: 'a\\b' });
  assert.throws(() => parseMarker('os_name == "a\nb"'), invalidMetadata);
});

test('hostile input: long strings parse in linear time', () => {
  const started = Date.now();
  assert.throws(() => parseRequirement(`a${'-'.repeat(100_000)}`), invalidMetadata);
  assert.throws(() => parseRequirement(`name==${'1.'.repeat(50_000)}x`), invalidMetadata);
  assert.throws(() => parseRequirement(`name; ${'('.repeat(100_000)}`), invalidMetadata);
  assert.throws(() => parseRequirement(`name; ${'os_name == "a" or '.repeat(100_000)}os_name == "b"`), invalidMetadata);
  const big = parseRequirement(`name; ${'os_name == "a" or '.repeat(400)}os_name == "posix"`);
  assert.equal(evaluateMarker(big.marker as MarkerNode, defaultMarkerEnvironment('3.11.2')), true);
  assert.ok(Date.now() - started < 5000);
});
