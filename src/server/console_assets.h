// The web console's static files (src/server/console/), compiled into the
// binary by cmake/embed_console.cmake, so a served console never depends on
// the source tree or a build step at run time.
//
// Thread-safety: immutable data.
#pragma once

#include <cstddef>
#include <string_view>

namespace sluice {

struct ConsoleAsset {
  std::string_view name;          // "index.html", "app.js", …
  std::string_view content_type;  // from the extension, with charset for text
  std::string_view bytes;
};

// The asset called `name` (no leading slash), or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

namespace console_data {
struct EmbeddedFile {
  const char* name;
  const unsigned char* data;
  size_t size;
};
// Ends with {nullptr, nullptr, 0}. Defined in the generated file.
extern const EmbeddedFile kFiles[];
}  // namespace console_data

}  // namespace sluice
