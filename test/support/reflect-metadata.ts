/**
 * TEST-ONLY. The few Reflect metadata calls @peculiar/x509's dependency injection (tsyringe)
 * makes at load time (getMetadata, getOwnMetadata, defineMetadata on classes), so the test
 * Sigstore instance can use @peculiar/x509 without adding the reflect-metadata package. Import
 * it before @peculiar/x509. Installs nothing if a real polyfill is already there.
 */
type Store = Map<unknown, unknown>;
const stores = new WeakMap<object, Store>();
const own = (target: object): Store => {
  let s = stores.get(target);
  if (!s) stores.set(target, (s = new Map()));
  return s;
};
const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: unknown, value: unknown, target: object): void => void own(target).set(key, value);
  R.getOwnMetadata = (key: unknown, target: object): unknown => stores.get(target)?.get(key);
  R.getMetadata = (key: unknown, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const s = stores.get(t);
      if (s?.has(key)) return s.get(key);
    }
    return undefined;
  };
}
export {};
