/**
 * A minimal reader/writer for the Java Object Serialization Stream Protocol (Java Object Serialization
 * Specification, chapter 6), enough for Java RMI calls: block data for primitives, strings (modified UTF-8),
 * null, back-references, class descriptors (plain and proxy, with class annotations), objects whose classes
 * have custom `writeObject` data, arrays and enums.
 *
 * The reader is generic: it keeps every object it meets as a {@link JavaObject} (its class chain, the field
 * values per class and the custom data each class wrote), so callers can pick out what they need (a remote
 * reference inside a stub, an exception's class and message) without knowing the rest of the graph.
 *
 * Values: int/short/byte → number, long → bigint, float/double → number, boolean → boolean, char → one-character
 * string, String → string, null → null, byte[] → Buffer, other arrays → {@link JavaArray}.
 */

export const STREAM_MAGIC = 0xaced;
export const STREAM_VERSION = 5;

export const TC_NULL = 0x70;
export const TC_REFERENCE = 0x71;
export const TC_CLASSDESC = 0x72;
export const TC_OBJECT = 0x73;
export const TC_STRING = 0x74;
export const TC_ARRAY = 0x75;
export const TC_CLASS = 0x76;
export const TC_BLOCKDATA = 0x77;
export const TC_ENDBLOCKDATA = 0x78;
export const TC_RESET = 0x79;
export const TC_BLOCKDATALONG = 0x7a;
export const TC_EXCEPTION = 0x7b;
export const TC_LONGSTRING = 0x7c;
export const TC_PROXYCLASSDESC = 0x7d;
export const TC_ENUM = 0x7e;

const BASE_WIRE_HANDLE = 0x7e0000;

export const SC_WRITE_METHOD = 0x01;
export const SC_SERIALIZABLE = 0x02;
export const SC_EXTERNALIZABLE = 0x04;
export const SC_BLOCK_DATA = 0x08;
export const SC_ENUM = 0x10;

/** Thrown when the buffer ends before the stream does: feed more bytes and parse again. */
export class IncompleteStreamError extends Error {
  constructor() {
    super('the serialization stream ended early');
    this.name = 'IncompleteStreamError';
  }
}

export class JavaStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JavaStreamError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// modified UTF-8 (DataInput.readUTF / DataOutput.writeUTF): U+0000 as C0 80, UTF-16 code units encoded one by one

export function encodeModifiedUtf8(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x01 && c <= 0x7f) bytes.push(c);
    else if (c <= 0x7ff) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(bytes);
}

