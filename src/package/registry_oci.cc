// The OCI back end: the distribution v2 HTTP API (Docker Registry 2.8,
// Harbor, GHCR, Zot …). One repository per package, one image manifest per
// exact version; see registry.h for the media types.
//
// The config blob is the IndexEntry as JSON (the fields of an index line,
// without the yank state); the manifest's annotations repeat engine,
// key_id and published_at so that listing versions reads one manifest per
// version and no config blob. Immutability is checked with a HEAD of the
// version's tag before the manifest PUT: a registry that allows tag
// overwrites cannot make that atomic, so two publishers of one version at
// the same instant could both pass (registries with immutable tags close
// that gap).
#include <sodium.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "package/digest.h"
#include "package/registry_internal.h"

namespace sluice::registry_internal {
namespace {

using nlohmann::json;

constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kArtifactType = "application/vnd.sluice.connector.v1";
constexpr const char* kConfigType = "application/vnd.sluice.connector.config.v1+json";
constexpr const char* kLayerType = "application/vnd.sluice.connector.layer.v1.tar+gzip";
constexpr const char* kSignatureType = "application/vnd.sluice.signature.minisign.v1";
constexpr const char* kYankedConfigType = "application/vnd.sluice.yanked.v1+json";
constexpr const char* kYankedTag = "_yanked";
constexpr size_t kMaxTagsBytes = 8 << 20;
constexpr size_t kMaxTags = 100000;

bool IsLoopback(const std::string& host) {
  std::string h =
      host[0] == '[' ? host.substr(0, host.find(']') + 1) : host.substr(0, host.find(':'));
  return h == "127.0.0.1" || h == "localhost" || h == "[::1]";
}

std::string Base64(const std::string& text) {
  std::string out(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                    text.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

// Reads a member of hostile JSON: null when absent or not an object (the
// const operator[] of nlohmann::json is undefined for a missing key).
const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string Str(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// OCI repository names and tags are narrower than package names.
Status CheckOci(const std::string& name, const std::string& version, const std::string& url) {
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      return Status(ErrorKind::kInvalidArgument, "registry " + url + ": package '" + name +
                                                     "' has upper-case letters, which OCI "
                                                     "repository names cannot have");
    }
  }
  if (version.find('+') != std::string::npos) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry " + url + ": version " + version +
                      " has build metadata ('+'), which an OCI tag cannot hold");
  }
  return Status::Ok();
}

std::string Digest(const std::string& bytes) { return "sha256:" + Sha256Hex(bytes); }

bool StartsWithBearer(const std::string& challenge) {
  if (challenge.size() < 7) return false;
  std::string scheme = challenge.substr(0, 7);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "bearer ";
}

class OciRegistry : public Registry {
 public:
  OciRegistry(std::string url, std::string base, std::string prefix)
      : url_(std::move(url)), base_(std::move(base)), prefix_(std::move(prefix)) {
    const char* user = std::getenv("SLUICE_REGISTRY_USERNAME");
    const char* pass = std::getenv("SLUICE_REGISTRY_PASSWORD");
    if (user != nullptr && *user != '\0') {
      auth_ = "Basic " + Base64(std::string(user) + ":" + (pass ? pass : ""));
    }
  }
  const std::string& url() const override { return url_; }
  bool writable() const override { return true; }
  std::vector<std::string> notes() const override { return notes_; }

