/**
 * PEM checks at config load: a file that is not a certificate (bundle) or a private key is a located
 * config error here, not a TLS handshake failure on the first request.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM bundle; throws a message (without the file's content) when there is none or one is invalid. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('no PEM certificate (-----BEGIN CERTIFICATE-----) in the file');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (e) {
      throw new Error(`certificate #${i + 1} is not valid: ${(e as Error).message}`);
    }
  });
}

export function parsePrivateKey(pem: string): KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new Error('no PEM private key (-----BEGIN … PRIVATE KEY-----) in the file');
  }
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new Error(`the private key is not valid: ${(e as Error).message}`);
  }
}
