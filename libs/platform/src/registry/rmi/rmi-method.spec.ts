import { describe, expect, it } from '@jest/globals';
import { JavaObjectReader, JavaObjectWriter } from './java-serialization.js';
import { RmiSignatureError, computeMethodHash, defaultDescriptor, longToJs, parseMethodSignature, readReturnValue, toJsValue, writeArgument } from './rmi-method.js';

describe('computeMethodHash', () => {
  it('matches the JDK', () => {
    // Expected values printed by JDK 17 itself: sun.rmi.server.Util.computeMethodHash (called reflectively with
    // --add-opens java.rmi/sun.rmi.server=ALL-UNNAMED) on the methods of the test fixture
    // com.paddock.demo.GreetingService and on java.rmi.registry.Registry.lookup.
    expect(computeMethodHash('greet(Ljava/lang/String;)Ljava/lang/String;')).toBe(2310137294995915874n);
    expect(computeMethodHash('add(II)I')).toBe(-7734458262622125146n);
    expect(computeMethodHash('twice(J)J')).toBe(-3010046184994835052n);
    expect(computeMethodHash('isEven(I)Z')).toBe(-4599070491417861064n);
    expect(computeMethodHash('boxed(I)Ljava/lang/Integer;')).toBe(2798111215375726170n);
    expect(computeMethodHash('whoami()Ljava/lang/String;')).toBe(-6004767437517349268n);
    expect(computeMethodHash('noop()V')).toBe(6815962424935952648n);
    expect(computeMethodHash('fail(Ljava/lang/String;)Ljava/lang/String;')).toBe(2934799218077893251n);
    expect(computeMethodHash('lookup(Ljava/lang/String;)Ljava/rmi/Remote;')).toBe(-7538657168040752697n);
  });
});

describe('parseMethodSignature', () => {
  it('splits parameters and the return type', () => {
    const s = parseMethodSignature('f', '(I[JLjava/lang/String;[[Ljava/lang/Object;Z)V');
    expect(s.parameters).toEqual(['I', '[J', 'Ljava/lang/String;', '[[Ljava/lang/Object;', 'Z']);
    expect(s.returns).toBe('V');
    expect(s.hash).toBe(computeMethodHash('f(I[JLjava/lang/String;[[Ljava/lang/Object;Z)V'));
    expect(defaultDescriptor(2)).toBe('(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;');
    expect(parseMethodSignature('g', defaultDescriptor(0)).parameters).toEqual([]);
  });

  it('rejects bad descriptors with the method named', () => {
    expect(() => parseMethodSignature('f', 'II')).toThrow(/bad method descriptor "II" for f/);
    expect(() => parseMethodSignature('f', '(Q)V')).toThrow(RmiSignatureError);
    expect(() => parseMethodSignature('f', '(I)Ljava/lang/String')).toThrow(/bad return type/);
  });
});

describe('argument marshalling', () => {
  const written = (type: string, value: unknown) => {
    const out = new JavaObjectWriter();
    writeArgument(out, type, value, 'arg');
    const reader = new JavaObjectReader(out.toBuffer());
    reader.readStreamHeader();
    return toJsValue(readReturnValue(reader, type));
  };

  it('writes and reads back each supported type', () => {
    expect(written('I', -5)).toBe(-5);
    expect(written('S', 300)).toBe(300);
    expect(written('B', -128)).toBe(-128);
    expect(written('J', 2n ** 62n)).toBe(2n ** 62n);
    expect(written('J', 12)).toBe(12);
    expect(written('D', 0.1)).toBe(0.1);
    expect(written('F', 0.5)).toBe(0.5);
    expect(written('Z', true)).toBe(true);
    expect(written('C', 'x')).toBe('x');
    expect(written('Ljava/lang/String;', 'hé')).toBe('hé');
    expect(written('Ljava/lang/String;', null)).toBeNull();
    expect(written('Ljava/lang/Integer;', 9)).toBe(9);
    expect(written('Ljava/lang/Integer;', null)).toBeNull();
    expect(written('Ljava/lang/Long;', -(2n ** 63n))).toBe(-(2n ** 63n));
    expect(written('Ljava/lang/Double;', 2.5)).toBe(2.5);
    expect(written('Ljava/lang/Object;', 'o')).toBe('o');
    expect(written('Ljava/lang/Object;', 7)).toBe(7);
    expect(written('Ljava/lang/Object;', 7.25)).toBe(7.25);
    expect(written('Ljava/lang/Object;', false)).toBe(false);
  });

  it('refuses values that do not fit the declared type', () => {
    const out = new JavaObjectWriter();
    expect(() => writeArgument(out, 'I', 2 ** 31, 'a')).toThrow(/integer in \[-2147483648, 2147483647\]/);
    expect(() => writeArgument(out, 'I', 1.5, 'a')).toThrow(RmiSignatureError);
    expect(() => writeArgument(out, 'J', 2 ** 53, 'a')).toThrow(/safe integer or a bigint/);
    expect(() => writeArgument(out, 'J', 2n ** 63n, 'a')).toThrow(/64-bit/);
    expect(() => writeArgument(out, 'Z', 1, 'a')).toThrow(/boolean/);
    expect(() => writeArgument(out, 'C', 'ab', 'a')).toThrow(/one-character/);
    expect(() => writeArgument(out, 'Ljava/lang/String;', 5, 'a')).toThrow(/string or null/);
    expect(() => writeArgument(out, 'Ljava/util/List;', [], 'a')).toThrow(/unsupported parameter type Ljava\/util\/List;/);
  });

  it('maps longs to numbers only when exact', () => {
    expect(longToJs(9007199254740991n)).toBe(9007199254740991);
    expect(longToJs(9007199254740992n)).toBe(9007199254740992n);
    expect(longToJs(-9007199254740992n)).toBe(-9007199254740992n);
  });
});
