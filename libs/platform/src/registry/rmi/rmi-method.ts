/**
 * Java methods as RMI names and marshals them: the JDK 1.2 stub protocol identifies a method by a 64-bit hash
 * (sun.rmi.server.Util.computeMethodHash: SHA-1 over DataOutputStream.writeUTF(name + descriptor), the first
 * 8 digest bytes taken little-endian: `hash += (long)(b[i] & 0xFF) << (i * 8)`), and marshals each argument by
 * its declared type: primitives as block data, everything else with writeObject (UnicastRef.marshalValue).
 *
 * JavaScript mapping: int/short/byte/float/double → number; long → number when it is a safe integer, else
 * bigint (exact; arguments accept number or bigint); boolean → boolean; char → one-character string;
 * String → string; boxed types → the primitive's mapping or null; void → undefined; other objects → the
 * generic {@link JavaObject} / {@link JavaArray} the reader produced (byte[] → Buffer).
 */
import { createHash } from 'node:crypto';
import { BOXED_CLASSES, JavaObject, encodeModifiedUtf8, type BoxedClassName, type JavaObjectReader, type JavaObjectWriter } from './java-serialization.js';

export class RmiSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RmiSignatureError';
  }
}

/** The JDK's method hash for `name + descriptor`, e.g. `greet(Ljava/lang/String;)Ljava/lang/String;`. */
export function computeMethodHash(nameAndDescriptor: string): bigint {
  const utf = encodeModifiedUtf8(nameAndDescriptor);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(utf.length, 0);
  const digest = createHash('sha1').update(length).update(utf).digest();
  let hash = 0n;
  for (let i = 0; i < 8; i++) hash += BigInt(digest[i]!) << BigInt(i * 8);
  return BigInt.asIntN(64, hash);
}

export interface MethodSignature {
  readonly name: string;
  readonly descriptor: string;
  /** JVM field descriptors of the parameters, e.g. `I`, `Ljava/lang/String;`. */
  readonly parameters: readonly string[];
  /** JVM descriptor of the return type (`V` for void). */
  readonly returns: string;
  readonly hash: bigint;
}

