import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyrightData, licenseName } from '../../src/formats/deb-copyright.js';
import { commonLicenseReference, debianExpression, debianLicenseName } from '../../src/license/debian.js';
import { identifyLicense } from '../../src/license/identify.js';
import { licenseBody, noticeOf, noticesIn } from '../../src/license/notices.js';
import { projectLicense } from '../../src/license/spdx.js';
import { Untrusted } from '../../src/render/engine.js';
import type { Provenance, PythonMetadata } from '../../src/types.js';
import { repoRoot } from '../support/project.js';
import { demoMetadata } from '../support/demo-metadata.js';

const common = (name: string) => readFileSync(`/usr/share/common-licenses/${name}`, 'utf8');
const flitdemo = (name: string) => ({ name, text: readFileSync(join(repoRoot, 'fixtures/projects/flitdemo', name), 'utf8') });
const mit = { name: 'LICENSE', text: readFileSync(join(repoRoot, 'fixtures/projects/rpc4django/LICENSE'), 'utf8') };

const meta = (over: Partial<PythonMetadata> = {}): PythonMetadata => demoMetadata({ name: 'demo', version: '1.0', summary: 's', ...over });
const provenance: Provenance = {
  sdist: { filename: 'demo-1.0.tar.gz', sha256: 'a'.repeat(64), size: 1 },
  unsigned: true,
  verification: { method: 'none', reason: 't' },
  verifiedAt: '2026-01-01T00:00:00.000Z',
};

test("identifyLicense: the texts base-files ships and the fixtures' own", () => {
  assert.equal(identifyLicense(common('Apache-2.0')), 'Apache-2.0');
  assert.equal(identifyLicense(common('GPL-2')), 'GPL-2.0-only');
  assert.equal(identifyLicense(common('GPL-3')), 'GPL-3.0-only');
  assert.equal(identifyLicense(common('LGPL-2.1')), 'LGPL-2.1-only');
  assert.equal(identifyLicense(common('LGPL-3')), 'LGPL-3.0-only');
  assert.equal(identifyLicense(common('MPL-2.0')), 'MPL-2.0');
  assert.equal(identifyLicense(common('BSD')), 'BSD-3-Clause');
  assert.equal(identifyLicense(flitdemo('LICENSE.BSD').text), 'BSD-2-Clause');
  assert.equal(identifyLicense(mit.text), 'MIT');
  assert.equal(identifyLicense(flitdemo('LICENSE').text), undefined);
});

test('debian names: SPDX -> DEP-5 short names and syntax; common-licenses references', () => {
  assert.equal(debianLicenseName('MIT'), 'Expat');
  assert.equal(debianLicenseName('GPL-2.0-or-later'), 'GPL-2+');
  assert.equal(debianLicenseName('GPL-2.0-only'), 'GPL-2');
  assert.equal(debianLicenseName('LGPL-2.1-or-later'), 'LGPL-2.1+');
  assert.equal(debianLicenseName('LGPL-2.0-only'), 'LGPL-2');
  assert.equal(debianLicenseName('GPL-3.0+'), 'GPL-3+');
  assert.equal(debianLicenseName('BSD-3-Clause'), 'BSD-3-clause');
  assert.equal(debianLicenseName('PSF-2.0'), 'PSF-2');
  assert.equal(debianExpression('Apache-2.0 OR BSD-2-Clause'), 'Apache-2.0 or BSD-2-clause');
  assert.equal(debianExpression('(MIT OR Apache-2.0) AND BSD-3-Clause'), 'Expat or Apache-2.0, and BSD-3-clause');
  assert.equal(debianExpression('GPL-2.0-or-later WITH Classpath-exception-2.0'), 'GPL-2+ with Classpath exception');
  assert.equal(
    commonLicenseReference('Apache-2.0'),
    'On Debian systems, the complete text of the Apache License, Version 2.0 can be found in "/usr/share/common-licenses/Apache-2.0".',
  );
  assert.match(commonLicenseReference('GPL-2+') ?? '', /any later version can be found in "\/usr\/share\/common-licenses\/GPL-2"/);
  assert.equal(commonLicenseReference('Expat'), undefined);
});

