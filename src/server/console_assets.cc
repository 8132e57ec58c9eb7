#include "server/console_assets.h"

#include <string>
#include <vector>

namespace sluice {
namespace {

std::string_view ContentTypeOf(std::string_view name) {
  auto ends = [&](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

std::vector<ConsoleAsset> LoadAssets() {
  std::vector<ConsoleAsset> assets;
  for (const console_data::EmbeddedFile* file = console_data::kFiles; file->name; ++file) {
    assets.push_back({file->name, ContentTypeOf(file->name),
                      std::string_view(reinterpret_cast<const char*>(file->data), file->size)});
  }
  return assets;
}

}  // namespace

const ConsoleAsset* FindConsoleAsset(std::string_view name) {
  static const std::vector<ConsoleAsset> assets = LoadAssets();
  for (const ConsoleAsset& asset : assets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

}  // namespace sluice
