#include "js/module_loader.h"

#include <js/Array.h>
#include <js/CompilationAndEvaluation.h>
#include <js/Modules.h>
#include <js/SourceText.h>

#include <array>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "js/convert.h"
#include "js/realm_state.h"
#include "js/sdk_modules.h"

namespace sluice::js {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSdkPackage = "@cloudquery/plugin-sdk-javascript";
constexpr std::string_view kBuiltinPrefix = "sluice:";
constexpr size_t kMaxModuleBytes = 32u << 20;

// The SDK's public module paths (its package.json `exports`), and the Arrow
// package it re-exports.
const std::map<std::string, std::string>& SdkPaths() {
  static const std::map<std::string, std::string> paths = {
      {"arrow", "sluice:sdk/arrow.js"},
      {"plugin/plugin", "sluice:sdk/plugin/plugin.js"},
      {"plugin/serve", "sluice:sdk/plugin/serve.js"},
      {"scheduler", "sluice:sdk/scheduler.js"},
      {"schema/table", "sluice:sdk/schema/table.js"},
      {"schema/column", "sluice:sdk/schema/column.js"},
      {"schema/resolvers", "sluice:sdk/schema/resolvers.js"},
      {"types/json", "sluice:sdk/types/json.js"},
      {"types/uuid", "sluice:sdk/types/uuid.js"},
      {"types/extensions", "sluice:sdk/types/extensions.js"},
  };
  return paths;
}

bool IsNodeBuiltin(const std::string& name) {
  static const std::set<std::string> builtins = {
      "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto",
      "dgram", "diagnostics_channel", "dns", "domain", "events", "fs", "fs/promises", "http", "http2",
      "https", "inspector", "module", "net", "os", "path", "perf_hooks", "process", "punycode",
      "querystring", "readline", "repl", "stream", "stream/promises", "string_decoder", "sys", "timers",
      "timers/promises", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi",
      "worker_threads", "zlib"};
  return name.rfind("node:", 0) == 0 || builtins.count(name) > 0;
}

const EmbeddedModule* FindEmbedded(std::string_view key) {
  if (key.rfind(kBuiltinPrefix, 0) != 0) return nullptr;
  std::string_view path = key.substr(kBuiltinPrefix.size());
  for (const EmbeddedModule& module : kSdkModules) {
    if (path == module.path) return &module;
  }
  return nullptr;
}

bool IsIdentifier(const std::string& name) {
  static const std::set<std::string> reserved = {
      "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
      "do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements",
      "import", "in", "instanceof", "interface", "let", "new", "null", "package", "private", "protected",
      "public", "return", "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var",
      "void", "while", "with", "yield", "arguments", "eval"};
  if (name.empty() || reserved.count(name)) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string JsonQuote(const std::string& text) { return Value(text).dump(); }

// CommonJS, in JavaScript: one module object per file, cached by key, with
// `require` resolving through the loader's natives.
constexpr const char* kCommonJsSource = R"JS((function (native) {
  'use strict';
  const cache = new Map();
  const dirname = (key) => key.slice(0, Math.max(key.lastIndexOf('/'), 0)) || '/';
  const load = (key, kind) => {
    const cached = cache.get(key);
    if (cached) return cached.exports;
    if (kind === 'json') {
      const module = { exports: JSON.parse(native.source(key, kind)), loaded: true };
      cache.set(key, module);
      return module.exports;
    }
    const module = { id: key, filename: key, exports: {}, loaded: false, children: [], paths: [] };
    cache.set(key, module);
    try {
      const fn = native.compile(native.source(key, kind), key);
      fn.call(module.exports, module.exports, requireFrom(key), module, key, dirname(key));
    } catch (e) {
      cache.delete(key);
      throw e;
    }
    module.loaded = true;
    return module.exports;
  };
  const requireFrom = (referrer) => {
    const require = (specifier) => {
      if (typeof specifier !== 'string') throw new TypeError('require() needs a module name');
      const [key, kind] = native.resolve(specifier, referrer);
      if (kind === 'esm' || kind === 'builtin') {
        throw new Error(`require('${specifier}') in ${native.display(referrer)}: ${key.startsWith('sluice:')
          ? 'the SDK is made of ES modules: use import' : 'it is an ES module: use import'}`);
      }
      return load(key, kind);
    };
    require.resolve = (specifier) => native.resolve(specifier, referrer)[0];
    require.cache = Object.create(null);
    return require;
  };
  return { load, cached: (key) => cache.get(key)?.exports };
}))JS";

