"""Resilience of `keyway serve` under load, floods, oversized input, a full disk, a wrong master key, races and
half-closed clients.

Each test starts its own server(s) from a private copy of the binary, on 127.0.0.1 with a free port and a temp data
folder, bounded in time and stopped in `finally`. Measured numbers are printed (run with `-s` or `-rA` to see them).

1. 1,000 running instances under `ulimit -n 1024`: the API keeps answering, every instance's metadata answers on
   its own 127.1.x.y address, the server listens on loopback only and its descriptors stay far below 1,024.
2. 20,000 idle connections + 1,000 slowloris clients + 300 parked CONNECTs: signed boto3 requests keep being answered
   during the flood and at once after it.
3. A 1 MB CertificateBody and 25,000 DescribeKeyPairs filter values are refused with an AWS error, fast; so are
   junk CertificateBodies the 16,384-character cap lets through.
4. A full disk (tmpfs): AWS-shaped errors with the cause in the log, no acknowledged write lost, recovery without a
   restart, everything still there after one.
5. A missing or wrong master key stops start-up with one line and changes nothing on disk.
6. ClientToken under 8 concurrent launches; the lost-key recovery survives racing stop/start.
7. Memory after a mixed load returns to within 20 MB of idle.
8. The metadata service answers a client that half-closes its sending side.
9. Methods other than GET/POST (CONNECT included) are answered 405 with an XML error; a body declared over 8 MiB is
   refused with 413 before it is sent.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import re
import socket
import statistics
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import resilience_support as rs
from resilience_support import LINUX_IMAGE, aws_error, boto_client, start_server, unique


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> Path:
    return rs.private_binary(tmp_path_factory.mktemp("keyway-bin"))


@pytest.fixture
def servers():
    """Servers a test starts are stopped afterwards even if the test forgot (tests stop them in `finally` too)."""
    started: list[rs.Server] = []
    yield started
    for server in started:
        server.stop()


def report(title: str, **numbers) -> None:
    print(f"\n[resilience] {title}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()), flush=True)


def http_get_raw(ip: str, port: int, path: str, timeout: float = 10) -> tuple[int, str]:
    import http.client

    connection = http.client.HTTPConnection(ip, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


class Sampler(threading.Thread):
    """Samples a server's descriptor count and RSS in the background; remembers the peaks."""

    def __init__(self, server: rs.Server, interval: float = 0.1):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.peak_fds = 0
        self.peak_rss_kb = 0
        self.samples = 0
        self.died = False
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            if not self.server.alive():
                self.died = True
                return
            try:
                self.peak_fds = max(self.peak_fds, self.server.fd_count())
                self.peak_rss_kb = max(self.peak_rss_kb, self.server.rss_kb())
                self.samples += 1
            except (OSError, AssertionError):
                pass
            self._halt.wait(self.interval)

    def finish(self):
        self._halt.set()
        if self.is_alive():
            self.join(10)


# ==================================================================================================
# 1. A thousand instances under `ulimit -n 1024`


def _listening_sockets(pid: int) -> list[str]:
    """Local addresses of every TCP/UDP socket the process listens on, as `ss -ltunp` prints them."""
    out = subprocess.run(["ss", "-H", "-ltunp"], capture_output=True, text=True, timeout=30, check=True).stdout
    found = []
    for line in out.splitlines():
        if f"pid={pid}," in line:
            fields = line.split()
            found.append(fields[4])  # Netid State Recv-Q Send-Q Local:Port Peer:Port Process
    return found


def _non_loopback_ipv4() -> list[str]:
    out = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True, timeout=10).stdout
    return [m.group(1) for m in re.finditer(r"inet (\d+\.\d+\.\d+\.\d+)/", out) if not m.group(1).startswith("127.")]


