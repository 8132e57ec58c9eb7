#include "package/registry.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/utf8.h"
#include "net/curl_transport.h"
#include "package/digest.h"
#include "package/registry_internal.h"
#include "package/semver.h"

namespace sluice {
namespace registry_internal {
bool IsStrictVersion(const std::string& version) {
  return version.size() <= 256 && semver::ParseVersion(version).ok();
}

bool IsPrerelease(const std::string& version) {
  auto parsed = semver::ParseVersion(version);
  return parsed.ok() && parsed->is_prerelease();
}

Status CheckVersion(const std::string& version) {
  if (version.size() > 256) {
    return Status(ErrorKind::kInvalidArgument, "a version longer than 256 characters");
  }
  return semver::ParseVersion(version).status();
}

int CompareVersions(const std::string& a, const std::string& b) {
  auto x = semver::ParseVersion(a);
  auto y = semver::ParseVersion(b);
  // Callers pass validated versions; an invalid one sorts first rather
  // than crashing.
  if (!x.ok() || !y.ok()) return x.ok() == y.ok() ? a.compare(b) : x.ok() ? 1 : -1;
  return semver::Compare(*x, *y);
}

void SortVersions(std::vector<IndexEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
    return CompareVersions(a.version, b.version) < 0;
  });
}

Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name[0] != '.' && name[0] != '-' &&
            std::all_of(name.begin(), name.end(),
                        [](char c) {
                          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                 c == '-' || c == '.';
                        }) &&
            name.find("..") == std::string::npos;
  if (ok) return Status::Ok();
  return Status(ErrorKind::kInvalidArgument,
                "'" + name + "' is not a valid package name (letters, digits, '_', '-', '.')");
}

bool IsKeyIdHex(const std::string& text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

Status CheckReason(const std::string& reason) {
  if (reason.size() > 1024 || reason.find_first_of("\r\n") != std::string::npos) {
    return Status(ErrorKind::kInvalidArgument,
                  "a yank reason must be one line of at most 1024 bytes");
  }
  return Status::Ok();
}

std::string ShownReason(std::string_view reason) {
  // What a registry says is not trusted to be short or printable: it ends
  // up in listings and error messages.
  constexpr size_t kMaxShownChars = 200;
  std::string valid = ReplaceInvalidUtf8(reason.substr(0, kMaxShownChars * 4 + 4));
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < valid.size();) {
    if (chars == kMaxShownChars) return out + "…";
    size_t length = Utf8SequenceLength(valid, i);
    if (length == 0) length = 1;
    unsigned char u = static_cast<unsigned char>(valid[i]);
    if (u < 0x20 || u == 0x7f) {
      out += ' ';
    } else {
      out.append(valid, i, length);
    }
    i += length;
    ++chars;
  }
  if (valid.size() < reason.size() && chars == kMaxShownChars) out += "…";
  return out;
}

Status CheckPublish(const IndexEntry& entry, const std::string& archive,
                    const std::string& signature) {
  RETURN_IF_ERROR(CheckName(entry.name));
  RETURN_IF_ERROR(CheckVersion(entry.version));
  if (archive.size() > kMaxPackageBytes) {
    return Status(ErrorKind::kInvalidArgument,
                  "package " + entry.name + " " + entry.version + " is larger than 1 GiB");
  }
  if (!entry.key_id.empty() && !IsKeyIdHex(entry.key_id)) {
    return Status(ErrorKind::kInvalidArgument, "a key id is 16 hex digits");
  }
  if (archive.size() != entry.size || Sha256Hex(archive) != entry.sha256) {
    return Status(ErrorKind::kIntegrity, "package " + entry.name + " " + entry.version +
                                             ": size or sha256 does not match the archive");
  }
  if (entry.is_signed != !signature.empty()) {
    return Status(ErrorKind::kInvalidArgument,
                  "package " + entry.name + " " + entry.version +
                      ": is_signed does not match whether a signature was given");
  }
  if (signature.size() > kMaxSignatureBytes) {
    return Status(ErrorKind::kInvalidArgument, "the signature is too large");
  }
  return Status::Ok();
}

