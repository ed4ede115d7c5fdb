import { loadOpenpgp } from './openpgp-lib.js';

/** ASCII armor for signatures (with the CRC-24 line older tools such as gpg 2.2 expect). */
export async function armorSignature(packet: Uint8Array): Promise<string> {
  const openpgp = await loadOpenpgp();
  return openpgp.armor(openpgp.enums.armor.signature, packet, undefined, undefined, undefined, true);
}