def test_thousand_instances_under_ulimit_1024(binary, tmp_path, servers):
    metadata_port = rs.free_metadata_port()
    server = start_server(binary, tmp_path / "data", tmp_path, "thousand", metadata_port=metadata_port,
                          extra=["--instance-limit", "2000"], nofile=1024)
    servers.append(server)
    sampler = Sampler(server, 0.05)
    try:
        limits = Path(f"/proc/{server.pid}/limits").read_text()
        assert re.search(r"Max open files\s+1024\s+1024", limits), f"the ulimit did not apply:\n{limits}"
        sampler.start()
        client = boto_client(server, pool=16, read_timeout=120)
        key = unique("thousand")
        client.create_key_pair(KeyName=key, KeyType="ed25519")

        launched = []
        started = time.monotonic()
        for batch in range(10):
            answer = client.run_instances(ImageId=LINUX_IMAGE, MinCount=100, MaxCount=100, KeyName=key)
            assert len(answer["Instances"]) == 100, f"batch {batch}: {len(answer['Instances'])} instances"
            launched += answer["Instances"]
        launch_seconds = time.monotonic() - started
        ids = {i["InstanceId"]: i["PrivateIpAddress"] for i in launched}
        assert len(ids) == 1000, f"{len(ids)} distinct instance IDs"
        assert len(set(ids.values())) == 1000, "every instance has its own private IP"
        assert all(re.fullmatch(r"127\.1\.\d+\.\d+", ip) for ip in ids.values()), sorted(ids.values())[:5]
        fds_after_launch = server.fd_count()

        # The API keeps answering.
        started = time.monotonic()
        running = set()
        for page in client.get_paginator("describe_instances").paginate(
                Filters=[{"Name": "instance-state-name", "Values": ["running"]}]):
            for reservation in page["Reservations"]:
                running.update(i["InstanceId"] for i in reservation["Instances"])
        describe_seconds = time.monotonic() - started
        assert running == set(ids), f"{len(running)} running, {len(set(ids) - running)} launched ones missing"
        started = time.monotonic()
        created = client.create_key_pair(KeyName=unique("after-thousand"), KeyType="ed25519")
        create_seconds = time.monotonic() - started
        assert created["KeyPairId"].startswith("key-")

        # Every instance's metadata answers its own instance ID on its own address, 64 at a time.
        def ask(item):
            iid, ip = item
            try:
                return iid, ip, http_get_raw(ip, metadata_port, "/latest/meta-data/instance-id")
            except OSError as error:
                return iid, ip, (None, repr(error))

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(64) as pool:
            answers = list(pool.map(ask, ids.items()))
        metadata_seconds = time.monotonic() - started
        wrong = [(iid, ip, got) for iid, ip, got in answers if got != (200, iid)]
        assert not wrong, f"{len(wrong)} of 1000 instances' metadata did not answer their ID, e.g. {wrong[:5]}"

        # Loopback only.
        listening = _listening_sockets(server.pid)
        allowed = re.compile(rf"^(127\.0\.0\.1:{server.port}|(0\.0\.0\.0|\*)%lo:{metadata_port})$")
        assert any(a.endswith(f":{server.port}") for a in listening), listening
        assert any(a.endswith(f"%lo:{metadata_port}") for a in listening), (
            f"the metadata socket should be one socket tied to lo: {listening}")
        assert all(allowed.match(a) for a in listening), f"listening beyond loopback: {listening}"
        reached = []
        for address in _non_loopback_ipv4():
            for port in (server.port, metadata_port):
                with socket.socket() as probe:
                    probe.settimeout(2)
                    if probe.connect_ex((address, port)) == 0:
                        reached.append(f"{address}:{port}")
        assert not reached, f"reachable on a non-loopback address: {reached}"

        sampler.finish()
        fds_end = server.fd_count()
        assert not sampler.died and server.alive(), server.describe()
        report("1000 instances, ulimit -n 1024", launch_s=f"{launch_seconds:.2f}", describe_all_s=f"{describe_seconds:.2f}",
               create_key_pair_s=f"{create_seconds:.3f}", metadata_1000_s=f"{metadata_seconds:.2f}",
               fds_after_launch=fds_after_launch, fds_peak=sampler.peak_fds, fds_end=fds_end,
               listening=" ".join(listening))
        assert sampler.peak_fds < 256, f"descriptors peaked at {sampler.peak_fds} (limit 1024)"
    finally:
        sampler.finish()
        server.stop()


# ==================================================================================================
# 2. A connection flood


