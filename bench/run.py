"""The server benchmark: Keyway (strict SigV4 and --dev), moto_server and a trivial Hummingbird handler under the same
wrk load on loopback, in one run, with one table of rates, latencies, memory and the issue's goals.

Run through bench/run, which builds the release binaries and prepares wrk and moto. Every server listens on
127.0.0.1 on a free port, every load run has a fixed duration (and the signed ones a fixed number of requests), and
every process started here is stopped here.
"""
import argparse
import base64
import configparser
import hashlib
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parent
DUMMY = Credentials("AKIDBENCHDUMMY000000", "bench-secret")
READ_REGION, WRITE_REGION = "us-east-1", "us-west-2"  # writes go to their own region so reads see a fixed set
FORM = "application/x-www-form-urlencoded; charset=utf-8"
THREADS = 2
ROUNDS = 3  # turns of the describe-one runs whose ratios are goals


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_mb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fsync_probe(folder, count, interval):
    """The disk's own cost of a durable write at a low steady rate: a 4 KiB write and fdatasync every `interval`
    seconds in `folder` (where the servers keep their data); p50 and p99 in ms."""
    path = Path(folder) / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    times = []
    try:
        for i in range(count):
            os.pwrite(fd, os.urandom(4096), (i % 16) * 4096)
            start = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - start) * 1000)
            time.sleep(interval)
    finally:
        os.close(fd)
        path.unlink()
    times.sort()
    return {"p50": times[len(times) // 2], "p99": times[min(len(times) - 1, (99 * len(times)) // 100)]}


class Server:
    """A server process on 127.0.0.1:port; `startup_ms` is the time from launch until it accepts connections."""

    def __init__(self, name, argv, port, credentials=DUMMY):
        self.name, self.argv, self.port, self.credentials = name, argv, port, credentials
        self.log = tempfile.TemporaryFile()
        start = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        end = start + 60
        while time.perf_counter() < end:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    self.startup_ms = (time.perf_counter() - start) * 1000
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.002)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"{name} does not listen on {port}: {self.log.read().decode(errors='replace')[-2000:]}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self):
        return status_mb(self.process.pid, "VmRSS")

    def peak_rss_mb(self):
        return status_mb(self.process.pid, "VmHWM")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def sign(credentials, url, region, body):
    """X-Amz-Date and Authorization for one POST of `body`, signed by botocore as the AWS CLI signs it."""
    request = AWSRequest(method="POST", url=url + "/", data=body, headers={"Content-Type": FORM})
    SigV4Auth(credentials, "ec2", region).add_auth(request)
    return request.headers["X-Amz-Date"], request.headers["Authorization"]


def _sign_chunk(job):
    access_key, secret, url, region, bodies = job
    credentials = Credentials(access_key, secret)
    return [(*sign(credentials, url, region, body), body) for body in bodies]


def presign(path, server, region, bodies):
    """Writes `bodies` signed for `server` to `path` as signed.lua reads them, signing on every core."""
    chunks = [bodies[i::os.cpu_count()] for i in range(os.cpu_count())]
    jobs = [(server.credentials.access_key, server.credentials.secret_key, server.url, region, chunk) for chunk in chunks]
    with ProcessPoolExecutor() as pool, open(path, "w") as out:
        for signed in pool.map(_sign_chunk, jobs):
            for date, authorization, body in signed:
                out.write(f"{date}\t{authorization}\t{body}\n")


def unverified_env(region):
    """Headers for servers that do not verify signatures: a well-formed Authorization with a zero signature."""
    date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    authorization = (f"AWS4-HMAC-SHA256 Credential={DUMMY.access_key}/{date[:8]}/{region}/ec2/aws4_request, "
                     f"SignedHeaders=content-type;host;x-amz-date, Signature={'0' * 64}")
    return {"AMZ_DATE": date, "AUTHORIZATION": authorization}


def ed25519_line(index):
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + hashlib.sha256(index.to_bytes(8, "big")).digest()
    return b"ssh-ed25519 " + base64.b64encode(blob) + b" bench"


def client(server, service="ec2"):
    return boto3.client(
        service, endpoint_url=server.url, region_name=READ_REGION, aws_access_key_id=server.credentials.access_key,
        aws_secret_access_key=server.credentials.secret_key, config=Config(retries={"max_attempts": 1}),
    )


def seed(server, count):
    ec2 = client(server)
    for index in range(count):
        ec2.import_key_pair(KeyName=f"seed-{index:05d}", PublicKeyMaterial=ed25519_line(index))


def wrk(url, script, seconds, connections, env, threads=THREADS):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
         "-s", str(ROOT / "wrk" / script), url],
        capture_output=True, text=True, env={**os.environ, "THREADS": str(threads), **env}, timeout=seconds + 120,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    failures = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)

    def latency(pct):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) / 1000 if unit == "us" else float(value) * 1000 if unit == "s" else float(value)

    return {
        "rate": rate, "p50": latency(50), "p99": latency(99), "requests": total,
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": sum(map(int, failures.groups())) if failures else 0,
        "exhausted": "EXHAUSTED" in out,
    }


