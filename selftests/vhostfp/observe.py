#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vhostfp seen from outside the VMM: vhostfp-stat, the netlink dump, the
kernel's ynl and the tracepoints, against devices whose traffic the test
moved itself (observe.c holds them open).

    observe.c tun ---- /dev/vhost-fp ---- vfptap0 (tun)      --- AF_PACKET
    observe.c macvtap -- /dev/vhost-fp -- vfpmvt0 queue 1 (macvtap on a veth)
      (packed ring)                         queue 0 open, unserved

    observe.py ---- vhostfp-stat (netlink; as nobody; bad pids)
               ---- ynl cli.py --spec vhostfp.yaml --dump dev-get
               ---- VHOST_FP_GET_VQ_STATS (observe.c "stats")
               ---- /sys/kernel/tracing/events/vhostfp/*

Run by observe.sh (modules loaded); KTAP on stdout.  Needs vhostfp loaded
at the start, and unloads it at the end to see the tool say so.
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
STAT = os.environ.get('VFP_STAT', os.path.join(REPO, 'vhostfp/tools/vhostfp-stat'))
YNL = os.path.join(REPO, '.cache/src/6.12/tools/net/ynl/cli.py')
SPEC = os.path.join(REPO, 'Documentation/netlink/specs/vhostfp.yaml')
TRACING = '/sys/kernel/tracing'
N = int(os.environ.get('VFP_PKTS', '1000'))
# Frames the host's own stack may send the guest after the test's
# (IPv6 neighbour discovery on a fresh link): RX may count a few more.
RX_SLACK = 20

results = []


def log(msg):
    for line in str(msg).splitlines():
        print('# ' + line, flush=True)


def check(name, ok, why=''):
    results.append(ok)
    n = len(results)
    print('%s %d %s' % ('ok' if ok else 'not ok', n, name), flush=True)
    if not ok and why:
        log(why)
    return ok


def run(cmd, user=None):
    if user:
        cmd = ['setpriv', '--reuid=%s' % user, '--regid=nogroup', '--clear-groups',
               '--inh-caps=-all'] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class Holder:
    """One observe.c: a device with traffic behind it, held open."""

    def __init__(self, *args):
        self.p = subprocess.Popen([os.path.join(HERE, 'observe')] + list(args),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.info = self.reply()
        if 'error' in self.info:
            raise RuntimeError('observe %s: %s' % (' '.join(args), self.info['error']))

    def reply(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError('observe exited (%s)' % self.p.wait())
        return json.loads(line)

    def cmd(self, c):
        self.p.stdin.write(c + '\n')
        r = self.reply()
        if 'error' in r:
            raise RuntimeError('observe %s: %s' % (c, r['error']))
        return r

    def close(self):
        self.p.stdin.write('quit\n')
        self.p.stdin.close()
        return self.p.wait(timeout=60)


def stat_json(*args):
    rc, out, err = run([STAT, '--json'] + list(args))
    if rc:
        raise RuntimeError('vhostfp-stat --json: %d: %s' % (rc, err))
    return json.loads(out)


def ynl_dump():
    rc, out, err = run([sys.executable, YNL, '--spec', SPEC, '--no-schema',
                        '--dump', 'dev-get', '--output-json'])
    if rc:
        raise RuntimeError('ynl: %d: %s' % (rc, err))
    return json.loads(out)


def dev_of(doc, owner):
    devs = [d for d in doc['devices'] if d['owner_pid'] == owner]
    return devs[0] if len(devs) == 1 else None


def consistent_reads(h):
    """ioctl, tool JSON, ynl, ioctl: the counters are only ever increased,
    so when both ioctl reads agree, the two reads between saw the same."""
    for _ in range(5):
        a = h.cmd('stats')['stats']
        tool = nl = None
        try:
            tool = dev_of(stat_json(), h.info['pid'])
        except (RuntimeError, ValueError) as e:
            log(e)
        try:
            nl = [d for d in ynl_dump() if d['owner-pid'] == h.info['pid']]
            nl = nl[0] if len(nl) == 1 else None
        except (RuntimeError, ValueError) as e:
            log(e)
        b = h.cmd('stats')['stats']
        if a == b:
            return a, tool, nl
        time.sleep(0.5)
    raise RuntimeError('the counters kept moving')


def check_counts(h, tool):
    """The tool's totals against the frames the test moved."""
    q = {x['direction']: x['counters'] for x in tool['queues']}
    tx, rx = q['tx']['packets'], q['rx']['packets']
    want_rx = h.info['rx_frames']
    check('%s: tool TX packets = %d frames the guest sent' % (h.info['kind'], N),
          tx == N == h.info['tx_frames'], 'tx %d, sent %d' % (tx, h.info['tx_frames']))
    check('%s: tool RX packets = %d frames the guest got (+%d at most)' %
          (h.info['kind'], want_rx, RX_SLACK),
          want_rx <= rx <= want_rx + RX_SLACK, 'rx %d' % rx)
    rc, out, _ = run([STAT, '-p', str(h.info['pid'])])
    rows = [line.split() for line in out.splitlines()[1:]]
    ok = rc == 0 and len(rows) == 2 and all(r[2] == h.info['ifname'] for r in rows) and \
        {r[4]: int(r[5]) for r in rows} == {'rx': rx, 'tx': tx}
    check('%s: default view: one line per queue, ifname and packets' % h.info['kind'], ok, out)
    return ok


def check_identity(h, tool, nl):
    i = h.info
    ok = True
    for x in tool['queues']:
        ok &= x['backend'] == i['kind'] and x['ifname'] == i['ifname'] and \
            x['ifindex'] == i['ifindex'] and x['tap_queue'] == i['queue']
    check('%s: backend %s, ifindex %d, queue %d in both queues' %
          (i['kind'], i['ifname'], i['ifindex'], i['queue']), ok, json.dumps(tool))
    comm = ''
    try:
        with open('/proc/%d/comm' % tool['worker_pid']) as f:
            comm = f.read().strip()
    except OSError:
        pass
    check('%s: worker %d is vhostfp-%d' % (i['kind'], tool['worker_pid'], i['pid']),
          comm == 'vhostfp-%d' % i['pid'], 'comm %r' % comm)
    check('%s: features 0x%x, %s ring' % (i['kind'], i['features'], i['ring']),
          tool['features'] == i['features'] and tool['ring'] == i['ring'], json.dumps(tool))
    ok = nl is not None and nl['id'] == tool['id'] and nl['worker-pid'] == tool['worker_pid']
    for x, y in zip(tool['queues'], nl['queue'] if nl else []):
        ok &= y.get('ifname') == x['ifname'] and y.get('ifindex') == x['ifindex'] and \
            y.get('tap-queue', -1) == x['tap_queue']
    check('%s: ynl dump: the same identity' % i['kind'], ok, json.dumps(nl))


def check_same_counters(h, ioctl, tool, nl):
    names = list(ioctl[0].keys())
    ok = nl is not None
    for qi in (0, 1):
        t = tool['queues'][qi]['counters']
        n = nl['queue'][qi] if ok else {}
        for c in names:
            ok &= t[c] == ioctl[qi][c] == n.get(c.replace('_', '-'))
    check('%s: every counter the same in --json, the netlink dump (ynl) and the ioctl' %
          h.info['kind'], ok, '%s\n%s\n%s' % (ioctl, tool, nl))


class Trace:
    def __init__(self):
        self.on = os.path.isdir(TRACING + '/events/vhostfp')
        if self.on:
            self.write('trace', '')
            self.write('events/vhostfp/enable', '1')

    def write(self, f, v):
        with open(os.path.join(TRACING, f), 'w') as fh:
            fh.write(v)

    def take(self):
        with open(TRACING + '/trace') as f:
            text = f.read()
        self.write('trace', '')
        return [line for line in text.splitlines() if not line.startswith('#')]


def seen(lines, event, dev, extra=''):
    pat = re.compile(r'\b%s: dev %d\b.*%s' % (event, dev, extra))
    return any(pat.search(line) for line in lines)


def main():
    print('TAP version 13', flush=True)
    if not os.path.exists(STAT):
        print('1..0 # SKIP no vhostfp-stat: make tools')
        return 4
    trace = Trace()
    tun = Holder('tun')
    mvt = Holder('macvtap', 'packed')
    log('tun: %s' % {k: v for k, v in tun.info.items() if k != 'stats'})
    log('macvtap: %s' % {k: v for k, v in mvt.info.items() if k != 'stats'})
    start = trace.take() if trace.on else []

    before = {}
    for h in (tun, mvt):
        ioctl, tool, nl = consistent_reads(h)
        before[h.info['kind']] = ioctl
        if not check('%s: the tool and ynl list the device' % h.info['kind'],
                     tool is not None and nl is not None) and tool is None:
            continue
        check_counts(h, tool)
        check_identity(h, tool, nl)
        check_same_counters(h, ioctl, tool, nl)
    rc, out, _ = run([STAT])
    log('vhostfp-stat:\n' + out)
    check('default view fits 100 columns', rc == 0 and max(map(len, out.splitlines())) <= 100)
    rc, out, _ = run([STAT, '-n', 'vfpmvt0'])
    check('-n vfpmvt0: the macvtap device only',
          rc == 0 and len(out.splitlines()) == 3 and 'vfptap0' not in out, out)
    rc, out, _ = run([STAT, '-a', '-p', str(tun.info['pid'])])
    check('-a: every counter of both queues',
          rc == 0 and all(out.count('    %s ' % c) == 2 for c in tun.info['stats'][0]), out)
    rc, out, _ = run([STAT, '-i', '0.5', '-c', '2', '--json', '-p', str(tun.info['pid'])])
    docs = [json.loads(line) for line in out.splitlines()] if rc == 0 else []
    check('-i 0.5 -c 2 --json: two reports with rates',
          len(docs) == 2 and all('rates' in q for d in docs for q in d['devices'][0]['queues']),
          out)

    # The tracepoints, each for the case that should fire it.
    t, m = tun.info, mvt.info
    tdev = (dev_of(stat_json(), t['pid']) or {}).get('id', -1)
    if not trace.on:
        check('tracepoints: events/vhostfp in tracefs', False, 'no %s/events/vhostfp' % TRACING)
    else:
        check('vfp_queue_start at SET_BACKEND (both queues)',
              seen(start, 'vfp_queue_start', tdev, 'vq 0') and
              seen(start, 'vfp_queue_start', tdev, 'vq 1'), '\n'.join(start[-20:]))
        check('vfp_zc_fallback: zero-copy with one buffer in flight',
              seen(start, 'vfp_zc_fallback', tdev, 'too_many_pending'), '\n'.join(start[-20:]))
        tun.cmd('restart')
        lines = trace.take()
        check('vfp_queue_stop and vfp_queue_start at a restart',
              seen(lines, 'vfp_queue_stop', tdev, 'ifindex %d' % t['ifindex']) and
              seen(lines, 'vfp_queue_start', tdev, 'ifindex %d' % t['ifindex']),
              '\n'.join(lines))
        tun.cmd('guest-error')
        lines = trace.take()
        check('vfp_guest_error: a TX descriptor past guest memory',
              seen(lines, 'vfp_guest_error', tdev, 'vq 1'), '\n'.join(lines))
        bad = lines
        tun.cmd('short-tx')
        lines = trace.take()
        check('vfp_drop and vfp_guest_error: a 4-byte TX buffer',
              seen(lines, 'vfp_drop', tdev, 'tx_bad_buffer') and
              seen(lines, 'vfp_guest_error', tdev, 'of 4 bytes'), '\n'.join(lines))
        bad += lines
        rc, out, err = run([os.path.join(HERE, 'iotlb'), '-r', 'iotlb.split.miss_then_traffic'])
        lines = trace.take()
        check('vfp_iotlb_miss and vfp_iotlb_update: iotlb miss_then_traffic',
              rc == 0 and any('vfp_iotlb_miss:' in line for line in lines) and
              any('vfp_iotlb_update:' in line for line in lines),
              'rc %d\n%s\n%s' % (rc, out[-2000:], '\n'.join(lines[:10])))
        ioctl, tool, _ = consistent_reads(tun)
        b = before['tun'][1]
        q = {x['direction']: x['counters'] for x in tool['queues']}
        errs = sum(1 for line in bad if re.search(r'vfp_guest_error: dev %d vq 1:' % tdev, line))
        drops = sum(int(m.group(1)) for line in bad
                    for m in [re.search(r'vfp_drop: dev %d vq 1: (\d+) dropped' % tdev, line)]
                    if m)
        check('the tool counts what the tracepoints saw: %d guest errors, %d drops on TX' %
              (errs, drops), errs > 0 and drops > 0 and q['tx']['guest_errors'] - b['guest_errors'] == errs and
              q['tx']['drops'] - b['drops'] == drops and q['rx']['guest_errors'] == 0,
              json.dumps(q['tx']) + '\n' + '\n'.join(bad))

        trace.write('events/vhostfp/enable', '0')

    # The error paths.
    rc, out, err = run([STAT], user='nobody')
    check('as nobody: exit 1, "needs CAP_NET_ADMIN"', rc == 1 and 'CAP_NET_ADMIN' in err,
          'rc %d: %s' % (rc, err))
    rc, out, err = run([STAT, '-p', '999999'])
    check('-p 999999: exit 1, "no process"', rc == 1 and 'no process 999999' in err, err)
    rc, out, err = run([STAT, '-p', '1'])
    check('-p 1: exit 1, "owns no vhostfp device"', rc == 1 and 'owns no' in err, err)
    rc, out, err = run([STAT, '-p', 'x'])
    check('-p x: exit 2 (usage)', rc == 2, err)
    check('observe exits 0 (tun)', tun.close() == 0)
    check('observe exits 0 (macvtap)', mvt.close() == 0)
    rc, out, err = run([STAT, '--json'])
    check('no device left: an empty list', rc == 0 and json.loads(out)['devices'] == [], out)
    rmm = subprocess.run(['rmmod', 'vhostfp'], capture_output=True, text=True)
    rc, out, err = run([STAT])
    check('module unloaded: exit 1, "not loaded"',
          rmm.returncode == 0 and rc == 1 and 'not loaded' in err, rmm.stderr + err)
    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    try:
        sys.exit(main())
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:
        print('not ok %d observe # %s' % (len(results) + 1, e))
        print('1..%d' % (len(results) + 1))
        sys.exit(1)