def _listen_overflows() -> int:
    """TcpExt ListenOverflows of this network namespace: SYNs/ACKs dropped because an accept queue was full."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split()[1:], values.split()[1:])).get("ListenOverflows", 0))
    return 0


FLOOD_SECONDS = 70  # longer than the 60 s a request head may take, and three idle timeouts (20 s)


def test_connection_flood_keeps_signed_requests_answered(binary, tmp_path, servers):
    soft, hard = rs.raise_nofile()
    data = tmp_path / "data"
    server = start_server(binary, data, tmp_path, "flood", dev=False)
    servers.append(server)
    workers: list[tuple[subprocess.Popen, Path]] = []
    sampler = Sampler(server, 0.5)
    try:
        creds = rs.credentials_from(data / "credentials")
        setup = boto_client(server, creds=creds)
        key = unique("flood")
        setup.import_key_pair(KeyName=key, PublicKeyMaterial=rs.ed25519_public_line().encode())
        server_limit = re.search(r"Max open files\s+(\d+)", Path(f"/proc/{server.pid}/limits").read_text()).group(1)

        # 20,000 idle connections in two processes (each process's descriptors are capped at the hard limit,
        # which root without CAP_SYS_RESOURCE cannot raise), 1,000 slowloris + 300 CONNECT in a third. Opened at
        # about the rate the server accepts (all at once, the 256-deep accept queue overflows and most handshakes
        # are dropped by the kernel before the server sees them), and every connection the server closes is
        # replaced at once, so the flood lasts the whole window.
        specs = [
            {"name": "idle-a", "idle": 10000, "source": "127.0.0.2", "rate": 500},
            {"name": "idle-b", "idle": 10000, "source": "127.0.0.3", "rate": 500},
            {"name": "slow", "slow": 1000, "connect": 300, "source": "127.0.0.4", "slow_interval": 4.0, "rate": 200},
        ]
        overflows_before = _listen_overflows()
        flood_started = time.monotonic()
        for spec in specs:
            spec.update(host="127.0.0.1", port=server.port, duration=FLOOD_SECONDS)
            workers.append(rs.start_attack_worker(spec, tmp_path / "flood"))
        sampler.start()

        results = {"pooled": [], "fresh": []}
        retry_config = {"mode": "standard", "max_attempts": 3}

        def probe(kind: str):
            client = boto_client(server, creds=creds, retries=retry_config, connect_timeout=30, read_timeout=30)
            while time.monotonic() - flood_started < FLOOD_SECONDS - 8:
                if kind == "fresh":
                    client = boto_client(server, creds=creds, retries=retry_config, connect_timeout=30,
                                         read_timeout=30)
                at = time.monotonic() - flood_started
                began = time.perf_counter()
                try:
                    answer = client.describe_key_pairs(KeyNames=[key])
                    ok = [p["KeyName"] for p in answer["KeyPairs"]] == [key]
                    outcome = ("ok" if ok else f"wrong answer {answer['KeyPairs']}",
                               answer["ResponseMetadata"].get("RetryAttempts", 0))
                except Exception as error:  # noqa: BLE001 - every failure is reported
                    outcome = (f"{type(error).__name__}: {error}"[:300], None)
                results[kind].append((round(at, 1), time.perf_counter() - began, *outcome))
                time.sleep(1.0)

        time.sleep(2)  # the flood is under way
        threads = [threading.Thread(target=probe, args=(kind,), daemon=True) for kind in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(FLOOD_SECONDS + 200)
        for proc, _ in workers:
            try:
                proc.wait(FLOOD_SECONDS + 60 - (time.monotonic() - flood_started))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        sampler.finish()
        statuses = {path.stem: rs.read_status(path) for _, path in workers}

        # Afterwards (every flood socket closed): alive, and answers at once. Then how long until a new
        # connection is answered as fast as before the flood.
        alive_after = server.alive()
        overflows_after_flood = _listen_overflows()
        time.sleep(0.5)
        recovery = []
        after_answer = None
        for _ in range(40):
            probe_client = boto_client(server, creds=creds, connect_timeout=10, read_timeout=10,
                                       retries={"mode": "standard", "max_attempts": 1})
            began = time.perf_counter()
            try:
                answer = probe_client.describe_key_pairs(KeyNames=[key])
                after_answer = after_answer or answer
                outcome = "ok"
            except Exception as error:  # noqa: BLE001
                outcome = f"{type(error).__name__}: {error}"[:200]
            recovery.append((round(time.monotonic() - flood_started - FLOOD_SECONDS, 1),
                             round(time.perf_counter() - began, 3), outcome))
            if outcome == "ok" and recovery[-1][1] < 0.1:
                break
            time.sleep(0.25)
        after_seconds = recovery[0][1] if recovery[0][2] == "ok" else float("inf")
        overflows_end = _listen_overflows()

        summary = {}
        for name, status in statuses.items():
            if status:
                summary[name] = {k: status.get(k) for k in (
                    "opened", "peak_open", "peak_established", "reconnects", "connect_errors", "open_errors",
                    "closed_by_server", "answers", "slow_bytes_sent", "final")}
                summary[name]["lifetimes"] = {
                    k: (f"n={len(v)} min={min(v)} median={statistics.median(v)} max={max(v)}" if v else "none")
                    for k, v in status["lifetimes"].items()}
                summary[name]["still_open_ages_max"] = status.get("open_ages_max")
        latencies = {kind: [r[1] for r in rows if r[2] == "ok"] for kind, rows in results.items()}
        report("connection flood", own_nofile=f"{soft}/{hard}", server_nofile=server_limit,
               server_fds_peak=sampler.peak_fds, server_rss_peak_mb=round(sampler.peak_rss_kb / 1024, 1),
               first_after_flood_ms=round(after_seconds * 1000, 1),
               recovery=recovery, listen_overflows_during=overflows_after_flood - overflows_before,
               listen_overflows_after=overflows_end - overflows_after_flood)
        for kind, rows in results.items():
            lat = latencies[kind]
            report(f"flood probe {kind}", calls=len(rows), ok=len(lat),
                   p50_ms=round(statistics.median(lat) * 1000, 1) if lat else None,
                   max_ms=round(max(lat) * 1000, 1) if lat else None,
                   retries=sum(r[3] or 0 for r in rows), timeline=[(r[0], round(r[1], 2), r[2][:40]) for r in rows])
        print(json.dumps(summary), flush=True)
        (tmp_path / "flood-report.json").write_text(json.dumps({"probes": results, "workers": summary,
                                                                 "server_fds_peak": sampler.peak_fds}, indent=1))

        assert not sampler.died and alive_after, f"the server died during the flood\n{server.describe()}"
        assert after_answer and [p["KeyName"] for p in after_answer["KeyPairs"]] == [key], recovery
        for kind, rows in results.items():
            failed = [r for r in rows if r[2] != "ok"]
            assert rows and not failed, f"{kind} probes failed during the flood: {failed}\nall: {rows}"
            assert len(rows) >= 5, f"only {len(rows)} {kind} probes in {FLOOD_SECONDS} s: {rows}"
        total_peak = sum((s or {}).get("peak_open", 0) for s in statuses.values())
        assert total_peak >= 21000, f"the flood held only {total_peak} sockets at its peak: {summary}"
        assert sampler.peak_fds >= 5000, f"the server never held more than {sampler.peak_fds} descriptors: {summary}"
        # Idle and trickling (slowloris) connections are cut about 20 s after the server takes them, however often
        # a byte arrives. (Client-side lifetimes: a connection may also wait unaccepted in the kernel first.)
        for kind in ("idle", "slow"):
            lifetimes = [t for st in statuses.values() if st for t in st["lifetimes"][kind]]
            # 20 s on the server's clock; under 21,300 connections a client also waits in the kernel's accept
            # queue first (median 26.8 s seen with the debug build), so the bound is the timeout plus that queue.
            assert lifetimes and statistics.median(lifetimes) <= 40, (
                f"{kind} connections were not cut at 20 s: median lifetime "
                f"{statistics.median(lifetimes) if lifetimes else None} s")
        # Right after the flood the server is still closing ~20,000 connections (debug build: 3-6 s seen); a fresh
        # client must get through well inside botocore's connect timeout, not wait for the whole backlog.
        assert after_seconds < 15.0, (
            f"the first request after the flood took {after_seconds:.2f} s (recovery: {recovery}; listen queue "
            f"overflows after the flood ended: {overflows_end - overflows_after_flood})")
    finally:
        for proc, _ in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        sampler.finish()
        server.stop()


# ==================================================================================================
# 3. Oversized input refused fast


def _pem_of_size(label: str, size: int) -> str:
    raw = base64.b64encode(os.urandom(size * 3 // 4)).decode()
    lines = "\n".join(raw[i:i + 64] for i in range(0, len(raw), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _timed_refusals(server: rs.Server, service: str, params: dict, runs: int = 5) -> tuple[list[float], set, bytes]:
    from urllib.parse import urlencode

    body = urlencode(params).encode()
    headers = rs.signed_headers(server, service, body)
    times, codes = [], set()
    for _ in range(runs):
        reply = rs.post(server, body, headers, timeout=30)
        assert 400 <= reply.status < 500, f"expected a 4xx refusal\n{reply.describe()}"
        code, message, _ = aws_error(reply)
        codes.add((reply.status, code, message[:160]))
        times.append(reply.seconds)
    return times, codes, body


def test_oversized_certificate_and_filter_lists_are_refused_fast(binary, tmp_path, servers):
    server = start_server(binary, tmp_path / "data", tmp_path, "oversized")
    servers.append(server)
    try:
        iam = boto_client(server, "iam")
        ec2 = boto_client(server, "ec2")
        iam.list_server_certificates()  # warm up both services' code paths
        ec2.describe_key_pairs()

        certificate = {
            "Action": "UploadServerCertificate", "Version": rs.IAM_VERSION, "ServerCertificateName": unique("big"),
            "CertificateBody": _pem_of_size("CERTIFICATE", 1_000_000), "PrivateKey": _pem_of_size("PRIVATE KEY", 1200),
        }
        assert len(certificate["CertificateBody"]) >= 1_000_000
        cert_times, cert_codes, cert_body = _timed_refusals(server, "iam", certificate)

        filters = {"Action": "DescribeKeyPairs", "Version": rs.EC2_VERSION, "Filter.1.Name": "key-name"}
        filters.update({f"Filter.1.Value.{i}": f"*k{i}*" for i in range(1, 25001)})
        filter_times, filter_codes, filter_body = _timed_refusals(server, "ec2", filters)

        # Under the 10,000-parameter cap the filter limit itself answers: 200 values pass, 201 and 5,000 do not.
        below_cap = {"Action": "DescribeKeyPairs", "Version": rs.EC2_VERSION, "Filter.1.Name": "key-name"}
        below_cap.update({f"Filter.1.Value.{i}": f"*k{i}*" for i in range(1, 5001)})
        below_times, below_codes, _ = _timed_refusals(server, "ec2", below_cap)
        assert {c[1] for c in below_codes} == {"FilterLimitExceeded"}, below_codes
        assert ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [f"*{i}*" for i in range(200)]}])[
            "KeyPairs"] == []
        expect = ec2.exceptions.ClientError
        with pytest.raises(expect) as refused:
            ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [f"*{i}*" for i in range(201)]}])
        assert refused.value.response["Error"]["Code"] == "FilterLimitExceeded", refused.value.response

        assert ec2.describe_key_pairs()["KeyPairs"] == []  # still serving
        cert_ms = [round(t * 1000, 1) for t in cert_times]
        filter_ms = [round(t * 1000, 1) for t in filter_times]
        report("1 MB CertificateBody", body_bytes=len(cert_body), round_trips_ms=cert_ms,
               median_ms=statistics.median(cert_ms), answer=sorted(cert_codes))
        report("25,000 filter values", body_bytes=len(filter_body), round_trips_ms=filter_ms,
               median_ms=statistics.median(filter_ms), answer=sorted(filter_codes))
        below_ms = [round(t * 1000, 1) for t in below_times]
        report("5,000 filter values", round_trips_ms=below_ms, median_ms=statistics.median(below_ms),
               answer=sorted(below_codes))
        # Work bounded before parsing: refused at once, whatever the size. Speed is measured by the benchmark on a
        # release build (bench/refusals.py: about 9 ms and 2 ms); this debug build on a shared machine is only
        # held to a bound that anything that grows faster than its input (a minute for 1 MB, before) breaks.
        assert statistics.median(cert_ms) < 2000, f"1 MB CertificateBody refused in {cert_ms} ms"
        assert statistics.median(filter_ms) < 2000, f"25,000 filter values refused in {filter_ms} ms"
    finally:
        server.stop()


def test_certificate_bodies_within_the_cap_are_refused_fast(binary, tmp_path, servers):
    """Bodies the 16,384-character cap lets through must not cost more than a big one refused by the cap: each
    shape of junk is refused (4xx, AWS XML error) in well under a second (linear work; quadratic took seconds)."""
    server = start_server(binary, tmp_path / "data", tmp_path, "cap")
    servers.append(server)
    try:
        boto_client(server, "iam").list_server_certificates()
        shapes = {
            "16,384 spaces": " " * 16384,
            "16,384 newlines": "\n" * 16384,
            "16,384 tabs": "\t" * 16384,
            "16,384 letters": "A" * 16384,
            "PEM frame around 16,000 spaces": "-----BEGIN CERTIFICATE-----\n" + " " * 16000 + "\n-----END CERTIFICATE-----\n",
            "x + 16,382 spaces + x": "x" + " " * 16382 + "x",
        }
        timings, problems = {}, []
        for label, body in shapes.items():
            assert len(body) <= 16384
            params = {"Action": "UploadServerCertificate", "Version": rs.IAM_VERSION,
                      "ServerCertificateName": unique("cap"), "CertificateBody": body,
                      "PrivateKey": _pem_of_size("PRIVATE KEY", 1200)}
            reply = rs.signed_post(server, "iam", params, timeout=120)
            code = aws_error(reply)[0] if 400 <= reply.status < 500 else f"HTTP {reply.status}"
            timings[label] = f"{reply.seconds * 1000:.1f} ms {code}"
            if not 400 <= reply.status < 500:
                problems.append(f"{label}: expected a 4xx refusal\n{reply.describe()}")
            elif reply.seconds >= 1.0:
                # Linear work on 16 KiB is milliseconds even in a debug build; the quadratic trim took 1.4-4.4 s.
                problems.append(f"{label}: refused ({code}) after {reply.seconds * 1000:.0f} ms")
        # CertificateChain (cap 2,097,152 characters) is read once the certificate and its key pass: a valid
        # self-signed pair with a chain of one PEM frame around 32,000 spaces.
        key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key_path), "-out",
                        str(cert_path), "-days", "30", "-subj", "/CN=resilience.example"], check=True,
                       capture_output=True, timeout=60)
        chain = "-----BEGIN CERTIFICATE-----\n" + " " * 32000 + "\n-----END CERTIFICATE-----\n"
        params = {"Action": "UploadServerCertificate", "Version": rs.IAM_VERSION, "ServerCertificateName": unique("chain"),
                  "CertificateBody": cert_path.read_text(), "PrivateKey": key_path.read_text(), "CertificateChain": chain}
        try:
            reply = rs.signed_post(server, "iam", params, timeout=60)
            code = aws_error(reply)[0] if 400 <= reply.status < 500 else f"HTTP {reply.status}"
            timings["chain: PEM frame around 32,000 spaces"] = f"{reply.seconds * 1000:.1f} ms {code}"
            if not 400 <= reply.status < 500 or reply.seconds >= 2.0:  # quadratic: 8-12 s for 32,000 spaces
                problems.append(f"CertificateChain of a PEM frame around 32,000 spaces: HTTP {reply.status} {code} "
                                f"after {reply.seconds * 1000:.0f} ms")
        except OSError as error:
            problems.append(f"CertificateChain of a PEM frame around 32,000 spaces: no answer in 60 s ({error})")
        report("CertificateBody within the cap", **{k.replace(" ", "_").replace(",", ""): v for k, v in timings.items()})
        assert server.alive()
        assert not problems, "\n".join(problems)
    finally:
        server.stop()


# ==================================================================================================
# 4. A full disk


def _import_raw(server: rs.Server, name: str) -> tuple[str, object]:
    """ImportKeyPair over raw HTTP: ("ok", None), ("error", (status, code, request ID)) or ("broken", detail)."""
    params = {"Action": "ImportKeyPair", "Version": rs.EC2_VERSION, "KeyName": name,
              "PublicKeyMaterial": base64.b64encode(rs.ed25519_public_line().encode()).decode()}
    try:
        reply = rs.signed_post(server, "ec2", params, timeout=30)
    except Exception as error:  # noqa: BLE001 - a dropped connection is what we look for
        return "broken", f"{type(error).__name__}: {error}"
    if reply.status == 200:
        if b"<keyPairId>key-" not in reply.body:
            return "broken", f"200 without a key pair ID: {reply.describe()}"
        return "ok", None
    try:
        code, message, request_id = aws_error(reply)
    except AssertionError as error:
        return "broken", str(error)
    if reply.status >= 500 and (reply.status != 500 or code != "InternalError"):
        return "broken", f"a 5xx other than 500 InternalError: {reply.describe()}"
    if not (400 <= reply.status < 500 or reply.status == 500):
        return "broken", reply.describe()
    return "error", (reply.status, code, request_id, message[:200])


def test_full_disk_fails_cleanly_and_recovers(binary, tmp_path, servers):
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                             capture_output=True, text=True, timeout=30)
    if mounted.returncode != 0:
        reason = f"mount -t tmpfs refused (no privilege?): {mounted.stderr.strip()}"
        print(reason)
        pytest.skip(reason)
    server = second = None
    try:
        extra = ["--key-pair-limit", "1000000"]
        server = start_server(binary, mount_point, tmp_path, "disk", extra=extra)
        acknowledged: list[str] = []
        errors: list[tuple] = []
        broken: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()
        counter = [0]
        prefix = "full-disk-" + "x" * 180  # long names fill the disk sooner

        def worker():
            while not stop.is_set():
                with lock:
                    counter[0] += 1
                    name = f"{prefix}-{counter[0]:07d}"
                outcome, detail = _import_raw(server, name)
                with lock:
                    if outcome == "ok":
                        acknowledged.append(name)
                    elif outcome == "error":
                        errors.append((name, *detail))
                    else:
                        broken.append(f"{name}: {detail}")
                    if len(errors) >= 60 or len(broken) >= 5:
                        stop.set()

        started = time.monotonic()
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        while not stop.is_set() and time.monotonic() - started < 150 and server.alive():
            time.sleep(0.2)
        stop.set()
        for thread in threads:
            thread.join(60)
        fill_seconds = time.monotonic() - started
        df = subprocess.run(["df", "-k", str(mount_point)], capture_output=True, text=True).stdout
        report("full disk", imports_acknowledged=len(acknowledged), errors=len(errors), broken=len(broken),
               fill_s=f"{fill_seconds:.1f}", error_kinds=sorted({e[1:3] for e in errors}),
               df=df.splitlines()[-1] if df else "?")
        assert server.alive(), f"the server died when the disk filled\n{server.describe()}"
        assert not broken, f"failures that are no AWS error (dropped connection, non-XML, other 5xx): {broken[:5]}"
        assert errors, f"the 4 MB disk never filled after {len(acknowledged)} imports"

        # The cause, with the request ID, in the server's log.
        log = server.stderr()
        server_errors = [e for e in errors if e[1] >= 500]
        missing = []
        for name, status, code, request_id, message in server_errors:
            lines = [line for line in log.splitlines() if request_id in line]
            if not lines or not any(re.search(r"full|disk|space|SQLITE_FULL|\(13\)", l, re.I) for l in lines):
                missing.append((request_id, lines[:2]))
        print(f"log lines of the first failure: "
              f"{[l for l in log.splitlines() if errors[0][3] in l][:3]}", flush=True)
        assert not missing, f"{len(missing)} failures have no cause with their request ID in the log: {missing[:3]}"

        # Every acknowledged import is there.
        ec2 = boto_client(server, read_timeout=120)
        listed = {p["KeyName"] for p in ec2.describe_key_pairs()["KeyPairs"]}
        lost = [n for n in acknowledged if n not in listed]
        assert not lost, f"{len(lost)} acknowledged imports missing, e.g. {lost[:3]}"

        # More room: imports succeed again, without a restart.
        remount = subprocess.run(["mount", "-o", "remount,size=64m", str(mount_point)], capture_output=True,
                                 text=True, timeout=30)
        assert remount.returncode == 0, remount.stderr
        after_remount = []
        for i in range(20):
            name = f"after-remount-{i:02d}-{unique('k')}"
            outcome, detail = _import_raw(server, name)
            after_remount.append((name, outcome, detail))
            if outcome == "ok":
                acknowledged.append(name)
        failed = [r for r in after_remount if r[1] != "ok"]
        assert not failed, f"imports still fail after the disk grew: {failed[:5]}"

        # Restart on the same folder: every acknowledged key pair is still there.
        status, clean = server.stop()
        assert clean and status == 0, f"exit {status} after SIGTERM\n{server.describe()}"
        second = start_server(binary, mount_point, tmp_path, "disk-restart", extra=extra)
        listed = {p["KeyName"] for p in boto_client(second, read_timeout=120).describe_key_pairs()["KeyPairs"]}
        lost = [n for n in acknowledged if n not in listed]
        assert not lost, f"{len(lost)} acknowledged key pairs lost across the restart, e.g. {lost[:3]}"
        report("full disk, after restart", key_pairs=len(listed), acknowledged=len(acknowledged))
    finally:
        for each in (server, second):
            if each is not None:
                each.stop()
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, text=True, timeout=30)
        if unmounted.returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


# ==================================================================================================
# 5. The master key


def _refused_start(binary: Path, data: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    argv = rs.serve_argv(binary, data, dev=False)
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
                              env=rs.server_environment(env))
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"keyway serve started (no exit within 30 s) with a bad master key: {error.stdout!r}")


def test_master_key_canary(binary, tmp_path, servers):
    data = tmp_path / "data"
    first = start_server(binary, data, tmp_path, "master-first", dev=False)
    servers.append(first)
    try:
        creds = rs.credentials_from(data / "credentials")
        boto_client(first, creds=creds).create_key_pair(KeyName="kept", KeyType="ed25519")
    finally:
        status, clean = first.stop()
    assert clean and status == 0, first.describe()
    original = (data / "master.key").read_bytes()
    print(f"data folder after a clean stop: {sorted(rs.folder_snapshot(data))}", flush=True)
    wrong = base64.b64encode(os.urandom(32)).decode() + "\n"

    def set_key(content: bytes | None) -> None:
        path = data / "master.key"
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(content)
            path.chmod(0o600)

    problems = []
    # (a) master.key missing; (b) a different valid key in master.key; (b') the right file but a wrong
    # KEYWAY_MASTER_KEY. Each compared with the folder just before it.
    for label, key_file, env in (("missing master.key", None, None), ("wrong master.key", wrong.encode(), None),
                                 ("wrong KEYWAY_MASTER_KEY", original, {"KEYWAY_MASTER_KEY": wrong.strip()})):
        set_key(key_file)
        before = rs.folder_snapshot(data)
        result = _refused_start(binary, data, env)
        after = rs.folder_snapshot(data)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        print(f"[{label}] exit {result.returncode}, stderr: {result.stderr.strip()!r}", flush=True)
        if result.returncode == 0:
            problems.append(f"[{label}] exit status 0")
        if len(lines) != 1 or not re.search(r"master[ ._-]?key|KEYWAY_MASTER_KEY", lines[0], re.I):
            problems.append(f"[{label}] expected exactly one stderr line about the master key: {result.stderr!r}")
        if "Keyway is listening" in result.stdout:
            problems.append(f"[{label}] it listened: {result.stdout!r}")
        if key_file is None and (data / "master.key").exists():
            problems.append(f"[{label}] a new master.key was created")
        if sorted(after) != sorted(before):
            problems.append(f"[{label}] the data folder's files changed: {sorted(before)} -> {sorted(after)}")
        changed = [f"{k}: {before[k]} -> {after[k]}" for k in before if k in after and after[k] != before[k]]
        if changed:
            problems.append(f"[{label}] bytes changed: {changed}")

    # (c) the original key again: starts, and the credentials file's root key works.
    (data / "master.key").write_bytes(original)
    (data / "master.key").chmod(0o600)
    restored = start_server(binary, data, tmp_path, "master-restored", dev=False)
    servers.append(restored)
    try:
        creds = rs.credentials_from(data / "credentials")
        sts = boto_client(restored, "sts", creds=creds)
        identity = sts.get_caller_identity()
        assert identity["Arn"].endswith(":root"), identity
        kept = boto_client(restored, creds=creds).describe_key_pairs()["KeyPairs"]
        assert [p["KeyName"] for p in kept] == ["kept"], kept
    finally:
        restored.stop()
    assert not problems, "\n".join(problems)


# ==================================================================================================
# 6. Concurrency


def test_concurrent_client_token_and_recovery_racing_stop_start(binary, tmp_path, servers):
    data = tmp_path / "data"
    server = start_server(binary, data, tmp_path, "concurrency", dev=False)
    servers.append(server)
    try:
        creds = rs.credentials_from(data / "credentials")
        ec2 = boto_client(server, creds=creds)

        # 8 launches with one ClientToken at once: one reservation.
        token = unique("token")
        barrier = threading.Barrier(8)
        answers, failures = [], []

        def launch_once():
            client = boto_client(server, creds=creds)
            barrier.wait(30)
            try:
                answers.append(client.run_instances(ImageId=LINUX_IMAGE, MinCount=2, MaxCount=2, ClientToken=token))
            except Exception as error:  # noqa: BLE001
                failures.append(f"{type(error).__name__}: {error}")

        threads = [threading.Thread(target=launch_once) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not failures, f"concurrent launches with one ClientToken failed: {failures}"
        reservations = {a["ReservationId"] for a in answers}
        instance_sets = {frozenset(i["InstanceId"] for i in a["Instances"]) for a in answers}
        assert len(answers) == 8 and len(reservations) == 1, f"reservations: {reservations}"
        assert len(instance_sets) == 1, f"instance sets: {instance_sets}"
        everything = {i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]}
        assert everything == set(next(iter(instance_sets))), f"described {everything}, launched {instance_sets}"

        # Recovery racing stop/start.
        key = unique("launch")
        ec2.create_key_pair(KeyName=key, KeyType="ed25519")
        iid = ec2.run_instances(ImageId=LINUX_IMAGE, MinCount=1, MaxCount=1, KeyName=key)["Instances"][0]["InstanceId"]
        status, body = http_get_raw("127.0.0.1", server.port, f"/_keyway/instances/{iid}/authorized-keys?user=ec2-user")
        launch_key = ec2.describe_key_pairs(KeyNames=[key], IncludePublicKey=True)["KeyPairs"][0]["PublicKey"]
        assert status == 200 and body.split()[:2] == launch_key.split()[:2], (status, body)

        replacement = tmp_path / "replacement"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "new@e2e", "-f", str(replacement)],
                       check=True, timeout=30, capture_output=True)
        replacement_fields = Path(f"{replacement}.pub").read_text().split()[:2]

        stop_racing = threading.Event()
        api_errors, cycles = [], [0]

        def stop_start():
            client = boto_client(server, creds=creds)
            while not stop_racing.is_set():
                try:
                    client.stop_instances(InstanceIds=[iid])
                    client.start_instances(InstanceIds=[iid])
                    cycles[0] += 1
                except Exception as error:  # noqa: BLE001
                    api_errors.append(f"{type(error).__name__}: {error}")

        racers = [threading.Thread(target=stop_start, daemon=True) for _ in range(2)]
        for racer in racers:
            racer.start()
        admin_runs = []
        try:
            for _ in range(4):
                time.sleep(1.0)
                admin_runs.append(subprocess.run(
                    [str(binary), "admin", "replace-authorized-keys", "--data-dir", str(data), "--instance-id", iid,
                     "--public-key", f"{replacement}.pub"], capture_output=True, text=True, timeout=60))
            time.sleep(2.0)  # the racers go on after the last recovery
        finally:
            stop_racing.set()
            for racer in racers:
                racer.join(60)
        failed_admin = [(r.returncode, r.stdout, r.stderr) for r in admin_runs if r.returncode != 0]
        ec2.start_instances(InstanceIds=[iid])
        deadline = time.monotonic() + 20
        while ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]["State"]["Name"] != "running":
            assert time.monotonic() < deadline, "the instance never came back to running"
            time.sleep(0.2)
        status, body = http_get_raw("127.0.0.1", server.port, f"/_keyway/instances/{iid}/authorized-keys?user=ec2-user")
        report("recovery racing stop/start", stop_start_cycles=cycles[0], admin_runs=len(admin_runs),
               admin_failures=len(failed_admin), api_errors=len(api_errors))
        assert not failed_admin, f"replace-authorized-keys failed while the server ran: {failed_admin}"
        assert not api_errors, f"Stop/StartInstances failed during the race: {api_errors[:5]}"
        assert cycles[0] >= 4, f"only {cycles[0]} stop/start cycles raced the recovery"
        lines = body.splitlines()
        assert status == 200 and len(lines) == 1, (status, body)
        assert lines[0].split()[:2] == replacement_fields and lines[0].split()[2:] == ["recovered"], (
            f"expected the replacement key (comment 'recovered'), got {lines} (launch key {launch_key.split()[:2]})")
    finally:
        server.stop()


# ==================================================================================================
# 7. Memory


def test_memory_returns_near_idle_after_mixed_load(binary, tmp_path, servers):
    server = start_server(binary, tmp_path / "data", tmp_path, "memory")
    servers.append(server)
    sampler = Sampler(server, 0.25)
    try:
        client = boto_client(server, pool=16)
        client.describe_key_pairs()  # one request: the code paths and the cache are in place
        time.sleep(3)
        idle_kb = server.rss_kb()
        sampler.start()
        stop = threading.Event()
        counts, errors = [0], []

        def load():
            while not stop.is_set():
                try:
                    created = unique("mem-c")
                    imported = unique("mem-i")
                    client.create_key_pair(KeyName=created, KeyType="ed25519")
                    client.import_key_pair(KeyName=imported, PublicKeyMaterial=rs.ed25519_public_line().encode())
                    client.describe_key_pairs(KeyNames=[created, imported])
                    client.describe_key_pairs()
                    client.delete_key_pair(KeyName=created)
                    client.delete_key_pair(KeyName=imported)
                    counts[0] += 6
                except Exception as error:  # noqa: BLE001
                    errors.append(f"{type(error).__name__}: {error}")
                    if len(errors) > 20:
                        stop.set()

        threads = [threading.Thread(target=load, daemon=True) for _ in range(16)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(30)
        stop.set()
        for thread in threads:
            thread.join(60)
        load_seconds = time.monotonic() - began
        time.sleep(10)
        sampler.finish()
        after_kb = server.rss_kb()
        report("memory", idle_mb=round(idle_kb / 1024, 1), peak_mb=round(sampler.peak_rss_kb / 1024, 1),
               after_mb=round(after_kb / 1024, 1), requests=counts[0], load_s=f"{load_seconds:.1f}",
               req_per_s=round(counts[0] / load_seconds), errors=len(errors))
        assert not errors, f"requests failed under load: {errors[:5]}"
        assert server.alive()
        assert after_kb - idle_kb <= 20 * 1024, (
            f"RSS after load {after_kb / 1024:.1f} MB, idle {idle_kb / 1024:.1f} MB, "
            f"peak {sampler.peak_rss_kb / 1024:.1f} MB: {(after_kb - idle_kb) / 1024:.1f} MB more than idle")
    finally:
        sampler.finish()
        server.stop()


# ==================================================================================================
# 8. Half-closed metadata clients


def test_metadata_answers_a_half_closed_client(binary, tmp_path, servers):
    metadata_port = rs.free_metadata_port()
    server = start_server(binary, tmp_path / "data", tmp_path, "half-close", metadata_port=metadata_port)
    servers.append(server)
    try:
        client = boto_client(server)
        instance = client.run_instances(ImageId=LINUX_IMAGE, MinCount=1, MaxCount=1)["Instances"][0]
        iid, ip = instance["InstanceId"], instance["PrivateIpAddress"]
        assert http_get_raw(ip, metadata_port, "/latest/meta-data/instance-id") == (200, iid)

        with socket.create_connection((ip, metadata_port), timeout=10) as sock:
            sock.sendall(b"GET /latest/meta-data/instance-id HTTP/1.0\r\n\r\n")
            sock.shutdown(socket.SHUT_WR)
            received = b""
            began = time.monotonic()
            while time.monotonic() - began < 10:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        report("half-closed metadata client", answer=received[:200])
        assert head.startswith(b"HTTP/1.") and head.split()[1] == b"200", received
        assert body.decode() == iid, received
    finally:
        server.stop()


# ==================================================================================================
# 9. Other methods and oversized bodies


def _raw_exchange(port: int, request: bytes, timeout: float = 5) -> tuple[bytes, bool, float]:
    """Sends the bytes, reads the answer (by Content-Length, or to EOF). (answer, framed by Content-Length, s)."""
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        framed = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            received += chunk
            head, sep, body = received.partition(b"\r\n\r\n")
            length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
            if sep and length and len(body) >= int(length.group(1)):
                framed = True
                break
    return received, framed, time.perf_counter() - began


def test_other_methods_get_405_and_large_bodies_413(binary, tmp_path, servers):
    server = start_server(binary, tmp_path / "data", tmp_path, "methods")
    servers.append(server)
    try:
        problems, seen = [], {}
        for method, target in (("PUT", "/"), ("DELETE", "/"), ("PATCH", "/"), ("OPTIONS", "/"), ("TRACE", "/"),
                               ("CONNECT", "example.com:443")):
            request = f"{method} {target} HTTP/1.1\r\nHost: {'example.com:443' if method == 'CONNECT' else '127.0.0.1'}\r\n"
            request += ("Content-Length: 0\r\n" if method in ("PUT", "PATCH") else "") + "\r\n"
            answer, framed, seconds = _raw_exchange(server.port, request.encode())
            head, _, body = answer.partition(b"\r\n\r\n")
            seen[method] = f"{head.splitlines()[0].decode() if head else 'nothing'}; body {len(body)} bytes; " \
                           f"{'framed' if framed else 'not framed'}; {seconds:.2f} s"
            if not head.startswith(b"HTTP/1.1 405"):
                problems.append(f"{method}: expected 405, got {answer[:300]!r}")
                continue
            if method == "CONNECT":
                # NIO's encoder sends no body with an answer to CONNECT (by design: such an answer is not framed as
                # other answers are), so the proof is a 405 and a connection closed at once, not parked.
                if seconds > 1:
                    problems.append(f"CONNECT: the connection stayed open {seconds:.2f} s after the 405")
                continue
            if not framed:
                problems.append(f"{method}: the 405 has no complete Content-Length-framed body within 5 s: {answer!r}")
            try:
                root = ET.fromstring(body)
                if root.findtext("./Errors/Error/Code") is None:
                    problems.append(f"{method}: no AWS error code in {body!r}")
            except ET.ParseError:
                problems.append(f"{method}: the 405 body is not an XML error: {body[:300]!r}")

        # A body declared over 8 MiB: 413 before a byte of it is sent.
        request = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                   b"Content-Length: 8388609\r\n\r\n")
        answer, framed, seconds = _raw_exchange(server.port, request)
        head, _, body = answer.partition(b"\r\n\r\n")
        seen["POST 8 MiB + 1"] = f"{head.splitlines()[0].decode() if head else 'nothing'}; {seconds * 1000:.1f} ms"
        report("methods and sizes", **{k.replace(' ', '_'): v for k, v in seen.items()})
        if not head.startswith(b"HTTP/1.1 413") or b"<Code>RequestEntityTooLarge</Code>" not in body or seconds > 1:
            problems.append(f"8 MiB + 1 declared: expected a 413 RequestEntityTooLarge at once, got {answer[:400]!r} "
                            f"in {seconds:.2f} s")
        assert server.alive()
        assert not problems, "\n".join(problems)
    finally:
        server.stop()
