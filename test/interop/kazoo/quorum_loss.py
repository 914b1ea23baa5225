#!/usr/bin/env python3
"""kazoo against an ensemble that loses its quorum (test/interop/ensemble.test.ts).

Usage: quorum_loss.py <connect string> <session timeout s>

The hosts are tried in the given order (no shuffling): the test lists first the member that survives.

1. Connects, creates a few znodes while the quorum is there, prints
   {"ready": true, "session": "0x...", "before": [...]}.
2. On the stdin line "frozen" (the test has SIGSTOPped the other two members, so no write can commit),
   sends one create and prints {"inflight": "sent"}. The test checks that the survivor holds it
   unanswered (cons: queued=1), then SIGKILLs the frozen members; the survivor gives up on its leader
   and drops its clients, so kazoo fails the pending create: prints {"inflight": "<outcome>", ...}.
3. Creates znodes for 6 s more (each waited for at most 2 s) while no member serves; prints
   {"results": [...]} (each create: its outcome and kazoo's state).
"""
import json
import os
import sys
import time

from kazoo.client import KazooClient
from kazoo.exceptions import ConnectionLoss, SessionExpiredError
from kazoo.handlers.threading import KazooTimeoutError


def outcome_of(async_result, timeout):
    try:
        async_result.get(timeout=timeout)
        return 'ok'
    except ConnectionLoss:
        return 'ConnectionLoss'
    except SessionExpiredError:
        return 'SessionExpired'
    except KazooTimeoutError:
        return 'timeout'
    except Exception as e:  # anything else is reported as is
        return type(e).__name__


def main():
    zk = KazooClient(hosts=sys.argv[1], timeout=float(sys.argv[2]), randomize_hosts=False)
    zk.start(timeout=20)
    zk.ensure_path('/quorum-loss')
    before = [outcome_of(zk.create_async('/quorum-loss/before%d' % i, b'x'), 10) for i in range(5)]
    print(json.dumps({'ready': True, 'session': hex(zk.client_id[0]), 'before': before}), flush=True)

    for line in sys.stdin:
        if line.strip() == 'frozen':
            break
    sent_at = time.time()
    inflight = zk.create_async('/quorum-loss/inflight', b'x')
    print(json.dumps({'inflight': 'sent', 'state': zk.state}), flush=True)
    outcome = outcome_of(inflight, 60)
    print(json.dumps({'inflight': outcome, 'state': zk.state, 'seconds': round(time.time() - sent_at, 2)}), flush=True)

    results = []
    deadline = time.time() + 6
    i = 0
    while time.time() < deadline:
        outcome = outcome_of(zk.create_async('/quorum-loss/after%d' % i, b'x'), 2)
        results.append({'i': i, 'outcome': outcome, 'state': zk.state})
        i += 1
        if outcome != 'ok':
            time.sleep(0.1)
    print(json.dumps({'results': results}), flush=True)
    os._exit(0)  # no closeSession: there is no quorum to take it


if __name__ == '__main__':
    main()
