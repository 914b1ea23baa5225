#!/usr/bin/env python3
"""kazoo against an ensemble that loses its quorum (test/interop/ensemble.test.ts).

Usage: quorum_loss.py <connect string>

Connects, prints {"ready": ...}, then creates znodes in a loop (each create waited for at most 2 s).
The test stops 2 of the 3 members and writes "stopped" to stdin; from then on every create must fail:
kazoo reports ConnectionLoss (the request was in flight when the survivor dropped the connection),
SessionExpired, or the create times out queued while no member serves. About 6 s after "stopped" the
script prints {"results": [...]} (each create: whether it was issued after "stopped", and its outcome).
"""
import json
import os
import sys
import threading
import time

from kazoo.client import KazooClient
from kazoo.exceptions import ConnectionLoss, SessionExpiredError
from kazoo.handlers.threading import KazooTimeoutError


def main():
    zk = KazooClient(hosts=sys.argv[1], timeout=4.0)
    zk.start(timeout=20)
    zk.ensure_path('/quorum-loss')
    print(json.dumps({'ready': True, 'session': hex(zk.client_id[0])}), flush=True)

    stopped = threading.Event()

    def read_stdin():
        for line in sys.stdin:
            if line.strip() == 'stopped':
                stopped.set()

    threading.Thread(target=read_stdin, daemon=True).start()

    results = []
    deadline = None
    i = 0
    while deadline is None or time.time() < deadline:
        after = stopped.is_set()
        if after and deadline is None:
            deadline = time.time() + 6
        try:
            zk.create_async('/quorum-loss/n%d' % i, b'x').get(timeout=2)
            outcome = 'ok'
        except ConnectionLoss:
            outcome = 'ConnectionLoss'
        except SessionExpiredError:
            outcome = 'SessionExpired'
        except KazooTimeoutError:
            outcome = 'timeout'
        except Exception as e:  # anything else is reported as is
            outcome = type(e).__name__
        results.append({'i': i, 'afterStop': after, 'outcome': outcome, 'state': zk.state})
        i += 1
        if outcome != 'ok':
            time.sleep(0.1)
    print(json.dumps({'results': results}), flush=True)
    os._exit(0)  # no closeSession: there is no quorum to take it


if __name__ == '__main__':
    main()