using Loader = ModuleLoader;

Loader* LoaderOf(JSContext* cx) {
  JsRealm::State* state = JsRealm::State::From(cx);
  return state ? state->modules.get() : nullptr;
}

const char* KindName(ModuleLoader::Kind kind) {
  switch (kind) {
    case ModuleLoader::Kind::kEsm: return "esm";
    case ModuleLoader::Kind::kCommonJs: return "cjs";
    case ModuleLoader::Kind::kJson: return "json";
    case ModuleLoader::Kind::kBuiltin: return "builtin";
  }
  return "esm";
}

bool ThrowStatus(JSContext* cx, const Status& status) {
  JS_ReportErrorUTF8(cx, "%s", status.message().c_str());
  return false;
}

bool StringArg(JSContext* cx, const JS::CallArgs& args, unsigned i, std::string& out) {
  if (!args.get(i).isString()) {
    JS_ReportErrorASCII(cx, "module loader: expected a string argument");
    return false;
  }
  JS::RootedString text(cx, args.get(i).toString());
  out = ToUtf8(cx, text);
  return !JS_IsExceptionPending(cx);
}

bool NativeResolve(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  Loader* loader = LoaderOf(cx);
  std::string specifier, referrer;
  if (!loader || !StringArg(cx, args, 0, specifier) || !StringArg(cx, args, 1, referrer)) return false;
  Result<Loader::Resolved> resolved = loader->Resolve(referrer, specifier, true);
  if (!resolved.ok()) return ThrowStatus(cx, resolved.status());
  JS::RootedValue key(cx, JS::StringValue(NewString(cx, resolved->key)));
  JS::RootedValue kind(cx, JS::StringValue(NewString(cx, KindName(resolved->kind))));
  JS::RootedValueArray<2> pair(cx);
  pair[0].set(key);
  pair[1].set(kind);
  JS::RootedObject array(cx, JS::NewArrayObject(cx, pair));
  if (!array) return false;
  args.rval().setObject(*array);
  return true;
}

bool NativeSource(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  Loader* loader = LoaderOf(cx);
  std::string key, kind;
  if (!loader || !StringArg(cx, args, 0, key) || !StringArg(cx, args, 1, kind)) return false;
  Loader::Resolved resolved{key, kind == "json" ? Loader::Kind::kJson : Loader::Kind::kCommonJs};
  Result<std::string> source = loader->Source(resolved);
  if (!source.ok()) return ThrowStatus(cx, source.status());
  JSString* text = NewString(cx, *source);
  if (!text) return false;
  args.rval().setString(text);
  return true;
}

// Compiles a CommonJS module as the function Node.js wraps it in. The
// wrapper shares the first line, so positions match the file.
bool NativeCompile(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  Loader* loader = LoaderOf(cx);
  std::string source, key;
  if (!loader || !StringArg(cx, args, 0, source) || !StringArg(cx, args, 1, key)) return false;
  if (source.rfind("#!", 0) == 0) source.replace(0, 2, "//");
  std::string wrapped = "(function (exports, require, module, __filename, __dirname) {" + source + "\n})";
  std::string file = loader->Display(key);
  JS::CompileOptions options(cx);
  options.setFileAndLine(file.c_str(), 1);
  JS::SourceText<mozilla::Utf8Unit> text;
  if (!text.init(cx, wrapped.data(), wrapped.size(), JS::SourceOwnership::Borrowed)) return false;
  return JS::Evaluate(cx, options, text, args.rval());
}

