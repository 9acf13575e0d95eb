import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's message signatures and its "safe mode" encryption (消息加解密), as pure functions over `node:crypto`.
 *
 * Signature: sha1 (hex) of the parts sorted as strings and joined — `[token, timestamp, nonce]` for the URL check and
 * plain messages, with the `Encrypt` text added for `msg_signature`. Encryption: AES-256-CBC, key = base64 of the
 * 43-character EncodingAESKey plus "=", IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks (not AES's
 * 16: WeChat's samples pad that way), plaintext = 16 random bytes, the message's length in 4 bytes big-endian, the
 * message, the app id.
 */

/** WeChat pads to this block size (its samples' PKCS#7 variant), though AES's block is 16. */
const PAD_BLOCK = 32;

/** The sha1 hex signature of the parts, sorted and joined as WeChat does. */
export function wechatSignature(parts: readonly string[]): string {
  // Plain code-unit order, as the samples' sort() and Arrays.sort() use, not a locale collation.
  const sorted = [...parts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(sorted.join(''), 'utf8').digest('hex');
}

/** Whether `signature` is the sha1 of the sorted parts; constant-time, and false for anything malformed. */
export function signatureMatches(parts: readonly string[], signature: unknown): boolean {
  if (typeof signature !== 'string' || !/^[0-9a-fA-F]{40}$/.test(signature)) return false;
  const expected = Buffer.from(wechatSignature(parts), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** The AES key and IV of an EncodingAESKey (43 base64 characters). */
export interface WeChatAesKey {
  key: Buffer;
  iv: Buffer;
}

/** Decodes the EncodingAESKey; throws when it is not 43 characters that decode to 32 bytes. */
export function aesKeyFrom(encodingAesKey: string): WeChatAesKey {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new Error('an EncodingAESKey has 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('an EncodingAESKey decodes to 32 bytes');
  return { key, iv: key.subarray(0, 16) };
}

/** PKCS#7 padding to WeChat's 32-byte blocks (a whole block when the length is already a multiple). */
export function pkcs7Pad(data: Buffer, block = PAD_BLOCK): Buffer {
  const n = block - (data.length % block);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** Removes PKCS#7 padding of up to 32 bytes; throws when the padding is not well-formed. */
export function pkcs7Unpad(data: Buffer, block = PAD_BLOCK): Buffer {
  const n = data.length > 0 ? data[data.length - 1] : 0;
  if (n < 1 || n > block || n > data.length) throw new Error('bad padding');
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) throw new Error('bad padding');
  return data.subarray(0, data.length - n);
}

/** Encrypts a message for WeChat: base64 of AES-256-CBC over random(16) + length(4, BE) + message + appId. */
export function encryptMessage(aes: WeChatAesKey, appId: string, message: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new Error('the random prefix has 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(appId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', aes.key, aes.iv);
  // The padding is WeChat's 32-byte one, added above.
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** A decrypted message and the app id it was encrypted for. */
export interface DecryptedMessage {
  message: string;
  appId: string;
}

/** Decrypts WeChat's `Encrypt` text; throws on anything that is not a well-formed encrypted message. */
export function decryptMessage(aes: WeChatAesKey, encrypted: string): DecryptedMessage {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw new Error('not base64');
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new Error('not whole AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', aes.key, aes.iv);
  decipher.setAutoPadding(false);
  const plain = pkcs7Unpad(Buffer.concat([decipher.update(data), decipher.final()]));
  if (plain.length < 20) throw new Error('too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new Error('the length runs past the end');
  return { message: plain.subarray(20, 20 + length).toString('utf8'), appId: plain.subarray(20 + length).toString('utf8') };
}
