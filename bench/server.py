"""Drives Keyway and moto_server with the same wrk load on loopback and prints one Markdown table.

Run through bench/server, which builds Keyway in release mode and prepares the tools.
"""
import argparse
import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, deadline=30.0):
    end = time.time() + deadline
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    def __init__(self, name, argv, port, env=None):
        self.name, self.port = name, port
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        wait_for_port(port)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def client(url):
    return boto3.client(
        "ec2", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDBENCH",
        aws_secret_access_key="bench", config=Config(retries={"max_attempts": 1}),
    )


def ed25519_line(index):
    raw = index.to_bytes(32, "big")
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + raw
    return b"ssh-ed25519 " + base64.b64encode(blob) + b" bench"


def seed(url, count):
    ec2 = client(url)
    for index in range(count):
        ec2.import_key_pair(KeyName=f"seed-{index:05d}", PublicKeyMaterial=ed25519_line(index + 1))


def wrk(url, script, seconds, connections, env):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", str(ROOT / "wrk" / script), url],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=seconds + 60,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(pct):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rate": rate, "p50": latency(50), "p99": latency(99), "errors": int(errors.group(1)) if errors else 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keyway", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keys", type=int, default=1000)
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="keyway-bench-")
    servers = []
    try:
        keyway_port, moto_port = free_port(), free_port()
        keyway = Server("Keyway", [args.keyway, "serve", "--port", str(keyway_port), "--data-dir", data, "--log-level", "error", "--key-pair-limit", "10000000"], keyway_port)
        servers.append(keyway)
        moto_bin = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        moto = Server("moto", [moto_bin, "-H", "127.0.0.1", "-p", str(moto_port)], moto_port)
        servers.append(moto)

        for server in (keyway, moto):
            seed(server.url, args.keys)

        describe = "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=seed-00500"
        material = urllib.parse.quote(base64.b64encode(ed25519_line(424242)).decode(), safe="")
        import_prefix = f"Action=ImportKeyPair&Version=2016-11-15&PublicKeyMaterial={material}"
        workloads = [
            (f"DescribeKeyPairs of one name, {args.keys} stored", "post.lua", {"BODY": describe}),
            ("ImportKeyPair, distinct names", "import.lua", {"BODY_PREFIX": import_prefix}),
        ]
        rows = []
        for title, script, env in workloads:
            results = {}
            for server in (keyway, moto):
                results[server.name] = wrk(server.url, script, args.seconds, args.connections, {**env, "RUN": f"{server.name}-{time.time_ns()}"})
            rows.append((title, results))

        print(f"| workload | Keyway req/s | moto req/s | Keyway / moto | Keyway p50 / p99 ms | moto p50 / p99 ms | non-2xx (Keyway, moto) |")
        print("|---|---|---|---|---|---|---|")
        for title, results in rows:
            k, m = results["Keyway"], results["moto"]
            print(
                f"| {title} | {k['rate']:,.0f} | {m['rate']:,.0f} | {k['rate'] / m['rate']:.1f}× "
                f"| {k['p50']:.2f} / {k['p99']:.2f} | {m['p50']:.2f} / {m['p99']:.2f} | {k['errors']}, {m['errors']} |"
            )
        print()
        print(f"peak RSS: Keyway {peak_rss_mb(keyway.process.pid):.0f} MB, moto {peak_rss_mb(moto.process.pid):.0f} MB")
        cpu = next((l.split(': ', 1)[1] for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), '?')
        print(f"machine: {os.cpu_count()} cores, {cpu}; wrk -t2 -c{args.connections} -d{args.seconds}s on loopback")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