std::string EntryToJson(const IndexEntry& e) {
  nlohmann::ordered_json j;
  j["name"] = e.name;
  j["version"] = e.version;
  j["sha256"] = e.sha256;
  j["size"] = e.size;
  j["engine"] = e.engine;
  j["signed"] = e.is_signed;
  if (!e.key_id.empty()) j["key_id"] = e.key_id;
  j["yanked"] = e.yanked;
  if (!e.yanked_reason.empty()) j["yanked_reason"] = e.yanked_reason;
  j["published_at"] = e.published_at;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<IndexEntry> EntryFromJson(const std::string& line, const std::string& where) {
  auto bad = [&](const std::string& why) {
    return Status(ErrorKind::kInvalidArgument, where + ": " + why);
  };
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return bad("not a JSON object");
  auto text = [&](const char* key, bool required, std::string& out) -> Status {
    auto it = j.find(key);
    if (it == j.end()) return required ? bad(std::string("missing \"") + key + "\"") : Status::Ok();
    if (!it->is_string()) return bad(std::string("\"") + key + "\" is not a string");
    out = it->get<std::string>();
    return Status::Ok();
  };
  IndexEntry e;
  RETURN_IF_ERROR(text("name", true, e.name));
  RETURN_IF_ERROR(text("version", true, e.version));
  RETURN_IF_ERROR(text("sha256", true, e.sha256));
  RETURN_IF_ERROR(text("engine", false, e.engine));
  RETURN_IF_ERROR(text("key_id", false, e.key_id));
  RETURN_IF_ERROR(text("yanked_reason", false, e.yanked_reason));
  e.yanked_reason = ShownReason(e.yanked_reason);
  RETURN_IF_ERROR(text("published_at", false, e.published_at));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned())
    return bad("\"size\" is not a non-negative integer");
  e.size = size->get<uint64_t>();
  if (e.size > kMaxPackageBytes) return bad("\"size\" is larger than a package may be (1 GiB)");
  if (!e.key_id.empty() && !IsKeyIdHex(e.key_id)) return bad("\"key_id\" is not 16 hex digits");
  for (auto [key, out] : {std::pair{"signed", &e.is_signed}, std::pair{"yanked", &e.yanked}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_boolean()) return bad(std::string("\"") + key + "\" is not true or false");
    *out = it->get<bool>();
  }
  if (!IsStrictVersion(e.version)) return bad("\"" + e.version + "\" is not a SemVer 2.0 version");
  if (!IsSha256Hex(e.sha256)) return bad("\"sha256\" is not 64 hex digits");
  if (!CheckName(e.name).ok()) return bad("\"name\" is not a valid package name");
  return e;
}

Result<std::vector<IndexEntry>> ParseIndex(const std::string& text, const std::string& name,
                                           const std::string& where) {
  if (text.size() > kMaxIndexBytes) {
    return Status(ErrorKind::kInvalidArgument, where + " is larger than the index limit");
  }
  std::vector<IndexEntry> entries;
  size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string at = where + " line " + std::to_string(number);
    ASSIGN_OR_RETURN(IndexEntry entry, EntryFromJson(line, at));
    if (entry.name != name) {
      return Status(ErrorKind::kInvalidArgument,
                    at + ": names package '" + entry.name + "', not '" + name + "'");
    }
    for (const IndexEntry& other : entries) {
      if (CompareVersions(other.version, entry.version) == 0) {
        return Status(ErrorKind::kInvalidArgument,
                      at + ": version " + entry.version + " is listed twice");
      }
    }
    entries.push_back(std::move(entry));
  }
  SortVersions(entries);
  return entries;
}

std::string NowIso8601() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Status CheckFetched(const IndexEntry& entry, const std::string& archive, const std::string& where) {
  if (archive.size() != entry.size) {
    return Status(ErrorKind::kIntegrity, "package " + entry.name + " " + entry.version + " from " +
                                             where + " has " + std::to_string(archive.size()) +
                                             " bytes, the index says " +
                                             std::to_string(entry.size));
  }
  std::string digest = Sha256Hex(archive);
  if (digest != entry.sha256) {
    return Status(ErrorKind::kIntegrity, "package " + entry.name + " " + entry.version + " from " +
                                             where + " has sha256 " + digest + ", the index says " +
                                             entry.sha256);
  }
  return Status::Ok();
}

