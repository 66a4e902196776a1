#!/usr/bin/env python3
"""The observer's page as a person sees it: headless Chromium loads it.

Starts `cargo run --features observer --example observer -- 127.0.0.1:PORT`,
waits until its consumer's mailbox floods, loads the page in headless
Chromium (`--dump-dom`, after the page's own requests have run) and checks
the DOM: the page has loaded its data, the flooded process is the first row
(the table's default sort is by mailbox length), the supervision trees'
nodes are there, and the page says it is read-only.

    python3 tests/observer_browser.py                       # the check (CI runs it)
    python3 tests/observer_browser.py --screenshot obs.png  # and a screenshot to look at

Needs Debian's `chromium` (`apt-get install chromium`) and python3 alone.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1440,900",
]
# Children of the example's supervision tree, by their ids.
TREE_IDS = {"config", "db", "ingest", "workers", "parser", "indexer", "flaky", "pool", "connection"}
FLOODED = "ingest"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as res:
        return json.load(res)


def wait_for(what, check, timeout, proc):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the example exited ({proc.returncode}) while waiting for {what}")
        try:
            value = check()
            if value:
                return value
        except OSError as e:  # not listening yet
            last = e
        time.sleep(0.3)
    sys.exit(f"timed out waiting for {what} ({last})")


def chromium(args, profile):
    cmd = ["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        sys.exit(f"chromium failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return out.stdout


class Dom(HTMLParser):
    """The parts of the page the checks read."""

    def __init__(self):
        super().__init__()
        self.body = {}
        self.rows = []          # data-* of #procs rows, in order
        self.tree_nodes = []    # data-* of tree nodes
        self.sorted_headers = []
        self.pills = {}
        self._in_procs = False
        self._pill = None
        self._th = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "body":
            self.body = a
        elif tag == "table" and a.get("id") == "procs":
            self._in_procs = True
        elif tag == "tr" and self._in_procs and "data-pid" in a:
            self.rows.append(a)
        elif tag == "th" and self._in_procs and "sorted" in classes:
            self.sorted_headers.append(a.get("data-sort"))
        elif tag == "span" and "node" in classes and "data-kind" in a:
            self.tree_nodes.append(a)
        elif tag == "span" and a.get("id") in ("actions", "node"):
            self._pill = a["id"]
            self.pills[self._pill] = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_procs = False
        if tag == "span":
            self._pill = None

    def handle_data(self, data):
        if self._pill:
            self.pills[self._pill] += data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--screenshot", help="also write a PNG of the page (process `ingest` selected)")
    ap.add_argument("--budget", type=int, default=8000,
                    help="virtual milliseconds Chromium lets the page run (default 8000)")
    args = ap.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = ["cargo", "run", "-q", "--features", "observer", "--example", "observer", "--",
           f"127.0.0.1:{port}"]
    print("$", " ".join(cmd), flush=True)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    passed, failed = 0, 0
    try:
        wait_for("the observer to listen", lambda: get_json(url + "api/observer"), 600, proc)

        def flooded():
            top = get_json(url + "api/processes?limit=1")
            return top and top[0]["name"] == FLOODED and top[0]["mailbox_len"] >= 1000 and top[0]
        top = wait_for(f"`{FLOODED}` to flood", flooded, 60, proc)
        print(f"api: `{FLOODED}` has {top['mailbox_len']} messages waiting", flush=True)

        with tempfile.TemporaryDirectory() as profile:
            html = chromium([f"--virtual-time-budget={args.budget}", "--dump-dom", url], profile)
        dom = Dom()
        dom.feed(html)

        def check(name, ok, detail):
            nonlocal passed, failed
            if ok:
                passed += 1
                print(f"ok   {name}")
            else:
                failed += 1
                print(f"FAIL {name}: {detail}")

        check("the page loaded its data", dom.body.get("data-ready") == "true",
              f"body attributes {dom.body}")
        check("the table is sorted by mailbox length", dom.sorted_headers == ["mailbox_len"],
              f"sorted headers {dom.sorted_headers}")
        first = dom.rows[0] if dom.rows else {}
        check(f"the flooded process `{FLOODED}` is the first row",
              first.get("data-name") == FLOODED and int(first.get("data-mailbox", "0")) >= 1000,
              f"first rows {[(r.get('data-name'), r.get('data-mailbox')) for r in dom.rows[:3]]}")
        check("every process has a row", len(dom.rows) >= 15, f"{len(dom.rows)} rows")
        ids = {n.get("data-id") for n in dom.tree_nodes}
        check("the supervision tree's nodes are drawn", TREE_IDS <= ids,
              f"missing {sorted(TREE_IDS - ids)}; found {sorted(i for i in ids if i)}")
        roots = [n for n in dom.tree_nodes if n.get("data-kind") == "supervisor" and not n.get("data-id")]
        check("both roots are drawn (`app` and the seed's supervisor)", len(roots) == 2,
              f"{len(roots)} roots")
        check("the page says it is read-only", dom.pills.get("actions", "").strip() == "read-only",
              f"actions pill {dom.pills.get('actions')!r}")

        if args.screenshot:
            path = os.path.abspath(args.screenshot)
            with tempfile.TemporaryDirectory() as profile:
                chromium([f"--virtual-time-budget={args.budget}", f"--screenshot={path}",
                          url + "#" + FLOODED], profile)
            print(f"screenshot: {path}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if failed:
            log.seek(0)
            print("--- the example's output (tail):")
            print(log.read().decode(errors="replace")[-3000:])
    print(f"browser: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