  Result<std::vector<IndexEntry>> Versions(const std::string& name) override {
    RETURN_IF_ERROR(CheckName(name));
    notes_.clear();
    ASSIGN_OR_RETURN(std::vector<std::string> tags, Tags(name));
    std::vector<IndexEntry> entries;
    for (const std::string& tag : tags) {
      if (!IsStrictVersion(tag) || tag.find('+') != std::string::npos) continue;
      // One bad version (a manifest over the size cap, a tag naming another
      // version) is skipped with a note, so it does not make every install
      // from this repository fail; transport and HTTP errors still do.
      auto skippable = [](const Status& s) {
        return s.kind() == ErrorKind::kInvalidArgument || s.kind() == ErrorKind::kIntegrity;
      };
      Result<std::optional<json>> manifest = GetManifest(name, tag);
      if (!manifest.ok()) {
        if (!skippable(manifest.status())) return manifest.status();
        notes_.push_back("skipped " + name + " " + tag + ": " + manifest.status().message());
        continue;
      }
      if (!*manifest) continue;  // deleted between list and read
      Result<IndexEntry> entry = EntryFromManifest(name, tag, **manifest);
      if (!entry.ok()) {
        if (!skippable(entry.status())) return entry.status();
        notes_.push_back("skipped " + name + " " + tag + ": " + entry.status().message());
        continue;
      }
      entries.push_back(std::move(entry).value());
    }
    if (entries.empty() && !notes_.empty()) {
      return Status(
          ErrorKind::kInvalidArgument,
          "no usable version of '" + name + "' in registry " + url_ + "; " + notes_.front());
    }
    if (entries.empty()) {
      return Status(ErrorKind::kNotFound, "no package named '" + name + "' in registry " + url_);
    }
    ASSIGN_OR_RETURN(auto yanked, Yanked(name));
    for (IndexEntry& e : entries) {
      auto it = yanked.find(e.version);
      if (it != yanked.end()) {
        e.yanked = true;
        e.yanked_reason = ShownReason(it->second);
      }
    }
    SortVersions(entries);
    return entries;
  }

  Result<FetchedPackage> Fetch(const IndexEntry& entry) override {
    RETURN_IF_ERROR(CheckName(entry.name));
    RETURN_IF_ERROR(CheckVersion(entry.version));
    std::string what = "package " + entry.name + " " + entry.version + " in registry " + url_;
    ASSIGN_OR_RETURN(auto manifest, GetManifest(entry.name, entry.version));
    if (!manifest) return Status(ErrorKind::kNotFound, what + ": no such version");
    FetchedPackage fetched;
    ASSIGN_OR_RETURN(auto archive, GetBlob(entry.name, "sha256:" + entry.sha256, entry.size + 1,
                                           what, ErrorKind::kIntegrity));
    if (!archive) return Status(ErrorKind::kNotFound, what + ": its archive blob is missing");
    fetched.archive = std::move(*archive);
    RETURN_IF_ERROR(CheckFetched(entry, fetched.archive, "registry " + url_));
    if (entry.is_signed) {
      std::string digest;
      for (const json& layer : At(*manifest, "layers")) {
        if (Str(layer, "mediaType") == kSignatureType && At(layer, "digest").is_string()) {
          digest = At(layer, "digest").get<std::string>();
        }
      }
      if (digest.empty()) {
        return Status(ErrorKind::kIntegrity,
                      what + " is listed as signed but has no signature layer");
      }
      ASSIGN_OR_RETURN(auto sig,
                       GetBlob(entry.name, digest, kMaxSignatureBytes, what + " signature"));
      if (!sig) return Status(ErrorKind::kIntegrity, what + ": its signature blob is missing");
      if (Digest(*sig) != digest) {
        return Status(ErrorKind::kIntegrity,
                      what + ": its signature blob does not match its digest");
      }
      fetched.signature = std::move(*sig);
    }
    return fetched;
  }

  Status Publish(const IndexEntry& given, const std::string& archive,
                 const std::string& signature) override {
    RETURN_IF_ERROR(CheckPublish(given, archive, signature));
    RETURN_IF_ERROR(CheckOci(given.name, given.version, url_));
    IndexEntry entry = given;
    entry.yanked = false;
    entry.yanked_reason.clear();
    if (entry.published_at.empty()) entry.published_at = NowIso8601();
    const std::string& name = entry.name;
    std::string what = "package " + name + " " + entry.version + " in registry " + url_;
    ASSIGN_OR_RETURN(auto existing, GetManifest(name, entry.version));
    if (existing) {
      return Status(ErrorKind::kAlreadyExists,
                    what + " is already published (versions are immutable; publish a new one)");
    }
    std::string config = EntryToJson(entry);
    RETURN_IF_ERROR(PutBlob(name, config, what));
    RETURN_IF_ERROR(PutBlob(name, archive, what));
    json layers = json::array();
    layers.push_back(
        {{"mediaType", kLayerType},
         {"digest", Digest(archive)},
         {"size", archive.size()},
         {"annotations",
          {{"org.opencontainers.image.title", name + "-" + entry.version + ".sluicepkg"}}}});
    if (!signature.empty()) {
      RETURN_IF_ERROR(PutBlob(name, signature, what));
      layers.push_back({{"mediaType", kSignatureType},
                        {"digest", Digest(signature)},
                        {"size", signature.size()},
                        {"annotations",
                         {{"org.opencontainers.image.title",
                           name + "-" + entry.version + ".sluicepkg.minisig"}}}});
    }
    json annotations = {{"org.opencontainers.image.version", entry.version},
                        {"org.opencontainers.image.created", entry.published_at},
                        {"dev.sluice.engine", entry.engine}};
    if (!entry.key_id.empty()) annotations["dev.sluice.key_id"] = entry.key_id;
    json manifest = {
        {"schemaVersion", 2},
        {"mediaType", kManifestType},
        {"artifactType", kArtifactType},
        {"config",
         {{"mediaType", kConfigType}, {"digest", Digest(config)}, {"size", config.size()}}},
        {"layers", layers},
        {"annotations", annotations}};
    std::string bytes = manifest.dump();
    RETURN_IF_ERROR(PutManifest(name, entry.version, bytes, what));
    return MoveTags(name, entry.version, bytes, what);
  }

