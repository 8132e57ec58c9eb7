// ModuleLoader: the module system of a realm that runs a table integration
// (docs/integrations.md).
//
// A package directory's main module is evaluated as an ES module. Imports
// resolve the way Node.js resolves them, within the package directory only:
// relative paths, packages in node_modules (package.json `exports` with the
// import/require/default conditions, `main`, index.js), `.mjs`/`.cjs`/`.js`
// by the nearest package.json `type`, and JSON files. CommonJS modules get
// `require`, `module`, `exports`, `__filename` and `__dirname`; an ES module
// importing one sees `module.exports` as its default export and its keys as
// named exports.
//
// The SDK's public module paths (`@cloudquery/plugin-sdk-javascript/…`) are
// Sluice's own implementation, compiled into the binary (src/js/sdk/). Node's
// built-in modules are not provided: importing one fails naming the module
// and the importing file.
//
// Reading files is the loader's, not the handlers': no path outside the
// package directory (after resolving symlinks) is ever read.
//
// Ownership: owned by the realm's State; holds its modules rooted.
// Thread-safety: the realm's thread only.
#pragma once

#include <jsapi.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/value.h"

namespace sluice::js {

class ModuleLoader {
 public:
  enum class Kind { kEsm, kCommonJs, kJson, kBuiltin };
  struct Resolved {
    std::string key;  // canonical absolute path, or "sluice:sdk/…" for built-in modules
    Kind kind = Kind::kEsm;
  };

  // `root` must be a directory; it is made canonical.
  static Result<std::unique_ptr<ModuleLoader>> Create(const std::filesystem::path& root);

  // The main module named by package.json (`exports` "." or `main`, else
  // index.js), resolved.
  Result<Resolved> MainModule();
  // Compiles and links `resolved` and everything it imports, evaluates it,
  // and returns the evaluation promise (modules may use top-level await).
  // Precondition: the realm is entered.
  JSObject* EvaluateModule(JSContext* cx, const Resolved& resolved);
  // The namespace object of a module already loaded (e.g. "sluice:sdk/host.js").
  JSObject* Namespace(JSContext* cx, const std::string& key);

  // What `specifier` names when `referrer` (a key) imports or requires it.
  Result<Resolved> Resolve(const std::string& referrer, const std::string& specifier, bool require);
  // The text of a resolved file or built-in module.
  Result<std::string> Source(const Resolved& resolved);
  // For messages: a key as the user knows it ("tables/repos.js").
  std::string Display(const std::string& key) const;

  // The module record for an import (the runtime's resolve hook calls it).
  JSObject* Import(JSContext* cx, const std::string& referrer, const std::string& specifier);

 private:
  explicit ModuleLoader(std::filesystem::path root) : root_(std::move(root)) {}
  JSObject* Load(JSContext* cx, const Resolved& resolved);
  JSObject* CompileFacade(JSContext* cx, const Resolved& resolved);
  JSObject* CompileModuleText(JSContext* cx, const std::string& key, const std::string& file,
                              const std::string& source);
  Result<Resolved> ResolvePath(const std::filesystem::path& path, bool require, const std::string& what);
  Result<Resolved> ResolvePackage(const std::filesystem::path& package_dir, const std::string& subpath,
                                  bool require, const std::string& what);
  Result<std::optional<std::filesystem::path>> Inside(const std::filesystem::path& path);
  Kind KindOf(const std::filesystem::path& file);
  Result<Value> PackageJson(const std::filesystem::path& dir);

  std::filesystem::path root_;
  std::map<std::string, std::unique_ptr<JS::PersistentRootedObject>> modules_;
  std::map<std::string, Value> package_json_;  // by directory
};

}  // namespace sluice::js