def seed_million(data_dir, accounts, per_account, own_account):
    """Adds (accounts - 1) accounts with `per_account` key pairs each beside `own_account`, straight into the
    stopped server's SQLite file (through the API it would take minutes). Returns how many key pairs it holds."""
    db = sqlite3.connect(Path(data_dir) / "keyway.sqlite")
    now_ms = int(time.time() * 1000)
    line = ed25519_line(7).decode()
    with db:
        for a in range(1, accounts):
            account = f"{900000000000 + a:012d}"
            if account == own_account:
                continue
            db.execute("INSERT INTO accounts (id, created_s) VALUES (?, ?)", (account, now_ms // 1000))
            db.executemany(
                "INSERT INTO key_pairs (id, account, region, name, key_type, fingerprint, public_key, created_ms) "
                "VALUES (?, ?, ?, ?, 'ed25519', ?, ?, ?)",
                ((f"key-{a:07x}{k:010x}", account, READ_REGION, f"seed-{k:05d}", "bench-fingerprint", line, now_ms)
                 for k in range(per_account)),
            )
    total = db.execute("SELECT COUNT(*) FROM key_pairs").fetchone()[0]
    db.close()
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keyway", required=True)
    parser.add_argument("--bench", required=True, help="the keyway-bench binary (ceiling handler, RSA rate)")
    parser.add_argument("--seconds", type=int, default=10, help="duration of each load run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=1000, help="accounts in the large-store case")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="keyway-bench-"))
    strict_data, dev_data = work / "strict", work / "dev"
    servers = []
    results = {}
    notes = []
    seconds, connections = args.seconds, args.connections
    try:
        common = ["--log-level", "error", "--key-pair-limit", "100000000", "--metadata-port", "0"]

        def keyway(name, data, *extra):
            port = free_port()
            server = Server(name, [args.keyway, "serve", "--port", str(port), "--data-dir", str(data), *common, *extra], port)
            servers.append(server)
            return server

        strict = keyway("Keyway", strict_data)
        profile = configparser.ConfigParser()
        profile.read(strict_data / "credentials")
        strict.credentials = Credentials(profile["default"]["aws_access_key_id"], profile["default"]["aws_secret_access_key"])
        own_account = client(strict, "sts").get_caller_identity()["Account"]
        dev = keyway("Keyway --dev", dev_data, "--dev")
        port = free_port()
        moto_bin = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        moto = Server("moto", [moto_bin, "-H", "127.0.0.1", "-p", str(port)], port)
        servers.append(moto)
        time.sleep(1)
        idle_fresh = {s.name: s.rss_mb() for s in servers}
        for server in (strict, dev, moto):
            seed(server, args.keys)

        # The ceiling answers with the very bytes Keyway answers DescribeKeyPairs of one name with.
        describe_one = f"Action=DescribeKeyPairs&Version=2016-11-15&KeyName.1=seed-{args.keys // 2:05d}"
        date, authorization = sign(strict.credentials, strict.url, READ_REGION, describe_one)
        request = urllib.request.Request(strict.url + "/", data=describe_one.encode(), method="POST", headers={
            "Content-Type": FORM, "X-Amz-Date": date, "Authorization": authorization})
        (work / "ceiling-body").write_bytes(urllib.request.urlopen(request).read())
        port = free_port()
        ceiling = Server("ceiling", [args.bench, "ceiling", str(port), str(work / "ceiling-body")], port)
        servers.append(ceiling)

        def replay(workload, server, body, region=READ_REGION):
            date, authorization = sign(server.credentials, server.url, region, body)
            results[(workload, server.name)] = wrk(
                server.url, "post.lua", seconds, connections, {"BODY": body, "AMZ_DATE": date, "AUTHORIZATION": authorization})

        def distinct(workload, server, prefix, count, delay_ms=None, load_connections=None, threads=THREADS):
            """Each request creates a new key pair (distinct names), in WRITE_REGION."""
            if server is strict:
                run = f"{workload}-{time.time_ns()}"
                bodies = [f"{prefix}&KeyName={run}-{i}" for i in range(count)]
                path = work / f"{workload}.signed"
                presign(path, strict, WRITE_REGION, bodies)
                env = {"REQUESTS": str(path), **({"DELAY_MS": str(delay_ms)} if delay_ms else {})}
                result = wrk(strict.url, "signed.lua", seconds, load_connections or connections, env, threads=threads)
                if result["exhausted"]:
                    notes.append(f"{workload}: the {count} pre-signed requests ran out before {seconds} s; raise the count")
            else:
                result = wrk(server.url, "distinct.lua", seconds, connections,
                             {"BODY_PREFIX": prefix, "RUN": f"r{time.time_ns()}", **unverified_env(WRITE_REGION)})
            results[(workload, server.name)] = result

        # The goals compare strict with --dev and with the ceiling, so those three take turns over ROUNDS runs and
        # each keeps its median run: one disturbance of this shared machine cannot decide a ratio alone.
        rounds = {}
        for _ in range(ROUNDS):
            for server in (ceiling, strict, dev):
                replay("describe-one", server, describe_one)
                rounds.setdefault(server.name, []).append(results[("describe-one", server.name)])
        for name, runs in rounds.items():
            results[("describe-one", name)] = sorted(runs, key=lambda run: run["rate"])[len(runs) // 2]
        replay("describe-one", moto, describe_one)
        ceiling.peak = ceiling.peak_rss_mb()
        ceiling.stop()
        servers.remove(ceiling)
        for server in (strict, dev, moto):
            replay("describe-all", server, "Action=DescribeKeyPairs&Version=2016-11-15")

        material = urllib.parse.quote(base64.b64encode(ed25519_line(424242)).decode(), safe="")
        import_prefix = f"Action=ImportKeyPair&Version=2016-11-15&PublicKeyMaterial={material}"
        for server in (strict, dev, moto):
            distinct("import", server, import_prefix, seconds * 14000)
        for server in (strict, dev, moto):
            distinct("create-ed25519", server, "Action=CreateKeyPair&Version=2016-11-15&KeyType=ed25519", seconds * 14000)

        raw = subprocess.run([args.bench, "rsa-rate", str(seconds), str(os.cpu_count())], capture_output=True, text=True,
                             check=True).stdout
        rsa_raw = float(raw.split("\t")[1])
        for server in (strict, dev, moto):
            distinct("create-rsa", server, "Action=CreateKeyPair&Version=2016-11-15&KeyType=rsa", seconds * 80)
        time.sleep(2)  # let the RSA pool refill
        distinct("create-rsa-low", strict, "Action=CreateKeyPair&Version=2016-11-15&KeyType=rsa", seconds * 12,
                 delay_ms=100, load_connections=1, threads=1)
        disk = fsync_probe(work, seconds * 10, 0.1)

        peaks = {s.name: s.peak_rss_mb() for s in servers}
        peaks["ceiling"] = ceiling.peak

        # The large store: 1,000 accounts of 1,000 key pairs, then the same one-name read in the bench account.
        strict.stop()
        servers.remove(strict)
        stored = seed_million(strict_data, args.accounts, args.keys, own_account)
        big = keyway("Keyway", strict_data)
        big.credentials = strict.credentials
        startup_ms = big.startup_ms
        time.sleep(1)
        idle_big = big.rss_mb()
        # p99 is what this goal compares, and one run's p99 is one disturbance away from another value: both sides
        # take the median p99 of ROUNDS runs.
        big_runs = []
        for _ in range(ROUNDS):
            replay("describe-one-1m", big, describe_one)
            big_runs.append(results[("describe-one-1m", "Keyway")])
        results[("describe-one-1m", "Keyway")] = sorted(big_runs, key=lambda run: run["rate"])[len(big_runs) // 2]
        median_p99 = lambda runs: sorted(run["p99"] for run in runs)[len(runs) // 2]
        p99_small, p99_big = median_p99(rounds["Keyway"]), median_p99(big_runs)
        peaks["Keyway (1M)"] = big.peak_rss_mb()

        # ---- report ----
        r = lambda workload, name: results[(workload, name)]
        titles = {
            "describe-one": f"DescribeKeyPairs, one name of {args.keys}",
            "describe-all": f"DescribeKeyPairs, all {args.keys}",
            "import": "ImportKeyPair (Ed25519), durable",
            "create-ed25519": "CreateKeyPair Ed25519, durable",
            "create-rsa": "CreateKeyPair RSA-2048, durable",
            "create-rsa-low": "CreateKeyPair RSA-2048, 10 req/s",
            "describe-one-1m": f"DescribeKeyPairs, one name; {stored:,} stored in {args.accounts} accounts",
        }
        print(f"| workload | server | req/s | p50 ms | p99 ms | non-2xx | Keyway/moto | Keyway/ceiling |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for workload, title in titles.items():
            for name in ("ceiling", "Keyway", "Keyway --dev", "moto"):
                if (workload, name) not in results:
                    continue
                x = r(workload, name)
                vs_moto = vs_ceiling = ""
                if name.startswith("Keyway") and (workload, "moto") in results:
                    vs_moto = f"{x['rate'] / r(workload, 'moto')['rate']:,.1f}×"
                if name.startswith("Keyway") and (workload, "ceiling") in results:
                    vs_ceiling = f"{100 * x['rate'] / r(workload, 'ceiling')['rate']:.0f}%"
                errors = x["errors"] + x["socket_errors"]
                print(f"| {title} | {name} | {x['rate']:,.0f} | {x['p50']:.2f} | {x['p99']:.2f} | {errors} | {vs_moto} | {vs_ceiling} |")
        print()
        print("| memory and start-up | Keyway | moto | ceiling |")
        print("|---|---:|---:|---:|")
        print(f"| resident, idle after start (MB) | {idle_fresh['Keyway']:.0f} (1M stored: {idle_big:.0f}) | {idle_fresh['moto']:.0f} | |")
        print(f"| peak resident under the loads (MB) | {max(peaks['Keyway'], peaks['Keyway (1M)']):.0f} | {peaks['moto']:.0f} | {peaks['ceiling']:.0f} |")
        print(f"| start-up to listening, existing data folder with {stored:,} key pairs (ms) | {startup_ms:.0f} | | |")
        print()

        one, dev_one, moto_one = (r("describe-one", n)["rate"] for n in ("Keyway", "Keyway --dev", "moto"))
        goals = [
            ("DescribeKeyPairs one name: Keyway / moto", f"{one / moto_one:.1f}×", "≥ 60×", one / moto_one >= 60),
            ("DescribeKeyPairs one name: Keyway / ceiling", f"{100 * one / r('describe-one', 'ceiling')['rate']:.0f}%",
             "≥ 70%", one / r("describe-one", "ceiling")["rate"] >= 0.7),
            ("DescribeKeyPairs all: Keyway / moto", f"{r('describe-all', 'Keyway')['rate'] / r('describe-all', 'moto')['rate']:.0f}×",
             "≥ 100×", r("describe-all", "Keyway")["rate"] / r("describe-all", "moto")["rate"] >= 100),
            ("ImportKeyPair: Keyway / moto", f"{r('import', 'Keyway')['rate'] / r('import', 'moto')['rate']:.1f}×", "≥ 30×",
             r("import", "Keyway")["rate"] / r("import", "moto")["rate"] >= 30),
            ("ImportKeyPair: Keyway durable writes/s", f"{r('import', 'Keyway')['rate']:,.0f}", "≥ 5,000",
             r("import", "Keyway")["rate"] >= 5000),
            ("CreateKeyPair Ed25519: Keyway / moto", f"{r('create-ed25519', 'Keyway')['rate'] / r('create-ed25519', 'moto')['rate']:.1f}×",
             "≥ 30×", r("create-ed25519", "Keyway")["rate"] / r("create-ed25519", "moto")["rate"] >= 30),
            (f"CreateKeyPair RSA-2048: Keyway / raw generation ({rsa_raw:.1f} keys/s on {os.cpu_count()} threads)",
             f"{100 * r('create-rsa', 'Keyway')['rate'] / rsa_raw:.0f}%", "≥ 90%", r("create-rsa", "Keyway")["rate"] / rsa_raw >= 0.9),
            ("CreateKeyPair RSA-2048 at 10 req/s: p99 (the disk's 4 KiB write + fdatasync alone at 10/s: "
             f"p50 {disk['p50']:.2f} ms, p99 {disk['p99']:.2f} ms)", f"{r('create-rsa-low', 'Keyway')['p99']:.2f} ms", "≤ 10 ms",
             r("create-rsa-low", "Keyway")["p99"] <= 10),
            ("DescribeKeyPairs one name: strict / --dev", f"{100 * (1 - one / dev_one):.1f}% slower", "≤ 10% slower",
             one >= 0.9 * dev_one),
            (f"DescribeKeyPairs one name, {stored:,} stored: p99 / p99 with {args.keys} (medians of {ROUNDS} runs: "
             f"{p99_big:.2f} / {p99_small:.2f} ms)", f"{p99_big / p99_small:.2f}×", "≤ 1.5×", p99_big <= 1.5 * p99_small),
            ("memory idle", f"{max(idle_fresh['Keyway'], idle_big):.0f} MB", "≤ 40 MB", max(idle_fresh["Keyway"], idle_big) <= 40),
            ("memory under load", f"{max(peaks['Keyway'], peaks['Keyway (1M)']):.0f} MB", "≤ 150 MB",
             max(peaks["Keyway"], peaks["Keyway (1M)"]) <= 150),
            ("start-up", f"{startup_ms:.0f} ms", "≤ 300 ms", startup_ms <= 300),
        ]
        print("| goal | measured | target | met |")
        print("|---|---:|---:|---|")
        for goal, measured, target, met in goals:
            print(f"| {goal} | {measured} | {target} | {'yes' if met else '**no**'} |")
        print()
        for note in notes:
            print(f"note: {note}")
        cpu = next((l.split(': ', 1)[1] for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), '?')
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
        print(f"DescribeKeyPairs one name, ceiling / Keyway / Keyway --dev: the median of {ROUNDS} alternating runs each: "
              + "; ".join(f"{name} " + ", ".join(f"{run['rate']:,.0f}" for run in runs) for name, runs in rounds.items()))
        print(f"DescribeKeyPairs one name, p99 ms of the {ROUNDS} runs: Keyway with {args.keys} "
              + ", ".join(f"{run['p99']:.2f}" for run in rounds["Keyway"]) + f"; with {stored:,} "
              + ", ".join(f"{run['p99']:.2f}" for run in big_runs))
        print(f"machine: {os.cpu_count()} cores, {cpu}, {memory} GiB; load: wrk -t{THREADS} -c{connections} -d{seconds}s "
              f"on loopback, server and wrk sharing the cores; {datetime.now(timezone.utc):%Y-%m-%d}")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