  Status Yank(const std::string& name, const std::string& version, bool yanked,
              const std::string& reason) override {
    RETURN_IF_ERROR(CheckName(name));
    RETURN_IF_ERROR(CheckVersion(version));
    RETURN_IF_ERROR(CheckReason(reason));
    std::string what = "package " + name + " " + version + " in registry " + url_;
    ASSIGN_OR_RETURN(auto manifest, GetManifest(name, version));
    if (!manifest) {
      return Status(ErrorKind::kNotFound,
                    "no version " + version + " of package '" + name + "' in registry " + url_);
    }
    ASSIGN_OR_RETURN(auto list, Yanked(name));
    if (yanked) {
      list[version] = reason;
    } else {
      list.erase(version);
    }
    json items = json::array();
    for (const auto& [v, r] : list) items.push_back({{"version", v}, {"reason", r}});
    std::string config = json{{"yanked", items}}.dump();
    RETURN_IF_ERROR(PutBlob(name, config, what));
    // Some registries refuse a manifest without layers: the list is also
    // its one layer.
    json desc = {
        {"mediaType", kYankedConfigType}, {"digest", Digest(config)}, {"size", config.size()}};
    json yank_manifest = {{"schemaVersion", 2},
                          {"mediaType", kManifestType},
                          {"artifactType", kArtifactType},
                          {"config", desc},
                          {"layers", json::array({desc})}};
    return PutManifest(name, kYankedTag, yank_manifest.dump(), what);
  }

 private:
  std::string Repo(const std::string& name) const {
    return prefix_.empty() ? name : prefix_ + "/" + name;
  }
  std::string V2(const std::string& name) const { return base_ + "/v2/" + Repo(name); }

  Result<HttpResponse> Send(HttpRequest request, const std::string& what,
                            ErrorKind too_large = ErrorKind::kInvalidArgument) {
    if (!auth_.empty()) request.headers.emplace_back("Authorization", auth_);
    Result<HttpResponse> response = http_.Do(std::move(request), too_large);
    if (!response.ok()) {
      Status status = response.TakeStatus();
      status.WithContext("registry " + url_ + ", " + what);
      return status;
    }
    if (response->status == 401 && StartsWithBearer(response->Header("www-authenticate"))) {
      return Status(ErrorKind::kAuth,
                    "registry " + url_ + ", " + what +
                        ": HTTP 401 asking for a Bearer token (the token flow of GHCR, Harbor "
                        "and Docker Hub), which Sluice does not support yet; use a registry "
                        "that takes Basic auth (SLUICE_REGISTRY_USERNAME and "
                        "SLUICE_REGISTRY_PASSWORD), such as distribution with htpasswd");
    }
    if (response->status == 401 || response->status == 403) {
      return Status(ErrorKind::kAuth,
                    "registry " + url_ + ", " + what + ": HTTP " +
                        std::to_string(response->status) +
                        " (set SLUICE_REGISTRY_USERNAME and SLUICE_REGISTRY_PASSWORD)");
    }
    return response;
  }

