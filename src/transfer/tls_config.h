// The gateway's TLS identity and trust: client certificate and key issued by the centre, the
// CA that signed the centre's server certificate, an optional pinned server key, and the
// proxy to go through. There is deliberately no field that turns verification off.
#pragma once

#include <string>

#include "common/status.h"

namespace seqgate::transfer {

struct TlsConfig {
  std::string client_cert;  // PEM certificate (chain) presented to the centre
  std::string client_key;   // PEM private key; must not be readable by group or others
  std::string ca_file;      // PEM bundle that verifies the centre; empty = system store
  // Optional pin in curl's CURLOPT_PINNEDPUBLICKEY form: "sha256//<base64>" (';'-separated
  // list) or a PEM/DER public key file. Checked in addition to, never instead of, the CA.
  std::string pinned_public_key;
  // CONNECT proxy ("http://host:port"); empty = take https_proxy/no_proxy from the
  // environment (curl's own rules). TLS runs end to end through the tunnel.
  std::string proxy;

  // Checks that the files exist and the key's permissions before any connection is made.
  // kInvalidArgument / kPermissionDenied with a message naming the file.
  Status Validate() const;
};

// Refuses a private key file that group or others can read or write (like ssh does): a
// leaked site key lets anyone write into the site's space at the centre.
Status CheckPrivateKeyPermissions(const std::string& path);

}  // namespace seqgate::transfer
