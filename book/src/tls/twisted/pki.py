"""A throwaway test PKI for the TLS chapter's snippets: a CA, a server certificate
for localhost and 127.0.0.1, and scanner certificates, made in memory with the
`cryptography` package (which `twisted[tls]` installs). No key is ever committed.

Not part of the lesson: Twisted reads certificates, it does not make them.
"""

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _pem(cert, key):
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return cert_pem, key_pem


def _build(subject, issuer, public_key, sign_key, names=(), usage=None, ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        sans = []
        for name in names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError:
                sans.append(x509.DNSName(name))
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return builder.sign(sign_key, hashes.SHA256())


class TestCa:
    """A certificate authority; `cert_pem` is what clients trust."""

    def __init__(self, name="untwisted test CA"):
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        cert = _build(name, name, self.key.public_key(), self.key, ca=True)
        self.cert_pem, _ = _pem(cert, self.key)

    def _sign(self, cn, names, usage):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _build(cn, self.name, key.public_key(), self.key, names, usage)
        return _pem(cert, key)

    def server(self):
        """(cert_pem, key_pem) for localhost and 127.0.0.1."""
        names = ["localhost", "127.0.0.1"]
        return self._sign("untwisted feed", names, ExtendedKeyUsageOID.SERVER_AUTH)

    def scanner(self, warehouse):
        """(cert_pem, key_pem) of a scanner of `warehouse`: <warehouse>.scanners.test."""
        name = f"{warehouse}.scanners.test"
        return self._sign(name, [name], ExtendedKeyUsageOID.CLIENT_AUTH)
