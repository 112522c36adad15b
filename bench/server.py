"""Drives Keyway (strict SigV4 and --dev) and moto_server with the same wrk load on loopback, and prints a table.

Run through bench/server, which builds Keyway in release mode and prepares the tools.
"""
import argparse
import base64
import configparser
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
from datetime import datetime, timezone
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parent
DUMMY = Credentials("AKIDBENCHDUMMY000000", "bench-secret")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    def __init__(self, name, argv, port, credentials):
        self.name, self.port, self.credentials = name, port, credentials
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        end = time.time() + 60
        while time.time() < end:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{name} does not listen on {port}")

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


def client(server):
    return boto3.client(
        "ec2", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=server.credentials.access_key,
        aws_secret_access_key=server.credentials.secret_key, config=Config(retries={"max_attempts": 1}),
    )


def signed_headers(server, body):
    """X-Amz-Date and Authorization for one POST of `body`, signed by botocore as the CLI signs it."""
    request = AWSRequest(method="POST", url=server.url + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(server.credentials, "ec2", "us-east-1").add_auth(request)
    return {"AMZ_DATE": request.headers["X-Amz-Date"], "AUTHORIZATION": request.headers["Authorization"]}


def unverified_headers():
    date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    authorization = (f"AWS4-HMAC-SHA256 Credential={DUMMY.access_key}/{date[:8]}/us-east-1/ec2/aws4_request, "
                     f"SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}")
    return {"AMZ_DATE": date, "AUTHORIZATION": authorization}


def ed25519_line(index):
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + index.to_bytes(32, "big")
    return b"ssh-ed25519 " + base64.b64encode(blob) + b" bench"


def seed(server, count):
    ec2 = client(server)
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
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) / 1000 if unit == "us" else float(value) * 1000 if unit == "s" else float(value)

    return {"rate": rate, "p50": latency(50), "p99": latency(99), "errors": int(errors.group(1)) if errors else 0}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keyway", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keys", type=int, default=1000)
    args = parser.parse_args()

    strict_data, dev_data = tempfile.mkdtemp(prefix="keyway-bench-"), tempfile.mkdtemp(prefix="keyway-bench-dev-")
    servers = []
    try:
        common = ["--log-level", "error", "--key-pair-limit", "10000000"]
        port = free_port()
        strict = Server("Keyway", [args.keyway, "serve", "--port", str(port), "--data-dir", strict_data, *common], port, None)
        servers.append(strict)
        profile = configparser.ConfigParser()
        profile.read(Path(strict_data) / "credentials")
        strict.credentials = Credentials(profile["default"]["aws_access_key_id"], profile["default"]["aws_secret_access_key"])
        port = free_port()
        dev = Server("Keyway --dev", [args.keyway, "serve", "--dev", "--port", str(port), "--data-dir", dev_data, *common], port, DUMMY)
        servers.append(dev)
        moto_bin = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        port = free_port()
        moto = Server("moto", [moto_bin, "-H", "127.0.0.1", "-p", str(port)], port, DUMMY)
        servers.append(moto)
        for server in servers:
            seed(server, args.keys)

        describe = "Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=seed-00500"
        material = urllib.parse.quote(base64.b64encode(ed25519_line(424242)).decode(), safe="")
        import_prefix = f"Action=ImportKeyPair&Version=2016-11-15&PublicKeyMaterial={material}"
        results = {}
        for server in servers:
            results[(server.name, "describe")] = wrk(
                server.url, "post.lua", args.seconds, args.connections, {"BODY": describe, **signed_headers(server, describe)}
            )
        for server in (dev, moto):
            results[(server.name, "import")] = wrk(
                server.url, "import.lua", args.seconds, args.connections,
                {"BODY_PREFIX": import_prefix, "RUN": f"run{time.time_ns()}", **unverified_headers()},
            )

        def cell(name, workload):
            r = results.get((name, workload))
            return (f"{r['rate']:,.0f} | {r['p50']:.2f} / {r['p99']:.2f} | {r['errors']}") if r else "– | – | –"

        print("| workload | server | req/s | p50 / p99 ms | non-2xx |")
        print("|---|---|---|---|---|")
        for workload, title in (("describe", f"DescribeKeyPairs of one name, {args.keys} stored, signed"),
                                ("import", "ImportKeyPair, distinct names (unverified signatures)")):
            for server in servers:
                if (server.name, workload) in results:
                    print(f"| {title} | {server.name} | {cell(server.name, workload)} |")
        print()
        k, d, m = (results[(n, "describe")]["rate"] for n in ("Keyway", "Keyway --dev", "moto"))
        print(f"DescribeKeyPairs: Keyway strict / moto = {k / m:.1f}×; strict / --dev = {k / d:.2f} "
              f"(verification costs {100 * (1 - k / d):.1f}% of throughput)")
        imp = results[("Keyway --dev", "import")]["rate"] / results[("moto", "import")]["rate"]
        print(f"ImportKeyPair: Keyway / moto = {imp:.1f}×")
        print("peak RSS: " + ", ".join(f"{s.name} {peak_rss_mb(s.process.pid):.0f} MB" for s in servers))
        cpu = next((l.split(': ', 1)[1] for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), '?')
        print(f"machine: {os.cpu_count()} cores, {cpu}; wrk -t2 -c{args.connections} -d{args.seconds}s on loopback")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(strict_data, ignore_errors=True)
        shutil.rmtree(dev_data, ignore_errors=True)


if __name__ == "__main__":
    main()
