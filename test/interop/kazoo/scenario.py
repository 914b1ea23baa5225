#!/usr/bin/python3
"""Kazoo (python3-kazoo, unmodified) driving a ZooKeeper-protocol server.

usage: scenario.py HOST:PORT [--tick-ms N]
       scenario.py --hold-ephemeral HOST:PORT PATH TIMEOUT_S   (helper: see step session_expiry)

Runs every step even when an earlier one fails, and prints one JSON document on stdout:
  {"ok": bool, "steps": {name: {"ok": bool, "ms": int, "result": {...}, "error": str}}}
The exit code is 0 only when every step passed. Every wait is bounded.
Run it with Debian's /usr/bin/python3 (it has python3-kazoo), not a pyenv python.
"""
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback

from kazoo.client import KazooClient
from kazoo.exceptions import (
    BadVersionError,
    NoChildrenForEphemeralsError,
    NodeExistsError,
    NoNodeError,
    NotEmptyError,
)
from kazoo.protocol.states import KazooState
from kazoo.recipe.watchers import ChildrenWatch, DataWatch

ROOT = '/kazoo-interop'
EVENT_WAIT_S = 5.0  # any watch that should fire must fire within this
QUIET_WAIT_S = 0.3  # how long we listen to be sure a one-shot watch did NOT fire again

logging.basicConfig(level=logging.ERROR, stream=sys.stderr)


class Check(Exception):
    pass


def check(cond, message):
    if not cond:
        raise Check(message)


def eq(actual, expected, what):
    if actual != expected:
        raise Check('%s: expected %r, got %r' % (what, expected, actual))


def next_item(q, what, timeout=EVENT_WAIT_S):
    try:
        return q.get(timeout=timeout)
    except queue.Empty:
        raise Check('timed out after %.1fs waiting for %s' % (timeout, what))


def assert_quiet(q, what):
    try:
        item = q.get(timeout=QUIET_WAIT_S)
    except queue.Empty:
        return
    raise Check('unexpected %s: %r' % (what, item))


def ev(event):
    """WatchedEvent -> plain dict (type CREATED/DELETED/CHANGED/CHILD, state, path)."""
    if event is None:
        return None
    return {'type': event.type, 'state': event.state, 'path': event.path}


def stat_dict(stat):
    return None if stat is None else dict(stat._asdict())


