"""The fetch policy: the one place where Chancery reads from the network.

Every network read (URLs given to the CLI, the Data page's URL box, feed entries' links and
every redirect hop of each) goes through :func:`fetch_url`, which promises:

- **http and https only**, on their URL's port; anything else is refused.
- **No internal addresses.** The host is resolved once and *every* address it resolves to is
  checked (:func:`address_problem`): loopback, private, link-local, shared (CGNAT), multicast,
  reserved and unspecified ranges, IPv4 and IPv6, including IPv4-mapped, NAT64 and 6to4 forms.
  Odd spellings (``2130706433``, ``0x7f000001``, ``127.1``, ``0177.0.0.1``) are checked as the
  addresses the resolver makes of them. The connection is then made to the address that was
  checked, never by looking the name up again, so a DNS answer that changes between the check
  and the connection (DNS rebinding) cannot lead inside.
- **Redirects by hand**: at most :data:`MAX_REDIRECTS` hops, each checked like the first.
- **One deadline** for the whole fetch (lookup, connection, headers, body, every hop), kept by
  a watchdog that closes the socket: a server trickling a byte every second cannot hold an
  ingest longer than the timeout.
- **The size limit while reading**: the body is read in pieces and abandoned past the limit.
- **No credentials**: ``user:password@`` is never sent, and :func:`redact` removes it from every
  URL that is stored, logged or shown.

A team that wants Chancery to read internal hosts lists them in ``CHANCERY_FETCH_ALLOW``
(comma-separated host names, addresses or networks: ``intranet.example,10.20.0.0/16``). It is
empty by default. The standard library has everything needed; no well-kept package offers this
policy (connect-to-checked-address included) for plain ``http.client``.
"""
from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass

#: Most redirect hops followed for one fetch.
MAX_REDIRECTS = 5
#: Environment variable listing hosts and networks that may be fetched although internal.
ALLOW_ENV = "CHANCERY_FETCH_ALLOW"
_CHUNK = 65536
_REDIRECTS = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that did not happen or did not finish.

    ``kind`` is ``blocked`` (the policy refused it), ``unsupported`` (not an http(s) URL),
    ``too_large`` (over the size limit) or ``network`` (unreachable, HTTP error, deadline).
    """

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Response:
    """A fetched body. ``url`` is the final URL after redirects, without credentials."""

    url: str
    status: int
    content_type: str
    body: bytes


# --- URLs ------------------------------------------------------------------------------------

def redact(url: str | None) -> str | None:
    """``url`` without ``user:password@`` (unchanged when it has none or is not a URL)."""
    if not url or "@" not in url:
        return url
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _short(url: str) -> str:
    return (redact(url) or "")[:200]


# --- addresses -------------------------------------------------------------------------------

def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched (``"loopback"``, ``"private"``, ...), or None when public.

    IPv6 forms that carry an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by that
    address.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is None and ip.sixtofour is not None:
            inner = ip.sixtofour
        if inner is not None:
            return address_problem(inner)
    for attr, reason in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                         ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                         ("is_private", "private"), ("is_reserved", "reserved")):
        if getattr(ip, attr):
            return reason
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "shared (carrier-grade NAT)"
    if not ip.is_global:
        return "not a public address"
    return None


def _allow_list() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    hosts: set[str] = set()
    nets = []
    for raw in os.environ.get(ALLOW_ENV, "").split(","):
        entry = raw.strip().lower().strip("[]")
        if not entry:
            continue
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.rstrip("."))
    return hosts, nets


def _allowed(host: str, ip: IPAddress) -> bool:
    hosts, nets = _allow_list()
    if host.lower().rstrip(".") in hosts:
        return True
    return any(ip.version == n.version and ip in n for n in nets)


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _getaddrinfo(host: str, port: int, remaining: float) -> list[IPAddress]:
    """Resolve ``host`` in a helper thread, so a slow resolver cannot outlast the deadline."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True, name="chancery-resolve")
    t.start()
    t.join(max(remaining, 0.01))
    if t.is_alive():
        raise FetchError("network", f"looking up {host} took longer than the time limit")
    if "error" in box:
        raise FetchError("network", f"cannot resolve {host}: {box['error']}")
    out: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in box["infos"]:  # type: ignore[union-attr]
        ip = _literal(str(sockaddr[0]))
        if ip is not None and ip not in out:
            out.append(ip)
    if not out:
        raise FetchError("network", f"cannot resolve {host}")
    return out


