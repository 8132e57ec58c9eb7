// One fuzz target, two ways to run it (tests/fuzz/README.md).
//
// A target is written once, in src/**/NAME_fuzzer.cc:
//
//   SLUICE_FUZZ_TARGET("name") { ... uses data, size ... }
//
// Built with SLUICE_FUZZER_MAIN (the libFuzzer executables, `make fuzz`) it
// is LLVMFuzzerTestOneInput. Built without it (the unit tests) it registers
// under its name, and src/lang/fuzz_regression_test.cc replays every input
// kept in tests/fuzz/regressions/NAME/ through it: a crash the fuzzer found
// stays a test in `make test`, which needs no clang.
//
// A target states its properties with SLUICE_FUZZ_CHECK: a broken one
// prints what broke and aborts, which libFuzzer records as a crash and a
// replay reports as a failed test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

namespace sluice::fuzz {

using TargetFunction = void (*)(const uint8_t* data, size_t size);

inline std::map<std::string, TargetFunction>& Targets() {
  static std::map<std::string, TargetFunction> targets;
  return targets;
}

inline bool Register(const char* name, TargetFunction function) {
  Targets()[name] = function;
  return true;
}

[[noreturn]] inline void Fail(const char* where, const std::string& what) {
  std::fprintf(stderr, "fuzz property broken at %s: %s\n", where, what.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sluice::fuzz

#define SLUICE_FUZZ_STRINGIFY2(x) #x
#define SLUICE_FUZZ_STRINGIFY(x) SLUICE_FUZZ_STRINGIFY2(x)
#define SLUICE_FUZZ_CHECK(condition, what)                                                        \
  do {                                                                                            \
    if (!(condition)) ::sluice::fuzz::Fail(__FILE__ ":" SLUICE_FUZZ_STRINGIFY(__LINE__), (what)); \
  } while (0)

#ifdef SLUICE_FUZZER_MAIN
#define SLUICE_FUZZ_TARGET(name)                                            \
  static void SluiceFuzzTarget(const uint8_t* data, size_t size);           \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    SluiceFuzzTarget(data, size);                                           \
    return 0;                                                               \
  }                                                                         \
  static void SluiceFuzzTarget(const uint8_t* data, size_t size)
#else
#define SLUICE_FUZZ_TARGET(name)                                  \
  static void SluiceFuzzTarget(const uint8_t* data, size_t size); \
  [[maybe_unused]] static const bool sluice_fuzz_registered =     \
      ::sluice::fuzz::Register(name, &SluiceFuzzTarget);          \
  static void SluiceFuzzTarget(const uint8_t* data, size_t size)
#endif
