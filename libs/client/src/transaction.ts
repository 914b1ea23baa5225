/** Ops of a multi / multiRead and the fluent transaction builder. */
import type { ACL } from '@paddock/protocol';
import type { OpResult } from './errors.js';
import type { CreateMode } from './types.js';

type Data = Buffer | Uint8Array | string | null | undefined;

export type Op =
  | { type: 'create'; path: string; data?: Data; mode?: CreateMode; acl?: readonly ACL[]; ttl?: number }
  | { type: 'delete'; path: string; version?: number }
  | { type: 'setData'; path: string; data: Data; version?: number }
  | { type: 'check'; path: string; version: number };

export type ReadOp = { type: 'getData'; path: string } | { type: 'getChildren'; path: string };

/** Op constructors, for `client.multi([ops.create('/a'), ops.check('/b', 3)])`. */
export const ops = {
  create: (path: string, data?: Data, options: { mode?: CreateMode; acl?: readonly ACL[]; ttl?: number } = {}): Op => ({ type: 'create', path, data, ...options }),
  delete: (path: string, version = -1): Op => ({ type: 'delete', path, version }),
  setData: (path: string, data: Data, version = -1): Op => ({ type: 'setData', path, data, version }),
  check: (path: string, version: number): Op => ({ type: 'check', path, version }),
  getData: (path: string): ReadOp => ({ type: 'getData', path }),
  getChildren: (path: string): ReadOp => ({ type: 'getChildren', path }),
};

/**
 * Collects ops and commits them as one multi. `commit()` resolves with one result per op, or throws a
 * TransactionError (code and path of the first failing op, `results` for every op) and nothing is applied.
 */
export class Transaction {
  readonly ops: Op[] = [];

  constructor(private readonly run: (ops: readonly Op[]) => Promise<OpResult[]>) {}

  create(path: string, data?: Data, options: { mode?: CreateMode; acl?: readonly ACL[]; ttl?: number } = {}): this {
    this.ops.push(ops.create(path, data, options));
    return this;
  }

  delete(path: string, version = -1): this {
    this.ops.push(ops.delete(path, version));
    return this;
  }

  setData(path: string, data: Data, version = -1): this {
    this.ops.push(ops.setData(path, data, version));
    return this;
  }

  check(path: string, version: number): this {
    this.ops.push(ops.check(path, version));
    return this;
  }

  commit(): Promise<OpResult[]> {
    return this.run(this.ops);
  }
}
