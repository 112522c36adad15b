"""Adversarial HTTP suite: thousands of generated malformed requests against one running `keyway serve --dev`, and
a smaller run against a strict server signed with the real root credentials of its data folder (so SigV4
verification, unknown, inactive and user keys, and presigned URLs are exercised too).

The requests are made by mutation, not taken from a list: valid requests (CreateKeyPair; ImportKeyPair with OpenSSH,
RFC 4716, PEM, DER, private-key and PPK material; DescribeKeyPairs with filters; tags; RunInstances and the other
instance calls; IAM users, access keys, SSH public keys and server certificates; STS GetCallerIdentity; Instance
Connect SendSSHPublicKey as JSON 1.1) are damaged in their parameters (duplicates, absurd numbers and indexes, long
values, invalid UTF-8, control characters, damaged key material: base64 cut short, bytes flipped inside the decoded
blob and encoded again, RFC 4716 header oddities, OpenSSH private keys with long padding, broken DER), in their
bytes (flips, insertions, deletions, truncation, huge repetition, percent-escape damage), in their signature (the
Authorization header's fields duplicated, unknown, emptied, reordered, wrong algorithms, garbage; X-Amz-Date; presigned
URL parameters), in HTTP (methods PUT, DELETE, PATCH, OPTIONS, TRACE, HEAD, ...; content types; paths; Host; header
counts and sizes) and in framing on raw sockets (Content-Length lies, chunked bodies, pipelining, broken request
lines). Keep-alive and fresh connections are mixed; a few threads keep the server busy.

Every answer is judged (adversarial_support.judge): no 5xx but 500 InternalError/ServiceFailure and 503
RequestLimitExceeded/ServiceUnavailable; every 4xx/5xx to a Query request in EC2's or IAM/STS's XML error envelope,
every Instance Connect error JSON with __type and Message; no private key text in any answer but a CreateKeyPair
success; an answer within 10 s; 413 only for bodies over the limit. The server process is watched all along (a
crash is reported with the request that caused it, found by replaying the requests in flight one at a time; the
server is then restarted so the rest of the run still happens), its resident memory is sampled, and a request signed
by botocore must still succeed at the end.

Reproducible: the seed is printed (KEYWAY_ADVERSARIAL_SEED sets it), case N comes from random.Random(f"{seed}:{N}"),
and every request that broke a rule is saved byte for byte in the output folder (KEYWAY_ADVERSARIAL_OUT, or the
pytest temp folder) with findings.jsonl and summary.json beside it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import adversarial_support as adv
from conftest import KEYWAY_BIN

SEED = int(os.environ.get("KEYWAY_ADVERSARIAL_SEED", "20261204"))
DEV_CASES = int(os.environ.get("KEYWAY_ADVERSARIAL_DEV_CASES", "11000"))
STRICT_CASES = int(os.environ.get("KEYWAY_ADVERSARIAL_STRICT_CASES", "2000"))
THREADS = 4
RSS_LIMIT_MB = 400  # resident memory the server may reach under this load
RSS_SETTLE_MARGIN_MB = 150  # above the idle baseline, a few seconds after the load
RSS_SETTLE_SECONDS = 8


@pytest.fixture(scope="module")
def output_root(tmp_path_factory) -> Path:
    chosen = os.environ.get("KEYWAY_ADVERSARIAL_OUT")
    root = Path(chosen) if chosen else tmp_path_factory.mktemp("adversarial")
    root.mkdir(parents=True, exist_ok=True)
    return root


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> Path:
    """A private copy of the binary, so a rebuild during the run changes nothing."""
    assert os.path.isfile(KEYWAY_BIN), f"keyway binary not found: {KEYWAY_BIN} (set KEYWAY_BIN)"
    copy = tmp_path_factory.mktemp("bin") / "keyway"
    shutil.copy2(KEYWAY_BIN, copy)
    copy.chmod(0o755)
    return copy


@pytest.fixture(scope="module")
def material(tmp_path_factory) -> adv.Material:
    return adv.Material.make(tmp_path_factory.mktemp("material"))


def run_campaign(name: str, *, dev: bool, count: int, binary: Path, material: adv.Material, root: Path) -> adv.CampaignResult:
    folder = root / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    server = adv.ServerProcess(binary, folder / "data", folder, dev=dev)
    server.start()
    try:
        world = adv.prepare_world(server, material, dev=dev)
        time.sleep(0.5)
        baseline = server.rss_kb() or 0
        campaign = adv.Campaign(name, server, adv.Generator(SEED, world, strict=not dev), count, THREADS,
                                folder / "findings")
        result = campaign.run()
        result.rss_baseline_kb = baseline
        settle_start = time.monotonic()
        after = server.rss_kb() or 0
        while time.monotonic() - settle_start < RSS_SETTLE_SECONDS and after > baseline + RSS_SETTLE_MARGIN_MB * 1024:
            time.sleep(0.25)
            after = server.rss_kb() or 0
        result.rss_after_kb = after
        result.rss_after_wait = time.monotonic() - settle_start
        checks = [adv.botocore_check(server.port, world.key_id, world.secret)]
        if dev:
            # The account's real root key, which --dev verifies like a strict server.
            checks.append(adv.botocore_check(server.port, *adv.read_credentials(server.data_dir / "credentials")))
        result.final_ok = server.alive() and all(ok for ok, _ in checks)
        result.final_check = f"server alive: {server.alive()}; " + " | ".join(text for _, text in checks)
    finally:
        server.stop()
    adv.write_reports(result)
    return result


@pytest.fixture(scope="module")
def dev_campaign(binary, material, output_root) -> adv.CampaignResult:
    return run_campaign("dev", dev=True, count=DEV_CASES, binary=binary, material=material, root=output_root)


@pytest.fixture(scope="module")
def strict_campaign(binary, material, output_root) -> adv.CampaignResult:
    return run_campaign("strict", dev=False, count=STRICT_CASES, binary=binary, material=material, root=output_root)


@pytest.fixture(params=["dev", "strict"])
def campaign(request) -> adv.CampaignResult:
    return request.getfixturevalue(f"{request.param}_campaign")


def where(result: adv.CampaignResult) -> str:
    return (f"seed {result.seed}, campaign {result.name}; every offending request is saved byte for byte in "
            f"{result.out_dir} (findings.jsonl, NNNNN-kind.http; replay: python tests/e2e/adversarial_support.py "
            f"replay FILE PORT)")


# ==================================================================================================


def test_campaign_ran_in_full(campaign, capsys):
    """The run itself: its seed, size and time are printed; the dev run sends at least 10,000 malformed requests."""
    r = campaign
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r.status_counts.items(), key=lambda kv: str(kv[0])))
    with capsys.disabled():
        print(f"\n[adversarial {r.name}] seed {r.seed}: {r.cases} generated cases ({r.malformed} malformed), {r.sent} "
              f"exchanges, {r.answers} "
              f"answers in {r.elapsed:.1f}s; {r.restarts} server restarts; findings: "
              f"{ {k: len(r.by_kind(k)) for k in sorted({f.kind for f in r.findings})} }\n"
              f"  statuses: {statuses}\n  cases damaged in: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(r.mutation_counts.items(), key=lambda kv: -kv[1]))}\n"
              f"  5xx answers: {len(r.allowed_5xx)} (only 500 InternalError/ServiceFailure and 503 throttling may pass)\n  RSS: idle {r.rss_baseline_kb // 1024} MB, peak {r.rss_peak_kb // 1024} MB, "
              f"after {r.rss_after_kb // 1024} MB\n  output: {r.out_dir}")
    minimum = 10_000 if r.name == "dev" else 1_000
    assert r.malformed >= minimum and r.sent >= minimum, f"only {r.malformed} malformed requests, {r.sent} sent ({where(r)})"
    assert not r.aborted, f"the run was cut short: {r.aborted} ({where(r)})"
    assert not r.harness_errors, "the suite itself failed:\n" + "\n".join(r.harness_errors[:10])


def report(campaign: adv.CampaignResult, kinds: tuple, what: str) -> None:
    """Fails with a few examples of each kind of problem, each with its exact request (all of them are on disk)."""
    found = [f for f in campaign.findings if f.kind in kinds]
    if found:
        pytest.fail(f"{len(found)} {what} ({where(campaign)}):\n" + adv.summarize(campaign, kinds), pytrace=False)


def test_server_stayed_alive(campaign):
    """No request may kill the server. Each crash names the request that caused it (replayed alone)."""
    r = campaign
    assert r.liveness_checks > 10, "the process was not watched"
    if r.crashes:
        lines = []
        for fatal, culprit, suspects in r.crashes:
            if culprit:
                lines.append(f"* {fatal}\n  caused by {adv.describe_case(culprit, 1500)}")
            else:
                lines.append(f"* {fatal}\n  not reproduced alone; requests in flight: "
                             + "; ".join(f"{s.index} [{s.label}]" for s in suspects))
        pytest.fail(f"the server died {len(r.crashes)} times ({where(r)}):\n" + "\n".join(lines), pytrace=False)


def test_valid_signed_request_succeeds_afterwards(campaign):
    """After the whole run, requests signed by botocore are answered normally."""
    if not campaign.final_ok:
        pytest.fail(f"{campaign.final_check} ({where(campaign)})", pytrace=False)


def test_no_unexpected_5xx(campaign):
    """5xx only as 500 InternalError/ServiceFailure or 503 RequestLimitExceeded/ServiceUnavailable."""
    report(campaign, ("5xx",), "unexpected 5xx answers")


def test_error_bodies_are_aws_shaped(campaign):
    """Every Query error in EC2's or IAM/STS's XML envelope, every Instance Connect error JSON (__type, Message)."""
    report(campaign, ("shape",), "answers not in AWS's shape")


def test_answers_are_well_formed_http(campaign):
    report(campaign, ("bad-http",), "malformed HTTP answers")


def test_no_private_key_in_responses(campaign):
    """No answer but a CreateKeyPair success carries private key text ('PRIVATE KEY', PuTTY's Private-Lines)."""
    report(campaign, ("private-key",), "answers holding private key text")


def test_every_request_answered_in_time(campaign):
    """Every complete request is answered, within 10 s; damaged framing may be closed, but never left hanging."""
    report(campaign, ("hang", "no-answer"), "requests that hung or went unanswered")


def test_oversize_refusal_only_for_oversize_bodies(campaign):
    """413 RequestEntityTooLarge says the body is over the limit: it must not answer bodies that are not."""
    report(campaign, ("wrong-413",), "wrong 413 answers")


def test_memory_bounded(campaign):
    """Resident memory stays under the bound all along and comes back near its idle level after the load."""
    r = campaign
    assert r.rss_peak_kb > 0, "memory was never sampled"
    assert r.rss_peak_kb < RSS_LIMIT_MB * 1024, f"peak RSS {r.rss_peak_kb // 1024} MB ({where(r)})"
    assert r.rss_after_kb <= r.rss_baseline_kb + RSS_SETTLE_MARGIN_MB * 1024, (
        f"RSS {r.rss_after_kb // 1024} MB {r.rss_after_wait:.0f}s after the load, idle was {r.rss_baseline_kb // 1024} MB "
        f"({where(r)})")