def resolve_checked(host: str, port: int, deadline: float) -> IPAddress:
    """The address to connect to for ``host``: resolved once, every answer checked.

    :raises FetchError: ``blocked`` when any address is internal and not allowed.
    """
    literal = _literal(host)
    addresses = [literal] if literal is not None else _getaddrinfo(host, port, deadline - time.monotonic())
    for ip in addresses:
        problem = address_problem(ip)
        if problem and not _allowed(host, ip):
            raise FetchError("blocked", f"{host} is {'' if literal else f'resolved to {ip}, '}"
                                        f"a {problem} address: not fetched (internal hosts are "
                                        f"fetched only when listed in {ALLOW_ENV})")
    return addresses[0]


# --- connections pinned to the checked address ----------------------------------------------

class _Pinned:
    """Mixin: connect to ``self._ip`` (already checked), never to a fresh lookup of the host."""

    _ip: IPAddress
    _aborted = False

    _raw: socket.socket | None = None

    def _open(self) -> socket.socket:
        self._raw = socket.create_connection((str(self._ip), self.port), self.timeout)  # type: ignore[attr-defined]
        return self._raw

    def abort(self) -> None:
        """Called by the watchdog at the deadline: unblocks any read in progress (the raw
        socket is kept: ``http.client`` drops ``self.sock`` once the response is open)."""
        self._aborted = True
        sock = self._raw
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _HTTP(_Pinned, http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = self._open()


class _HTTPS(_Pinned, http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: IPAddress, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = self._open()
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


# --- the fetch --------------------------------------------------------------------------------

def fetch_url(url: str, *, timeout: float, max_bytes: int, user_agent: str,
              max_redirects: int = MAX_REDIRECTS) -> Response:
    """GET ``url`` under the policy of this module.

    :param timeout: seconds for the whole fetch, redirects included.
    :param max_bytes: largest body accepted.
    :raises FetchError: see :class:`FetchError` for the kinds.
    """
    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(max_redirects + 1):
        parts = urllib.parse.urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("unsupported", f"not an http(s) URL: {_short(current)}")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchError("unsupported", f"bad port in {_short(current)}") from None
        host = parts.hostname.rstrip(".") or parts.hostname  # "localhost." is localhost
        ip = resolve_checked(host, port, deadline)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("network", f"{_short(url)} took longer than the {timeout:g} s limit")
        cls = _HTTPS if scheme == "https" else _HTTP
        conn = cls(host, port, ip, timeout=remaining)
        watchdog = threading.Timer(remaining, conn.abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"User-Agent": user_agent, "Accept": "*/*",
                                               "Accept-Encoding": "identity", "Connection": "close"})
            resp = conn.getresponse()
            if resp.status in _REDIRECTS:
                location = resp.getheader("Location")
                if not location:
                    raise FetchError("network", f"HTTP {resp.status} without a Location for {_short(current)}")
                current = urllib.parse.urljoin(current, location.strip())
                continue
            if resp.status >= 400:
                raise FetchError("network", f"HTTP {resp.status} for {_short(current)}")
            declared = resp.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError("too_large", f"download larger than the {max_bytes:,} byte limit")
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = resp.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("too_large", f"download larger than the {max_bytes:,} byte limit")
                chunks.append(chunk)
            if conn._aborted or time.monotonic() > deadline:
                raise FetchError("network", f"{_short(url)} took longer than the {timeout:g} s limit")
            return Response(url=redact(current) or current, status=resp.status,
                            content_type=resp.getheader("Content-Type", "") or "", body=b"".join(chunks))
        except FetchError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if conn._aborted or time.monotonic() >= deadline:
                raise FetchError("network", f"{_short(url)} took longer than the {timeout:g} s limit") from None
            raise FetchError("network", f"could not fetch {_short(current)}: {exc}") from None
        finally:
            watchdog.cancel()
            conn.close()
    raise FetchError("network", f"more than {max_redirects} redirects from {_short(url)}")
