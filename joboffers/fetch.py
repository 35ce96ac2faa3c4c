"""Outbound HTTP for user-supplied job-offer URLs, with the SSRF guard.

This is the only module that fetches user-supplied URLs. Every hop is parsed, resolved once,
checked against `is_public_address`, and then connected to that exact address: the network
backend below never resolves a name, so DNS rebinding between check and connect is impossible.
It plugs into httpx and httpcore through their documented extension points only (a custom
transport, a custom network backend), so a client upgrade cannot silently bypass the guard.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import select
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.errors import UserFacingError

MAX_BYTES = 2 * 1024 * 1024
TOTAL_TIMEOUT = 10.0
CONNECT_TIMEOUT = 3.0
MAX_REDIRECTS = 3
SCHEME_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "text/plain", "application/pdf"}
)
# Job boards block obvious bots; a plain desktop browser UA is what the reference product sends.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
REQUEST_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.8",
    "Accept-Language": "fr,en;q=0.8,de;q=0.6,es;q=0.6",
}
LOOPBACK_TEST_ADDRESSES = frozenset({"127.0.0.1", "::1"})

# Refused even when `ipaddress` calls them global: its flags differ across Python versions and
# miss CGNAT, multicast and NAT64/6to4 wrappers (reliability plan 1.9).
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")

GLOBAL_TRACKING_PARAMS = frozenset({"fbclid", "gclid"})
# Site-specific tracking parameters (reference product 1.17), matched on the host name.
SITE_TRACKING_PARAMS = (
    (re.compile(r"(^|\.)indeed\.[a-z.]+$"), {"from", "advn", "vjk", "cf-turnstile-response"}),
    (re.compile(r"(^|\.)linkedin\.com$"), {"trk", "trackingid", "refid"}),
    (re.compile(r"(^|\.)apec\.fr$"), {"xtor", "context"}),
    (re.compile(r"(^|\.)(francetravail|pole-emploi)\.fr$"), {"at_medium", "at_campaign"}),
    (re.compile(r"(^|\.)glassdoor\.[a-z.]+$"), {"clicksource", "src"}),
    (re.compile(r"(^|\.)welcometothejungle\.com$"), {"q", "refinementlist"}),
    (re.compile(r"(^|\.)monster\.[a-z.]+$"), {"stpage", "from"}),
    (re.compile(r"(^|\.)cadremploi\.fr$"), {"xtor"}),
    (re.compile(r"(^|\.)(hellowork|lesjeudis)\.com$"), {"source"}),
)
# WHATWG URL rule: a host whose last label is a number is an IPv4 address in some notation.
NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


class FetchError(UserFacingError):
    message = _("We could not download this page. Paste the job offer text instead.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.message)
        self.detail = detail

    @property
    def user_message(self) -> str:
        return str(self.message)


class InvalidUrl(FetchError):
    message = _("This link is not a valid web address (http or https).")


class BlockedAddress(FetchError):
    # Deliberately vague: the message must not tell a prober which internal address exists.
    message = _("This address cannot be fetched.")


class TooLarge(FetchError):
    message = _("This page is too large to import. Paste the job offer text instead.")


class FetchTimeout(FetchError):
    message = _("The site took too long to answer. Try again or paste the text.")


class TooManyRedirects(FetchError):
    message = _("This link redirects too many times.")


class UnsupportedContent(FetchError):
    message = _("This link is not a web page or a PDF.")


class HttpError(FetchError):
    message = _("The site refused to serve this page. Check the link or paste the text.")

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


@dataclass(frozen=True)
class FetchedPage:
    final_url: str
    status: int
    content_type: str
    body: bytes
    encoding: str | None


def is_public_address(ip: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        # Unwrap IPv6 forms that route to an IPv4 address and judge the inner address.
        if addr in NAT64_PREFIX:
            return is_public_address(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
        if addr.sixtofour is not None and not is_public_address(addr.sixtofour):
            return False
    if any(addr in net for net in BLOCKED_NETWORKS if net.version == addr.version):
        return False
    return addr.is_global and not (addr.is_multicast or addr.is_reserved or addr.is_link_local)


def _loopback_allowed() -> bool:
    """Test-only escape hatch so tests can reach a local server; off unless set in settings."""

    try:
        return bool(getattr(settings, "FETCH_ALLOW_LOOPBACK", False))
    except ImproperlyConfigured:
        return False


def _address_allowed(ip: str) -> bool:
    return is_public_address(ip) or (ip in LOOPBACK_TEST_ADDRESSES and _loopback_allowed())


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, UnicodeError) as exc:
        raise InvalidUrl(str(exc)) from exc
    if parsed.scheme not in SCHEME_PORTS or not parsed.raw_host:
        raise InvalidUrl(f"unsupported URL {url!r}")
    if parsed.userinfo:
        raise InvalidUrl("credentials in URL")
    return parsed


def _resolve(url: httpx.URL) -> list[str]:
    """Return the addresses to connect to; raise unless every one of them passes the policy."""
    host = url.raw_host.decode("ascii")
    port = url.port or SCHEME_PORTS[url.scheme]
    standard_port = port == SCHEME_PORTS[url.scheme]
    # Other ports reach SSH, databases and admin consoles; only the loopback test server may.
    if not standard_port and not _loopback_allowed():
        raise BlockedAddress(f"port {port} is not allowed")
    if ":" in host:
        addresses = [host]
    elif NUMERIC_LABEL.match(host.rstrip(".").rsplit(".", 1)[-1]):
        # Decimal/octal/hex IPv4 spellings are parsed differently by different resolvers:
        # accept only the canonical dotted quad.
        try:
            addresses = [str(ipaddress.IPv4Address(host))]
        except ValueError as exc:
            raise BlockedAddress(f"non-canonical numeric host {host!r}") from exc
    else:
        # The trailing dot stops resolv.conf search domains from turning "db" into "db.internal".
        try:
            infos = socket.getaddrinfo(host.rstrip(".") + ".", port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve {host!r}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses or not all(_address_allowed(ip) for ip in addresses):
        raise BlockedAddress(f"{host!r} resolves to a non-public address")
    if not standard_port and not set(addresses) <= LOOPBACK_TEST_ADDRESSES:
        raise BlockedAddress(f"port {port} is not allowed")
    return addresses


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation is bounded by the fetch's total deadline.

    httpx timeouts are per read, so a server dripping one byte at a time would never time out.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def arm(self, timeout: float | None, exc_class: type[Exception]) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise exc_class("total deadline reached")
        self.sock.settimeout(remaining if timeout is None else min(timeout, remaining))

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.arm(timeout, httpcore.ReadTimeout)
        try:
            return self.sock.recv(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.arm(timeout, httpcore.WriteTimeout)
        try:
            self.sock.sendall(buffer)
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    def close(self) -> None:
        self.sock.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        self.arm(timeout, httpcore.ConnectTimeout)
        try:
            # server_hostname is the URL's host name, so SNI and certificate checks use the name
            # even though the socket is connected to a pinned IP.
            sock = ssl_context.wrap_socket(self.sock, server_hostname=server_hostname)
        except TimeoutError as exc:
            self.close()
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            self.close()
            raise httpcore.ConnectError(exc) from exc
        return _DeadlineStream(sock, self.deadline)

    def get_extra_info(self, info: str) -> Any:
        if info == "socket":
            return self.sock
        if info == "is_readable":
            return bool(select.select([self.sock], [], [], 0)[0])
        return None


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects only to addresses validated for a host; never resolves a name itself."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.pins: dict[str, list[str]] = {}

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self.pins.get(host)
        if not addresses:
            raise BlockedAddress(f"{host!r} was not validated")
        error: Exception = httpcore.ConnectError("no address")
        for ip in addresses:
            if not _address_allowed(ip):  # belt and braces: re-check the exact connect target
                raise BlockedAddress(ip)
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise httpcore.ConnectTimeout("total deadline reached")
            sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET)
            try:
                sock.settimeout(min(timeout or CONNECT_TIMEOUT, CONNECT_TIMEOUT, remaining))
                sock.connect((ip, port))
            except TimeoutError as exc:
                sock.close()
                error = httpcore.ConnectTimeout(exc)
                continue
            except OSError as exc:
                sock.close()
                error = httpcore.ConnectError(exc)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return _DeadlineStream(sock, self.deadline)
        raise error


@contextlib.contextmanager
def _core_errors() -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise FetchTimeout(str(exc)) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        # One generic error for refused/reset/TLS failures: no port-scan oracle for users.
        raise FetchError(str(exc)) from exc


class _CoreResponseStream(httpx.SyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self.response = response

    def __iter__(self) -> Iterator[bytes]:
        with _core_errors():
            yield from self.response.iter_stream()

    def close(self) -> None:
        self.response.close()


class _PinnedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool whose only way out is the pinned backend."""

    def __init__(self, backend: _PinnedBackend) -> None:
        # The SSL context honours SSL_CERT_FILE (the trust store); no proxy is ever consulted.
        self.pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=backend, max_connections=2
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _core_errors():
            response = self.pool.handle_request(core_request)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreResponseStream(response),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.pool.close()


