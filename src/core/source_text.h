// Source text and positions in it.
//
// A SourceFile is immutable once made and shared (shared_ptr) by the AST,
// errors and the catalog's record of where a definition came from, so an error
// raised long after parsing can still print the offending line.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sluice {

struct SourceFile {
  std::string name;  // path as given, or "<stdin>", "<command line>", "<repl>"
  std::string text;

  // The text of 1-based line `line`, without its newline.
  std::string_view Line(uint32_t line) const;
};

struct SourceLocation {
  std::shared_ptr<const SourceFile> file;  // may be null
  uint32_t line = 0;                       // 1-based; 0 = unknown
  uint32_t column = 0;                     // 1-based, in bytes
  uint32_t offset = 0;                     // byte offset into file->text

  std::string FileName() const { return file ? file->name : "<input>"; }
  // "file:line:col"
  std::string ToString() const;
};

// Computes line and column of `offset` in `file`.
SourceLocation LocationAt(const std::shared_ptr<const SourceFile>& file, uint32_t offset);

}  // namespace sluice
