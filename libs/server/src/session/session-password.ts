/**
 * Session passwords as Apache ZooKeeper derives them: 16 bytes from java.util.Random seeded with
 * sessionId ^ 0xB3415C00. Any member can recompute a session's password, so no secret needs to be
 * replicated, and a mixed Java/Paddock deployment would agree.
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK48 = (1n << 48n) - 1n;
const SESSION_SEED_SALT = 0xb3415c00n;

export function sessionPassword(sessionId: bigint): Buffer {
  let seed = (BigInt.asIntN(64, sessionId ^ SESSION_SEED_SALT) ^ MULTIPLIER) & MASK48;
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; ) {
    seed = (seed * MULTIPLIER + ADDEND) & MASK48;
    let rnd = Number(BigInt.asIntN(32, seed >> 16n));
    for (let n = Math.min(16 - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
  }
  return out;
}

export function passwordMatches(sessionId: bigint, passwd: Buffer | null): boolean {
  return passwd !== null && passwd.length === 16 && sessionPassword(sessionId).equals(passwd);
}
