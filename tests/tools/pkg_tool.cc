// A test tool for signatures and registries against real peers (Debian
// minisign, docker-registry, a static HTTP server):
//
//   pkg_tool keygen SECRET_FILE PUB_FILE     prints the "RW…" line
//   pkg_tool sign SECRET_FILE FILE COMMENT   writes FILE.minisig
//   pkg_tool verify FILE SIG_FILE PUBKEY     PUBKEY: "RW…" or a .pub file;
//                                            prints the trusted comment
//   pkg_tool publish URL NAME VERSION FILE [SIG_FILE] [ENGINE]
//   pkg_tool versions URL NAME               one line per version
//   pkg_tool fetch URL NAME VERSION OUT      writes OUT (and OUT.minisig)
//   pkg_tool yank URL NAME VERSION [REASON]  / unyank URL NAME VERSION
//
// Errors go to stderr as "<kind>: <message>" and the exit status is 1.
#include <fstream>
#include <iostream>
#include <sstream>

#include "package/digest.h"
#include "package/minisign.h"
#include "package/registry.h"

using namespace sluice;

namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorKind::kIo, "cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) return Status(ErrorKind::kIo, "cannot write " + path);
  return Status::Ok();
}

int Fail(const Status& status) {
  std::cerr << ErrorKindName(status.kind()) << ": " << status.ToString() << "\n";
  return 1;
}

int Usage() {
  std::cerr << "usage: pkg_tool keygen|sign|verify|publish|versions|fetch|yank|unyank …\n";
  return 2;
}

Status Run(const std::vector<std::string>& args) {
  const std::string& cmd = args[0];
  if (cmd == "keygen" && args.size() == 3) {
    ASSIGN_OR_RETURN(MinisignSecretKey key, MinisignSecretKey::Generate());
    RETURN_IF_ERROR(WriteFile(args[1], key.Encode() + "\n"));
    RETURN_IF_ERROR(WriteFile(args[2], key.PublicKey().FileText()));
    std::cout << key.PublicKey().Base64() << "\n";
    return Status::Ok();
  }
  if (cmd == "sign" && args.size() == 4) {
    ASSIGN_OR_RETURN(std::string secret, ReadFile(args[1]));
    ASSIGN_OR_RETURN(MinisignSecretKey key, MinisignSecretKey::Decode(secret));
    ASSIGN_OR_RETURN(std::string data, ReadFile(args[2]));
    ASSIGN_OR_RETURN(std::string sig, MinisignSign(key, data, args[3]));
    return WriteFile(args[2] + ".minisig", sig);
  }
  if (cmd == "verify" && args.size() == 4) {
    ASSIGN_OR_RETURN(std::string data, ReadFile(args[1]));
    ASSIGN_OR_RETURN(std::string sig, ReadFile(args[2]));
    std::string pub_text = args[3];
    if (pub_text.rfind("RW", 0) != 0) {
      ASSIGN_OR_RETURN(pub_text, ReadFile(args[3]));
    }
    ASSIGN_OR_RETURN(MinisignPublicKey pub, MinisignPublicKey::Parse(pub_text));
    ASSIGN_OR_RETURN(MinisignVerified verified, MinisignVerify(data, sig, {pub}));
    std::cout << "key " << verified.key_id_hex << "\n"
              << "trusted comment: " << verified.trusted_comment << "\n";
    return Status::Ok();
  }
  if (args.size() < 3) return Status(ErrorKind::kInvalidArgument, "missing arguments");
  ASSIGN_OR_RETURN(std::unique_ptr<Registry> registry, OpenRegistry(args[1]));
  const std::string& name = args[2];
  if (cmd == "publish" && args.size() >= 5 && args.size() <= 7) {
    ASSIGN_OR_RETURN(std::string archive, ReadFile(args[4]));
    std::string signature;
    if (args.size() >= 6 && !args[5].empty()) {
      ASSIGN_OR_RETURN(signature, ReadFile(args[5]));
    }
    IndexEntry entry;
    entry.name = name;
    entry.version = args[3];
    entry.sha256 = Sha256Hex(archive);
    entry.size = archive.size();
    entry.engine = args.size() >= 7 ? args[6] : ">=0.1.0";
    entry.is_signed = !signature.empty();
    RETURN_IF_ERROR(registry->Publish(entry, archive, signature));
    std::cout << "published " << name << " " << entry.version << " sha256=" << entry.sha256 << "\n";
    return Status::Ok();
  }
  if (cmd == "versions" && args.size() == 3) {
    ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, registry->Versions(name));
    for (const IndexEntry& e : versions) {
      std::cout << e.version << " sha256=" << e.sha256 << " size=" << e.size
                << " engine=" << e.engine << " signed=" << (e.is_signed ? "yes" : "no")
                << (e.yanked ? " yanked" : "")
                << (e.yanked && !e.yanked_reason.empty() ? " reason=" + e.yanked_reason : "")
                << "\n";
    }
    return Status::Ok();
  }
  if (cmd == "fetch" && args.size() == 5) {
    ASSIGN_OR_RETURN(std::vector<IndexEntry> versions, registry->Versions(name));
    for (const IndexEntry& e : versions) {
      if (e.version != args[3]) continue;
      ASSIGN_OR_RETURN(FetchedPackage fetched, registry->Fetch(e));
      RETURN_IF_ERROR(WriteFile(args[4], fetched.archive));
      if (!fetched.signature.empty()) {
        RETURN_IF_ERROR(WriteFile(args[4] + ".minisig", fetched.signature));
      }
      std::cout << "fetched " << name << " " << e.version << " sha256=" << e.sha256 << "\n";
      return Status::Ok();
    }
    return Status(ErrorKind::kNotFound, "no version " + args[3] + " of " + name);
  }
  if ((cmd == "yank" && (args.size() == 4 || args.size() == 5)) ||
      (cmd == "unyank" && args.size() == 4)) {
    return registry->Yank(name, args[3], cmd == "yank", args.size() == 5 ? args[4] : "");
  }
  return Status(ErrorKind::kInvalidArgument, "unknown command or wrong arguments: " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage();
  std::vector<std::string> args(argv + 1, argv + argc);
  Status status = Run(args);
  if (!status.ok()) return Fail(status);
  return 0;
}