def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    # A compressed body only grows when decoded, so a declared size over the cap is final.
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"declared {declared} bytes")
    body = bytearray()
    # iter_bytes yields decoded bytes in bounded pieces, so a gzip bomb is cut at the cap too.
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
    return bytes(body)


def fetch_url(
    url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TOTAL_TIMEOUT
) -> FetchedPage:
    backend = _PinnedBackend(time.monotonic() + timeout)
    client = httpx.Client(
        transport=_PinnedTransport(backend),
        trust_env=False,
        follow_redirects=False,
        headers=REQUEST_HEADERS,
        timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
    )
    current = url
    try:
        with client:
            for _hop in range(MAX_REDIRECTS + 1):
                parsed = _parse_url(current)
                backend.pins[parsed.raw_host.decode("ascii")] = _resolve(parsed)
                with client.stream("GET", parsed) as response:
                    if response.status_code in REDIRECT_STATUSES:
                        location = response.headers.get("location")
                        if not location:
                            raise HttpError(response.status_code)
                        current = urljoin(str(parsed), location)
                        continue
                    if response.status_code >= 300:
                        raise HttpError(response.status_code)
                    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if mime not in ALLOWED_CONTENT_TYPES:
                        raise UnsupportedContent(f"content type {mime!r}")
                    body = _read_capped(response, max_bytes)
                    return FetchedPage(
                        final_url=str(parsed),
                        status=response.status_code,
                        content_type=mime,
                        body=body,
                        encoding=response.charset_encoding,
                    )
            raise TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
    except httpx.InvalidURL as exc:
        raise InvalidUrl(str(exc)) from exc
    except httpx.HTTPError as exc:
        # httpx's own failures (a body that does not decode); network ones came as FetchError.
        raise FetchError(str(exc)) from exc


def normalize_url(url: str) -> str:
    """Canonical form used as the per-user cache key: tracking params and fragment removed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEME_PORTS or not parts.hostname:
        raise InvalidUrl(f"unsupported URL {url!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidUrl("credentials in URL")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidUrl(str(exc)) from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != SCHEME_PORTS[scheme]:
        netloc += f":{port}"
    site_params = set().union(*(p for pattern, p in SITE_TRACKING_PARAMS if pattern.search(host)))

    def is_tracking(pair: str) -> bool:
        name = unquote_plus(pair.split("=", 1)[0]).lower()
        return (
            name.startswith("utm_")
            or name in GLOBAL_TRACKING_PARAMS
            or name in site_params
            or name.split("[", 1)[0] in site_params  # refinementList[offices][]=...
        )

    # Filter the raw pairs so the kept parameters stay byte-for-byte as the site wrote them.
    query = "&".join(p for p in parts.query.split("&") if p and not is_tracking(p))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