bool NativeDisplay(JSContext* cx, unsigned argc, JS::Value* vp) {
  JS::CallArgs args = JS::CallArgsFromVp(argc, vp);
  Loader* loader = LoaderOf(cx);
  std::string key;
  if (!loader || !StringArg(cx, args, 0, key)) return false;
  JSString* text = NewString(cx, loader->Display(key));
  if (!text) return false;
  args.rval().setString(text);
  return true;
}

constexpr JSFunctionSpec kLoaderNatives[] = {
    JS_FN("resolve", NativeResolve, 2, 0), JS_FN("source", NativeSource, 2, 0),
    JS_FN("compile", NativeCompile, 2, 0), JS_FN("display", NativeDisplay, 1, 0), JS_FS_END};

// The CommonJS runtime object, kept on the global under a registered
// symbol so facades of CommonJS modules can reach their exports.
bool CommonJs(JSContext* cx, JS::MutableHandleObject out) {
  JS::RootedObject global(cx, JS::CurrentGlobalOrNull(cx));
  JS::RootedString name(cx, NewString(cx, "sluice.commonjs"));
  if (!name) return false;
  JS::RootedId id(cx, JS::PropertyKey::Symbol(JS::GetSymbolFor(cx, name)));
  JS::RootedValue existing(cx);
  if (!JS_GetPropertyById(cx, global, id, &existing)) return false;
  if (existing.isObject()) {
    out.set(&existing.toObject());
    return true;
  }
  JS::CompileOptions options(cx);
  options.setFileAndLine("sluice:commonjs.js", 1);
  JS::SourceText<mozilla::Utf8Unit> text;
  if (!text.init(cx, kCommonJsSource, std::strlen(kCommonJsSource), JS::SourceOwnership::Borrowed)) return false;
  JS::RootedValue factory(cx);
  if (!JS::Evaluate(cx, options, text, &factory)) return false;
  JS::RootedObject natives(cx, JS_NewPlainObject(cx));
  if (!natives || !JS_DefineFunctions(cx, natives, kLoaderNatives)) return false;
  JS::RootedValue arg(cx, JS::ObjectValue(*natives));
  JS::RootedValue runtime(cx);
  if (!JS::Call(cx, JS::UndefinedHandleValue, factory, JS::HandleValueArray(arg), &runtime)) return false;
  if (!JS_DefinePropertyById(cx, global, id, runtime, 0)) return false;
  out.set(&runtime.toObject());
  return true;
}

JSObject* ResolveHook(JSContext* cx, JS::HandleValue referencing_private, JS::HandleObject request) {
  Loader* loader = LoaderOf(cx);
  if (!loader) {
    JS_ReportErrorASCII(cx, "import is available in table integrations only");
    return nullptr;
  }
  std::string referrer;
  if (referencing_private.isString()) {
    JS::RootedString text(cx, referencing_private.toString());
    referrer = ToUtf8(cx, text);
  }
  JS::RootedString specifier(cx, JS::GetModuleRequestSpecifier(cx, request));
  if (!specifier) return nullptr;
  return loader->Import(cx, referrer, ToUtf8(cx, specifier));
}

bool MetadataHook(JSContext* cx, JS::HandleValue private_value, JS::HandleObject meta) {
  if (!private_value.isString()) return true;
  JS::RootedString key(cx, private_value.toString());
  std::string text = ToUtf8(cx, key);
  std::string url = text.rfind(kBuiltinPrefix, 0) == 0 ? text : "file://" + text;
  JS::RootedValue value(cx, JS::StringValue(NewString(cx, url)));
  return JS_DefineProperty(cx, meta, "url", value, JSPROP_ENUMERATE);
}

}  // namespace

Result<std::unique_ptr<ModuleLoader>> ModuleLoader::Create(const fs::path& root) {
  std::error_code error;
  fs::path canonical = fs::canonical(root, error);
  if (error || !fs::is_directory(canonical)) {
    // An installed package runs from the package store, which a user may
    // clear like any cache: say how to get it back.
    return Status(ErrorKind::kNotFound, "integration directory '" + root.string() +
                                            "' does not exist (for a connector type installed from a "
                                            "package, running its INSTALL again restores it)");
  }
  return std::unique_ptr<ModuleLoader>(new ModuleLoader(canonical));
}

