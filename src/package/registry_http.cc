// The static HTTP back end: the directory layout served by any web server,
// read with GET. Read-only by design: a static server has no atomic
// create-if-absent, so immutability is enforced where the files are written.
#include "package/registry_internal.h"

namespace sluice::registry_internal {
namespace {

class StaticHttpRegistry : public Registry {
 public:
  explicit StaticHttpRegistry(std::string url) : url_(std::move(url)), shown_(UrlForErrors(url_)) {
    base_ = url_;
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }
  const std::string& url() const override { return url_; }
  bool writable() const override { return false; }

  Result<std::vector<IndexEntry>> Versions(const std::string& name) override {
    RETURN_IF_ERROR(CheckName(name));
    ASSIGN_OR_RETURN(auto text, Get("/index/" + name + ".json", kMaxIndexBytes,
                                    "the index of package '" + name + "'"));
    if (!text) {
      return Status(ErrorKind::kNotFound, "no package named '" + name + "' in registry " + shown_);
    }
    return ParseIndex(*text, name, "registry " + shown_ + " index/" + name + ".json");
  }

  Result<FetchedPackage> Fetch(const IndexEntry& entry) override {
    RETURN_IF_ERROR(CheckName(entry.name));
    RETURN_IF_ERROR(CheckVersion(entry.version));
    std::string what = "package " + entry.name + " " + entry.version;
    std::string path =
        "/packages/" + entry.name + "/" + entry.name + "-" + entry.version + ".sluicepkg";
    // One byte over the expected size, so an oversized body is reported as
    // a size mismatch rather than truncated silently.
    ASSIGN_OR_RETURN(auto archive, Get(path, entry.size + 1, what, ErrorKind::kIntegrity));
    if (!archive) {
      return Status(ErrorKind::kNotFound, what + ": its file is missing from registry " + shown_);
    }
    FetchedPackage fetched;
    fetched.archive = std::move(*archive);
    RETURN_IF_ERROR(CheckFetched(entry, fetched.archive, "registry " + shown_));
    if (entry.is_signed) {
      ASSIGN_OR_RETURN(auto sig, Get(path + ".minisig", kMaxSignatureBytes, what + " signature"));
      if (!sig) {
        return Status(ErrorKind::kIntegrity, what + " is listed as signed but registry " + shown_ +
                                                 " has no .minisig for it");
      }
      fetched.signature = std::move(*sig);
    }
    return fetched;
  }

  Status Publish(const IndexEntry&, const std::string&, const std::string&) override {
    return Status(ErrorKind::kInvalidArgument, "registry " + shown_ +
                                                   ": a static HTTP registry is read-only: "
                                                   "publish to the directory it serves");
  }
  Status Yank(const std::string&, const std::string&, bool, const std::string&) override {
    return Status(ErrorKind::kInvalidArgument, "registry " + shown_ +
                                                   ": a static HTTP registry is read-only: "
                                                   "yank in the directory it serves");
  }

 private:
  // nullopt on 404/410.
  Result<std::optional<std::string>> Get(const std::string& path, size_t cap,
                                         const std::string& what,
                                         ErrorKind too_large = ErrorKind::kInvalidArgument) {
    HttpRequest request;
    request.url = base_ + path;
    request.max_body_bytes = cap;
    request.headers.emplace_back("Accept-Encoding", "identity");
    Result<HttpResponse> response = http_.Do(std::move(request), too_large);
    if (!response.ok()) {
      Status status = response.TakeStatus();
      status.WithContext("registry " + shown_ + ", " + what);
      return status;
    }
    if (response->status == 404 || response->status == 410) return std::optional<std::string>();
    if (response->status != 200) {
      return Status(ErrorKind::kConnection, "registry " + shown_ + ", " + what + ": HTTP " +
                                                std::to_string(response->status));
    }
    return std::optional<std::string>(std::move(response->body));
  }

  std::string url_;
  std::string shown_;
  std::string base_;
  BlockingHttp http_;
};

}  // namespace

Result<std::unique_ptr<Registry>> OpenStaticHttpRegistry(const std::string& url) {
  return std::unique_ptr<Registry>(std::make_unique<StaticHttpRegistry>(url));
}

}  // namespace sluice::registry_internal
