#include "js/selfhosted_cache.h"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace sluice::js {
namespace {

struct Search {
  std::string hex;  // the build id, once found
  bool found = false;
};

// Walks the loaded objects for libmozjs (the engine is always a shared
// object: Debian ships no static one) and reads its NT_GNU_BUILD_ID note.
int FindBuildId(dl_phdr_info* info, size_t, void* data) {
  auto* search = static_cast<Search*>(data);
  const char* path = info->dlpi_name ? info->dlpi_name : "";
  const char* slash = std::strrchr(path, '/');
  if (std::strncmp(slash ? slash + 1 : path, "libmozjs-", 9) != 0) return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& phdr = info->dlpi_phdr[i];
    if (phdr.p_type != PT_NOTE) continue;
    const char* note = reinterpret_cast<const char*>(info->dlpi_addr + phdr.p_vaddr);
    const char* end = note + phdr.p_memsz;
    while (note + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) header;
      std::memcpy(&header, note, sizeof header);
      const char* name = note + sizeof header;
      const char* desc = name + ((header.n_namesz + 3) & ~3u);
      const char* next = desc + ((header.n_descsz + 3) & ~3u);
      if (next > end) break;
      if (header.n_type == NT_GNU_BUILD_ID && header.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0) {
        static const char digits[] = "0123456789abcdef";
        for (uint32_t j = 0; j < header.n_descsz; ++j) {
          auto byte = static_cast<unsigned char>(desc[j]);
          search->hex += digits[byte >> 4];
          search->hex += digits[byte & 15];
        }
        search->found = true;
        return 1;
      }
      note = next;
    }
  }
  return 1;  // the right object, without a build id
}

const Search& LibraryBuildId() {
  static const Search search = [] {
    Search s;
    dl_iterate_phdr(FindBuildId, &s);
    return s;
  }();
  return search;
}

}  // namespace

bool EngineHasBuildId() { return LibraryBuildId().found; }

bool EngineBuildId(JS::BuildIdCharVector* build_id) {
  const Search& search = LibraryBuildId();
  std::string tag = search.found ? "sluice-mozjs-" + search.hex : "sluice-mozjs-without-build-id";
  return build_id->append(tag.data(), tag.size());
}

}  // namespace sluice::js
