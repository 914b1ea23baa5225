import { describe, expect, it } from '@jest/globals';
import { writableObjIds } from './dgc-leases.js';
import {
  IncompleteStreamError,
  JavaArray,
  JavaObject,
  JavaObjectReader,
  JavaObjectWriter,
  JavaStreamError,
  decodeModifiedUtf8,
  describeThrowable,
  encodeModifiedUtf8,
} from './java-serialization.js';
import { findRemoteRefs, remoteRefOf } from './remote-ref.js';

/*
 * The hex streams below were produced once by JDK 17 (a throwaway Java program, not kept): each is
 * `ObjectOutputStream.writeInt(7)` followed by `writeObject(value)`, with java.rmi.server.hostname=10.1.2.3:
 *  - LIST: new ArrayList<>(List.of("x", 5, 7L, null, new byte[]{1, 2}, true, "x")) (the second "x" is a back-reference)
 *  - EXC: new IllegalArgumentException("boom \u00e9") with an empty stack trace
 *  - PROXY: UnicastRemoteObject.exportObject(new Impl(), 40123) where Impl implements java.rmi.Remote; its toString was
 *    Proxy[Remote,RemoteObjectInvocationHandler[UnicastRef [liveRef: [endpoint:[10.1.2.3:40123](local),
 *    objID:[2a579d8e:1a203992410:-7fff, 1649308778801957612]]]]]
 *  - REGSTUB: RemoteObject.toStub(LocateRegistry.createRegistry(40124)) (a RegistryImpl_Stub, a RemoteStub subclass)
 * WRITER: an ObjectOutputStream subclass whose annotateClass writes null (what RMI's MarshalOutputStream writes for JDK
 * classes) given writeInt(-1), writeLong(1234567890123), "hi", Integer 5, Long -2, Boolean.TRUE, Integer 6, null,
 * writeBoolean(true), new ObjID[] { new ObjID(2), new ObjID(7) }.
 */
const LIST_HEX =
  'aced0005770400000007737200136a6176612e7574696c2e41727261794c6973747881d21d99c7619d03000149000473697a65787000000007770400' +
  '00000774000178737200116a6176612e6c616e672e496e746567657212e2a0a4f781873802000149000576616c7565787200106a6176612e6c616e67' +
  '2e4e756d62657286ac951d0b94e08b0200007870000000057372000e6a6176612e6c616e672e4c6f6e673b8be490cc8f23df0200014a000576616c75' +
  '657871007e0004000000000000000770757200025b42acf317f8060854e00200007870000000020102737200116a6176612e6c616e672e426f6f6c65' +
  '616ecd207280d59cfaee0200015a000576616c756578700171007e000278';

const EXC_HEX =
  'aced0005770400000007737200226a6176612e6c616e672e496c6c6567616c417267756d656e74457863657074696f6eb58973d37d668fbc02000078' +
  '72001a6a6176612e6c616e672e52756e74696d65457863657074696f6e9e5f06470a3483e5020000787200136a6176612e6c616e672e457863657074' +
  '696f6ed0fd1f3e1a3b1cc4020000787200136a6176612e6c616e672e5468726f7761626c65d5c635273977b8cb0300044c000563617573657400154c' +
  '6a6176612f6c616e672f5468726f7761626c653b4c000d64657461696c4d6573736167657400124c6a6176612f6c616e672f537472696e673b5b000a' +
  '737461636b547261636574001e5b4c6a6176612f6c616e672f537461636b5472616365456c656d656e743b4c00147375707072657373656445786365' +
  '7074696f6e737400104c6a6176612f7574696c2f4c6973743b787071007e0008740007626f6f6d20c3a97572001e5b4c6a6176612e6c616e672e5374' +
  '61636b5472616365456c656d656e743b02462a3c3cfd22390200007870000000007372001f6a6176612e7574696c2e436f6c6c656374696f6e732445' +
  '6d7074794c6973747ab817b43ca79ede020000787078';

const PROXY_HEX =
  'aced0005770400000007737d00000001000f6a6176612e726d692e52656d6f7465787200176a6176612e6c616e672e7265666c6563742e50726f7879' +
  'e127da20cc1043cb0200014c0001687400254c6a6176612f6c616e672f7265666c6563742f496e766f636174696f6e48616e646c65723b7870737200' +
  '2d6a6176612e726d692e7365727665722e52656d6f74654f626a656374496e766f636174696f6e48616e646c65720000000000000002020000787200' +
  '1c6a6176612e726d692e7365727665722e52656d6f74654f626a656374d361b4910c61331e03000078707731000a556e696361737452656600083130' +
  '2e312e322e3300009cbb16e385988d6c8aec2a579d8e000001a20399241080010078';

