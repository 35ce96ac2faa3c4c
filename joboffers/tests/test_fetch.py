from __future__ import annotations

import ast
import datetime
import gzip
import inspect
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Response

from joboffers import fetch
from joboffers.fetch import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HttpError,
    InvalidUrl,
    TooLarge,
    TooManyRedirects,
    UnsupportedContent,
    fetch_url,
    is_public_address,
    normalize_url,
)

PUBLIC_IP = "93.184.216.34"

# Every one of these must be refused when a job site's name resolves to it.
HOSTILE_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "100.64.1.1",  # CGNAT, missed by ipaddress.is_private
    "100.127.255.254",
    "100.100.100.200",  # Alibaba Cloud metadata
    "169.254.169.254",  # AWS/GCP/Azure metadata
    "169.254.170.2",  # ECS task metadata
    "192.0.0.170",
    "192.0.2.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fe80::1",
    "fec0::1",
    "fc00::1",
    "fd12:3456::1",
    "fd00:ec2::254",  # AWS IPv6 metadata
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:8.8.8.8",  # mapped addresses are refused even when the IPv4 is public
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",
    "64:ff9b:1::a9fe:a9fe",
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::1",
    "2002:a00:1::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",
    "ff02::1",
    "100::1",
]

HOSTILE_URLS = [
    ("http://127.0.0.1/", BlockedAddress),
    ("http://127.1/", BlockedAddress),
    ("http://2130706433/", BlockedAddress),
    ("http://0x7f000001/", BlockedAddress),
    ("http://0x7f.1/", BlockedAddress),
    ("http://017700000001/", BlockedAddress),
    ("http://0177.0.0.1/", InvalidUrl),
    ("http://1.2.3.4.5/", BlockedAddress),
    ("http://0.0.0.0/", BlockedAddress),
    ("http://[::]/", BlockedAddress),
    ("http://[::1]/", BlockedAddress),
    ("http://[::ffff:127.0.0.1]/", BlockedAddress),
    ("http://[::ffff:169.254.169.254]/", BlockedAddress),
    ("http://[::ffff:a9fe:a9fe]/", BlockedAddress),
    ("http://[64:ff9b::a9fe:a9fe]/", BlockedAddress),
    ("http://[2002:7f00:1::]/", BlockedAddress),
    ("http://[fe80::1%25eth0]/", BlockedAddress),
    ("http://169.254.169.254/latest/meta-data/", BlockedAddress),
    ("http://[fd00:ec2::254]/latest/meta-data/", BlockedAddress),
    ("http://100.100.100.200/latest/meta-data/", BlockedAddress),
    ("http://100.64.1.1/", BlockedAddress),
    ("https://jobs.example.com:22/", BlockedAddress),
    ("http://jobs.example.com:5432/", BlockedAddress),
    ("http://jobs.example.com:6379/", BlockedAddress),
    ("https://jobs.example.com:8443/", BlockedAddress),
    ("http://user:pass@jobs.example.com/", InvalidUrl),
    ("http://jobs.example.com@127.0.0.1/", InvalidUrl),
    ("file:///etc/passwd", InvalidUrl),
    ("gopher://jobs.example.com:70/_GET", InvalidUrl),
    ("ftp://jobs.example.com/offer.pdf", InvalidUrl),
    ("javascript:alert(1)", InvalidUrl),
    ("jobs.example.com/offer/1", InvalidUrl),
    ("http:///offer/1", InvalidUrl),
    ("", InvalidUrl),
]


class FakeResolver:
    """Stands in for socket.getaddrinfo; each call returns the next answer (the last repeats)."""

    def __init__(self) -> None:
        self.answers: list[list[str]] = [[PUBLIC_IP]]
        self.hosts: list[str] = []

    def __call__(self, host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        self.hosts.append(host)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in answer
        ]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> FakeResolver:
    fake = FakeResolver()
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fails any test that opens a connection; the list shows what was attempted."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise AssertionError(f"connect attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.FETCH_ALLOW_LOOPBACK = True


@pytest.fixture(scope="module")
def module_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(module_server: HTTPServer) -> Iterator[HTTPServer]:
    yield module_server
    module_server.clear()


@pytest.mark.parametrize("ip", HOSTILE_ADDRESSES)
def test_it_refuses_a_host_resolving_to_a_non_public_address(
    ip: str, resolver: FakeResolver, connects: list[Any]
) -> None:
    resolver.answers = [[ip]]

    assert not is_public_address(ip)
    with pytest.raises(BlockedAddress):
        fetch_url("https://jobs.example.com/offer/1")
    assert resolver.hosts == ["jobs.example.com."]
    assert connects == []


