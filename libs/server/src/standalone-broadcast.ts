import type { Txn, TxnHeader } from '@paddock/data-tree';
import { writeTxn } from '@paddock/data-tree';
import { JuteWriter } from '@paddock/protocol';
import type { TxnLog } from './persistence/index.js';
import type { Broadcast } from './zk-server.js';

/**
 * The broadcast of an ensemble of one: a txn is committed as soon as it is durable in the local log.
 * Many txns share one fsync (the log batches appends made while an fsync is in flight).
 */
export class StandaloneBroadcast implements Broadcast {
  private readonly queue: Array<{ header: TxnHeader; txn: Txn }> = [];
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
    this.queue.push({ header, txn });
    this.txnsSinceSnapshot++;
    this.afterLogged();
  }

  private onDurable(durableZxid: number): void {
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.header.zxid <= durableZxid) {
      const { header, txn } = q[this.head++]!;
      this.commit(header, txn);
    }
    if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  get pendingCount(): number {
    return this.queue.length - this.head;
  }
}