/** Parses a method descriptor such as `(Ljava/lang/String;I)J`. */
export function parseMethodSignature(name: string, descriptor: string): MethodSignature {
  const match = /^\((.*)\)(.+)$/.exec(descriptor);
  if (!match) throw new RmiSignatureError(`bad method descriptor "${descriptor}" for ${name} (expected e.g. "(Ljava/lang/String;I)J")`);
  const parameters: string[] = [];
  let rest = match[1]!;
  while (rest.length > 0) {
    const type = /^\[*(?:[BCDFIJSZ]|L[^;]+;)/.exec(rest);
    if (!type) throw new RmiSignatureError(`bad parameter types "${match[1]}" in the descriptor of ${name}`);
    parameters.push(type[0]);
    rest = rest.slice(type[0].length);
  }
  const returns = match[2]!;
  if (!/^(?:V|\[*(?:[BCDFIJSZ]|L[^;]+;))$/.test(returns)) throw new RmiSignatureError(`bad return type "${returns}" in the descriptor of ${name}`);
  return { name, descriptor, parameters, returns, hash: computeMethodHash(name + descriptor) };
}

/** The descriptor assumed for a method with no configured signature: every argument a String, a String back. */
export function defaultDescriptor(arity: number): string {
  return `(${'Ljava/lang/String;'.repeat(arity)})Ljava/lang/String;`;
}

const INT_RANGES: Record<string, [number, number]> = {
  I: [-0x80000000, 0x7fffffff],
  S: [-0x8000, 0x7fff],
  B: [-0x80, 0x7f],
};
const BOXED_BY_DESCRIPTOR: Record<string, BoxedClassName> = Object.fromEntries(
  Object.keys(BOXED_CLASSES).map((className) => [`L${className.replaceAll('.', '/')};`, className as BoxedClassName]),
);
const BOXED_PRIMITIVE: Record<BoxedClassName, string> = {
  'java.lang.Integer': 'I',
  'java.lang.Long': 'J',
  'java.lang.Short': 'S',
  'java.lang.Byte': 'B',
  'java.lang.Double': 'D',
  'java.lang.Float': 'F',
  'java.lang.Boolean': 'Z',
  'java.lang.Character': 'C',
};

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Checks a JS value against a primitive descriptor; returns the value to write. */
function primitiveValue(type: string, value: unknown, where: string): number | bigint | boolean | string {
  const fail = (expected: string): never => {
    throw new RmiSignatureError(`${where}: expected ${expected}, got ${typeName(value)} ${typeof value === 'bigint' || typeof value === 'number' ? String(value) : ''}`.trimEnd());
  };
  switch (type) {
    case 'I':
    case 'S':
    case 'B': {
      const [min, max] = INT_RANGES[type]!;
      const n = typeof value === 'bigint' && value >= BigInt(min) && value <= BigInt(max) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return fail(`an integer in [${min}, ${max}]`);
      return n;
    }
    case 'J': {
      if (typeof value === 'bigint') {
        if (BigInt.asIntN(64, value) !== value) return fail('a 64-bit integer');
        return value;
      }
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail('a safe integer or a bigint (long)');
      return BigInt(value);
    }
    case 'D':
    case 'F':
      if (typeof value !== 'number') return fail('a number');
      return value;
    case 'Z':
      if (typeof value !== 'boolean') return fail('a boolean');
      return value;
    case 'C':
      if (typeof value !== 'string' || value.length !== 1) return fail('a one-character string (char)');
      return value;
    default:
      throw new RmiSignatureError(`${where}: unsupported primitive type ${type}`);
  }
}

/** Marshals one argument of the given declared type. */
export function writeArgument(out: JavaObjectWriter, type: string, value: unknown, where: string): void {
  if (type.length === 1) {
    const v = primitiveValue(type, value, where);
    switch (type) {
      case 'I':
        out.writeInt(v as number);
        return;
      case 'S':
        out.writeShort(v as number);
        return;
      case 'B':
        out.writeByte(v as number);
        return;
      case 'J':
        out.writeLong(v as bigint);
        return;
      case 'D':
        out.writeDouble(v as number);
        return;
      case 'F':
        out.writeFloat(v as number);
        return;
      case 'Z':
        out.writeBoolean(v as boolean);
        return;
      case 'C':
        out.writeChar(v as string);
        return;
    }
  }
  if (type === 'Ljava/lang/String;') {
    if (value !== null && typeof value !== 'string') throw new RmiSignatureError(`${where}: expected a string or null, got ${typeName(value)}`);
    out.writeString(value);
    return;
  }
  const boxed = BOXED_BY_DESCRIPTOR[type];
  if (boxed) {
    if (value === null || value === undefined) out.writeNull();
    else {
      const v = primitiveValue(BOXED_PRIMITIVE[boxed], value, where);
      out.writeBoxed(boxed, v);
    }
    return;
  }
  if (type === 'Ljava/lang/Object;' || type === 'Ljava/io/Serializable;') {
    if (value === null || value === undefined) out.writeNull();
    else if (typeof value === 'string') out.writeString(value);
    else if (typeof value === 'boolean') out.writeBoxed('java.lang.Boolean', value);
    else if (typeof value === 'bigint') out.writeBoxed('java.lang.Long', primitiveValue('J', value, where));
    else if (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff) out.writeBoxed('java.lang.Integer', value);
    else if (typeof value === 'number') out.writeBoxed('java.lang.Double', value);
    else throw new RmiSignatureError(`${where}: cannot send a ${typeName(value)} as java.lang.Object (strings, numbers, bigints, booleans and null only)`);
    return;
  }
  throw new RmiSignatureError(`${where}: unsupported parameter type ${type} (supported: primitives, String, boxed primitives, Object)`);
}

/** A Java long as JS: a number when exact, else a bigint. */
export function longToJs(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Reads the raw return value of the declared type (what the transport scans for remote references). */
export function readReturnValue(input: JavaObjectReader, type: string): unknown {
  switch (type) {
    case 'V':
      return undefined;
    case 'I':
      return input.readInt();
    case 'S':
      return input.readShort();
    case 'B':
      return input.readByte();
    case 'J':
      return input.readLong();
    case 'D':
      return input.readDouble();
    case 'F':
      return input.readFloat();
    case 'Z':
      return input.readBoolean();
    case 'C':
      return input.readChar();
    default:
      return input.readObject();
  }
}

/** Converts a raw value (see {@link readReturnValue}) to its JS form: unboxes, maps longs. */
export function toJsValue(raw: unknown): unknown {
  if (typeof raw === 'bigint') return longToJs(raw);
  if (raw instanceof JavaObject && raw.className in BOXED_CLASSES) {
    const value = raw.field('value');
    return typeof value === 'bigint' ? longToJs(value) : value;
  }
  return raw;
}
