/** ASCII armor for signatures (with the CRC-24 line older tools such as gpg 2.2 expect). */
export async function armorSignature(packet: Uint8Array): Promise<string> {
  const openpgp = await import('openpgp');
  return openpgp.armor(openpgp.enums.armor.signature, packet, undefined, undefined, undefined, true);
}

/** Binary packets of an armored or binary signature file. Throws on anything else. */
export async function signatureBytes(file: Uint8Array): Promise<Uint8Array> {
  const text = Buffer.from(file.subarray(0, 64)).toString('latin1');
  if (!text.includes('-----BEGIN PGP')) return file;
  const openpgp = await import('openpgp');
  const un = await openpgp.unarmor(Buffer.from(file).toString('utf8'));
  if (un.type !== openpgp.enums.armor.signature) throw new Error('armored block is not a signature');
  const chunks: Uint8Array[] = [];
  const reader = (un.data as ReadableStream<Uint8Array> | Uint8Array);
  if (reader instanceof Uint8Array) return reader;
  for await (const c of reader as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}