@pytest.mark.parametrize(("url", "error"), HOSTILE_URLS)
def test_it_refuses_hostile_urls_before_connecting(
    url: str, error: type[FetchError], resolver: FakeResolver, connects: list[Any]
) -> None:
    with pytest.raises(error):
        fetch_url(url)
    assert connects == []


@pytest.mark.parametrize(
    ("host", "ip"), [("metadata.google.internal", "169.254.169.254"), ("localhost.", "127.0.0.1")]
)
def test_it_refuses_internal_names(
    host: str, ip: str, resolver: FakeResolver, connects: list[Any]
) -> None:
    resolver.answers = [[ip]]

    with pytest.raises(BlockedAddress):
        fetch_url(f"http://{host}/computeMetadata/v1/")
    assert connects == []


def test_it_refuses_a_name_with_one_public_and_one_private_address(
    resolver: FakeResolver, connects: list[Any]
) -> None:
    resolver.answers = [[PUBLIC_IP, "10.0.0.5"]]

    with pytest.raises(BlockedAddress):
        fetch_url("https://jobs.example.com/offer/1")
    assert connects == []


@pytest.mark.parametrize(
    "ip",
    [PUBLIC_IP, "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946", "64:ff9b::5db8:d822"],
)
def test_it_accepts_public_addresses(ip: str) -> None:
    assert is_public_address(ip)