def expect_error(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return type(e).__name__
    except Exception as e:  # noqa: BLE001 - report the wrong exception type
        raise Check('expected %s, got %s: %s' % (exc_type.__name__, type(e).__name__, e))
    raise Check('expected %s, got success' % exc_type.__name__)


def walk(client, path):
    """ls -R: every path below `path` (inclusive), sorted."""
    out = [path]
    for child in sorted(client.get_children(path)):
        out.extend(walk(client, path.rstrip('/') + '/' + child))
    return out


def new_client(hosts, timeout=10.0):
    client = KazooClient(hosts=hosts, timeout=timeout)
    client.start(timeout=15)
    return client


class Scenario(object):
    def __init__(self, hosts, tick_ms):
        self.hosts = hosts
        self.tick_ms = tick_ms
        self.steps = {}
        self.c1 = None
        self.c2 = None

    def run_step(self, name, fn):
        started = time.time()
        entry = {'ok': True}
        try:
            entry['result'] = fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, then we go on
            entry['ok'] = False
            entry['error'] = '%s: %s' % (type(e).__name__, e)
            if not isinstance(e, Check):
                entry['traceback'] = traceback.format_exc()
        entry['ms'] = int((time.time() - started) * 1000)
        self.steps[name] = entry

    # ------------------------------------------------------------------ steps

    def connect(self):
        states = []
        self.c1 = KazooClient(hosts=self.hosts, timeout=10.0)
        self.c1.add_listener(lambda state: states.append(state))
        self.c1.start(timeout=15)
        self.c2 = new_client(self.hosts)
        eq(self.c1.state, KazooState.CONNECTED, 'c1 state')
        eq(self.c2.state, KazooState.CONNECTED, 'c2 state')
        s1, p1 = self.c1.client_id
        s2, p2 = self.c2.client_id
        check(s1 != 0 and s2 != 0 and s1 != s2, 'distinct non-zero session ids: %r %r' % (s1, s2))
        eq(len(p1), 16, 'session password length')
        eq(states, [KazooState.CONNECTED], 'c1 listener states')
        eq(self.c1.command(b'ruok'), 'imok', 'ruok via kazoo')
        # clean slate (a previous aborted run against a long-lived server)
        if self.c1.exists(ROOT):
            self.c1.delete(ROOT, recursive=True)
        return {'session1': '0x%x' % s1, 'session2': '0x%x' % s2}

    def ensure_path(self):
        c = self.c1
        eq(c.ensure_path(ROOT + '/a/b/c'), ROOT + '/a/b/c', 'ensure_path result (the created path)')
        eq(c.ensure_path(ROOT + '/a/b/c'), True, 'ensure_path again (idempotent: already there)')
        for p in (ROOT, ROOT + '/a', ROOT + '/a/b', ROOT + '/a/b/c'):
            check(c.exists(p) is not None, '%s exists' % p)
        eq(c.get_children(ROOT), ['a'], 'children of root')
        data, stat = c.get(ROOT + '/a/b/c')
        # kazoo sends empty data as a null buffer (-1); the server must store and return it as empty/null
        check(data in (b'', None), 'empty data, got %r' % (data,))
        eq(stat.dataLength, 0, 'dataLength of empty node')
        eq(stat.version, 0, 'version')
        return {'data': None if data is None else data.decode(), 'stat': stat_dict(stat)}

    def create_get(self):
        c = self.c1
        before_ms = int(time.time() * 1000)
        eq(c.create(ROOT + '/data', b'v0'), ROOT + '/data', 'created path')
        data, stat = c.get(ROOT + '/data')
        eq(data, b'v0', 'data')
        eq(stat.version, 0, 'version')
        eq(stat.cversion, 0, 'cversion')
        eq(stat.aversion, 0, 'aversion')
        eq(stat.ephemeralOwner, 0, 'ephemeralOwner of a persistent node')
        eq(stat.dataLength, 2, 'dataLength')
        eq(stat.numChildren, 0, 'numChildren')
        eq(stat.czxid, stat.mzxid, 'czxid == mzxid for a new node')
        eq(stat.pzxid, stat.czxid, 'pzxid == czxid for a new node')
        eq(stat.ctime, stat.mtime, 'ctime == mtime for a new node')
        check(abs(stat.ctime - before_ms) < 60000, 'ctime %d close to client clock %d' % (stat.ctime, before_ms))
        eq(expect_error(NodeExistsError, c.create, ROOT + '/data', b'again'), 'NodeExistsError', 'duplicate create')
        eq(expect_error(NoNodeError, c.create, ROOT + '/missing/child', b''), 'NoNodeError', 'create without parent')
        eq(expect_error(NoNodeError, c.get, ROOT + '/missing'), 'NoNodeError', 'get of missing node')
        return {'stat': stat_dict(stat)}

    def sequential_ephemeral(self):
        c = self.c1
        sid = c.client_id[0]
        p0 = c.create(ROOT + '/seq/n-', b'e0', ephemeral=True, sequence=True, makepath=True)
        p1 = c.create(ROOT + '/seq/n-', b'e1', ephemeral=True, sequence=True)
        p2 = c.create(ROOT + '/seq/p-', b'p2', sequence=True)
        eq([p0, p1, p2], [ROOT + '/seq/n-0000000000', ROOT + '/seq/n-0000000001', ROOT + '/seq/p-0000000002'],
           'sequential paths (10-digit counter from the parent cversion)')
        eq(c.get(p0)[1].ephemeralOwner, sid, 'ephemeralOwner == session id')
        eq(c.get(p2)[1].ephemeralOwner, 0, 'persistent sequential has no owner')
        eq(sorted(c.get_children(ROOT + '/seq')), ['n-0000000000', 'n-0000000001', 'p-0000000002'], 'children')
        parent = c.exists(ROOT + '/seq')
        eq(parent.cversion, 3, 'parent cversion')
        eq(parent.numChildren, 3, 'parent numChildren')
        eq(expect_error(NoChildrenForEphemeralsError, c.create, p0 + '/child', b''),
           'NoChildrenForEphemeralsError', 'child of an ephemeral')
        # ZooKeeper keeps a count of child creates (it feeds the sequence suffix) and reports
        # cversion = 2 * creates - numChildren (= creates + deletes): after a delete the reported
        # cversion is 4 but the next suffix is still 3
        c.delete(p1)
        eq(c.exists(ROOT + '/seq').cversion, 4, 'reported parent cversion after a delete')
        p3 = c.create(ROOT + '/seq/n-', b'e3', ephemeral=True, sequence=True)
        eq(p3, ROOT + '/seq/n-0000000003', 'sequence after a delete')
        return {'paths': [p0, p1, p2, p3]}

    def get_watch_one_shot(self):
        q = queue.Queue()
        path = ROOT + '/data'
        data, stat = self.c1.get(path, watch=q.put)
        eq(data, b'v0', 'data before')
        stat1 = self.c2.set(path, b'v1')
        eq(stat1.version, 1, 'version after set')
        event = ev(next_item(q, 'NodeDataChanged on ' + path))
        eq(event, {'type': 'CHANGED', 'state': 'CONNECTED', 'path': path}, 'watch event')
        self.c2.set(path, b'v2')
        assert_quiet(q, 'second event from a one-shot watch')
        return {'event': event}

    def set_with_version(self):
        c = self.c1
        path = ROOT + '/data'
        _, before = c.get(path)
        eq(before.version, 2, 'version before')
        stat = c.set(path, b'v3', version=2)
        eq(stat.version, 3, 'version after conditional set')
        eq(stat.dataLength, 2, 'dataLength')
        check(stat.mzxid > before.mzxid, 'mzxid grows')
        eq(stat.czxid, before.czxid, 'czxid unchanged')
        eq(expect_error(BadVersionError, c.set, path, b'bad', version=2), 'BadVersionError', 'stale version')
        eq(c.get(path)[0], b'v3', 'data unchanged after failed set')
        stat = c.set(path, b'', version=-1)
        eq(stat.version, 4, 'unconditional set')
        eq(stat.dataLength, 0, 'set to empty')
        eq(expect_error(NoNodeError, c.set, ROOT + '/missing', b'x'), 'NoNodeError', 'set of missing node')
        return {'stat': stat_dict(stat)}

    def data_watch(self):
        calls = queue.Queue()
        path = ROOT + '/dw'

        def on_change(data, stat, event):
            calls.put({'data': None if data is None else data.decode(),
                       'version': None if stat is None else stat.version,
                       'event': None if event is None else event.type})

        DataWatch(self.c1, path, on_change)
        seen = [next_item(calls, 'initial DataWatch call')]
        self.c2.create(path, b'one')
        seen.append(next_item(calls, 'DataWatch call after create'))
        self.c2.set(path, b'two')
        seen.append(next_item(calls, 'DataWatch call after set'))
        self.c2.delete(path)
        seen.append(next_item(calls, 'DataWatch call after delete'))
        eq(seen, [
            {'data': None, 'version': None, 'event': None},
            {'data': 'one', 'version': 0, 'event': 'CREATED'},
            {'data': 'two', 'version': 1, 'event': 'CHANGED'},
            {'data': None, 'version': None, 'event': 'DELETED'},
        ], 'DataWatch calls')
        return {'calls': seen}

    def children_watch(self):
        calls = queue.Queue()
        path = ROOT + '/kids'
        self.c1.create(path, b'')

        def on_children(children, event):
            calls.put({'children': sorted(children),
                       'event': None if event is None else {'type': event.type, 'path': event.path}})

        ChildrenWatch(self.c1, path, on_children, send_event=True)
        seen = [next_item(calls, 'initial ChildrenWatch call')]
        self.c2.create(path + '/a', b'')
        seen.append(next_item(calls, 'ChildrenWatch after create a'))
        self.c2.create(path + '/b', b'')
        seen.append(next_item(calls, 'ChildrenWatch after create b'))
        self.c2.delete(path + '/a')
        seen.append(next_item(calls, 'ChildrenWatch after delete a'))
        self.c2.set(path + '/b', b'data change')
        assert_quiet(calls, 'ChildrenWatch call for a data change of a child')
        child = {'type': 'CHILD', 'path': path}
        eq(seen, [
            {'children': [], 'event': None},
            {'children': ['a'], 'event': child},
            {'children': ['a', 'b'], 'event': child},
            {'children': ['b'], 'event': child},
        ], 'ChildrenWatch calls')
        return {'calls': seen}

    def exists_watch(self):
        q = queue.Queue()
        path = ROOT + '/later'
        eq(self.c1.exists(path, watch=q.put), None, 'exists of a missing node')
        self.c2.create(path, b'now')
        created = ev(next_item(q, 'NodeCreated from an exists watch set on a missing node'))
        eq(created, {'type': 'CREATED', 'state': 'CONNECTED', 'path': path}, 'created event')
        stat = self.c1.exists(path, watch=q.put)
        eq(stat.dataLength, 3, 'stat of the new node')
        self.c2.delete(path)
        deleted = ev(next_item(q, 'NodeDeleted from an exists watch'))
        eq(deleted, {'type': 'DELETED', 'state': 'CONNECTED', 'path': path}, 'deleted event')
        return {'events': [created, deleted]}

    def tree_listing(self):
        eq(walk(self.c1, ROOT), [
            ROOT,
            ROOT + '/a', ROOT + '/a/b', ROOT + '/a/b/c',
            ROOT + '/data',
            ROOT + '/kids', ROOT + '/kids/b',
            ROOT + '/seq', ROOT + '/seq/n-0000000000', ROOT + '/seq/n-0000000003', ROOT + '/seq/p-0000000002',
        ], 'ls -R ' + ROOT)
        root = self.c1.exists(ROOT)
        eq(root.numChildren, 4, 'numChildren of root')
        children, stat = self.c1.get_children(ROOT, include_data=True)
        eq(sorted(children), ['a', 'data', 'kids', 'seq'], 'getChildren2 children')
        eq(stat.numChildren, 4, 'getChildren2 stat')
        return {'numChildren': root.numChildren, 'cversion': root.cversion}

    def delete_and_recursive_delete(self):
        c = self.c1
        q = queue.Queue()
        eq(expect_error(NotEmptyError, c.delete, ROOT + '/a'), 'NotEmptyError', 'delete of a non-empty node')
        eq(expect_error(BadVersionError, c.delete, ROOT + '/data', version=99), 'BadVersionError', 'stale delete')
        eq(expect_error(NoNodeError, c.delete, ROOT + '/nope'), 'NoNodeError', 'delete of a missing node')
        c.delete(ROOT + '/data', version=4)
        eq(c.exists(ROOT + '/data'), None, 'deleted with the right version')
        self.c2.get(ROOT + '/a/b/c', watch=q.put)
        c.delete(ROOT + '/a', recursive=True)
        for p in (ROOT + '/a', ROOT + '/a/b', ROOT + '/a/b/c'):
            eq(c.exists(p), None, '%s after recursive delete' % p)
        event = ev(next_item(q, 'NodeDeleted on a leaf removed by a recursive delete'))
        eq(event, {'type': 'DELETED', 'state': 'CONNECTED', 'path': ROOT + '/a/b/c'}, 'deleted event')
        eq(sorted(c.get_children(ROOT)), ['kids', 'seq'], 'children after deletes')
        return {'event': event}

    def transactions(self):
        c = self.c1
        t = c.transaction()
        t.create(ROOT + '/tx', b'root')
        t.create(ROOT + '/tx/a', b'1')
        t.set_data(ROOT + '/tx/a', b'11')
        t.check(ROOT + '/tx/a', 1)
        t.create(ROOT + '/tx/s-', b'', sequence=True)
        t.delete(ROOT + '/tx/a')
        results = t.commit()
        eq(len(results), 6, 'number of results')
        eq(results[0], ROOT + '/tx', 'create result')
        eq(results[1], ROOT + '/tx/a', 'create result')
        eq(results[2].version, 1, 'setData result stat version')
        eq(results[2].dataLength, 2, 'setData result stat dataLength')
        eq(results[3], True, 'check result')
        eq(results[4], ROOT + '/tx/s-0000000001', 'sequential create inside a multi')
        eq(results[5], True, 'delete result')
        eq(c.get_children(ROOT + '/tx'), ['s-0000000001'], 'children after the multi')

        t = c.transaction()
        t.create(ROOT + '/tx/b', b'')
        t.check(ROOT + '/tx', 5)
        t.set_data(ROOT + '/tx', b'never')
        failed = [type(r).__name__ for r in t.commit()]
        eq(failed, ['RolledBackError', 'BadVersionError', 'RuntimeInconsistency'], 'failed multi results')
        eq(c.exists(ROOT + '/tx/b'), None, 'rolled-back create left nothing')
        eq(c.get(ROOT + '/tx')[0], b'root', 'rolled-back set left data')
        c.delete(ROOT + '/tx', recursive=True)
        return {'failed': failed}

    def sync_and_lock(self):
        eq(self.c1.sync(ROOT), ROOT, 'sync result')
        path = ROOT + '/lock'
        lock1 = self.c1.Lock(path, 'c1')
        lock2 = self.c2.Lock(path, 'c2')
        eq(lock1.acquire(timeout=5), True, 'c1 acquires')
        eq(lock2.acquire(blocking=False), False, 'c2 cannot acquire while c1 holds it')
        got = queue.Queue()
        waiter = threading.Thread(target=lambda: got.put(lock2.acquire(timeout=10)))
        waiter.daemon = True
        waiter.start()
        deadline = time.time() + EVENT_WAIT_S
        while len(lock1.contenders()) < 2 and time.time() < deadline:
            time.sleep(0.02)
        eq(lock1.contenders(), ['c1', 'c2'], 'contenders while c2 waits')
        lock1.release()
        eq(next_item(got, 'c2 to acquire after release'), True, 'c2 acquires after c1 releases')
        eq(lock2.contenders(), ['c2'], 'contenders after handover')
        lock2.release()
        eq(lock2.contenders(), [], 'no contenders')
        return {}

    def close_removes_ephemerals(self):
        c3 = new_client(self.hosts)
        path = ROOT + '/eph/closing'
        c3.create(path, b'bye', ephemeral=True, makepath=True)
        # c1 may be on another ensemble member: sync so it has seen c3's create (ZooKeeper's rule for
        # reading another client's write through a different server)
        self.c1.sync(path)
        node_events = queue.Queue()
        child_events = queue.Queue()
        stat = self.c1.exists(path, watch=node_events.put)
        eq(stat.ephemeralOwner, c3.client_id[0], 'ephemeralOwner')
        eq(self.c1.get_children(ROOT + '/eph', watch=child_events.put), ['closing'], 'children')
        started = time.time()
        c3.stop()
        c3.close()
        deleted = ev(next_item(node_events, 'NodeDeleted after the owner closed its session'))
        elapsed_ms = int((time.time() - started) * 1000)
        child = ev(next_item(child_events, 'NodeChildrenChanged on the parent'))
        eq(deleted, {'type': 'DELETED', 'state': 'CONNECTED', 'path': path}, 'node event')
        eq(child, {'type': 'CHILD', 'state': 'CONNECTED', 'path': ROOT + '/eph'}, 'parent event')
        eq(self.c1.exists(path), None, 'ephemeral gone')
        # closeSession removes ephemerals at once, not after the 10 s session timeout
        check(elapsed_ms < 3000, 'ephemeral removed %d ms after close' % elapsed_ms)
        return {'elapsed_ms': elapsed_ms}

    def session_expiry(self):
        timeout_s = 2.0
        path = ROOT + '/eph/crashing'
        holder = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), '--hold-ephemeral', self.hosts, path, str(timeout_s)],
            stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
        try:
            lines = queue.Queue()
            threading.Thread(target=lambda: lines.put(holder.stdout.readline()), daemon=True).start()
            ready = json.loads(next_item(lines, 'the ephemeral holder to be ready', timeout=20))
            node_events = queue.Queue()
            # c1 may be connected to another ensemble member than the holder: sync before reading its write
            self.c1.sync(path)
            stat = self.c1.exists(path, watch=node_events.put)
            check(stat is not None, 'holder ephemeral exists')
            eq('0x%x' % stat.ephemeralOwner, ready['session_id'], 'ephemeralOwner is the holder session')
            holder.send_signal(signal.SIGKILL)  # no closeSession: only the expiry can remove it
            holder.wait(timeout=10)
            killed = time.time()
            time.sleep(0.2)
            check(self.c1.exists(path) is not None,
                  'the ephemeral must survive a dropped connection until the session times out')
            bound = timeout_s + 4 * self.tick_ms / 1000.0 + 3.0
            deleted = ev(next_item(node_events, 'NodeDeleted after the session expired', timeout=bound))
            elapsed_ms = int((time.time() - killed) * 1000)
            eq(deleted, {'type': 'DELETED', 'state': 'CONNECTED', 'path': path}, 'expiry event')
            eq(self.c1.exists(path), None, 'ephemeral gone after expiry')
            # the session lives at least until its timeout minus the last ping interval (~timeout/3)
            check(elapsed_ms >= timeout_s * 1000 / 2,
                  'removed only %d ms after the client died (timeout %d ms)' % (elapsed_ms, timeout_s * 1000))
            return {'elapsed_ms': elapsed_ms, 'timeout_ms': int(timeout_s * 1000)}
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait(timeout=10)

    def cleanup(self):
        self.c1.delete(ROOT, recursive=True)
        eq(self.c1.exists(ROOT), None, 'root removed')
        for c in (self.c1, self.c2):
            c.stop()
            c.close()
        return {}

    def run(self):
        steps = [
            ('connect', self.connect),
            ('ensure_path', self.ensure_path),
            ('create_get', self.create_get),
            ('sequential_ephemeral', self.sequential_ephemeral),
            ('get_watch_one_shot', self.get_watch_one_shot),
            ('set_with_version', self.set_with_version),
            ('data_watch', self.data_watch),
            ('children_watch', self.children_watch),
            ('exists_watch', self.exists_watch),
            ('tree_listing', self.tree_listing),
            ('delete_and_recursive_delete', self.delete_and_recursive_delete),
            ('transactions', self.transactions),
            ('sync_and_lock', self.sync_and_lock),
            ('close_removes_ephemerals', self.close_removes_ephemerals),
            ('session_expiry', self.session_expiry),
            ('cleanup', self.cleanup),
        ]
        for name, fn in steps:
            if name != 'connect' and not self.steps['connect']['ok']:
                self.steps[name] = {'ok': False, 'ms': 0, 'error': 'skipped: could not connect'}
                continue
            self.run_step(name, fn)
        return all(step['ok'] for step in self.steps.values())


def hold_ephemeral(hosts, path, timeout_s):
    client = new_client(hosts, timeout=float(timeout_s))
    client.create(path, b'held', ephemeral=True, makepath=True)
    parent = os.getppid()
    print(json.dumps({'session_id': '0x%x' % client.client_id[0], 'path': path}), flush=True)
    while True:  # until SIGKILLed by the parent; exit if the parent vanished (we got re-parented)
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main(argv):
    if len(argv) >= 2 and argv[1] == '--hold-ephemeral':
        hold_ephemeral(argv[2], argv[3], argv[4])
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tick_ms = 2000
    if '--tick-ms' in argv:
        tick_ms = int(argv[argv.index('--tick-ms') + 1])
    scenario = Scenario(argv[1], tick_ms)
    ok = scenario.run()
    print(json.dumps({'ok': ok, 'steps': scenario.steps}, indent=1, sort_keys=True))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
