#include "package/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <clocale>

#include <algorithm>
#include <memory>
#include <set>

#include "core/utf8.h"

namespace sluice {
namespace {

struct WriterDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ReaderDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Writer = std::unique_ptr<struct archive, WriterDeleter>;
using Reader = std::unique_ptr<struct archive, ReaderDeleter>;
using Entry = std::unique_ptr<archive_entry, EntryDeleter>;

// A decompression ratio above this, once past kRatioFloor bytes, is a bomb:
// real packages are text that gzip shrinks by 3–20×.
constexpr uint64_t kMaxExpansionRatio = 250;
constexpr uint64_t kRatioFloor = 1 << 20;

std::string Quoted(std::string_view path) {
  // Paths may be hostile: never print raw control bytes or invalid UTF-8,
  // and show each bad byte as \xNN so two bad names stay distinguishable.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  size_t i = 0;
  while (i < path.size()) {
    unsigned char u = static_cast<unsigned char>(path[i]);
    size_t length = u < 0x80 ? 1 : Utf8SequenceLength(path, i);
    if (length == 0 || u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
      ++i;
    } else {
      out.append(path.substr(i, length));
      i += length;
    }
  }
  return out + "'";
}

// libarchive converts names between UTF-8 and the current locale's charset;
// the engine never calls setlocale, so that is "C" (ASCII), where a name like
// "é" cannot be converted and the pax writer crashes on the NULL it gets.
// Switching this thread to C.UTF-8 for the duration makes the conversion an
// identity, whatever the user's environment: the pax "path" record carries
// UTF-8 and the bytes written are the same everywhere.
class ScopedUtf8Locale {
 public:
  ScopedUtf8Locale() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0))) {
    if (utf8_ != static_cast<locale_t>(0)) previous_ = uselocale(utf8_);
  }
  ~ScopedUtf8Locale() {
    if (utf8_ == static_cast<locale_t>(0)) return;
    uselocale(previous_);
    freelocale(utf8_);
  }
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;
  bool active() const { return utf8_ != static_cast<locale_t>(0); }

 private:
  locale_t utf8_;
  locale_t previous_ = static_cast<locale_t>(0);
};

Status ArchiveError(struct archive* a, std::string_view what) {
  const char* message = archive_error_string(a);
  return Status(ErrorKind::kInvalidArgument,
                std::string(what) + ": " + (message ? message : "libarchive failed"));
}

// A file whose path is also used as a folder by another entry ("a" and "a/b")
// cannot be extracted faithfully; refuse it as a duplicate.
Status CheckFileFolderClash(const std::set<std::string>& files) {
  for (const std::string& path : files) {
    for (size_t at = path.find('/'); at != std::string::npos; at = path.find('/', at + 1)) {
      std::string prefix = path.substr(0, at);
      if (files.count(prefix)) {
        return Status(ErrorKind::kInvalidArgument, "archive entry " + Quoted(prefix) +
                                                       " is a file but " + Quoted(path) +
                                                       " uses it as a folder");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckArchivePath(std::string_view path) {
  auto bad = [&](std::string_view why) {
    return Status(ErrorKind::kInvalidArgument,
                  "unsafe archive path " + Quoted(path) + ": " + std::string(why));
  };
  if (path.empty()) return bad("empty");
  if (!IsValidUtf8(path)) return bad("not UTF-8");
  if (path.front() == '/') return bad("absolute");
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\\') return bad("contains a backslash");
    if (u < 0x20 || u == 0x7f) return bad("contains a control character");
  }
  size_t start = 0;
  while (true) {
    size_t end = path.find('/', start);
    std::string_view component =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (component.empty()) return bad("has an empty component");
    if (component == ".") return bad("has a '.' component");
    if (component == "..") return bad("has a '..' component");
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

Result<std::string> WriteArchive(std::vector<ArchiveEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const ArchiveEntry& a, const ArchiveEntry& b) { return a.path < b.path; });
  std::set<std::string> files;
  for (const ArchiveEntry& e : entries) {
    RETURN_IF_ERROR(CheckArchivePath(e.path));
    if (!files.insert(e.path).second) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(e.path) + " appears twice");
    }
  }
  RETURN_IF_ERROR(CheckFileFolderClash(files));

  ScopedUtf8Locale utf8_locale;
  Writer writer(archive_write_new());
  if (!writer) return Status(ErrorKind::kInternal, "libarchive: out of memory");
  struct archive* a = writer.get();
  // pax_restricted writes plain ustar headers unless a path needs an
  // extended one, and never atime/ctime (we set none); gzip without the
  // timestamp so the bytes depend on content alone.
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_options(a, "gzip:!timestamp,gzip:compression-level=9") != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK) {
    return ArchiveError(a, "cannot set up the archive writer");
  }
  // Without a UTF-8 locale (none installed), names go out as raw bytes -
  // which are UTF-8, CheckArchivePath made sure - under hdrcharset=BINARY.
  if (!utf8_locale.active() && archive_write_set_options(a, "hdrcharset=BINARY") != ARCHIVE_OK) {
    return ArchiveError(a, "cannot set up the archive writer");
  }
  std::string out;
  auto write_cb = [](struct archive*, void* data, const void* buffer, size_t length) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
  };
  if (archive_write_open2(a, &out, nullptr, write_cb, nullptr, nullptr) != ARCHIVE_OK) {
    return ArchiveError(a, "cannot open the archive writer");
  }
  for (const ArchiveEntry& e : entries) {
    Entry entry(archive_entry_new());
    if (!entry) return Status(ErrorKind::kInternal, "libarchive: out of memory");
    if (utf8_locale.active()) {
      archive_entry_set_pathname_utf8(entry.get(), e.path.c_str());
    } else {
      archive_entry_copy_pathname(entry.get(), e.path.c_str());
    }
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), e.executable ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(e.data.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    if (archive_write_header(a, entry.get()) != ARCHIVE_OK) {
      return ArchiveError(a, "cannot write archive entry " + Quoted(e.path));
    }
    if (!e.data.empty() && archive_write_data(a, e.data.data(), e.data.size()) !=
                               static_cast<la_ssize_t>(e.data.size())) {
      return ArchiveError(a, "cannot write archive entry " + Quoted(e.path));
    }
  }
  if (archive_write_close(a) != ARCHIVE_OK) return ArchiveError(a, "cannot finish the archive");
  return out;
}

