#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`hugepagectl metrics` read back by a real parser: prometheus_client's
text-format parser (Debian's python3-prometheus-client), on the status
fixtures in tests/fixtures/status/ and on status files made from them.

Checks, besides that the parser takes every output: every family has
HELP and TYPE, no series is repeated, every sample has a backend label
and every hugepaged_group_* sample a group label, the values are the
fixtures', label values with quotes, backslashes, newlines and bytes
that are not UTF-8 come back as written (U+FFFD for the latter), and
--output replaces the file whole.

Usage: metrics-parse.py HUGEPAGECTL FIXTURES   (exit 77: no prometheus_client)
"""
import os
import re
import subprocess
import sys
import tempfile

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    print(f"SKIP: no prometheus_client ({e}); tools/deps.sh package installs python3-prometheus-client")
    sys.exit(77)

CTL, FIXTURES = sys.argv[1], sys.argv[2]
STATUS = os.path.join(FIXTURES, "status/hugepaged-status")
PROCFS = os.path.join(FIXTURES, "status/damon_hugepage")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}")


def metrics(status, procfs, *extra, stderr=""):
    r = subprocess.run([CTL, "--status-file", status, "--procfs", procfs, "--cgroup-root", "/nonexistent",
                        "metrics", *extra], capture_output=True, text=True, errors="surrogateescape")
    if r.returncode != 0:
        raise SystemExit(f"hugepagectl metrics exited {r.returncode}: {r.stderr}")
    check(r.stderr == stderr, f"stderr is {r.stderr!r}, not {stderr!r}")
    return r.stdout


def parse(text):
    """{(sample name, frozenset(labels)): value}, after the structural checks."""
    helps = re.findall(r"^# HELP (\S+) ", text, re.M)
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
    check(len(helps) == len(set(helps)), "a family is described twice")
    check(set(helps) == set(types), f"HELP and TYPE differ: {set(helps) ^ set(types)}")
    check(text.endswith("\n"), "the output does not end with a newline")
    samples = {}
    for fam in text_string_to_metric_families(text):
        check(fam.documentation != "", f"{fam.name}: no HELP")
        for s in fam.samples:
            key = (s.name, frozenset(s.labels.items()))
            check(key not in samples, f"series repeated: {key}")
            check(s.timestamp is None, f"{s.name}: a timestamp (the textfile collector refuses them)")
            check(s.name.startswith("hugepaged_"), f"{s.name}: not a hugepaged_ name")
            check(s.name in types, f"{s.name}: no TYPE line of its own name")
            if s.name != "hugepaged_up" or s.labels:
                check("backend" in s.labels, f"{s.name}{s.labels}: no backend label")
            if s.name.startswith("hugepaged_group_"):
                check("group" in s.labels, f"{s.name}{s.labels}: no group label")
            samples[key] = s.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def fake_daemon(tmp):
    """A process whose name is hugepaged, so that the status' pid runs."""
    exe = os.path.join(tmp, "hugepaged")
    os.symlink("/bin/sleep", exe)
    return subprocess.Popen([exe, "600"])


def status_with(tmp, name, pid, extra_groups=()):
    text = open(STATUS).read()
    text = re.sub(r"^daemon pid=\d+ ", f"daemon pid={pid} ", text, flags=re.M)
    text += "".join(extra_groups)
    path = os.path.join(tmp, name)
    with open(path, "w", errors="surrogateescape") as f:
        f.write(text)
    return path


with tempfile.TemporaryDirectory() as tmp:
    daemon = fake_daemon(tmp)
    try:
        # The fixtures, with hugepaged running.
        live = status_with(tmp, "live", daemon.pid)
        m = parse(metrics(live, PROCFS))
        b = {"backend": "module"}
        check(value(m, "hugepaged_up", **b) == 1, "hugepaged_up is not 1")
        check(value(m, "hugepaged_kdamond_limit", **b) == 1, "kdamond limit")
        check(value(m, "hugepaged_kdamonds_in_use", **b) == 2, "kdamonds in use")
        check(value(m, "hugepaged_last_decision_timestamp_seconds", **b) == 1700000000.0, "last decision")
        check(value(m, "hugepaged_groups", decision="fed", **b) == 1, "fed groups")
        check(value(m, "hugepaged_groups", decision="thp-disabled", **b) == 0, "every decision listed")
        check(value(m, "hugepaged_reloads_total", **b) == 0, "reloads")
        check(value(m, "hugepaged_reload_errors_total", **b) == 0, "reload errors")
        check(value(m, "hugepaged_system_pressure_ratio", resource="cpu", **b) == 0.012, "cpu pressure")
        c1 = dict(group="/c1", **b)
        check(value(m, "hugepaged_group_decision", decision="fed", **c1) == 1, "/c1 fed")
        check(value(m, "hugepaged_group_decision", decision="refused", **c1) == 0, "/c1 not refused")
        check(value(m, "hugepaged_group_huge_ratio", **c1) == 0.5, "/c1 huge share")
        check(value(m, "hugepaged_group_anon_bytes", **c1) == 67108864, "/c1 anon")
        check(value(m, "hugepaged_group_collapsed_bytes_total", **c1) == 33554432, "/c1 collapsed")
        check(value(m, "hugepaged_group_tried_bytes_total", **c1) == 41943040, "/c1 tried")
        check(value(m, "hugepaged_group_failed_bytes_total", **c1) == 8388608, "/c1 failed")
        check(value(m, "hugepaged_group_state", state="running", **c1) == 1, "/c1 state")
        check(value(m, "hugepaged_group_memory_pressure_limit_ratio", group="/c2", **b) is None,
              "/c2 has no limit, yet a limit sample")
        check(value(m, "hugepaged_group_collapsed_bytes_total", group="pid:4242", **b) == 4194304,
              "the module's pid group")
        check(value(m, "hugepaged_group_decision", group="pid:4242", decision="fed", **b) is None,
              "a decision for a group the daemon does not match")

        # Names that need escaping: a quote, a backslash, a newline, a byte
        # that is not UTF-8, and a non-ASCII letter.
        odd = ("group path=/q\"b\\x5cs\\x0an\udcffx\u00e9 policy=p priority=1 decision=refused rank=2 "
               "fed_since_us=0 populated=1 anon_bytes=0 anon_huge_bytes=0 memory_state=ok "
               "memory_some_bp=0 memory_limit_bp=0 reason=odd\n")
        m = parse(metrics(status_with(tmp, "odd", daemon.pid, [odd]), PROCFS))
        want = "/q\"b\\s\nn\ufffdx\u00e9"
        check(value(m, "hugepaged_group_decision", group=want, decision="refused", **b) == 1,
              f"the escaped group label does not come back as {want!r}")
        check(value(m, "hugepaged_group_huge_ratio", group=want, **b) == 0, "a group without anon")

        # A status left behind by a daemon that is gone (this pid is python's).
        m = parse(metrics(status_with(tmp, "stale", os.getpid()), PROCFS))
        check(value(m, "hugepaged_up", **b) == 0, "stale status: hugepaged_up is not 0")
        check(not any(k[0] in ("hugepaged_kdamond_limit", "hugepaged_group_decision") for k in m),
              "stale status: the gone daemon's figures are shown")
        check(value(m, "hugepaged_group_collapsed_bytes_total", group="/c1", **b) == 33554432,
              "stale status: the module's figures are missing")

        # No daemon, no module: nothing to complain about on stderr either.
        m = parse(metrics(os.path.join(tmp, "none"), os.path.join(tmp, "none")))
        check(m == {("hugepaged_up", frozenset()): 0}, f"nothing running: {m}")

        # --output: the file is replaced whole, with nothing left beside it.
        out = os.path.join(tmp, "textfile", "hugepaged.prom")
        os.mkdir(os.path.dirname(out))
        with open(out, "w") as f:
            f.write("old\n")
        printed = metrics(live, PROCFS)
        check(metrics(live, PROCFS, "--output", out) == "", "--output also printed to stdout")
        check(open(out).read() == printed, "--output wrote something else than stdout shows")
        check(os.listdir(os.path.dirname(out)) == ["hugepaged.prom"],
              f"left beside the file: {os.listdir(os.path.dirname(out))}")
        check(oct(os.stat(out).st_mode & 0o777) == "0o644", "the file is not 0644 (node_exporter reads it)")
    finally:
        daemon.kill()
        daemon.wait()

print("failures:", failures)
sys.exit(1 if failures else 0)
