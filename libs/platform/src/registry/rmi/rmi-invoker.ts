/**
 * An {@link Invoker} for `rmi://host:port/{interface}` providers (Dubbo's RMI protocol, plain Java RMI servers):
 * it looks the interface name up in the provider's RMI registry (RegistryImpl_Stub's JDK 1.1 protocol on ObjID 0:
 * operation 2, the registry interface hash), caches the returned stub per provider, and calls methods on it with
 * the JDK 1.2 protocol (operation -1 and the method hash of `name + descriptor`).
 *
 * Method signatures come from `methods` (per method name, e.g. `{ add: '(II)I' }`), optionally per service;
 * a method not listed is assumed to take only Strings and return a String (`defaultDescriptor`). Value mapping:
 * see rmi-method.ts (notably: a long comes back as a number when it is a safe integer, else as an exact bigint).
 *
 * Errors, for the consumer's failover: connection refused/reset/closed, timeouts, a non-JRMP peer or a garbled
 * reply → retryable; java.rmi.NotBoundException (that provider does not have the service) and
 * java.rmi.NoSuchObjectException (the stub is stale) → retryable, and the cached stub is dropped; any other
 * exception the server returns (an application exception such as IllegalArgumentException, a ServerException,
 * a ServerException around "unrecognized method hash" when a descriptor does not match) → not retryable,
 * with the Java class and message (nested causes included).
 */
import { InvocationError, type InvokeOptions, type Invoker } from '../consumer.js';
import type { ProviderInstance } from '../governance.js';
import { JavaObjectWriter, JavaStreamError } from './java-serialization.js';
import { DgcLeases, type DgcLeaseOptions } from './dgc-leases.js';
import { JrmpClient, JrmpRemoteException, JrmpTransportError, type JrmpClientOptions } from './jrmp-transport.js';
import { REGISTRY_OBJ_ID, remoteRefOf, type RemoteRef } from './remote-ref.js';
import { RmiSignatureError, defaultDescriptor, parseMethodSignature, readReturnValue, toJsValue, writeArgument, type MethodSignature } from './rmi-method.js';

/** java.rmi.registry.Registry's interface hash (RegistryImpl_Stub). */
export const REGISTRY_INTERFACE_HASH = 4905912898345647071n;
/** RegistryImpl_Stub's operation number for lookup(String). */
export const REGISTRY_LOOKUP_OP = 2;

/** Exceptions meaning "not here, try another provider". */
const RETRYABLE_REMOTE_EXCEPTIONS = new Set([
  'java.rmi.NotBoundException',
  'java.rmi.NoSuchObjectException',
  'java.rmi.ConnectException',
  'java.rmi.ConnectIOException',
  'java.rmi.UnknownHostException',
]);

export class RmiInvocationError extends InvocationError {
  constructor(
    message: string,
    retryable: boolean,
    provider: string,
    /** The Java exception class when the server returned one. */
    readonly javaClass?: string,
    /** Its detail message. */
    readonly javaMessage?: string,
  ) {
    super(message, retryable, provider);
    this.name = 'RmiInvocationError';
  }
}

export interface RmiInvokerOptions extends JrmpClientOptions, DgcLeaseOptions {
  /** Java method descriptors by method name, e.g. `{ greet: '(Ljava/lang/String;)Ljava/lang/String;', add: '(II)I' }`. */
  methods?: Record<string, string>;
  /** Per-service descriptors (by service/interface name), consulted before `methods`. */
  services?: Record<string, Record<string, string>>;
  /**
   * Where calls go: `stub` (default) uses the endpoint inside the looked-up stub, as a Java client does;
   * `registry` uses the provider URL's host and port (for servers whose advertised host is not reachable,
   * e.g. behind NAT; the object must be exported on the registry's port).
   */
  connectTo?: 'stub' | 'registry';
}

export type RmiInvoker = Invoker & {
  /** Looks `name` up in the registry at host:port (no caching). */
  lookup(host: string, port: number, name: string, timeoutMs: number): Promise<RemoteRef>;
  /** Sends DGC clean for the held stubs, closes pooled connections; later calls fail. */
  close(): Promise<void>;
  /** The stubs a DGC lease is held on (cache keys). */
  leases(): string[];
  /** The cached stubs (provider address + name). */
  cachedRefs(): string[];
  /** Pooled idle JRMP connections. */
  idleConnections(): number;
};

