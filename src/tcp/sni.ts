/**
 * The server name (SNI) of a TLS ClientHello, read without terminating TLS (passthrough routing).
 * `parseClientHello` looks at the bytes received so far: 'more' = not complete yet, 'invalid' = not a
 * TLS handshake (or malformed), else the name ('' when the hello carries none).
 */
export const MAX_HELLO_BYTES = 16 * 1024;

export function parseClientHello(buf: Buffer): string | 'more' | 'invalid' {
  if (buf.length < 5) return 'more';
  if (buf[0] !== 0x16 || buf[1] !== 0x03) return 'invalid'; // handshake record, TLS 1.x
  const recordLen = buf.readUInt16BE(3);
  if (recordLen > MAX_HELLO_BYTES) return 'invalid';
  if (buf.length < 5 + recordLen) return 'more';
  const rec = buf.subarray(5, 5 + recordLen);
  let p = 0;
  const need = (n: number): boolean => p + n <= rec.length;
  if (!need(4) || rec[0] !== 0x01) return 'invalid'; // ClientHello
  p = 4 + 2 + 32; // type+length, version, random
  if (!need(1)) return 'invalid';
  p += 1 + rec[p]!; // session id
  if (!need(2)) return 'invalid';
  p += 2 + rec.readUInt16BE(p); // cipher suites
  if (!need(1)) return 'invalid';
  p += 1 + rec[p]!; // compression methods
  if (p === rec.length) return '';
  if (!need(2)) return 'invalid';
  const extEnd = p + 2 + rec.readUInt16BE(p);
  p += 2;
  if (extEnd > rec.length) return 'invalid';
  while (p + 4 <= extEnd) {
    const type = rec.readUInt16BE(p);
    const len = rec.readUInt16BE(p + 2);
    p += 4;
    if (p + len > extEnd) return 'invalid';
    if (type === 0) {
      // server_name: list length, then entries (type 0 = host_name)
      let q = p + 2;
      while (q + 3 <= p + len) {
        const nameType = rec[q]!;
        const nameLen = rec.readUInt16BE(q + 1);
        q += 3;
        if (q + nameLen > p + len) return 'invalid';
        if (nameType === 0)
          return rec
            .subarray(q, q + nameLen)
            .toString('ascii')
            .toLowerCase();
        q += nameLen;
      }
      return '';
    }
    p += len;
  }
  return '';
}