def test_it_connects_to_the_validated_address_without_a_second_lookup(
    resolver: FakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name turns private right after the check.
    resolver.answers = [[PUBLIC_IP], ["127.0.0.1"]]
    targets: list[Any] = []

    def record(self: socket.socket, address: Any) -> None:
        targets.append(address)
        raise ConnectionRefusedError

    monkeypatch.setattr(socket.socket, "connect", record)

    with pytest.raises(FetchError):
        fetch_url("https://jobs.example.com/offer/1")
    assert targets == [(PUBLIC_IP, 443)]
    assert resolver.hosts == ["jobs.example.com."]


def test_it_refuses_loopback_unless_the_test_setting_allows_it(
    server: HTTPServer, settings: Any
) -> None:
    del settings.FETCH_ALLOW_LOOPBACK
    server.expect_request("/").respond_with_data("<p>offer</p>", content_type="text/html")

    with pytest.raises(BlockedAddress):
        fetch_url(server.url_for("/"))


def test_it_fetches_a_page(server: HTTPServer, allow_loopback: None) -> None:
    server.expect_request("/offer").respond_with_data(
        "<p>Offre d'emploi</p>".encode("latin-1"), content_type="text/html; charset=ISO-8859-1"
    )

    page = fetch_url(server.url_for("/offer"))

    assert page.final_url == server.url_for("/offer")
    assert page.status == 200
    assert page.content_type == "text/html"
    assert page.encoding == "iso-8859-1"
    assert page.body == "<p>Offre d'emploi</p>".encode("latin-1")


def test_it_sends_the_original_host_while_connecting_to_the_pinned_ip(
    server: HTTPServer, resolver: FakeResolver, allow_loopback: None
) -> None:
    resolver.answers = [["127.0.0.1"]]
    server.expect_request("/", headers={"Host": f"jobs.test:{server.port}"}).respond_with_data(
        "pinned", content_type="text/plain"
    )

    page = fetch_url(f"http://jobs.test:{server.port}/")

    assert page.body == b"pinned"


def test_it_checks_tls_against_the_host_name(
    server: HTTPServer,
    resolver: FakeResolver,
    allow_loopback: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolver.answers = [["127.0.0.1"]]
    server_names: list[str | None] = []

    def wrap_socket(self: ssl.SSLContext, sock: socket.socket, **kwargs: Any) -> None:
        server_names.append(kwargs.get("server_hostname"))
        raise ssl.SSLCertVerificationError("certificate verify failed")

    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", wrap_socket)

    with pytest.raises(FetchError):
        fetch_url(f"https://jobs.test:{server.port}/")
    assert server_names == ["jobs.test"]


def _self_signed_certificate(host: str, directory: Path) -> tuple[str, str]:
    """A certificate for `host` that is its own CA; returns the cert and key file paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.mark.parametrize(
    ("certified_host", "fetched"), [("jobs.test", True), ("other.test", False)]
)
def test_it_verifies_tls_on_the_pinned_ip_against_the_host_name(
    certified_host: str,
    fetched: bool,
    resolver: FakeResolver,
    allow_loopback: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert_file, key_file = _self_signed_certificate(certified_host, tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    monkeypatch.setenv("SSL_CERT_FILE", cert_file)
    resolver.answers = [["127.0.0.1"]]
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        server.expect_request("/", headers={"Host": f"jobs.test:{server.port}"}).respond_with_data(
            "over tls", content_type="text/plain"
        )
        if fetched:
            assert fetch_url(f"https://jobs.test:{server.port}/").body == b"over tls"
        else:
            with pytest.raises(FetchError):
                fetch_url(f"https://jobs.test:{server.port}/")
            assert server.log == []
    finally:
        server.stop()


def test_it_uses_only_the_public_api_of_the_http_client() -> None:
    # A private attribute (such as the pool inside httpx's own transport) can change meaning in
    # any release and silently route around the pinned backend.
    tree = ast.parse(inspect.getsource(fetch))
    private = [
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    private_imports = [
        node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and any(
            p.startswith("_") and not p.startswith("__") for p in (node.module or "").split(".")
        )
    ]
    assert private == []
    assert private_imports == []


def test_it_ignores_proxies_from_the_environment(
    server: HTTPServer, allow_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, "http://10.255.255.1:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.expect_request("/").respond_with_data("direct", content_type="text/plain")

    assert fetch_url(server.url_for("/")).body == b"direct"


def test_it_rechecks_every_redirect_hop(
    server: HTTPServer, allow_loopback: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets: list[Any] = []
    real_connect = socket.socket.connect

    def record(self: socket.socket, address: Any) -> None:
        targets.append(address[0])
        real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", record)
    server.expect_request("/start").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )

    with pytest.raises(BlockedAddress):
        fetch_url(server.url_for("/start"))
    assert targets == ["127.0.0.1"]


def test_it_refuses_a_redirect_to_another_scheme(server: HTTPServer, allow_loopback: None) -> None:
    server.expect_request("/start").respond_with_response(
        Response(status=301, headers={"Location": "file:///etc/passwd"})
    )

    with pytest.raises(InvalidUrl):
        fetch_url(server.url_for("/start"))


def _redirect_chain(server: HTTPServer, hops: int) -> str:
    for hop in range(hops):
        target = f"/hop{hop + 1}" if hop + 1 < hops else "/final"
        server.expect_request(f"/hop{hop}").respond_with_response(
            Response(status=302, headers={"Location": target})
        )
    server.expect_request("/final").respond_with_data("final", content_type="text/plain")
    return server.url_for("/hop0")


def test_it_follows_three_redirects(server: HTTPServer, allow_loopback: None) -> None:
    page = fetch_url(_redirect_chain(server, 3))

    assert page.body == b"final"
    assert page.final_url == server.url_for("/final")


def test_it_stops_after_three_redirects(server: HTTPServer, allow_loopback: None) -> None:
    with pytest.raises(TooManyRedirects):
        fetch_url(_redirect_chain(server, 4))


def test_it_refuses_a_declared_oversized_body(server: HTTPServer, allow_loopback: None) -> None:
    server.expect_request("/big").respond_with_data(b"a" * 3_000_000, content_type="text/html")

    with pytest.raises(TooLarge):
        fetch_url(server.url_for("/big"))


def test_it_cuts_a_streamed_body_at_the_cap(server: HTTPServer, allow_loopback: None) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"a" * 65536

    server.expect_request("/stream").respond_with_response(
        Response(chunks(), content_type="text/html")
    )

    with pytest.raises(TooLarge):
        fetch_url(server.url_for("/stream"), max_bytes=1_000_000)


def test_it_caps_the_decoded_size_of_a_gzip_bomb(server: HTTPServer, allow_loopback: None) -> None:
    bomb = gzip.compress(b" " * 50_000_000)
    server.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )

    assert len(bomb) < 100_000
    with pytest.raises(TooLarge):
        fetch_url(server.url_for("/bomb"))


@pytest.mark.parametrize("content_type", ["application/octet-stream", "image/png", "text/css"])
def test_it_refuses_other_content_types(
    content_type: str, server: HTTPServer, allow_loopback: None
) -> None:
    server.expect_request("/file").respond_with_data(b"\x00\x01", content_type=content_type)

    with pytest.raises(UnsupportedContent):
        fetch_url(server.url_for("/file"))


def test_it_accepts_pdf(server: HTTPServer, allow_loopback: None) -> None:
    server.expect_request("/offer.pdf").respond_with_data(
        b"%PDF-1.7 ...", content_type="application/pdf"
    )

    assert fetch_url(server.url_for("/offer.pdf")).content_type == "application/pdf"


def test_it_reports_http_errors_with_their_status(server: HTTPServer, allow_loopback: None) -> None:
    server.expect_request("/gone").respond_with_data("gone", status=410, content_type="text/html")

    with pytest.raises(HttpError) as excinfo:
        fetch_url(server.url_for("/gone"))
    assert excinfo.value.status == 410


@pytest.fixture
def drip_server() -> Iterator[Callable[[bool], int]]:
    """A server that sends one byte every 0.2 s, in the headers or in the body."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(5)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve(drip_headers: bool) -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            if drip_headers:
                drip = head + b"X-Pad: a\r\n" * 1000
            else:
                conn.sendall(head + b"Content-Length: 100000\r\n\r\n")
                drip = b"a" * 100_000
            # Drips for at most 5 s, so without a total deadline the fetch would last that long.
            for byte in drip[:25]:
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def start(drip_headers: bool) -> int:
        thread = threading.Thread(target=serve, args=(drip_headers,), daemon=True)
        thread.start()
        threads.append(thread)
        return listener.getsockname()[1]

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=2)
    listener.close()


@pytest.mark.parametrize("drip_headers", [False, True], ids=["body", "headers"])
def test_it_cuts_a_slow_drip_server_at_the_total_deadline(
    drip_headers: bool, drip_server: Callable[[bool], int], allow_loopback: None
) -> None:
    port = drip_server(drip_headers)
    started = time.monotonic()

    with pytest.raises(FetchTimeout):
        fetch_url(f"http://127.0.0.1:{port}/", timeout=1.0)
    assert time.monotonic() - started < 1.6


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Jobs.Example.COM:443/offer/42?utm_source=li&utm_medium=x&ref=7#apply",
            "https://jobs.example.com/offer/42?ref=7",
        ),
        ("http://jobs.example.com:8080/a?fbclid=1&gclid=2", "http://jobs.example.com:8080/a"),
        ("https://jobs.example.com", "https://jobs.example.com/"),
        (
            "https://fr.indeed.com/viewjob?jk=abc123&from=serp&advn=9&vjk=abc123",
            "https://fr.indeed.com/viewjob?jk=abc123",
        ),
        (
            "https://www.linkedin.com/jobs/view/4012?trk=public&refId=x&trackingId=y",
            "https://www.linkedin.com/jobs/view/4012",
        ),
        (
            "https://www.apec.fr/offre.html?numIdOffre=1&xtor=AD-1&context=list",
            "https://www.apec.fr/offre.html?numIdOffre=1",
        ),
        (
            "https://candidat.francetravail.fr/offres/1?at_medium=email&at_campaign=alert",
            "https://candidat.francetravail.fr/offres/1",
        ),
        (
            "https://www.glassdoor.fr/job-listing/x?jl=9&clickSource=search&src=GD",
            "https://www.glassdoor.fr/job-listing/x?jl=9",
        ),
        (
            "https://www.welcometothejungle.com/fr/jobs/x?q=dev&refinementList%5Boffices%5D%5B%5D=FR",
            "https://www.welcometothejungle.com/fr/jobs/x",
        ),
        ("https://www.monster.fr/emploi/1?stpage=2&from=home", "https://www.monster.fr/emploi/1"),
        ("https://www.cadremploi.fr/emploi/1?xtor=EPR-1", "https://www.cadremploi.fr/emploi/1"),
        ("https://www.hellowork.com/fr-fr/emplois/1.html?source=x", "https://www.hellowork.com/fr-fr/emplois/1.html"),
        # Site-specific names are kept on other sites, where they may mean something.
        ("https://jobs.example.com/a?source=feed&q=dev", "https://jobs.example.com/a?source=feed&q=dev"),
        ("https://jobs.example.com/a?name=J%C3%A9r%C3%B4me+M", "https://jobs.example.com/a?name=J%C3%A9r%C3%B4me+M"),
    ],
)  # fmt: skip
def test_it_normalizes_urls(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://jobs.example.com/a", "http:///a", "https://u:p@jobs.example.com/", "nope"]
)
def test_it_refuses_to_normalize_invalid_urls(url: str) -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(url)