const REGSTUB_HEX =
  'aced00057704000000077372002273756e2e726d692e72656769737472792e5265676973747279496d706c5f5374756264ad7bdf294c5aba02000078' +
  '72001a6a6176612e726d692e7365727665722e52656d6f746553747562e9fedcc98be1651a0200007872001c6a6176612e726d692e7365727665722e' +
  '52656d6f74654f626a656374d361b4910c61331e03000078707731000a556e6963617374526566000831302e312e322e3300009cbc00000000000000' +
  '0000000000000000000000000000000078';

const WRITER_HEX =
  'aced0005770cffffffff0000011f71fb04cb7400026869737200116a6176612e6c616e672e496e746567657212e2a0a4f78187380200014900057661' +
  '6c756570787200106a6176612e6c616e672e4e756d62657286ac951d0b94e08b020000707870000000057372000e6a6176612e6c616e672e4c6f6e67' +
  '3b8be490cc8f23df0200014a000576616c7565707871007e0002fffffffffffffffe737200116a6176612e6c616e672e426f6f6c65616ecd207280d5' +
  '9cfaee0200015a000576616c7565707870017371007e00010000000670770101757200185b4c6a6176612e726d692e7365727665722e4f626a49443b' +
  '871300b8d02c647e02000070787000000002737200156a6176612e726d692e7365727665722e4f626a4944a75efa128ddce55c0200024a00066f626a' +
  '4e756d4c000573706163657400154c6a6176612f726d692f7365727665722f5549443b7078700000000000000002737200136a6176612e726d692e73' +
  '65727665722e5549440f12700dbf364f12020003530005636f756e744a000474696d65490006756e6971756570787000000000000000000000000000' +
  '007371007e000b00000000000000077371007e000e0000000000000000000000000000';

const bytes = (hex: string) => Buffer.from(hex, 'hex');

/** Reads the leading writeInt(7) and the one object after it. */
function readSample(hex: string): unknown {
  const reader = new JavaObjectReader(bytes(hex));
  reader.readStreamHeader();
  expect(reader.readInt()).toBe(7);
  const value = reader.readObject();
  expect(reader.position).toBe(hex.length / 2);
  return value;
}

describe('modified UTF-8', () => {
  it('encodes NUL as C0 80 and supplementary characters as two 3-byte surrogates, and decodes back', () => {
    expect(encodeModifiedUtf8('A\u0000é').toString('hex')).toBe('41c080c3a9');
    const emoji = encodeModifiedUtf8('🎉');
    expect(emoji.toString('hex')).toBe('eda0bcedbe89');
    for (const text of ['', 'plain', 'A\u0000é', '🎉 ✓ zürich', '\uffff\u0800\u07ff']) expect(decodeModifiedUtf8(encodeModifiedUtf8(text))).toBe(text);
  });

  it('rejects malformed input', () => {
    expect(() => decodeModifiedUtf8(Buffer.from([0xc3]))).toThrow(JavaStreamError);
    expect(() => decodeModifiedUtf8(Buffer.from([0xff]))).toThrow(JavaStreamError);
  });
});

