/**
 * Ready-to-use client configuration (pure): a deb822 `.sources` file for apt with the
 * repository key inline in Signed-By (apt >= 2.3.10; Debian 12 has 2.6), and a `.repo`
 * file for dnf/yum with package and metadata signature checks on.
 */

export interface AptSnippetInput {
  url: string;
  suite: string;
  components: string[];
  publicKeyArmored: string;
}

/** An armored key as a deb822 multi-line value: every line indented, empty lines as " .". */
export function foldedKey(armored: string): string {
  return armored
    .trim()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l.trimEnd()}`))
    .join('\n');
}

export function aptSourcesSnippet(i: AptSnippetInput): string {
  return [
    '# Written by py2pkg publish. Install as /etc/apt/sources.list.d/<name>.sources',
    'Types: deb',
    `URIs: ${i.url}`,
    `Suites: ${i.suite}`,
    `Components: ${i.components.join(' ')}`,
    'Signed-By:',
    foldedKey(i.publicKeyArmored),
    '',
  ].join('\n');
}

export interface YumSnippetInput {
  id: string;
  name: string;
  url: string;
}

export function yumRepoSnippet(i: YumSnippetInput): string {
  return [
    '# Written by py2pkg publish. Install as /etc/yum.repos.d/<name>.repo',
    `[${i.id}]`,
    `name=${i.name}`,
    `baseurl=${i.url}`,
    'enabled=1',
    'gpgcheck=1',
    'repo_gpgcheck=1',
    `gpgkey=${i.url}/key.asc`,
    '',
  ].join('\n');
}