std::string ModuleLoader::Display(const std::string& key) const {
  if (key.rfind(kBuiltinPrefix, 0) == 0) return key;
  fs::path relative = fs::path(key).lexically_relative(root_);
  if (relative.empty() || relative.native().rfind("..", 0) == 0) return key;
  return (root_.filename() / relative).string();
}

Result<Value> ModuleLoader::PackageJson(const fs::path& dir) {
  auto cached = package_json_.find(dir.string());
  if (cached != package_json_.end()) return cached->second;
  Value parsed;
  fs::path file = dir / "package.json";
  if (fs::is_regular_file(file)) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    try {
      parsed = Value::parse(text.str());
    } catch (const Value::parse_error& e) {
      return Status(ErrorKind::kParse, Display(file.string()) + ": not valid JSON: " + e.what());
    }
    if (!parsed.is_object()) return Status(ErrorKind::kParse, Display(file.string()) + ": not a JSON object");
  }
  package_json_[dir.string()] = parsed;
  return parsed;
}

Result<std::optional<fs::path>> ModuleLoader::Inside(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) return std::optional<fs::path>();
  fs::path canonical = fs::canonical(path, error);
  if (error) return std::optional<fs::path>();
  fs::path relative = canonical.lexically_relative(root_);
  if (relative.empty() || relative.native().rfind("..", 0) == 0) {
    return Status(ErrorKind::kInvalidArgument,
                  "'" + path.string() + "' is outside the integration directory " + root_.string() +
                      " (a symbolic link?): modules are read from the integration's own directory only");
  }
  return std::optional<fs::path>(canonical);
}

ModuleLoader::Kind ModuleLoader::KindOf(const fs::path& file) {
  std::string extension = file.extension().string();
  if (extension == ".mjs") return Kind::kEsm;
  if (extension == ".cjs") return Kind::kCommonJs;
  if (extension == ".json") return Kind::kJson;
  for (fs::path dir = file.parent_path();; dir = dir.parent_path()) {
    Result<Value> package = PackageJson(dir);
    if (package.ok() && package->is_object()) {
      return package->value("type", "") == "module" ? Kind::kEsm : Kind::kCommonJs;
    }
    if (dir == root_ || dir == dir.parent_path()) break;
  }
  return Kind::kCommonJs;
}

Result<ModuleLoader::Resolved> ModuleLoader::ResolvePath(const fs::path& path, bool require,
                                                         const std::string& what) {
  std::vector<fs::path> candidates = {path};
  for (const char* extension : {".js", ".mjs", ".cjs", ".json"}) candidates.push_back(path.string() + extension);
  for (const fs::path& candidate : candidates) {
    ASSIGN_OR_RETURN(std::optional<fs::path> found, Inside(candidate));
    if (found) return Resolved{found->string(), KindOf(*found)};
  }
  std::error_code error;
  if (fs::is_directory(path, error)) {
    ASSIGN_OR_RETURN(Value package, PackageJson(path));
    if (package.is_object() && package.contains("main") && package["main"].is_string()) {
      Result<Resolved> main = ResolvePath(path / package["main"].get<std::string>(), require, what);
      if (main.ok()) return main;
    }
    ASSIGN_OR_RETURN(std::optional<fs::path> index, Inside(path / "index.js"));
    if (index) return Resolved{index->string(), KindOf(*index)};
  }
  return Status(ErrorKind::kNotFound, "cannot find " + what + ": no file " + Display(path.string()));
}

