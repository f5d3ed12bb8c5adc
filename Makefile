# The two commands of the quickstart: `make demo` and `make test`. Each installs what is
# missing, configures, builds, then runs. `make bench` runs the benchmarks.
BUILD ?= build
JOBS ?= $(shell nproc)
LAKE ?= ./lake
PORT ?= 8080

.PHONY: deps configure build demo test bench clean

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/cryptolake demo --lake $(LAKE)
	@$(BUILD)/cryptolake serve --lake $(LAKE) --port $(PORT)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@$(BUILD)/cryptolake bench etl --rows 5000000 --features
	@$(BUILD)/cryptolake bench import --symbols 20
	@$(BUILD)/cryptolake bench posts --rows 1000000
	@$(BUILD)/bench/cryptolake_micro_bench

clean:
	rm -rf $(BUILD)
