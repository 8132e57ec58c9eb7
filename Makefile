# The two commands of the README, and the rest.
#   make demo   set up, build, and run the demo against the embedded workspace
#   make test   set up, build, and run every test
#   make bench  benchmarks (not part of CI)
#   make fuzz   the parser fuzzer (needs clang; not part of CI)

BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 600

.PHONY: all setup build demo test bench bench-engine fuzz clean

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

fuzz: setup
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DSLUICE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target parser_fuzzer
	mkdir -p fuzz/corpus
	$(BUILD)-fuzz/parser_fuzzer fuzz/corpus tests/fuzz/seeds tests/sql tests/fixtures examples -max_total_time=$(FUZZ_SECONDS) \
	  -dict=tests/fuzz/sluice.dict -max_len=4096

clean:
	rm -rf $(BUILD) $(BUILD)-fuzz
