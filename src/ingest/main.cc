// seqgate-ingest: the national centre's receiving server. Reads the config, lets the command
// line override it, and runs until SIGTERM. Exceptions stop here (CLI11 reports usage errors
// by exception).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "common/sd_notify.h"
#include "ingest/config.h"
#include "ingest/metrics.h"
#include "ingest/receipt.h"
#include "ingest/receipt_signer.h"
#include "ingest/server.h"
#include "ingest/tus_service.h"
#include "common/fault_injection_env.h"
#include "ingest/upload_store.h"

namespace {

using seqgate::Status;
using namespace seqgate::ingest;

int Fail(const Status& st) {
  std::cerr << "seqgate-ingest: " << st.message() << "\n";
  return st.code() == seqgate::StatusCode::kInvalidArgument ? 2 : 1;
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "seqgate-ingest";
  return buf;
}

int Main(int argc, char** argv) {
  seqgate::SetLogIdentifier("seqgate-ingest");
  CLI::App app{
      "seqgate-ingest — the centre's tus 1.0 server over mutual TLS that verifies every "
      "file end to end and signs receipts"};
  std::string config_path, listen, storage, tls_cert, tls_key, client_ca, metrics_addr, receipt_key,
      log_level, verify_receipt, public_key;
  bool print_public_key = false;
  app.add_option("--config", config_path, "TOML configuration file");
  app.add_option("--listen", listen, "tus listener HOST:PORT (overrides listen)");
  app.add_option("--storage", storage, "storage root (overrides storage)");
  app.add_option("--tls-cert", tls_cert, "server certificate chain, PEM (overrides tls.cert)");
  app.add_option("--tls-key", tls_key, "server private key, PEM (overrides tls.key)");
  app.add_option("--client-ca", client_ca, "CA bundle for client certificates (tls.client_ca)");
  app.add_option("--metrics", metrics_addr, "metrics/health HOST:PORT (overrides metrics)");
  app.add_option("--receipt-key", receipt_key, "Ed25519 receipt signing key, PEM (receipt_key)");
  app.add_option("--log-level", log_level, "debug | info | warning | error");
  app.add_flag("--print-public-key", print_public_key,
               "print the receipt public key (PEM) and exit");
  app.add_option("--verify-receipt", verify_receipt,
                 "check a receipt document's signature (with --public-key) and exit");
  app.add_option("--public-key", public_key, "PEM public key for --verify-receipt");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (!verify_receipt.empty()) {
    auto read = [](const std::string& p) -> std::string {
      std::FILE* f = std::fopen(p.c_str(), "rb");
      if (!f) return {};
      std::string s;
      char buf[4096];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
      std::fclose(f);
      return s;
    };
    auto canonical = VerifyReceiptDocument(read(verify_receipt), read(public_key));
    if (!canonical.ok()) return Fail(canonical.status());
    std::cout << "signature OK\n";
    return 0;
  }

  IngestConfig config;
  if (!config_path.empty()) {
    auto loaded = LoadConfigFile(config_path);
    if (!loaded.ok()) return Fail(loaded.status());
    config = *loaded;
  }
  if (!listen.empty()) {
    auto hp = ParseHostPort(listen);
    if (!hp.ok()) return Fail(hp.status().WithContext("--listen"));
    config.listen = *hp;
  }
  if (!metrics_addr.empty()) {
    auto hp = ParseHostPort(metrics_addr);
    if (!hp.ok()) return Fail(hp.status().WithContext("--metrics"));
    config.metrics = *hp;
  }
  if (!storage.empty()) config.storage = storage;
  if (!tls_cert.empty()) config.tls.cert = tls_cert;
  if (!tls_key.empty()) config.tls.key = tls_key;
  if (!client_ca.empty()) config.tls.client_ca = client_ca;
  if (!receipt_key.empty()) config.receipt_key = receipt_key;
  if (!log_level.empty()) config.log_level = log_level;
  if (config.server_name.empty()) config.server_name = HostName();
  while (config.storage.size() > 1 && config.storage.back() == '/') config.storage.pop_back();

  if (print_public_key) {
    if (config.receipt_key.empty())
      return Fail(seqgate::InvalidArgument("receipt_key is required"));
    auto signer = ReceiptSigner::LoadPrivateKey(config.receipt_key);
    if (!signer.ok()) return Fail(signer.status());
    std::cout << signer->public_key_pem();
    return 0;
  }

  if (Status st = ValidateConfig(config); !st.ok()) return Fail(st);
  seqgate::SetLogLevel(seqgate::ParseLogLevel(config.log_level));
  auto signer = ReceiptSigner::LoadPrivateKey(config.receipt_key);
  if (!signer.ok()) return Fail(signer.status());

  seqgate::Notifier notifier = seqgate::Notifier::FromEnvironment();
  // Best effort: systemd still learns of a start failure from the exit status.
  notifier.SetStatus("recovering uploads").IgnoreError();
  Metrics metrics;
  // Env::Default() unless the power-cut test hook is armed from the environment.
  UploadStore store(config.storage, seqgate::FaultInjectionEnv::FromEnvironment());
  TusService tus(config, store, *signer, metrics);
  if (Status st = tus.Start(); !st.ok()) return Fail(st);
  if (Status st = RunServer(config, tus, metrics, notifier); !st.ok()) return Fail(st);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "seqgate-ingest: fatal: " << e.what() << "\n";
    return 1;
  }
}
