# The two commands of the README, and the rest.
#   make demo   set up, build, and run the demo against the embedded workspace
#   make test   set up, build, and run every test
#   make sanitize  the whole suite again under ASan+UBSan, in build-sanitize
#                  (CI runs it after make test; docs/security.md)
#   make bench  benchmarks (not part of CI)
#   make fuzz   every fuzz target for FUZZ_SECONDS each (needs clang; not part
#               of CI: their kept inputs are replayed by make test)

BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
# make sanitize builds at -O1 with line tables only (-g1): faster to build
# than RelWithDebInfo, and ASan's stacks still name file and line.
SANITIZE_BUILD ?= $(BUILD)-sanitize
# Tests that wait scale their waits by this under ASan (tests/cli/lib.bash).
SANITIZE_SLOW ?= 3

.PHONY: all setup build demo test sanitize bench bench-engine fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/build.ninja $(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: setup $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# tcmalloc is off in this build (CMakeLists.txt: SLUICE_TCMALLOC follows
# SLUICE_SANITIZE), so ASan sees every allocation.
sanitize: setup
	cmake -S . -B $(SANITIZE_BUILD) -DSLUICE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1"
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && SLUICE_TEST_SLOW=$(SANITIZE_SLOW) ctest --output-on-failure -j $(JOBS)

# The suite (bench/run.mjs): Sluice against Node.js baselines and the limit,
# one table in bench/results/latest.md. bench-engine: the older engine
# benchmarks against the test API server.
bench: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	@test -d bench/node/node_modules || npm ci --prefix bench/node --no-audit --no-fund
	node bench/run.mjs $(BUILD)

bench-engine: build
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks
	$(BUILD)/js_bench
	bash bench/scan_bench.sh $(BUILD)
	bash bench/sync_bench.sh $(BUILD)

# Each target for FUZZ_SECONDS (tests/fuzz/run says how, and where crashes
# go); FUZZ_TARGETS="parser js_rows" for some only.
fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DSLUICE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzzers
	tests/fuzz/run $(BUILD)-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz $(SANITIZE_BUILD)
