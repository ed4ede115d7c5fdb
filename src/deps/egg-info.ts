/**
 * `*.egg-info/requires.txt` (setuptools' older way of recording dependencies) -> the
 * Requires-Dist lines the same project writes into a wheel's METADATA: a `[extra]` section's
 * entries get `; extra == "extra"`, `[:marker]` gets `; marker`, `[extra:marker]` gets
 * `; (marker) and extra == "extra"`. Pure function; the lines still go through the PEP 508 parser.
 */
export function requiresTxtToRequiresDist(text: string): string[] {
  const out: string[] = [];
  let extra = '';
  let marker = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const section = /^\[([^\]]*)\]$/.exec(line);
    if (section) {
      const body = (section[1] as string).trim();
      const colon = body.indexOf(':');
      extra = (colon < 0 ? body : body.slice(0, colon)).trim();
      marker = colon < 0 ? '' : body.slice(colon + 1).trim();
      continue;
    }
    const conditions: string[] = [];
    if (marker) conditions.push(extra ? `(${marker})` : marker);
    if (extra) conditions.push(`extra == "${extra}"`);
    out.push(conditions.length > 0 ? `${line}; ${conditions.join(' and ')}` : line);
  }
  return out;
}