Result<std::vector<ArchiveEntry>> ReadArchive(std::string_view bytes, const ArchiveLimits& limits) {
  ScopedUtf8Locale utf8_locale;
  Reader reader(archive_read_new());
  if (!reader) return Status(ErrorKind::kInternal, "libarchive: out of memory");
  struct archive* a = reader.get();
  // Only gzip'd (or plain) tar: no other format's parser is exposed to
  // hostile bytes.
  if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
      archive_read_support_format_tar(a) != ARCHIVE_OK) {
    return ArchiveError(a, "cannot set up the archive reader");
  }
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return ArchiveError(a, "not a gzip-compressed tar archive");
  }
  std::vector<ArchiveEntry> entries;
  std::set<std::string> seen;
  std::set<std::string> files;
  size_t count = 0;
  uint64_t total = 0;
  const uint64_t ratio_cap = std::max<uint64_t>(kRatioFloor, bytes.size() * kMaxExpansionRatio);
  std::string buffer(64 * 1024, '\0');
  while (true) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    // ARCHIVE_WARN is a header charset problem; the name is checked below.
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return ArchiveError(a, "corrupt archive after " + std::to_string(count) + " entries");
    if (++count > limits.max_entries) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive has more than " + std::to_string(limits.max_entries) + " entries");
    }
    // UTF-8 first; a name that is not (hdrcharset=BINARY, a hostile header)
    // comes back raw and CheckArchivePath refuses it, escaped.
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (!raw_name) raw_name = archive_entry_pathname(entry);
    if (!raw_name)
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + std::to_string(count) + " has no readable name");
    std::string path = raw_name;
    mode_t type = archive_entry_filetype(entry);
    bool is_dir = type == AE_IFDIR;
    if (is_dir && !path.empty() && path.back() == '/') path.pop_back();
    if (path.size() > limits.max_path_bytes) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(path.substr(0, 64)) + "… has a path longer than " +
                        std::to_string(limits.max_path_bytes) + " bytes");
    }
    RETURN_IF_ERROR(CheckArchivePath(path));
    if (archive_entry_hardlink(entry) != nullptr) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(path) + " is a hard link");
    }
    if (type == AE_IFLNK || archive_entry_symlink(entry) != nullptr) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(path) + " is a symbolic link");
    }
    if (!is_dir && type != AE_IFREG) {
      const char* what = type == AE_IFCHR    ? "a character device"
                         : type == AE_IFBLK  ? "a block device"
                         : type == AE_IFIFO  ? "a fifo"
                         : type == AE_IFSOCK ? "a socket"
                                             : "not a regular file";
      return Status(ErrorKind::kInvalidArgument, "archive entry " + Quoted(path) + " is " + what);
    }
    if (!seen.insert(path).second) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(path) + " appears twice");
    }
    if (is_dir) continue;
    files.insert(path);
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_entry_bytes) {
      return Status(ErrorKind::kInvalidArgument,
                    "archive entry " + Quoted(path) + " is larger than " +
                        std::to_string(limits.max_entry_bytes) + " bytes");
    }
    ArchiveEntry out;
    out.path = path;
    out.executable = (archive_entry_perm(entry) & 0111) != 0;
    // The header's size is not trusted: the bytes are counted as they come.
    while (true) {
      la_ssize_t n = archive_read_data(a, buffer.data(), buffer.size());
      if (n == 0) break;
      if (n < 0) return ArchiveError(a, "cannot read archive entry " + Quoted(path));
      if (out.data.size() + static_cast<uint64_t>(n) > limits.max_entry_bytes) {
        return Status(ErrorKind::kInvalidArgument,
                      "archive entry " + Quoted(path) + " is larger than " +
                          std::to_string(limits.max_entry_bytes) + " bytes");
      }
      total += static_cast<uint64_t>(n);
      if (total > limits.max_total_bytes) {
        return Status(ErrorKind::kInvalidArgument,
                      "archive is larger than " + std::to_string(limits.max_total_bytes) +
                          " bytes uncompressed (at entry " + Quoted(path) + ")");
      }
      if (total > ratio_cap) {
        return Status(ErrorKind::kInvalidArgument,
                      "archive expands more than " + std::to_string(kMaxExpansionRatio) +
                          "× (a compression bomb?) at entry " + Quoted(path));
      }
      out.data.append(buffer.data(), static_cast<size_t>(n));
    }
    entries.push_back(std::move(out));
  }
  RETURN_IF_ERROR(CheckFileFolderClash(files));
  return entries;
}

}  // namespace sluice
