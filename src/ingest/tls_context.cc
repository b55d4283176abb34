// TLS policy for the tus listener and how a client certificate becomes a site.
#include <unistd.h>

#include <cerrno>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>

#include "ingest/net_parts.h"
#include "ingest/path_policy.h"

namespace seqgate::ingest {

namespace ssl = boost::asio::ssl;

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const TlsConfig& tls) {
  // Asio reports a missing file as a bare "asio.ssl error": name the file ourselves.
  for (const std::string* f : {&tls.cert, &tls.key, &tls.client_ca, &tls.crl}) {
    if (f->empty() && f == &tls.crl) continue;  // the CRL is optional
    if (::access(f->c_str(), R_OK) != 0) return ErrnoStatus(errno, "cannot read TLS file", *f);
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, tls.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION) !=
      1) {
    return Internal("cannot set the minimum TLS version");
  }
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::single_dh_use);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // TLS 1.2 suites: forward secrecy and AEAD only (1.3 suites are all of that already).
  if (SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    return Internal("cannot set the TLS 1.2 cipher list");
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(tls.cert, ec);
  if (ec) return InvalidArgument("TLS certificate '" + tls.cert + "': " + ec.message());
  ctx->use_private_key_file(tls.key, ssl::context::pem, ec);
  if (ec) return InvalidArgument("TLS private key '" + tls.key + "' cannot be loaded");
  if (SSL_CTX_check_private_key(native) != 1) {
    return InvalidArgument("TLS private key does not match the certificate");
  }
  ctx->load_verify_file(tls.client_ca, ec);
  if (ec) return InvalidArgument("client CA '" + tls.client_ca + "': " + ec.message());
  if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca.c_str())) {
    SSL_CTX_set_client_CA_list(native, names);  // tells clients which CA we accept
  }
  if (!tls.crl.empty()) {
    X509_STORE* store = SSL_CTX_get_cert_store(native);
    X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
    if (lookup == nullptr || X509_load_crl_file(lookup, tls.crl.c_str(), X509_FILETYPE_PEM) <= 0) {
      return InvalidArgument("CRL '" + tls.crl + "' cannot be loaded (PEM expected)");
    }
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  }
  // Verification is always on and always required: there is deliberately no switch for it.
  ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  // With client certificates OpenSSL refuses to resume a session unless the context is named
  // ("session id context uninitialized"), which made every client reconnect cost a failed
  // handshake. A resumed session keeps its verified peer certificate, so identity is unchanged.
  static constexpr unsigned char kSessionContext[] = "seqgate-ingest";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return ctx;
}

Result<Peer> IdentifyPeer(SSL* native, const IngestConfig& config) {
  if (SSL_get_verify_result(native) != X509_V_OK) {
    return Status(StatusCode::kPermissionDenied, "client certificate not verified");
  }
  X509* cert = SSL_get1_peer_certificate(native);
  if (cert == nullptr) return Status(StatusCode::kPermissionDenied, "no client certificate");
  std::unique_ptr<X509, decltype(&X509_free)> owned(cert, &X509_free);
  // A CA certificate identifies whoever may issue certificates, not a site: the chain check
  // alone accepts one in the client's place when it also allows clientAuth.
  if (X509_check_ca(cert) != 0) {
    return Status(StatusCode::kPermissionDenied, "client certificate is a CA certificate");
  }
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return Status(StatusCode::kPermissionDenied, "certificate has no subject CN");
  if (X509_NAME_get_index_by_NID(subject, NID_commonName, index) >= 0) {
    return Status(StatusCode::kPermissionDenied, "certificate has more than one subject CN");
  }
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) return Status(StatusCode::kPermissionDenied, "certificate CN is not text");
  Peer peer;
  peer.common_name.assign(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  if (auto it = config.site_map.find(peer.common_name); it != config.site_map.end()) {
    peer.site = it->second;
  } else if (config.mapped_sites_only) {
    return Status(StatusCode::kPermissionDenied, "certificate CN is not mapped to a site");
  } else {
    peer.site = peer.common_name;
  }
  if (Status st = ValidateSiteName(peer.site); !st.ok()) {
    return Status(StatusCode::kPermissionDenied,
                  "certificate names no valid site: " + st.message());
  }
  return peer;
}

}  // namespace seqgate::ingest