namespace {

// The target of a package.json `exports` value under Node's conditions.
std::optional<std::string> ConditionTarget(const Value& value, bool require) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array()) {
    for (const Value& item : value) {
      if (auto target = ConditionTarget(item, require)) return target;
    }
    return std::nullopt;
  }
  if (!value.is_object()) return std::nullopt;
  for (const auto& [condition, target] : value.items()) {
    bool applies = condition == "default" || condition == "sluice" || (require ? condition == "require" : condition == "import");
    if (!applies) continue;
    if (auto found = ConditionTarget(target, require)) return found;
  }
  return std::nullopt;
}

std::optional<std::string> ExportsTarget(const Value& exports, const std::string& subpath, bool require) {
  bool has_subpaths = exports.is_object() && !exports.empty() && exports.begin().key().rfind('.', 0) == 0;
  if (!has_subpaths) return subpath == "." ? ConditionTarget(exports, require) : std::nullopt;
  if (exports.contains(subpath)) return ConditionTarget(exports[subpath], require);
  for (const auto& [pattern, target] : exports.items()) {
    size_t star = pattern.find('*');
    if (star == std::string::npos) continue;
    std::string prefix = pattern.substr(0, star), suffix = pattern.substr(star + 1);
    if (subpath.size() < prefix.size() + suffix.size() || subpath.rfind(prefix, 0) != 0 ||
        subpath.compare(subpath.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::string match = subpath.substr(prefix.size(), subpath.size() - prefix.size() - suffix.size());
    std::optional<std::string> resolved = ConditionTarget(target, require);
    if (!resolved) return std::nullopt;
    // Search on past each replacement: the match may hold a '*' itself.
    for (size_t at = 0; (at = resolved->find('*', at)) != std::string::npos; at += match.size()) {
      resolved->replace(at, 1, match);
    }
    return resolved;
  }
  return std::nullopt;
}

}  // namespace

Result<ModuleLoader::Resolved> ModuleLoader::ResolvePackage(const fs::path& package_dir, const std::string& subpath,
                                                            bool require, const std::string& what) {
  ASSIGN_OR_RETURN(Value package, PackageJson(package_dir));
  if (package.is_object() && package.contains("exports")) {
    std::optional<std::string> target = ExportsTarget(package["exports"], subpath, require);
    if (!target) {
      return Status(ErrorKind::kNotFound, "cannot find " + what + ": " + Display(package_dir.string()) +
                                              "/package.json does not export '" + subpath + "'");
    }
    return ResolvePath(package_dir / *target, require, what);
  }
  if (subpath == ".") return ResolvePath(package_dir, require, what);
  return ResolvePath(package_dir / subpath.substr(2), require, what);
}

Result<ModuleLoader::Resolved> ModuleLoader::MainModule() {
  ASSIGN_OR_RETURN(Value package, PackageJson(root_));
  if (!package.is_object()) {
    return Status(ErrorKind::kNotFound, "integration directory " + root_.string() + " has no package.json");
  }
  return ResolvePackage(root_, ".", false, "the main module of " + Display((root_ / "package.json").string()));
}

Result<ModuleLoader::Resolved> ModuleLoader::Resolve(const std::string& referrer, const std::string& specifier,
                                                     bool require) {
  std::string what = "module '" + specifier + "' (" + (require ? "required" : "imported") + " by " +
                     Display(referrer) + ")";
  bool from_builtin = referrer.rfind(kBuiltinPrefix, 0) == 0;
  if (specifier.rfind(kBuiltinPrefix, 0) == 0) {
    if (from_builtin && FindEmbedded(specifier)) return Resolved{specifier, Kind::kBuiltin};
    return Status(ErrorKind::kNotFound, "cannot find " + what);
  }
  bool relative = specifier.rfind("./", 0) == 0 || specifier.rfind("../", 0) == 0 || specifier.rfind('/', 0) == 0;
  if (relative && from_builtin) {
    std::string base = referrer.substr(kBuiltinPrefix.size());
    std::string key = std::string(kBuiltinPrefix) +
                      (fs::path(base).parent_path() / specifier).lexically_normal().generic_string();
    if (FindEmbedded(key)) return Resolved{key, Kind::kBuiltin};
    return Status(ErrorKind::kInternal, "cannot find " + what);
  }
  if (relative) {
    fs::path base = specifier.rfind('/', 0) == 0 ? fs::path(specifier) : fs::path(referrer).parent_path() / specifier;
    return ResolvePath(base.lexically_normal(), require, what);
  }
  if (specifier == kSdkPackage || specifier.rfind(std::string(kSdkPackage) + "/", 0) == 0) {
    std::string subpath = specifier.size() > kSdkPackage.size() ? specifier.substr(kSdkPackage.size() + 1) : "";
    auto found = SdkPaths().find(subpath);
    if (found != SdkPaths().end()) return Resolved{found->second, Kind::kBuiltin};
    std::string provided;
    for (const auto& [path, key] : SdkPaths()) provided += (provided.empty() ? "" : ", ") + path;
    return Status(ErrorKind::kNotFound, "cannot find " + what + ": Sluice provides the SDK's public paths " +
                                            std::string(kSdkPackage) + "/{" + provided + "}");
  }
  if (specifier == "@apache-arrow/esnext-esm" || specifier == "apache-arrow") {
    return Resolved{"sluice:sdk/arrow.js", Kind::kBuiltin};
  }
  if (IsNodeBuiltin(specifier)) {
    return Status(ErrorKind::kNotFound,
                  what + " is a Node.js built-in module, which Sluice does not provide: handlers have no file "
                         "system, process or native module access. The web APIs (fetch, URL, TextEncoder, "
                         "crypto.randomUUID, timers, …) are globals; see docs/integrations.md");
  }
  // A package in node_modules, from the importing file's directory up to
  // the integration's.
  size_t name_end = specifier.find('/');
  if (specifier[0] == '@' && name_end != std::string::npos) name_end = specifier.find('/', name_end + 1);
  std::string name = specifier.substr(0, name_end);
  std::string subpath = name_end == std::string::npos ? "." : "." + specifier.substr(name_end);
  fs::path dir = from_builtin ? root_ : fs::path(referrer).parent_path();
  while (true) {
    fs::path candidate = dir / "node_modules" / name;
    std::error_code error;
    if (fs::is_directory(candidate, error)) return ResolvePackage(candidate, subpath, require, what);
    if (dir == root_ || dir == dir.parent_path() || dir.lexically_relative(root_).native().rfind("..", 0) == 0) break;
    dir = dir.parent_path();
  }
  return Status(ErrorKind::kNotFound, "cannot find " + what + ": no node_modules/" + name +
                                          " in the integration directory (run npm install there?)");
}

Result<std::string> ModuleLoader::Source(const Resolved& resolved) {
  if (resolved.kind == Kind::kBuiltin) {
    const EmbeddedModule* module = FindEmbedded(resolved.key);
    if (!module) return Status(ErrorKind::kInternal, "no built-in module " + resolved.key);
    return std::string(module->source);
  }
  // Keys come from Resolve(), but the natives pass them back from JS: check
  // again that the file is the integration's.
  ASSIGN_OR_RETURN(std::optional<fs::path> inside, Inside(resolved.key));
  if (!inside) return Status(ErrorKind::kNotFound, "cannot read " + Display(resolved.key));
  std::error_code error;
  if (fs::file_size(*inside, error) > kMaxModuleBytes) {
    return Status(ErrorKind::kInvalidArgument, Display(resolved.key) + " is larger than 32 MiB");
  }
  std::ifstream in(*inside, std::ios::binary);
  if (!in) return Status(ErrorKind::kIo, "cannot read " + Display(resolved.key));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

JSObject* ModuleLoader::Import(JSContext* cx, const std::string& referrer, const std::string& specifier) {
  Result<Resolved> resolved = Resolve(referrer, specifier, false);
  if (!resolved.ok()) {
    ThrowStatus(cx, resolved.status());
    return nullptr;
  }
  return Load(cx, *resolved);
}

JSObject* ModuleLoader::Load(JSContext* cx, const Resolved& resolved) {
  auto cached = modules_.find(resolved.key);
  if (cached != modules_.end()) return *cached->second;
  if (resolved.kind == Kind::kCommonJs || resolved.kind == Kind::kJson) return CompileFacade(cx, resolved);
  Result<std::string> source = Source(resolved);
  if (!source.ok()) {
    ThrowStatus(cx, source.status());
    return nullptr;
  }
  return CompileModuleText(cx, resolved.key, Display(resolved.key), *source);
}

JSObject* ModuleLoader::CompileModuleText(JSContext* cx, const std::string& key, const std::string& file,
                                          const std::string& source) {
  JS::CompileOptions options(cx);
  options.setFileAndLine(file.c_str(), 1);
  JS::SourceText<mozilla::Utf8Unit> text;
  if (!text.init(cx, source.data(), source.size(), JS::SourceOwnership::Borrowed)) return nullptr;
  JS::RootedObject module(cx, JS::CompileModule(cx, options, text));
  if (!module) return nullptr;
  // The resolve hook reads the key back to resolve this module's imports.
  JS::SetModulePrivate(module, JS::StringValue(NewString(cx, key)));
  modules_[key] = std::make_unique<JS::PersistentRootedObject>(cx, module);
  return module;
}

// An ES module standing for a CommonJS or JSON one: evaluates it now (as
// Node.js does when an import reaches it) and re-exports module.exports as
// the default export and its keys as named exports.
JSObject* ModuleLoader::CompileFacade(JSContext* cx, const Resolved& resolved) {
  JS::RootedObject commonjs(cx);
  if (!CommonJs(cx, &commonjs)) return nullptr;
  JS::RootedValueArray<2> load_args(cx);
  load_args[0].setString(NewString(cx, resolved.key));
  load_args[1].setString(NewString(cx, KindName(resolved.kind)));
  JS::RootedValue exports(cx);
  if (!JS_CallFunctionName(cx, commonjs, "load", load_args, &exports)) return nullptr;
  std::string source = "const m = globalThis[Symbol.for('sluice.commonjs')].cached(" + JsonQuote(resolved.key) +
                       ");\nexport default m;\n";
  if (exports.isObject() && resolved.kind == Kind::kCommonJs) {
    JS::RootedObject object(cx, &exports.toObject());
    JS::Rooted<JS::IdVector> ids(cx, JS::IdVector(cx));
    if (!JS_Enumerate(cx, object, &ids)) return nullptr;
    std::string names;
    for (size_t i = 0; i < ids.length(); ++i) {
      if (!ids[i].isString()) continue;
      JS::RootedString id(cx, ids[i].toString());
      std::string name = ToUtf8(cx, id);
      if (!IsIdentifier(name) || name == "m") continue;
      names += (names.empty() ? "" : ", ") + name + " = m[" + JsonQuote(name) + "]";
    }
    if (!names.empty()) source += "export const " + names + ";\n";
  }
  return CompileModuleText(cx, resolved.key, Display(resolved.key) + " (CommonJS)", source);
}

JSObject* ModuleLoader::EvaluateModule(JSContext* cx, const Resolved& resolved) {
  JSRuntime* runtime = JS_GetRuntime(cx);
  JS::SetModuleResolveHook(runtime, ResolveHook);
  JS::SetModuleMetadataHook(runtime, MetadataHook);
  JS::RootedObject module(cx, Load(cx, resolved));
  if (!module || !JS::ModuleInstantiate(cx, module)) return nullptr;
  JS::RootedValue result(cx);
  if (!JS::ModuleEvaluate(cx, module, &result)) return nullptr;
  if (result.isObject()) return &result.toObject();
  // Without top-level await there is no promise: make a settled one.
  return JS::CallOriginalPromiseResolve(cx, JS::UndefinedHandleValue);
}

JSObject* ModuleLoader::Namespace(JSContext* cx, const std::string& key) {
  auto found = modules_.find(key);
  if (found == modules_.end()) return nullptr;
  JS::RootedObject module(cx, *found->second);
  return JS::GetModuleNamespace(cx, module);
}

}  // namespace sluice::js