export function createRmiInvoker(options: RmiInvokerOptions = {}): RmiInvoker {
  const client = new JrmpClient(options);
  const refs = new Map<string, Promise<RemoteRef>>();
  const signatures = new Map<string, MethodSignature>();

  const signatureFor = (service: string, method: string, arity: number): MethodSignature => {
    const descriptor = options.services?.[service]?.[method] ?? options.methods?.[method] ?? defaultDescriptor(arity);
    const key = `${method}${descriptor}`;
    let signature = signatures.get(key);
    if (!signature) {
      signature = parseMethodSignature(method, descriptor);
      signatures.set(key, signature);
    }
    return signature;
  };

  const leases = new DgcLeases(client, options);
  const target = (url: { host: string; port: number }, ref: RemoteRef) => (options.connectTo === 'registry' ? { host: url.host, port: url.port } : { host: ref.host, port: ref.port });
  const forget = (cacheKey: string) => {
    refs.delete(cacheKey);
    leases.forget(cacheKey);
  };

  const lookupUntil = (host: string, port: number, name: string, deadline: number): Promise<RemoteRef> =>
    client
      .call(
        host,
        port,
        {
          objId: REGISTRY_OBJ_ID,
          op: REGISTRY_LOOKUP_OP,
          hash: REGISTRY_INTERFACE_HASH,
          writeArguments: (out) => out.writeString(name),
          readResult: (input) => input.readObject(),
        },
        deadline,
      )
      .then(remoteRefOf);

  const invoker = async (provider: ProviderInstance, method: string, args: readonly unknown[], { timeoutMs, service }: InvokeOptions): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    const url = provider.effective;
    const name = url.path || service;
    const cacheKey = `${url.host}:${url.port}/${name}`;
    let signature: MethodSignature;
    try {
      signature = signatureFor(service, method, args.length);
      if (signature.parameters.length !== args.length) {
        throw new RmiSignatureError(`${method}${signature.descriptor} takes ${signature.parameters.length} argument(s), got ${args.length}`);
      }
    } catch (error) {
      throw toInvocationError(error, provider, `${name}.${method}`);
    }
    const writeArguments = (out: JavaObjectWriter) => signature.parameters.forEach((type, i) => writeArgument(out, type, args[i], `${method} argument ${i + 1}`));
    try {
      // validate arguments before touching the network (a bad argument is the caller's error, not the provider's)
      writeArguments(new JavaObjectWriter());
    } catch (error) {
      throw toInvocationError(error, provider, `${name}.${method}`);
    }
    try {
      let pending = refs.get(cacheKey);
      if (!pending) {
        // look up, then take a DGC lease so the server keeps the object while the stub is cached
        const lookedUp = lookupUntil(url.host, url.port, name, deadline).then(async (ref) => {
          const at = target(url, ref);
          await leases.hold(cacheKey, ref, at.host, at.port, deadline).catch(() => undefined);
          return ref;
        });
        pending = lookedUp;
        refs.set(cacheKey, lookedUp);
        lookedUp.catch(() => refs.get(cacheKey) === lookedUp && refs.delete(cacheKey));
      }
      const ref = await pending;
      const at = target(url, ref);
      const raw = await client.call(
        at.host,
        at.port,
        { objId: ref.objId, op: -1, hash: signature.hash, writeArguments, readResult: (input) => readReturnValue(input, signature.returns) },
        deadline,
      );
      return toJsValue(raw);
    } catch (error) {
      const failure = toInvocationError(error, provider, `${name}.${method}`);
      if (failure.retryable) forget(cacheKey);
      throw failure;
    }
  };

  return Object.assign(invoker, {
    lookup: (host: string, port: number, name: string, timeoutMs: number) => lookupUntil(host, port, name, Date.now() + timeoutMs),
    close: async () => {
      refs.clear();
      await leases.releaseAll();
      client.close();
    },
    leases: () => leases.heldKeys(),
    idleConnections: () => client.idleConnections(),
    cachedRefs: () => [...refs.keys()],
  });
}

function toInvocationError(error: unknown, provider: ProviderInstance, target: string): RmiInvocationError {
  const address = provider.address;
  if (error instanceof RmiInvocationError) return error;
  if (error instanceof RmiSignatureError) return new RmiInvocationError(`${target}: ${error.message}`, false, address);
  if (error instanceof JrmpRemoteException) {
    const retryable = RETRYABLE_REMOTE_EXCEPTIONS.has(error.javaClass);
    let message = `${target} on ${address} threw ${error.message}`;
    if (/unrecognized method hash/.test(error.javaMessage ?? '')) {
      message += ' (the configured method descriptor does not match the remote interface)';
    }
    return new RmiInvocationError(message, retryable, address, error.javaClass, error.javaMessage);
  }
  if (error instanceof JrmpTransportError) return new RmiInvocationError(`${target}: ${error.message}`, true, address);
  if (error instanceof JavaStreamError) return new RmiInvocationError(`${target}: unreadable reply from ${address}: ${error.message}`, true, address);
  return new RmiInvocationError(`${target} on ${address}: ${error instanceof Error ? error.message : String(error)}`, true, address);
}