  Status Unexpected(const HttpResponse& r, const std::string& what) {
    std::string detail;
    json body = json::parse(r.body.substr(0, 4096), nullptr, false);
    if (body.is_object() && body["errors"].is_array() && !body["errors"].empty() &&
        body["errors"][0].is_object()) {
      detail = ": " + Str(body["errors"][0], "message");
    }
    return Status(ErrorKind::kConnection,
                  "registry " + url_ + ", " + what + ": HTTP " + std::to_string(r.status) + detail);
  }

  // Every tag, following the Link: <…>; rel="next" pages that registries
  // such as GHCR send (distribution 2.8 sends all at once).
  Result<std::vector<std::string>> Tags(const std::string& name) {
    std::string what = "tags of '" + name + "'";
    std::vector<std::string> tags;
    std::string next = V2(name) + "/tags/list";
    for (int page = 0; !next.empty(); ++page) {
      if (page == 1000 || tags.size() >= kMaxTags) {
        return Status(ErrorKind::kInvalidArgument,
                      "registry " + url_ + ": the " + what + " do not end");
      }
      HttpRequest request;
      request.url = next;
      request.max_body_bytes = kMaxTagsBytes;
      ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(request), what));
      if (r.status == 404) {
        return Status(ErrorKind::kNotFound, "no package named '" + name + "' in registry " + url_);
      }
      if (r.status != 200) return Unexpected(r, what);
      json body = json::parse(r.body, nullptr, false);
      const json& list = At(body, "tags");
      if (!body.is_object() || !(list.is_array() || list.is_null())) {
        return Status(ErrorKind::kInvalidArgument,
                      "registry " + url_ + ": the " + what + " are not valid JSON");
      }
      if (list.is_array()) {
        for (const json& t : list) {
          if (t.is_string()) tags.push_back(t.get<std::string>());
        }
      }
      next.clear();
      std::string link = r.Header("link");
      size_t open = link.find('<'), close = link.find('>');
      if (open != std::string::npos && close != std::string::npos && close > open &&
          link.find("rel=\"next\"", close) != std::string::npos) {
        std::string target = link.substr(open + 1, close - open - 1);
        // Only a path on the same registry: credentials go nowhere else.
        if (target.empty() || target[0] != '/' || target.find("//") == 0) {
          return Status(ErrorKind::kInvalidArgument,
                        "registry " + url_ + ": the " + what + " link to another origin");
        }
        next = base_ + target;
      }
    }
    return tags;
  }

  Result<std::optional<json>> GetManifest(const std::string& name, const std::string& tag) {
    std::string what = "manifest " + name + ":" + tag;
    HttpRequest request;
    request.url = V2(name) + "/manifests/" + tag;
    request.headers.emplace_back("Accept", kManifestType);
    request.max_body_bytes = kMaxManifestBytes;
    ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(request), what));
    if (r.status == 404) return std::optional<json>();
    if (r.status != 200) return Unexpected(r, what);
    std::string digest = r.Header("docker-content-digest");
    if (!digest.empty() && digest != Digest(r.body)) {
      return Status(
          ErrorKind::kIntegrity,
          "registry " + url_ + ", " + what + ": the body does not match its Docker-Content-Digest");
    }
    json body = json::parse(r.body, nullptr, false);
    if (!body.is_object() || !body["layers"].is_array() || !body["config"].is_object()) {
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + url_ + ", " + what + ": not an OCI image manifest");
    }
    return std::optional<json>(std::move(body));
  }

  Result<IndexEntry> EntryFromManifest(const std::string& name, const std::string& version,
                                       const json& manifest) {
    std::string what = "registry " + url_ + ", manifest " + name + ":" + version;
    IndexEntry e;
    e.name = name;
    e.version = version;
    bool found = false;
    for (const json& layer : At(manifest, "layers")) {
      if (!layer.is_object()) continue;
      std::string type = Str(layer, "mediaType");
      if (type == kLayerType) {
        std::string digest =
            At(layer, "digest").is_string() ? At(layer, "digest").get<std::string>() : "";
        if (digest.rfind("sha256:", 0) != 0 || !IsSha256Hex(digest.substr(7)) ||
            !At(layer, "size").is_number_unsigned()) {
          return Status(ErrorKind::kInvalidArgument,
                        what + ": the package layer's digest or size is invalid");
        }
        e.sha256 = digest.substr(7);
        e.size = At(layer, "size").get<uint64_t>();
        if (e.size > kMaxPackageBytes) {
          return Status(ErrorKind::kInvalidArgument,
                        what + ": the package layer is larger than a package may be (1 GiB)");
        }
        found = true;
      } else if (type == kSignatureType) {
        e.is_signed = true;
      }
    }
    if (!found) {
      return Status(ErrorKind::kInvalidArgument,
                    what + ": not a Sluice package (no package layer)");
    }
    if (At(manifest, "annotations").is_object()) {
      const json& a = At(manifest, "annotations");
      auto text = [&](const char* key) {
        return At(a, key).is_string() ? At(a, key).get<std::string>() : std::string();
      };
      e.engine = text("dev.sluice.engine");
      e.key_id = text("dev.sluice.key_id");
      if (!e.key_id.empty() && !IsKeyIdHex(e.key_id)) e.key_id.clear();
      e.published_at = text("org.opencontainers.image.created");
      std::string named = text("org.opencontainers.image.version");
      if (!named.empty() && named != version) {
        return Status(ErrorKind::kInvalidArgument,
                      what + ": the manifest is for version '" + named.substr(0, 64) + "'");
      }
    }
    return e;
  }

  // version → reason.
  Result<std::map<std::string, std::string>> Yanked(const std::string& name) {
    std::map<std::string, std::string> out;
    ASSIGN_OR_RETURN(auto manifest, GetManifest(name, kYankedTag));
    if (!manifest) return out;
    std::string what = "registry " + url_ + ", the yank list of '" + name + "'";
    const json& config = At(*manifest, "config");
    if (!At(config, "digest").is_string())
      return Status(ErrorKind::kInvalidArgument, what + " is malformed");
    std::string digest = At(config, "digest").get<std::string>();
    ASSIGN_OR_RETURN(auto blob, GetBlob(name, digest, kMaxIndexBytes, "the yank list"));
    if (!blob) return Status(ErrorKind::kInvalidArgument, what + ": its blob is missing");
    if (Digest(*blob) != digest)
      return Status(ErrorKind::kIntegrity, what + " does not match its digest");
    json body = json::parse(*blob, nullptr, false);
    if (!body.is_object() || !body["yanked"].is_array()) {
      return Status(ErrorKind::kInvalidArgument, what + " is not valid JSON");
    }
    for (const json& item : body["yanked"]) {
      if (!item.is_object() || !At(item, "version").is_string()) {
        return Status(ErrorKind::kInvalidArgument, what + " has an entry without a version");
      }
      out[At(item, "version").get<std::string>()] =
          At(item, "reason").is_string() ? At(item, "reason").get<std::string>() : "";
    }
    return out;
  }

  Result<std::optional<std::string>> GetBlob(const std::string& name, const std::string& digest,
                                             size_t cap, const std::string& what,
                                             ErrorKind too_large = ErrorKind::kInvalidArgument) {
    if (digest.rfind("sha256:", 0) != 0 || !IsSha256Hex(digest.substr(7))) {
      return Status(ErrorKind::kInvalidArgument, "registry " + url_ + ", " + what + ": bad digest");
    }
    HttpRequest request;
    request.url = V2(name) + "/blobs/" + digest;
    request.max_body_bytes = cap;
    ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(request), what, too_large));
    if (r.status == 404) return std::optional<std::string>();
    if (r.status != 200) return Unexpected(r, what);
    return std::optional<std::string>(std::move(r.body));
  }

  Status PutBlob(const std::string& name, const std::string& bytes, const std::string& what) {
    std::string digest = Digest(bytes);
    HttpRequest head;
    head.method = "HEAD";
    head.url = V2(name) + "/blobs/" + digest;
    ASSIGN_OR_RETURN(HttpResponse exists, Send(std::move(head), what));
    if (exists.status == 200) return Status::Ok();
    HttpRequest start;
    start.method = "POST";
    start.url = V2(name) + "/blobs/uploads/";
    ASSIGN_OR_RETURN(HttpResponse started, Send(std::move(start), what + " (blob upload)"));
    if (started.status != 202) return Unexpected(started, what + " (blob upload)");
    std::string location = started.Header("location");
    if (location.empty()) {
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + url_ + ", " + what + ": blob upload without a Location");
    }
    if (location[0] == '/') {
      location = base_ + location;
    } else if (location.rfind(base_ + "/", 0) != 0) {
      // Credentials go only to the registry's own origin.
      return Status(ErrorKind::kInvalidArgument,
                    "registry " + url_ + ", " + what + ": blob upload sent to another origin");
    }
    HttpRequest put;
    put.method = "PUT";
    put.url = location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    put.body = bytes;
    ASSIGN_OR_RETURN(HttpResponse done, Send(std::move(put), what + " (blob upload)"));
    if (done.status != 201 && done.status != 204) return Unexpected(done, what + " (blob upload)");
    std::string echoed = done.Header("docker-content-digest");
    if (!echoed.empty() && echoed != digest) {
      return Status(ErrorKind::kIntegrity, "registry " + url_ + ", " + what +
                                               ": the registry stored a blob with another digest");
    }
    return Status::Ok();
  }

  Status PutManifest(const std::string& name, const std::string& tag, const std::string& bytes,
                     const std::string& what) {
    HttpRequest put;
    put.method = "PUT";
    put.url = V2(name) + "/manifests/" + tag;
    put.headers.emplace_back("Content-Type", kManifestType);
    put.body = bytes;
    ASSIGN_OR_RETURN(HttpResponse r, Send(std::move(put), what + " (manifest " + tag + ")"));
    if (r.status != 201 && r.status != 200) return Unexpected(r, what + " (manifest " + tag + ")");
    std::string echoed = r.Header("docker-content-digest");
    if (!echoed.empty() && echoed != Digest(bytes)) {
      return Status(ErrorKind::kIntegrity,
                    "registry " + url_ + ", " + what +
                        ": the registry stored a manifest with another digest");
    }
    return Status::Ok();
  }

  // Re-points MAJOR, MAJOR.MINOR and latest at `version` when it is the
  // highest non-prerelease version of that stream.
  Status MoveTags(const std::string& name, const std::string& version, const std::string& bytes,
                  const std::string& what) {
    if (IsPrerelease(version)) return Status::Ok();
    ASSIGN_OR_RETURN(std::vector<std::string> tags, Tags(name));
    std::string major = version.substr(0, version.find('.'));
    std::string minor = version.substr(0, version.find('.', major.size() + 1));
    auto highest = [&](const std::string& stream) {
      for (const std::string& t : tags) {
        if (!IsStrictVersion(t) || IsPrerelease(t)) continue;
        bool in_stream = stream.empty() || t.rfind(stream + ".", 0) == 0;
        if (in_stream && CompareVersions(t, version) > 0) return false;
      }
      return true;
    };
    for (const std::string& stream : {major, minor, std::string()}) {
      if (!highest(stream)) continue;
      RETURN_IF_ERROR(PutManifest(name, stream.empty() ? "latest" : stream, bytes, what));
    }
    return Status::Ok();
  }

  std::string url_;
  std::vector<std::string> notes_;
  std::string base_;
  std::string prefix_;
  std::string auth_;
  BlockingHttp http_;
};

}  // namespace

Result<std::unique_ptr<Registry>> OpenOciRegistry(const std::string& url) {
  bool force_http = url.rfind("oci+http://", 0) == 0;
  std::string rest = url.substr(force_http ? 11 : 6);
  size_t slash = rest.find('/');
  std::string host = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  bool bad_host = host.empty() || host.find_first_of("@?#") != std::string::npos;
  bool bad_prefix = prefix.find("..") != std::string::npos ||
                    prefix.find("//") != std::string::npos ||
                    prefix.find_first_of("?#% ") != std::string::npos;
  for (char c : prefix) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
          c == '-')) {
      bad_prefix = true;
    }
  }
  if (bad_host || bad_prefix) {
    return Status(ErrorKind::kInvalidArgument,
                  "registry " + UrlForErrors(url) +
                      ": expected oci://host[:port]/repository-prefix (lower-case repository)");
  }
  std::string scheme = force_http || IsLoopback(host) ? "http://" : "https://";
  return std::unique_ptr<Registry>(std::make_unique<OciRegistry>(url, scheme + host, prefix));
}

}  // namespace sluice::registry_internal
