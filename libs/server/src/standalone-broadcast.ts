import type { Txn, TxnHeader } from '@paddock/data-tree';
import { writeTxn } from '@paddock/data-tree';
import { JuteWriter } from '@paddock/protocol';
import { flushOutputNow } from './net/output-buffer.js';
import type { TxnLog } from './persistence/index.js';
import type { Broadcast } from './zk-server.js';

/**
 * The broadcast of an ensemble of one: a txn is committed as soon as it is durable in the local log.
 * Many txns share one fsync (the log batches appends made while an fsync is in flight).
 */
export class StandaloneBroadcast implements Broadcast {
  /** logged txns waiting to be durable, in zxid order: headers[i] goes with txns[i] (no pair object per txn) */
  private readonly headers: TxnHeader[] = [];
  private readonly txns: Txn[] = [];
  private head = 0;
  private readonly writer = new JuteWriter(1024);
  /** txns logged since the last snapshot started */
  txnsSinceSnapshot = 0;

  constructor(
    private readonly log: TxnLog,
    private readonly commit: (header: TxnHeader, txn: Txn) => void,
    private readonly afterLogged: () => void = () => {},
  ) {
    log.onDurable((durableZxid) => this.onDurable(durableZxid));
  }

  propose(header: TxnHeader, txn: Txn): void {
    const w = this.writer;
    w.reset();
    writeTxn(w, header, txn);
    this.log.append(header.zxid, w.bytes()); // the log copies the payload into its batch buffer
    this.headers.push(header);
    this.txns.push(txn);
    this.txnsSinceSnapshot++;
    this.afterLogged();
  }

  private onDurable(durableZxid: number): void {
    const headers = this.headers;
    const txns = this.txns;
    let head = this.head;
    while (head < headers.length && headers[head]!.zxid <= durableZxid) {
      const header = headers[head]!;
      const txn = txns[head]!;
      this.head = ++head; // before commit: a commit that throws must not be applied again
      this.commit(header, txn);
    }
    head = this.head;
    if (head === headers.length) {
      headers.length = 0;
      txns.length = 0;
      this.head = 0;
    } else if (head > 1024 && head * 2 > headers.length) {
      headers.splice(0, head);
      txns.splice(0, head);
      this.head = 0;
    }
    // the batch's replies go out now, before the event loop polls for (and preps) the next requests
    flushOutputNow();
  }

  get pendingCount(): number {
    return this.headers.length - this.head;
  }
}
