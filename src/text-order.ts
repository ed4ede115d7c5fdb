/**
 * One order for text py2pkg writes (lock files, SBOMs, reports, repository indexes): by UTF-16
 * code unit, as `<` compares. `String.prototype.localeCompare` follows the ICU locale node takes
 * from LANG/LC_ALL (under sv_SE "ä" sorts after "z", under de_DE before "b"), so a file sorted
 * with it differs between two machines; it is also ≈20× slower on long lists.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