BlockingHttp::BlockingHttp() : transport_(std::make_unique<CurlTransport>()) {}
BlockingHttp::~BlockingHttp() = default;

Result<HttpResponse> BlockingHttp::Do(HttpRequest request, ErrorKind too_large) {
  if (request.timeout.count() == 0) request.timeout = kHttpTimeout;
  std::string shown = request.method + " " + UrlForErrors(request.url);
  size_t cap = request.max_body_bytes;
  std::optional<Result<HttpResponse>> result;
  transport_->Start(std::move(request),
                    [&](Result<HttpResponse> r) { result.emplace(std::move(r)); });
  while (!result) transport_->Poll(std::chrono::milliseconds(200));
  // The transport words this for connector handlers (max_response_mb);
  // here the limit is the registry's own.
  if (!result->ok() && cap > 0 &&
      result->status().message().find("the response body is larger than") != std::string::npos) {
    return Status(too_large, shown + ": the response is larger than " + std::to_string(cap) +
                                 " bytes, more than expected");
  }
  return std::move(*result);
}

}  // namespace registry_internal

Status CheckPackageName(const std::string& name) { return registry_internal::CheckName(name); }

bool LooksLikeRegistryUrl(const std::string& text) {
  if (text.find("://") != std::string::npos) return true;
  for (const char* prefix : {"/", "./", "../", "~/"}) {
    if (text.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

Result<std::unique_ptr<Registry>> OpenRegistry(const std::string& url) {
  using namespace registry_internal;
  auto starts = [&](const char* prefix) { return url.rfind(prefix, 0) == 0; };
  // A registry URL is stored in the catalog, shown by SHOW REGISTRIES and
  // written into sluice.lock (meant for version control): credentials in it
  // would leak everywhere, so they have their own place.
  if (size_t scheme_end = url.find("://"); scheme_end != std::string::npos) {
    size_t authority = scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority);
    if (authority_end == std::string::npos) authority_end = url.size();
    if (url.find('@', authority) < authority_end) {
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + UrlForErrors(url) +
                        ": a registry URL may not carry a user name or password; set "
                        "SLUICE_REGISTRY_USERNAME and SLUICE_REGISTRY_PASSWORD instead");
    }
  }
  if (starts("oci://") || starts("oci+http://")) return OpenOciRegistry(url);
  if (starts("http://") || starts("https://")) return OpenStaticHttpRegistry(url);
  if (starts("file://")) {
    std::string path = url.substr(7);
    // RFC 8089 allows the host "localhost" for the local machine.
    if (path.rfind("localhost/", 0) == 0) path = path.substr(9);
    if (path.empty() || path[0] != '/') {
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + url + ": a file:// URL needs an absolute path (file:///dir)");
    }
    // A file URL's path is percent-encoded (as browsers and urllib write
    // "r%C3%A9gistry%20dir").
    std::string decoded;
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] != '%') {
        decoded += path[i];
        continue;
      }
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      int high = i + 2 < path.size() ? hex(path[i + 1]) : -1;
      int low = i + 2 < path.size() ? hex(path[i + 2]) : -1;
      if (high < 0 || low < 0 || (high == 0 && low == 0)) {
        return Status(ErrorKind::kInvalidArgument,
                      "registry " + url + ": '%' in a file:// URL must start an escape like %20");
      }
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    }
    return OpenDirectoryRegistry(url, decoded);
  }
  if (url.find("://") != std::string::npos) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry " + UrlForErrors(url) +
                      ": unknown scheme (use a directory, file://, http(s):// or oci://)");
  }
  if (url.empty()) return Status(ErrorKind::kInvalidArgument, "an empty registry location");
  std::string path = url;
  if (starts("~/")) {
    const char* home = std::getenv("HOME");
    if (home == nullptr) {
      return Status(ErrorKind::kInvalidArgument, "registry " + url + ": HOME is not set");
    }
    path = std::string(home) + url.substr(1);
  }
  return OpenDirectoryRegistry(url, path);
}

}  // namespace sluice