test('notices: "Copyright (c) 2014 Foo" -> "2014 Foo"; placeholders, mentions and the FSF\'s own notice are not notices', () => {
  assert.equal(noticeOf('Copyright (c) 2026 py2pkg test fixture'), '2026 py2pkg test fixture');
  assert.equal(
    noticeOf('# Copyright 2014-2019 Donald Stufft and individual contributors. All rights reserved.'),
    '2014-2019 Donald Stufft and individual contributors',
  );
  assert.equal(noticeOf(' * Copyright © Jane Doe <jane@example.org>'), 'Jane Doe <jane@example.org>');
  assert.equal(noticeOf('Copyright Jason R. Coombs'), 'Jason R. Coombs');
  assert.equal(noticeOf('Copyright [yyyy] [name of copyright owner]'), undefined);
  assert.equal(noticeOf('Copyright (C) <year>  <name of author>'), undefined);
  assert.equal(noticeOf('copyright notice and this permission notice shall be included'), undefined);
  assert.equal(noticeOf('Copyright holders and contributors'), undefined);
  assert.deepEqual(noticesIn(common('GPL-2'), { licenseText: true }), []);
  assert.deepEqual(noticesIn(common('Apache-2.0')), []);
  assert.equal(licenseBody(mit.text).split('\n')[0], 'Permission is hereby granted, free of charge, to any person obtaining a copy');
});

test('projectLicense: License-Expression, else classifiers (a choice in a license file -> OR, generic BSD refined), else files', () => {
  const texts = ['LICENSE', 'LICENSE.APACHE', 'LICENSE.BSD'].map(flitdemo);
  const classifiers = ['License :: OSI Approved :: Apache Software License', 'License :: OSI Approved :: BSD License'];
  assert.equal(projectLicense(meta({ classifiers }), texts), 'Apache-2.0 OR BSD-2-Clause');
  assert.equal(projectLicense(meta({ classifiers })), 'Apache-2.0 AND BSD-3-Clause');
  assert.equal(projectLicense(meta({ licenseExpression: 'MIT OR Apache-2.0', classifiers })), 'MIT OR Apache-2.0');
  assert.equal(projectLicense(meta({ license: 'UNKNOWN', classifiers: ['License :: OSI Approved :: MIT License'] })), 'MIT');
  assert.equal(projectLicense(meta(), [mit]), 'MIT');
  assert.equal(projectLicense(meta()), 'LicenseRef-Unknown');
});

test("copyrightData: packaging 23.0's shape -> Apache reference, BSD-2 text, the notice from LICENSE.BSD, the pointer file as a comment", () => {
  const texts = ['LICENSE', 'LICENSE.APACHE', 'LICENSE.BSD'].map(flitdemo);
  const m = meta({ classifiers: ['License :: OSI Approved :: Apache Software License', 'License :: OSI Approved :: BSD License'], author: 'Someone Else' });
  const d = copyrightData(m, provenance, texts, ['2026 py2pkg test fixture and individual contributors', '2025 Other Person']);
  const text = (u: unknown) => Untrusted.text(u as Untrusted);
  assert.deepEqual((d.copyright as Untrusted[]).map(text), ['2026 py2pkg test fixture and individual contributors', '2025 Other Person']);
  assert.equal(text(d.licenseName), 'Apache-2.0 or BSD-2-clause');
  const licenses = d.licenses as Array<{ name: Untrusted; text: Untrusted }>;
  assert.deepEqual(
    licenses.map((l) => text(l.name)),
    ['Apache-2.0', 'BSD-2-clause'],
  );
  assert.match(text(licenses[0]?.text), /^On Debian systems, .*common-licenses\/Apache-2\.0/);
  assert.doesNotMatch(text(licenses[0]?.text), /TERMS AND CONDITIONS/);
  assert.match(text(licenses[1]?.text), /^Redistribution and use in source and binary forms/);
  assert.doesNotMatch(text(licenses[1]?.text), /Copyright|All rights reserved/);
  assert.match(text(d.filesComment), /^LICENSE: This software is made available under the terms of \*either\*/);
  // no notice anywhere: the author, marked as such
  const fallback = copyrightData(meta({ author: 'Jane Doe', license: 'MIT' }), provenance, []);
  assert.deepEqual((fallback.copyright as Untrusted[]).map(text), ['Jane Doe']);
  assert.match(text(fallback.filesComment), /carry no copyright notice: the holder above is the upstream author named in the package metadata/);
  assert.equal(text((fallback.licenses as Array<{ text: Untrusted }>)[0]?.text), 'The upstream metadata names this license but the sdist ships no text of it.');
  assert.equal(licenseName(meta({ license: 'Custom Corp License 1' })), 'Custom-Corp-License-1');
});
