"""A real local HTTPS webhook receiver that asks every client for a certificate (mutual TLS).

:func:`mutual_tls` starts a :class:`tests.support.receivers.Receiver` (an aiohttp server that
verifies every request with ``standardwebhooks`` and records it) behind a TLS front on
127.0.0.1, as receivers are deployed behind a TLS-terminating proxy: the front's server
certificate is for 127.0.0.1, issued by ``authority``; it requires a client certificate issued
by ``client_ca`` (``ssl.CERT_REQUIRED``) and relays the decrypted bytes to the receiver. A
client without such a certificate is refused in the handshake, with the TLS alert a production
server sends (asyncio's own TLS server closes without one), counted in
:attr:`TLSFront.refused`, and never reaches the receiver.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator, Sequence

from tests.support import pki, receivers

HANDSHAKE_TIMEOUT_S = 5.0


def server_context(authority: pki.Authority, client_ca: pki.Authority) -> ssl.SSLContext:
    made = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    made.verify_mode = ssl.CERT_REQUIRED
    made.load_verify_locations(cadata=client_ca.pem)
    with pki.private_folder() as folder:
        made.load_cert_chain(*authority.server().files(folder))
    return made


class TLSFront:
    """Terminates TLS on 127.0.0.1 and relays each connection to ``backend_port``."""

    def __init__(self, context: ssl.SSLContext, backend_port: int) -> None:
        self._context = context
        self._backend = ("127.0.0.1", backend_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.refused = 0
        self.peers: list[str] = []  # the subject of each client certificate taken (as text)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(raw,), daemon=True).start()

    def _connection(self, raw: socket.socket) -> None:
        raw.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            secured = self._context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            with self._lock:
                self.refused += 1
            _linger(raw)
            return
        secured.settimeout(None)
        self._record_peer(secured)
        backend = socket.create_connection(self._backend)
        with self._lock:
            self._open += [secured, backend]
        threading.Thread(target=_pipe, args=(backend, secured), daemon=True).start()
        _pipe(secured, backend)

    def _record_peer(self, secured: ssl.SSLSocket) -> None:
        peer = secured.getpeercert() or {}
        with self._lock:
            self.peers.append(str(peer.get("subject", "")))

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(5)
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()


def _linger(raw: socket.socket) -> None:
    """Close as production servers do (a lingering close): stop sending, read what the client
    still sends for a moment, then close. Closed at once, a socket with the client's request
    unread answers it with a reset, which can reach the client before the TLS alert."""
    with contextlib.suppress(OSError):
        raw.shutdown(socket.SHUT_WR)
        raw.settimeout(1.0)
        while raw.recv(65536):
            pass
    raw.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copy until either side ends, then close both."""
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.close()


@contextlib.contextmanager
def mutual_tls(
    secrets: Sequence[str], authority: pki.Authority, client_ca: pki.Authority | None = None
) -> Iterator[tuple[receivers.Receiver, TLSFront, str]]:
    """A receiver behind a TLS front taking clients certified by ``client_ca`` (by default the
    authority that certified the server), and the https URL to reach it."""
    context = server_context(authority, client_ca or authority)
    with receivers.Receiver(secrets) as receiver:
        front = TLSFront(context, receiver.port)
        try:
            yield receiver, front, f"https://127.0.0.1:{front.port}{receiver.path}"
        finally:
            front.stop()
