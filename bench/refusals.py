"""How fast oversized input is refused: a 1 MB CertificateBody (UploadServerCertificate) and a DescribeKeyPairs with
25,000 filter values, each signed with SigV4 and sent over loopback to a `keyway serve --dev` on a free port.

    .venv/bin/python bench/refusals.py [PATH-TO-KEYWAY]     # default: .build/release/keyway

Prints the round trip of seven runs of each and the median, and the answer's error code. The server is stopped at
the end. The goal (issue 13): under 100 ms each.
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

RUNS = 7


def main() -> None:
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/release/keyway"
    data = tempfile.mkdtemp(prefix="keyway-refusals-")
    server = subprocess.Popen(
        [binary, "serve", "--dev", "--host", "127.0.0.1", "--port", "0", "--data-dir", data, "--metadata-port", "0",
         "--log-level", "error"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )
    try:
        seen = b""
        deadline = time.monotonic() + 60
        while b"Keyway is listening" not in seen and time.monotonic() < deadline:
            seen += os.read(server.stdout.fileno(), 4096)
        port = int(re.search(rb"127\.0\.0\.1:(\d+)", seen).group(1))

        def post(service: str, body: bytes) -> tuple[float, str]:
            request = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
            SigV4Auth(Credentials("AKIAIOSFODNN7EXAMPLE", "x" * 40), service, "us-east-1").add_auth(request)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                started = time.perf_counter()
                connection.request("POST", "/", body=body, headers=dict(request.headers.items()))
                response = connection.getresponse()
                answer = response.read()
                elapsed = time.perf_counter() - started
            finally:
                connection.close()
            code = re.search(rb"<Code>([^<]+)</Code>", answer)
            return elapsed, f"{response.status} {code.group(1).decode() if code else '-'}"

        certificate = "-----BEGIN CERTIFICATE-----\n" + "A" * (1 << 20) + "\n-----END CERTIFICATE-----\n"
        cases = {
            "UploadServerCertificate, 1 MB CertificateBody": (
                "iam",
                urlencode({"Action": "UploadServerCertificate", "Version": "2010-05-08", "ServerCertificateName": "x",
                           "CertificateBody": certificate, "PrivateKey": "k"}).encode(),
            ),
            "DescribeKeyPairs, 25,000 filter values": (
                "ec2",
                urlencode({"Action": "DescribeKeyPairs", "Version": "2016-11-15", "Filter.1.Name": "key-name",
                           **{f"Filter.1.Value.{i}": f"*{i}*" for i in range(1, 25_001)}}).encode(),
            ),
        }
        print("| request | body | round trips (ms) | median (ms) | answer |")
        print("|---|---:|---|---:|---|")
        for label, (service, body) in cases.items():
            runs = [post(service, body) for _ in range(RUNS)]
            times = [round(t * 1000, 1) for t, _ in runs]
            print(f"| {label} | {len(body):,} B | {', '.join(map(str, times))} | {statistics.median(times)} | "
                  f"{runs[-1][1]} |")
    finally:
        server.terminate()
        server.wait(20)


if __name__ == "__main__":
    main()
