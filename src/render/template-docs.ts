/**
 * What a template can use: every variable each built-in template is given and every helper
 * of its format, as data (test/unit/templates.test.ts checks it against the real data
 * functions and helper tables), and the README.md `py2pkg templates export` writes from it.
 */
import { BUILTIN_TEMPLATES, type TemplateFormat } from './templates.js';

/** `untrusted`: text from the sdist, printable only through a helper. */
export type VariableKind = 'untrusted' | 'untrusted list' | 'text' | 'text list' | 'number' | 'list of objects';

export interface VariableDoc {
  name: string;
  kind: VariableKind;
  doc: string;
}

export const TEMPLATE_VARIABLES: Readonly<Record<string, readonly VariableDoc[]>> = {
  'deb/control.hbs': [
    { name: 'package', kind: 'text', doc: 'the Debian package name (python3-foo); print with {{pkgname package}}' },
    { name: 'version', kind: 'text', doc: 'the full Debian version ([epoch:]upstream-revision); {{debversion version}}' },
    { name: 'architecture', kind: 'text', doc: 'all, or the host architecture (amd64) for a package of compiled extension modules; {{pkgname architecture}}' },
    { name: 'maintainer', kind: 'untrusted', doc: 'Maintainer, "Name <email>"; {{maintainer maintainer}}' },
    { name: 'installedSize', kind: 'number', doc: 'Installed-Size in KiB; {{int installedSize}}' },
    { name: 'depends', kind: 'text list', doc: 'Depends relations; {{relations depends}}' },
    { name: 'suggests', kind: 'text list', doc: 'Suggests relations (the extras); {{relations suggests}}' },
    { name: 'homepage', kind: 'untrusted', doc: 'the project URL; {{homepageLine homepage}} writes "Homepage: URL" or nothing' },
    { name: 'summary', kind: 'untrusted', doc: 'the Summary; {{synopsis summary name}} (one line, < 80 columns)' },
    { name: 'name', kind: 'untrusted', doc: 'a synopsis fallback ("Python 3 distribution NAME")' },
    { name: 'description', kind: 'untrusted', doc: 'the long description as plain text (parsed, chosen, wrapped); {{folded description}}' },
  ],
  'deb/changelog.hbs': [
    { name: 'package', kind: 'text', doc: 'the Debian package name; {{pkgname package}}' },
    { name: 'version', kind: 'text', doc: 'the full Debian version; {{debversion version}}' },
    { name: 'distribution', kind: 'text', doc: "the target's distribution (bookworm, ...); {{field distribution}}" },
    {
      name: 'entries',
      kind: 'untrusted list',
      doc: 'the changelog lines (sdist, sha256, signature check, dependency notes); {{bullet this}} in {{#each entries}}',
    },
    { name: 'maintainer', kind: 'untrusted', doc: '{{maintainer maintainer}}' },
    { name: 'timestamp', kind: 'number', doc: 'SOURCE_DATE_EPOCH; {{date timestamp}}' },
  ],
  'deb/copyright.hbs': [
    { name: 'package', kind: 'text', doc: 'the Debian package name; {{pkgname package}}' },
    { name: 'upstreamName', kind: 'untrusted', doc: 'the project name; {{field upstreamName}}' },
    { name: 'upstreamContact', kind: 'untrusted', doc: "the author's e-mail, may be empty: {{#if (present upstreamContact)}}" },
    { name: 'source', kind: 'untrusted', doc: 'the project URL, may be empty; {{field source}}' },
    { name: 'sdistFilename', kind: 'untrusted', doc: 'the sdist file name; {{field sdistFilename}}' },
    { name: 'sdistSha256', kind: 'text', doc: "the sdist's sha256; {{field sdistSha256}}" },
    { name: 'copyright', kind: 'untrusted list', doc: 'the copyright notices ("2014 Foo"); {{lines copyright}}' },
    { name: 'licenseName', kind: 'untrusted', doc: 'the DEP-5 license expression (Apache-2.0 or BSD-2-clause); {{field licenseName}}' },
    { name: 'filesComment', kind: 'untrusted', doc: 'notes for the Files paragraph, may be empty; Comment:{{folded filesComment}}' },
    {
      name: 'licenses',
      kind: 'list of objects',
      doc: 'one {name, text} per license (both untrusted): {{field name}} and {{folded text}} in {{#each licenses}}',
    },
    {
      name: 'packagingCopyright',
      kind: 'untrusted',
      doc: 'the packaging notice ("2026 Ops <ops@example.org>": the year of SOURCE_DATE_EPOCH and the maintainer), may be empty; {{field packagingCopyright}}',
    },
  ],
  'deb/postinst.hbs': [
    { name: 'package', kind: 'text', doc: '{{pkgname package}}' },
    { name: 'siteDir', kind: 'text', doc: "the target's site directory; {{path siteDir}}" },
  ],
  'deb/prerm.hbs': [
    { name: 'package', kind: 'text', doc: '{{pkgname package}}' },
    { name: 'siteDir', kind: 'text', doc: "the target's site directory; {{path siteDir}}" },
  ],
  'rpm/package.spec.hbs': [
    { name: 'name', kind: 'text', doc: 'the RPM name; {{rpmname name}}' },
    { name: 'epoch', kind: 'text', doc: 'the epoch or empty: {{#if epoch}}Epoch: {{int epoch}}{{/if}}' },
    { name: 'version', kind: 'text', doc: '{{rpmversion version}}' },
    { name: 'release', kind: 'text', doc: '{{rpmrelease release}}' },
    { name: 'evr', kind: 'text', doc: '[epoch:]version-release; {{evr evr}}' },
    { name: 'summary', kind: 'untrusted', doc: '{{summary summary summaryFallback}}' },
    { name: 'summaryFallback', kind: 'untrusted', doc: 'used when the Summary is empty' },
    { name: 'license', kind: 'untrusted', doc: 'the SPDX expression; {{tag license}}' },
    { name: 'url', kind: 'untrusted', doc: '{{urlLine url}} writes "URL: ..." or nothing' },
    { name: 'packager', kind: 'untrusted', doc: '{{tag packager}}' },
    { name: 'provides', kind: 'text list', doc: '{{dep this}} in {{#each provides}}' },
    { name: 'requires', kind: 'text list', doc: '{{dep this}} in {{#each requires}}' },
    { name: 'suggests', kind: 'text list', doc: '{{dep this}} in {{#each suggests}}' },
    { name: 'description', kind: 'untrusted', doc: 'the long description as plain text; {{description description descriptionFallback}}' },
    { name: 'descriptionFallback', kind: 'untrusted', doc: 'used when the description is empty' },
    { name: 'files', kind: 'list of objects', doc: 'the %files entries; {{fileEntry this}} in {{#each files}}' },
    { name: 'timestamp', kind: 'number', doc: 'SOURCE_DATE_EPOCH; {{specDate timestamp}}' },
    { name: 'changelog', kind: 'untrusted list', doc: '{{changelogItem this}} in {{#each changelog}}' },
  ],
};