export function decodeModifiedUtf8(bytes: Buffer): string {
  const units: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const a = bytes[i]!;
    if (a < 0x80) {
      units.push(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0) {
      const b = bytes[i + 1];
      if (b === undefined || (b & 0xc0) !== 0x80) throw new JavaStreamError(`malformed modified UTF-8 at byte ${i}`);
      units.push(((a & 0x1f) << 6) | (b & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0) {
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      if (b === undefined || c === undefined || (b & 0xc0) !== 0x80 || (c & 0xc0) !== 0x80) throw new JavaStreamError(`malformed modified UTF-8 at byte ${i}`);
      units.push(((a & 0x0f) << 12) | ((b & 0x3f) << 6) | (c & 0x3f));
      i += 3;
    } else {
      throw new JavaStreamError(`malformed modified UTF-8 at byte ${i}`);
    }
  }
  let out = '';
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// the object model the reader produces

export interface JavaFieldDesc {
  /** The type code: B C D F I J S Z, L (object) or [ (array). */
  readonly typeCode: string;
  readonly name: string;
  /** For L and [ fields: the JVM type signature, e.g. `Ljava/lang/String;`. */
  readonly typeSignature?: string;
}

export interface JavaClassDesc {
  readonly kind: 'class' | 'proxy';
  /** The class name; for a proxy class, `$Proxy` plus its interfaces. */
  readonly name: string;
  readonly serialVersionUID: bigint;
  readonly flags: number;
  readonly fields: readonly JavaFieldDesc[];
  /** For proxy classes: the interface names. */
  readonly interfaces: readonly string[];
  /** What annotateClass/annotateProxyClass wrote (RMI writes the codebase, usually null). */
  readonly annotation: readonly unknown[];
  readonly superDesc: JavaClassDesc | null;
}

/** The data one class of an object's hierarchy wrote: its fields, and what its writeObject wrote after them. */
export interface JavaClassData {
  readonly fields: Record<string, unknown>;
  /** Custom data (SC_WRITE_METHOD or block-data externalizable): Buffers of block data and objects, in order. */
  readonly annotation: readonly unknown[] | undefined;
}

export class JavaObject {
  /** Per class name, from the topmost serializable superclass down to the object's class. */
  readonly classData = new Map<string, JavaClassData>();

  constructor(readonly classDesc: JavaClassDesc) {}

  get className(): string {
    return this.classDesc.name;
  }

  /** The class chain, the object's own class first. */
  classChain(): JavaClassDesc[] {
    const chain: JavaClassDesc[] = [];
    for (let d: JavaClassDesc | null = this.classDesc; d; d = d.superDesc) chain.push(d);
    return chain;
  }

  /** The first field with this name, looking from the object's class up. */
  field(name: string): unknown {
    for (const desc of this.classChain()) {
      const data = this.classData.get(desc.name);
      if (data && Object.prototype.hasOwnProperty.call(data.fields, name)) return data.fields[name];
    }
    return undefined;
  }

  /** Whether `className` is the object's class or one of its serializable superclasses. */
  isA(className: string): boolean {
    return this.classChain().some((d) => d.name === className);
  }
}

export class JavaArray {
  constructor(
    readonly className: string,
    readonly values: unknown[],
  ) {}
}

export class JavaEnum {
  constructor(
    readonly className: string,
    readonly constant: string,
  ) {}
}

export class JavaClassObject {
  constructor(readonly classDesc: JavaClassDesc) {}
}

// ---------------------------------------------------------------------------------------------------------
// primitive input over a source of bytes

/** DataInput over some source of bytes (a block-data stream, or a class's custom data). */
export abstract class PrimitiveInput {
  protected abstract take(length: number): Buffer;

  readByte(): number {
    return this.take(1).readInt8(0);
  }
  readUnsignedByte(): number {
    return this.take(1)[0]!;
  }
  readBoolean(): boolean {
    return this.take(1)[0] !== 0;
  }
  readShort(): number {
    return this.take(2).readInt16BE(0);
  }
  readUnsignedShort(): number {
    return this.take(2).readUInt16BE(0);
  }
  readChar(): string {
    return String.fromCharCode(this.take(2).readUInt16BE(0));
  }
  readInt(): number {
    return this.take(4).readInt32BE(0);
  }
  readLong(): bigint {
    return this.take(8).readBigInt64BE(0);
  }
  readFloat(): number {
    return this.take(4).readFloatBE(0);
  }
  readDouble(): number {
    return this.take(8).readDoubleBE(0);
  }
  readUTF(): string {
    const length = this.readUnsignedShort();
    return decodeModifiedUtf8(this.take(length));
  }
  readFully(length: number): Buffer {
    return Buffer.from(this.take(length));
  }
}

/** Reads the custom data a class wrote (block data and objects, as the reader collected them). */
export class AnnotationInput extends PrimitiveInput {
  private index = 0;
  private offset = 0;

  constructor(private readonly items: readonly unknown[]) {
    super();
  }

  protected take(length: number): Buffer {
    const parts: Buffer[] = [];
    let needed = length;
    while (needed > 0) {
      const item = this.items[this.index];
      if (!Buffer.isBuffer(item)) throw new JavaStreamError(item === undefined ? 'custom data ended early' : 'expected primitive data in custom data, found an object');
      const n = Math.min(needed, item.length - this.offset);
      parts.push(item.subarray(this.offset, this.offset + n));
      this.offset += n;
      needed -= n;
      if (this.offset === item.length) {
        this.index += 1;
        this.offset = 0;
      }
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The next object in the custom data. */
  readObject(): unknown {
    const item = this.items[this.index];
    if (item === undefined) throw new JavaStreamError('custom data ended early');
    if (Buffer.isBuffer(item)) throw new JavaStreamError('expected an object in custom data, found primitive data');
    this.index += 1;
    return item;
  }
}

// ---------------------------------------------------------------------------------------------------------
// the stream reader

/** Reads one Java serialization stream from a buffer (the top level in block-data mode, as ObjectInputStream). */
export class JavaObjectReader extends PrimitiveInput {
  private pos: number;
  private blockRemaining = 0;
  private handles: unknown[] = [];

  constructor(
    private readonly buf: Buffer,
    offset = 0,
  ) {
    super();
    this.pos = offset;
  }

  /** The offset just after what has been read. */
  get position(): number {
    return this.pos;
  }

  readStreamHeader(): void {
    const magic = this.raw(2).readUInt16BE(0);
    const version = this.raw(2).readUInt16BE(0);
    if (magic !== STREAM_MAGIC || version !== STREAM_VERSION) {
      throw new JavaStreamError(`not a Java serialization stream (header 0x${magic.toString(16)} 0x${version.toString(16)})`);
    }
  }

  /** Top-level primitive data: comes from TC_BLOCKDATA / TC_BLOCKDATALONG records. */
  protected take(length: number): Buffer {
    const parts: Buffer[] = [];
    let needed = length;
    while (needed > 0) {
      if (this.blockRemaining === 0) this.openBlock();
      const n = Math.min(needed, this.blockRemaining);
      parts.push(this.raw(n));
      this.blockRemaining -= n;
      needed -= n;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private openBlock(): void {
    for (;;) {
      const tc = this.rawByte();
      if (tc === TC_BLOCKDATA) this.blockRemaining = this.rawByte();
      else if (tc === TC_BLOCKDATALONG) this.blockRemaining = this.raw(4).readInt32BE(0);
      else if (tc === TC_RESET) {
        this.handles = [];
        continue;
      } else throw new JavaStreamError(`expected primitive data, found type code 0x${tc.toString(16)}`);
      if (this.blockRemaining > 0) return;
    }
  }

  /** The next top-level object (primitive data before it must have been read). */
  readObject(): unknown {
    if (this.blockRemaining > 0) throw new JavaStreamError(`${this.blockRemaining} bytes of primitive data left unread before an object`);
    return this.readContent(false);
  }

  // -- raw bytes -------------------------------------------------------------------------------------------

  private raw(length: number): Buffer {
    if (this.pos + length > this.buf.length) throw new IncompleteStreamError();
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  private rawByte(): number {
    if (this.pos >= this.buf.length) throw new IncompleteStreamError();
    return this.buf[this.pos++]!;
  }

  private peekByte(): number {
    if (this.pos >= this.buf.length) throw new IncompleteStreamError();
    return this.buf[this.pos]!;
  }

  private rawUtf(): string {
    const length = this.raw(2).readUInt16BE(0);
    return decodeModifiedUtf8(this.raw(length));
  }

  private newHandle(value: unknown): number {
    this.handles.push(value);
    return this.handles.length - 1;
  }

  private setHandle(handle: number, value: unknown): void {
    this.handles[handle] = value;
  }

  // -- contents ----------------------------------------------------------------------------------------------

  /** One object (or, inside custom data, a block of primitive data when `allowBlock`). */
  private readContent(allowBlock: boolean): unknown {
    const tc = this.rawByte();
    switch (tc) {
      case TC_NULL:
        return null;
      case TC_REFERENCE: {
        const handle = this.raw(4).readInt32BE(0) - BASE_WIRE_HANDLE;
        if (handle < 0 || handle >= this.handles.length) throw new JavaStreamError(`invalid back-reference handle ${handle}`);
        return this.handles[handle];
      }
      case TC_STRING: {
        const s = this.rawUtf();
        this.newHandle(s);
        return s;
      }
      case TC_LONGSTRING: {
        const length = this.raw(8).readBigInt64BE(0);
        if (length < 0n || length > BigInt(0x7fffffff)) throw new JavaStreamError(`bad long string length ${length}`);
        const s = decodeModifiedUtf8(this.raw(Number(length)));
        this.newHandle(s);
        return s;
      }
      case TC_CLASSDESC:
      case TC_PROXYCLASSDESC:
        this.pos -= 1;
        return this.readClassDesc();
      case TC_OBJECT:
        return this.readOrdinaryObject();
      case TC_ARRAY:
        return this.readArray();
      case TC_ENUM: {
        const desc = this.requireClassDesc();
        const handle = this.newHandle(undefined);
        const constant = this.readContent(false);
        if (typeof constant !== 'string') throw new JavaStreamError('enum constant name is not a string');
        const value = new JavaEnum(desc.name, constant);
        this.setHandle(handle, value);
        return value;
      }
      case TC_CLASS: {
        const desc = this.requireClassDesc();
        const value = new JavaClassObject(desc);
        this.newHandle(value);
        return value;
      }
      case TC_RESET:
        this.handles = [];
        return this.readContent(allowBlock);
      case TC_EXCEPTION: {
        this.handles = [];
        const thrown = this.readContent(false);
        this.handles = [];
        throw new JavaStreamError(`the writer failed while serializing: ${describeThrowable(thrown)}`);
      }
      case TC_BLOCKDATA:
      case TC_BLOCKDATALONG: {
        if (!allowBlock) throw new JavaStreamError('unexpected primitive data where an object was expected');
        const length = tc === TC_BLOCKDATA ? this.rawByte() : this.raw(4).readInt32BE(0);
        return Buffer.from(this.raw(length));
      }
      default:
        throw new JavaStreamError(`unknown type code 0x${tc.toString(16)} at offset ${this.pos - 1}`);
    }
  }

  private requireClassDesc(): JavaClassDesc {
    const desc = this.readClassDesc();
    if (!desc) throw new JavaStreamError('null class descriptor where one is required');
    return desc;
  }

  private readClassDesc(): JavaClassDesc | null {
    const tc = this.rawByte();
    if (tc === TC_NULL) return null;
    if (tc === TC_REFERENCE) {
      this.pos -= 1;
      const value = this.readContent(false);
      if (!isClassDesc(value)) throw new JavaStreamError('back-reference to something that is not a class descriptor');
      return value;
    }
    if (tc === TC_CLASSDESC) {
      const name = this.rawUtf();
      const serialVersionUID = this.raw(8).readBigInt64BE(0);
      const handle = this.newHandle(undefined);
      const flags = this.rawByte();
      const count = this.raw(2).readInt16BE(0);
      const fields: JavaFieldDesc[] = [];
      for (let i = 0; i < count; i++) {
        const typeCode = String.fromCharCode(this.rawByte());
        const fieldName = this.rawUtf();
        if (typeCode === 'L' || typeCode === '[') {
          const signature = this.readContent(false);
          if (typeof signature !== 'string') throw new JavaStreamError(`field ${fieldName} has no type signature`);
          fields.push({ typeCode, name: fieldName, typeSignature: signature });
        } else if ('BCDFIJSZ'.includes(typeCode)) {
          fields.push({ typeCode, name: fieldName });
        } else {
          throw new JavaStreamError(`bad field type code '${typeCode}' in ${name}`);
        }
      }
      const desc: MutableClassDesc = { kind: 'class', name, serialVersionUID, flags, fields, interfaces: [], annotation: [], superDesc: null };
      this.setHandle(handle, desc);
      desc.annotation = this.readAnnotation();
      desc.superDesc = this.readClassDesc();
      return desc;
    }
    if (tc === TC_PROXYCLASSDESC) {
      const handle = this.newHandle(undefined);
      const count = this.raw(4).readInt32BE(0);
      const interfaces: string[] = [];
      for (let i = 0; i < count; i++) interfaces.push(this.rawUtf());
      const desc: MutableClassDesc = {
        kind: 'proxy',
        name: `$Proxy(${interfaces.join(',')})`,
        serialVersionUID: 0n,
        flags: SC_SERIALIZABLE,
        fields: [],
        interfaces,
        annotation: [],
        superDesc: null,
      };
      this.setHandle(handle, desc);
      desc.annotation = this.readAnnotation();
      desc.superDesc = this.readClassDesc();
      return desc;
    }
    throw new JavaStreamError(`expected a class descriptor, found type code 0x${tc.toString(16)}`);
  }

  /** Block data and objects up to TC_ENDBLOCKDATA. */
  private readAnnotation(): unknown[] {
    const items: unknown[] = [];
    while (this.peekByte() !== TC_ENDBLOCKDATA) items.push(this.readContent(true));
    this.pos += 1;
    return items;
  }

  private readOrdinaryObject(): JavaObject {
    const desc = this.requireClassDesc();
    const object = new JavaObject(desc);
    this.newHandle(object);
    const chain = object.classChain().reverse();
    for (const cls of chain) {
      if (cls.kind === 'proxy') {
        object.classData.set(cls.name, { fields: {}, annotation: undefined });
      } else if (cls.flags & SC_EXTERNALIZABLE) {
        if (!(cls.flags & SC_BLOCK_DATA)) throw new JavaStreamError(`${cls.name} was written with the old externalizable protocol, which cannot be skipped`);
        object.classData.set(cls.name, { fields: {}, annotation: this.readAnnotation() });
      } else {
        const fields: Record<string, unknown> = {};
        for (const f of cls.fields) fields[f.name] = this.readFieldValue(f.typeCode);
        const annotation = cls.flags & SC_WRITE_METHOD ? this.readAnnotation() : undefined;
        object.classData.set(cls.name, { fields, annotation });
      }
    }
    return object;
  }

  private readFieldValue(typeCode: string): unknown {
    switch (typeCode) {
      case 'B':
        return this.raw(1).readInt8(0);
      case 'C':
        return String.fromCharCode(this.raw(2).readUInt16BE(0));
      case 'D':
        return this.raw(8).readDoubleBE(0);
      case 'F':
        return this.raw(4).readFloatBE(0);
      case 'I':
        return this.raw(4).readInt32BE(0);
      case 'J':
        return this.raw(8).readBigInt64BE(0);
      case 'S':
        return this.raw(2).readInt16BE(0);
      case 'Z':
        return this.rawByte() !== 0;
      default:
        return this.readContent(false);
    }
  }

  private readArray(): Buffer | JavaArray {
    const desc = this.requireClassDesc();
    const handle = this.newHandle(undefined);
    const length = this.raw(4).readInt32BE(0);
    if (length < 0) throw new JavaStreamError(`negative array length ${length}`);
    if (desc.name === '[B') {
      const bytes = Buffer.from(this.raw(length));
      this.setHandle(handle, bytes);
      return bytes;
    }
    const array = new JavaArray(desc.name, []);
    this.setHandle(handle, array);
    const element = desc.name.charAt(1);
    for (let i = 0; i < length; i++) array.values.push(this.readFieldValue(element === '[' ? 'L' : element));
    return array;
  }
}

type MutableClassDesc = { -readonly [K in keyof JavaClassDesc]: JavaClassDesc[K] } & { annotation: unknown[] };

function isClassDesc(value: unknown): value is JavaClassDesc {
  return typeof value === 'object' && value !== null && 'kind' in value && 'serialVersionUID' in value && 'superDesc' in value;
}

/** "class: message" of a deserialized Throwable (its detailMessage field). */
export function describeThrowable(value: unknown): string {
  if (!(value instanceof JavaObject)) return String(value);
  const message = value.field('detailMessage');
  return typeof message === 'string' ? `${value.className}: ${message}` : value.className;
}

// ---------------------------------------------------------------------------------------------------------
// the stream writer

/** The boxed primitive classes the writer can send, with their serialVersionUIDs (ObjectStreamClass.lookup on JDK 17). */
export const BOXED_CLASSES = {
  'java.lang.Integer': { suid: 1360826667806852920n, typeCode: 'I', number: true },
  'java.lang.Long': { suid: 4290774380558885855n, typeCode: 'J', number: true },
  'java.lang.Short': { suid: 7515723908773894738n, typeCode: 'S', number: true },
  'java.lang.Byte': { suid: -7183698231559129828n, typeCode: 'B', number: true },
  'java.lang.Double': { suid: -9172774392245257468n, typeCode: 'D', number: true },
  'java.lang.Float': { suid: -2671257302660747028n, typeCode: 'F', number: true },
  'java.lang.Boolean': { suid: -3665804199014368530n, typeCode: 'Z', number: false },
  'java.lang.Character': { suid: 3786198910865385080n, typeCode: 'C', number: false },
} as const;
export type BoxedClassName = keyof typeof BOXED_CLASSES;

/** A Serializable class as the writer describes it (default serialization only: no writeObject data). */
export interface JavaClassSpec {
  readonly name: string;
  readonly serialVersionUID: bigint;
  /** In any order; written the way ObjectStreamClass orders them (primitives first, then by name). */
  readonly fields: readonly JavaFieldDesc[];
  readonly superClass?: JavaClassSpec | undefined;
}

/** An object to write: its class and a value per field (of every class in the chain). */
export class WritableObject {
  constructor(
    readonly cls: JavaClassSpec,
    readonly fields: Record<string, unknown>,
  ) {}
}

/** An array to write; `arrayClass.name` is the JVM array name, e.g. `[Ljava.rmi.server.ObjID;`. */
export class WritableArray {
  constructor(
    readonly arrayClass: JavaClassSpec,
    readonly elements: readonly unknown[],
  ) {}
}

export type JavaWritable = null | string | Buffer | WritableObject | WritableArray;

const NUMBER_CLASS: JavaClassSpec = { name: 'java.lang.Number', serialVersionUID: -8742448824652078965n, fields: [] };
const BYTE_ARRAY_CLASS: JavaClassSpec = { name: '[B', serialVersionUID: -5984413125824719648n, fields: [] };

function sortedFields(cls: JavaClassSpec): JavaFieldDesc[] {
  const primitive = (f: JavaFieldDesc) => f.typeCode !== 'L' && f.typeCode !== '[';
  return [...cls.fields].sort((a, b) => (primitive(a) === primitive(b) ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : primitive(a) ? -1 : 1));
}

/**
 * Writes a Java serialization stream the way RMI's MarshalOutputStream does: primitives go into block data,
 * every class descriptor carries an RMI codebase annotation (null) before TC_ENDBLOCKDATA.
 */
export class JavaObjectWriter {
  private readonly out: Buffer[] = [];
  private block: Buffer[] = [];
  private blockLength = 0;
  private nextHandle = 0;
  private readonly classHandles = new Map<string, number>();
  private readonly objectHandles = new Map<object, number>();

  constructor(options: { header?: boolean } = {}) {
    if (options.header ?? true) {
      const header = Buffer.alloc(4);
      header.writeUInt16BE(STREAM_MAGIC, 0);
      header.writeUInt16BE(STREAM_VERSION, 2);
      this.out.push(header);
    }
  }

  private data(bytes: Buffer): this {
    this.block.push(bytes);
    this.blockLength += bytes.length;
    return this;
  }

  writeByte(value: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(value, 0);
    return this.data(b);
  }
  writeBoolean(value: boolean): this {
    return this.data(Buffer.from([value ? 1 : 0]));
  }
  writeShort(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value, 0);
    return this.data(b);
  }
  writeChar(value: string): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value.charCodeAt(0), 0);
    return this.data(b);
  }
  writeInt(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value, 0);
    return this.data(b);
  }
  writeLong(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt.asIntN(64, value), 0);
    return this.data(b);
  }
  writeFloat(value: number): this {
    const b = Buffer.alloc(4);
    b.writeFloatBE(value, 0);
    return this.data(b);
  }
  writeDouble(value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value, 0);
    return this.data(b);
  }
  /** Bytes appended to the block data as they are (e.g. an ObjID's own write()). */
  writeRaw(bytes: Buffer): this {
    return this.data(bytes);
  }
  writeUTF(value: string): this {
    const bytes = encodeModifiedUtf8(value);
    if (bytes.length > 0xffff) throw new JavaStreamError(`string too long for writeUTF (${bytes.length} bytes)`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length, 0);
    return this.data(Buffer.concat([length, bytes]));
  }

  /** Ends the current block-data record (before an object, and at the end). */
  private flushBlock(): void {
    if (this.blockLength === 0) return;
    let header: Buffer;
    if (this.blockLength <= 0xff) header = Buffer.from([TC_BLOCKDATA, this.blockLength]);
    else {
      header = Buffer.alloc(5);
      header[0] = TC_BLOCKDATALONG;
      header.writeInt32BE(this.blockLength, 1);
    }
    this.out.push(header, ...this.block);
    this.block = [];
    this.blockLength = 0;
  }

  private raw(bytes: Buffer | number[]): void {
    this.out.push(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  private rawUtf(value: string): void {
    const bytes = encodeModifiedUtf8(value);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length, 0);
    this.raw(Buffer.concat([length, bytes]));
  }

  writeNull(): this {
    this.flushBlock();
    this.raw([TC_NULL]);
    return this;
  }

  /** A String object (TC_STRING, or TC_LONGSTRING past 65535 encoded bytes); null writes TC_NULL. */
  writeString(value: string | null): this {
    if (value === null) return this.writeNull();
    this.flushBlock();
    const bytes = encodeModifiedUtf8(value);
    if (bytes.length <= 0xffff) {
      const head = Buffer.alloc(3);
      head[0] = TC_STRING;
      head.writeUInt16BE(bytes.length, 1);
      this.raw(Buffer.concat([head, bytes]));
    } else {
      const head = Buffer.alloc(9);
      head[0] = TC_LONGSTRING;
      head.writeBigInt64BE(BigInt(bytes.length), 1);
      this.raw(Buffer.concat([head, bytes]));
    }
    this.nextHandle += 1;
    return this;
  }

  /** A boxed primitive (java.lang.Integer etc.); null writes TC_NULL. */
  writeBoxed(className: BoxedClassName, value: number | bigint | boolean | string | null): this {
    if (value === null) return this.writeNull();
    const info = BOXED_CLASSES[className];
    const cls: JavaClassSpec = {
      name: className,
      serialVersionUID: info.suid,
      fields: [{ typeCode: info.typeCode, name: 'value' }],
      superClass: info.number ? NUMBER_CLASS : undefined,
    };
    return this.writeObject(new WritableObject(cls, { value }));
  }

  /**
   * An object graph node: null, a String, a byte[] (Buffer), a {@link WritableObject} (a Serializable class with
   * default field serialization) or a {@link WritableArray}. Shared nodes are written once and then referenced.
   */
  writeObject(value: JavaWritable): this {
    this.flushBlock();
    this.writeContent(value);
    return this;
  }

  private writeContent(value: JavaWritable): void {
    if (value === null) {
      this.raw([TC_NULL]);
      return;
    }
    if (typeof value === 'string') {
      this.writeString(value);
      return;
    }
    const shared = this.objectHandles.get(value);
    if (shared !== undefined) {
      this.writeReference(shared);
      return;
    }
    if (Buffer.isBuffer(value) || value instanceof WritableArray) {
      const cls = Buffer.isBuffer(value) ? BYTE_ARRAY_CLASS : value.arrayClass;
      this.raw([TC_ARRAY]);
      this.writeClassDesc(cls);
      this.objectHandles.set(value, this.nextHandle++);
      const length = Buffer.alloc(4);
      length.writeInt32BE(Buffer.isBuffer(value) ? value.length : value.elements.length, 0);
      this.raw(length);
      if (Buffer.isBuffer(value)) this.raw(value);
      else for (const element of value.elements) this.writeFieldValue(cls.name.slice(1), element, cls.name);
      return;
    }
    this.raw([TC_OBJECT]);
    this.writeClassDesc(value.cls);
    this.objectHandles.set(value, this.nextHandle++);
    const chain: JavaClassSpec[] = [];
    for (let c: JavaClassSpec | undefined = value.cls; c; c = c.superClass) chain.unshift(c);
    for (const c of chain) {
      for (const f of sortedFields(c)) {
        if (!(f.name in value.fields)) throw new JavaStreamError(`no value for field ${c.name}.${f.name}`);
        this.writeFieldValue(f.typeSignature ?? f.typeCode, value.fields[f.name], `${c.name}.${f.name}`);
      }
    }
  }

  /** A field or array element of the given JVM type, outside block data. */
  private writeFieldValue(type: string, value: unknown, where: string): void {
    const b = Buffer.alloc(8);
    const bad = (): never => {
      throw new JavaStreamError(`${where}: cannot write ${typeof value} as ${type}`);
    };
    switch (type) {
      case 'B':
        this.raw(b.subarray(0, b.writeInt8(Number(value), 0)));
        return;
      case 'S':
        this.raw(b.subarray(0, b.writeInt16BE(Number(value), 0)));
        return;
      case 'I':
        this.raw(b.subarray(0, b.writeInt32BE(Number(value), 0)));
        return;
      case 'J':
        if (typeof value !== 'bigint' && typeof value !== 'number') return bad();
        this.raw(b.subarray(0, b.writeBigInt64BE(BigInt.asIntN(64, BigInt(value)), 0)));
        return;
      case 'F':
        this.raw(b.subarray(0, b.writeFloatBE(Number(value), 0)));
        return;
      case 'D':
        this.raw(b.subarray(0, b.writeDoubleBE(Number(value), 0)));
        return;
      case 'Z':
        this.raw([value ? 1 : 0]);
        return;
      case 'C':
        if (typeof value !== 'string' || value.length !== 1) return bad();
        this.raw(b.subarray(0, b.writeUInt16BE(value.charCodeAt(0), 0)));
        return;
      default:
        if (value !== null && typeof value !== 'string' && !Buffer.isBuffer(value) && !(value instanceof WritableObject) && !(value instanceof WritableArray)) return bad();
        this.writeContent(value);
    }
  }

  private writeReference(handle: number): void {
    const ref = Buffer.alloc(5);
    ref[0] = TC_REFERENCE;
    ref.writeInt32BE(BASE_WIRE_HANDLE + handle, 1);
    this.raw(ref);
  }

  private writeClassDesc(cls: JavaClassSpec | undefined): void {
    if (!cls) {
      this.raw([TC_NULL]);
      return;
    }
    const existing = this.classHandles.get(cls.name);
    if (existing !== undefined) {
      this.writeReference(existing);
      return;
    }
    this.raw([TC_CLASSDESC]);
    this.rawUtf(cls.name);
    const uid = Buffer.alloc(8);
    uid.writeBigInt64BE(cls.serialVersionUID, 0);
    this.raw(uid);
    this.classHandles.set(cls.name, this.nextHandle++);
    const fields = sortedFields(cls);
    const head = Buffer.alloc(3);
    head[0] = SC_SERIALIZABLE;
    head.writeInt16BE(fields.length, 1);
    this.raw(head);
    for (const f of fields) {
      this.raw([f.typeCode.charCodeAt(0)]);
      this.rawUtf(f.name);
      if (f.typeCode === 'L' || f.typeCode === '[') {
        if (!f.typeSignature) throw new JavaStreamError(`field ${cls.name}.${f.name} needs a type signature`);
        this.writeString(f.typeSignature);
      }
    }
    // RMI's MarshalOutputStream.annotateClass writes the codebase (null for JDK classes)
    this.raw([TC_NULL, TC_ENDBLOCKDATA]);
    this.writeClassDesc(cls.superClass);
  }

  /** The stream so far (pending primitive data flushed). */
  toBuffer(): Buffer {
    this.flushBlock();
    return Buffer.concat(this.out);
  }
}
