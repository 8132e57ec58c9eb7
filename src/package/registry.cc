#include "package/registry.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <nlohmann/json.hpp>

#include "net/curl_transport.h"
#include "package/digest.h"
#include "package/registry_internal.h"

namespace sluice {
namespace registry_internal {
namespace {

struct Parsed {
  uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;
};

bool ParseNumber(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 16 || (s.size() > 1 && s[0] == '0')) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return true;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool IsNumeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

bool Parse(std::string_view text, Parsed& out) {
  if (text.size() > 256) return false;
  size_t plus = text.find('+');
  if (plus != std::string_view::npos) {
    for (std::string_view id : Split(text.substr(plus + 1), '.')) {
      if (!IsIdentifier(id)) return false;
    }
    text = text.substr(0, plus);
  }
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    for (std::string_view id : Split(text.substr(dash + 1), '.')) {
      if (!IsIdentifier(id) || (IsNumeric(id) && id.size() > 1 && id[0] == '0')) return false;
      out.pre.emplace_back(id);
    }
    text = text.substr(0, dash);
  }
  std::vector<std::string_view> core = Split(text, '.');
  return core.size() == 3 && ParseNumber(core[0], out.major) && ParseNumber(core[1], out.minor) &&
         ParseNumber(core[2], out.patch);
}

}  // namespace

bool IsStrictVersion(const std::string& version) {
  Parsed p;
  return Parse(version, p);
}

bool IsPrerelease(const std::string& version) {
  Parsed p;
  return Parse(version, p) && !p.pre.empty();
}

Status CheckVersion(const std::string& version) {
  if (IsStrictVersion(version)) return Status::Ok();
  return Status(ErrorKind::kInvalidArgument,
                "'" + version + "' is not a SemVer 2.0 version (MAJOR.MINOR.PATCH[-pre][+build])");
}

int CompareVersions(const std::string& a, const std::string& b) {
  Parsed x, y;
  Parse(a, x);
  Parse(b, y);
  auto cmp = [](uint64_t l, uint64_t r) { return l < r ? -1 : l > r ? 1 : 0; };
  if (int c = cmp(x.major, y.major)) return c;
  if (int c = cmp(x.minor, y.minor)) return c;
  if (int c = cmp(x.patch, y.patch)) return c;
  if (x.pre.empty() || y.pre.empty()) return x.pre.empty() == y.pre.empty() ? 0 : x.pre.empty() ? 1 : -1;
  for (size_t i = 0; i < std::min(x.pre.size(), y.pre.size()); ++i) {
    const std::string &l = x.pre[i], &r = y.pre[i];
    bool ln = IsNumeric(l), rn = IsNumeric(r);
    if (ln && rn) {
      if (l.size() != r.size()) return l.size() < r.size() ? -1 : 1;
      if (l != r) return l < r ? -1 : 1;
    } else if (ln != rn) {
      return ln ? -1 : 1;  // numeric identifiers sort first
    } else if (l != r) {
      return l < r ? -1 : 1;
    }
  }
  return cmp(x.pre.size(), y.pre.size());
}

void SortVersions(std::vector<IndexEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
    return CompareVersions(a.version, b.version) < 0;
  });
}

Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name[0] != '.' && name[0] != '-' &&
            std::all_of(name.begin(), name.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                     c == '.';
            }) &&
            name.find("..") == std::string::npos;
  if (ok) return Status::Ok();
  return Status(ErrorKind::kInvalidArgument,
                "'" + name + "' is not a valid package name (letters, digits, '_', '-', '.')");
}

Status CheckPublish(const IndexEntry& entry, const std::string& archive,
                    const std::string& signature) {
  RETURN_IF_ERROR(CheckName(entry.name));
  RETURN_IF_ERROR(CheckVersion(entry.version));
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
  RETURN_IF_ERROR(text("published_at", false, e.published_at));
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned()) return bad("\"size\" is not a non-negative integer");
  e.size = size->get<uint64_t>();
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
      if (other.version == entry.version) {
        return Status(ErrorKind::kInvalidArgument, at + ": version " + entry.version + " is listed twice");
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
                                             " bytes, the index says " + std::to_string(entry.size));
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

Result<HttpResponse> BlockingHttp::Do(HttpRequest request) {
  if (request.timeout.count() == 0) request.timeout = kHttpTimeout;
  std::optional<Result<HttpResponse>> result;
  transport_->Start(std::move(request), [&](Result<HttpResponse> r) { result.emplace(std::move(r)); });
  while (!result) transport_->Poll(std::chrono::milliseconds(200));
  return std::move(*result);
}

}  // namespace registry_internal

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
  if (starts("oci://") || starts("oci+http://")) return OpenOciRegistry(url);
  if (starts("http://") || starts("https://")) return OpenStaticHttpRegistry(url);
  if (starts("file://")) {
    std::string path = url.substr(7);
    if (path.empty() || path[0] != '/') {
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + url + ": a file:// URL needs an absolute path (file:///dir)");
    }
    return OpenDirectoryRegistry(url, path);
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