export const HELPER_DOCS: Readonly<Record<TemplateFormat, Readonly<Record<string, string>>>> = {
  deb: {
    present: '(present x): true when x holds text other than blanks, for {{#if}}',
    field: 'a one-line field value: control characters and newlines become spaces',
    lines: 'a multi-line field from a list: the first item, then one continuation line (" item") each',
    synopsis: '(synopsis summary fallback): a Description synopsis, one line under 80 columns, no article, no final dot',
    folded: 'a multi-line field body: every line indented one space, blank lines as " .", wrapped at 80 columns',
    maintainer: 'a checked "Name <email>"',
    pkgname: 'a checked Debian package name (also safe in shell)',
    debversion: 'a checked Debian version',
    int: 'a checked whole number',
    relations: 'a list of checked dependency relations, comma-separated',
    homepageLine: '"Homepage: URL\\n" for an http(s) URL, else nothing',
    path: 'a checked absolute path (safe in shell)',
    date: 'an RFC 2822 date from seconds since the epoch',
    bullet: 'a changelog bullet, "  * text", wrapped',
  },
  rpm: {
    present: '(present x): true when x holds text other than blanks, for {{#if}}',
    tag: 'a one-line tag value, % written %%',
    summary: '(summary s fallback): the Summary tag, one line of at most 79 columns, % escaped',
    description: '(description d fallback): %description text, wrapped at 79, lines rpm would read as a section or comment guarded, % escaped',
    changelogItem: 'a %changelog item "- text", wrapped, escaped',
    specDate: 'the %changelog date from seconds since the epoch',
    rpmname: 'a checked RPM name',
    rpmversion: 'a checked RPM version',
    rpmrelease: 'a checked RPM release',
    evr: 'a checked [epoch:]version-release',
    int: 'a checked whole number',
    dep: 'a checked dependency (simple or rich)',
    urlLine: '"URL: ...\\n" for an http(s) URL, else nothing',
    fileEntry: 'a %files line from a files entry: the directive and the quoted, escaped path',
  },
};

const code = (doc: string): string => doc.replace(/\|/g, '\\|').replace(/\{\{[^}]*\}\}/g, (m) => `\`${m}\``);

export function templatesReadme(): string {
  const out: string[] = [
    '# py2pkg templates',
    '',
    'Written by `py2pkg templates export`: the built-in templates py2pkg renders packages with.',
    'Edit a copy and pass the directory with `--templates DIR` (or `templates = "DIR"` in the',
    'config file, relative to the config file): a file there replaces the built-in template of the',
    'same path (`deb/control.hbs`, `rpm/package.spec.hbs`, ...); the others stay built in. A `.hbs`',
    'file that replaces no built-in template is an error. The sha256 of the templates used is',
    "recorded in the package's provenance.json (`templates.digest`, `templates.source`).",
    '',
    'They are [Handlebars](https://handlebarsjs.com/) templates, rendered with HTML escaping off',
    'and in strict mode (a misspelt variable is an error). Every value that came from the sdist',
    'is *untrusted*: it cannot be printed as `{{x}}` — the conversion stops with a TEMPLATE',
    'error naming your file — only through a helper that escapes it for where it lands',
    '(`{{field x}}` in a control file, `{{tag x}}` in a spec, ...). Values marked *text* are',
    "made by py2pkg and checked; print them through their helper too. Handlebars' built-in",
    'block helpers (`if`, `unless`, `each`, `with`) work; `log` is removed.',
    '',
  ];
  for (const format of ['deb', 'rpm'] as const) {
    for (const rel of BUILTIN_TEMPLATES[format]) {
      out.push(`## ${rel}`, '', '| variable | kind | use |', '|---|---|---|');
      for (const v of TEMPLATE_VARIABLES[rel] ?? []) out.push(`| \`${v.name}\` | ${v.kind} | ${code(v.doc)} |`);
      out.push('');
    }
    out.push(`## Helpers of the ${format} templates`, '', '| helper | what it writes |', '|---|---|');
    for (const [name, doc] of Object.entries(HELPER_DOCS[format])) out.push(`| \`${name}\` | ${code(doc)} |`);
    out.push('');
  }
  return `${out.join('\n')}`;
}