describe('JavaObjectReader on streams the JDK wrote', () => {
  it('reads an ArrayList (custom writeObject data), boxed values, null, byte[] and back-references', () => {
    const list = readSample(LIST_HEX);
    expect(list).toBeInstanceOf(JavaObject);
    const object = list as JavaObject;
    expect(object.className).toBe('java.util.ArrayList');
    expect(object.field('size')).toBe(7);
    const data = object.classData.get('java.util.ArrayList')!.annotation!;
    // ArrayList.writeObject: the size as block data, then each element
    expect(Buffer.isBuffer(data[0])).toBe(true);
    const [x, five, seven, nothing, byteArray, yes, xAgain] = data.slice(1);
    expect(x).toBe('x');
    expect((five as JavaObject).className).toBe('java.lang.Integer');
    expect((five as JavaObject).field('value')).toBe(5);
    expect((five as JavaObject).isA('java.lang.Number')).toBe(true);
    expect((seven as JavaObject).field('value')).toBe(7n);
    expect(nothing).toBeNull();
    expect(byteArray).toEqual(Buffer.from([1, 2]));
    expect((yes as JavaObject).field('value')).toBe(true);
    expect(xAgain).toBe('x');
  });

  it('reads an exception: class, detail message, and skips the rest of Throwable generically', () => {
    const error = readSample(EXC_HEX) as JavaObject;
    expect(error.className).toBe('java.lang.IllegalArgumentException');
    expect(error.isA('java.lang.Throwable')).toBe(true);
    expect(error.field('detailMessage')).toBe('boom é');
    expect(error.field('cause')).toBe(error); // an unset cause points to the exception itself
    expect(error.field('stackTrace')).toBeInstanceOf(JavaArray);
    expect(describeThrowable(error)).toBe('java.lang.IllegalArgumentException: boom é');
  });

  it('finds the UnicastRef inside a dynamic-proxy stub (RemoteObjectInvocationHandler)', () => {
    const stub = readSample(PROXY_HEX);
    const ref = remoteRefOf(stub);
    expect(ref).toEqual({
      host: '10.1.2.3',
      port: 40123,
      objId: { objNum: 1649308778801957612n, space: { unique: 0x2a579d8e, time: 0x1a203992410n, count: -0x7fff } },
      refClass: 'UnicastRef',
      interfaces: ['java.rmi.Remote'],
      // written by a plain ObjectOutputStream, not into an RMI result stream
      inResultStream: false,
    });
  });

  it('finds the ref inside a RemoteStub subclass (RegistryImpl_Stub, object 0)', () => {
    const ref = remoteRefOf(readSample(REGSTUB_HEX));
    expect(ref).toMatchObject({ host: '10.1.2.3', port: 40124, objId: { objNum: 0n, space: { unique: 0, time: 0n, count: 0 } } });
    expect(ref.interfaces).toEqual(['sun.rmi.registry.RegistryImpl_Stub']);
  });

  it('says when the buffer ends early, at every cut point', () => {
    const full = bytes(PROXY_HEX);
    for (let cut = 0; cut < full.length; cut++) {
      const reader = new JavaObjectReader(full.subarray(0, cut));
      expect(() => {
        reader.readStreamHeader();
        reader.readInt();
        reader.readObject();
      }).toThrow(IncompleteStreamError);
    }
  });

  it('rejects what is not a serialization stream, bad handles and objects where primitives are due', () => {
    expect(() => new JavaObjectReader(Buffer.from('00000005', 'hex')).readStreamHeader()).toThrow(/not a Java serialization stream/);
    const badHandle = new JavaObjectReader(Buffer.from('aced0005710000ffff', 'hex'));
    badHandle.readStreamHeader();
    expect(() => badHandle.readObject()).toThrow(/invalid back-reference/);
    const objectFirst = new JavaObjectReader(Buffer.from('aced000570', 'hex'));
    objectFirst.readStreamHeader();
    expect(() => objectFirst.readInt()).toThrow(/expected primitive data/);
    expect(findRemoteRefs('not an object')).toEqual([]);
    expect(() => remoteRefOf('x')).toThrow(/expected a remote stub, got string/);
  });
});

describe('JavaObjectWriter', () => {
  it('writes byte for byte what RMI\'s MarshalOutputStream writes', () => {
    const out = new JavaObjectWriter();
    out.writeInt(-1).writeLong(1234567890123n);
    out.writeString('hi');
    out.writeBoxed('java.lang.Integer', 5).writeBoxed('java.lang.Long', -2n).writeBoxed('java.lang.Boolean', true).writeBoxed('java.lang.Integer', 6);
    out.writeNull();
    out.writeBoolean(true);
    out.writeObject(writableObjIds([{ objNum: 2n, space: { unique: 0, time: 0n, count: 0 } }, { objNum: 7n, space: { unique: 0, time: 0n, count: 0 } }]));
    expect(out.toBuffer().toString('hex')).toBe(WRITER_HEX);
  });

  it('round-trips through the reader, including long block data and long strings', () => {
    const long = 'ü'.repeat(40_000); // 80,000 bytes of modified UTF-8: TC_LONGSTRING
    const out = new JavaObjectWriter();
    for (let i = 0; i < 100; i++) out.writeInt(i); // 400 bytes: TC_BLOCKDATALONG
    out.writeString(long).writeString('\u0000').writeDouble(1.5).writeChar('é').writeUTF('utf').writeBoxed('java.lang.Character', 'c');
    const reader = new JavaObjectReader(out.toBuffer());
    reader.readStreamHeader();
    for (let i = 0; i < 100; i++) expect(reader.readInt()).toBe(i);
    expect(reader.readObject()).toBe(long);
    expect(reader.readObject()).toBe('\u0000');
    expect(reader.readDouble()).toBe(1.5);
    expect(reader.readChar()).toBe('é');
    expect(reader.readUTF()).toBe('utf');
    expect((reader.readObject() as JavaObject).field('value')).toBe('c');
  });
});
