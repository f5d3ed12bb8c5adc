# The two commands of the quickstart: `make demo` and `make test`. Each installs what is
# missing, configures, builds, then runs. `make bench` runs the benchmarks.
BUILD ?= build
JOBS ?= $(shell nproc)
LAKE ?= ./lake
PORT ?= 8080

.PHONY: deps configure build demo test test-clock test-asan bench clean

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@$(BUILD)/cryptolake demo --lake $(LAKE)
	@echo "The schedule this lake would run (\`cryptolake --lake $(LAKE) schedule run --once\` runs what is due; README: Scheduling):"
	@$(BUILD)/cryptolake --lake $(LAKE) schedule validate
	@scripts/demo-live $(BUILD)/cryptolake $(LAKE) $(PORT)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole-program tests again at two awkward instants (Debian's faketime, the clock moving):
# just after midnight on 1 January, and two minutes before the year ends. No test may depend on
# the hour it runs. Only the wall clock is faked: monotonic clocks (the SQL time limit's
# watchdog, durations) keep running true, or a timed wait would never end. The Kafka tests are
# left out: librdkafka's own threads wait on real-time deadlines, which a clock moved a year
# puts a year away (they read no clock of ours; the local-log stream tests run here).
test-clock: build
	@for at in '2027-01-01 00:03:00' '2027-12-31 23:58:00'; do \
	  echo "test-clock: e2e tests at $$at UTC"; \
	  (cd $(BUILD) && TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "@$$at" ctest -L e2e -E 'browser|Kafka' --output-on-failure -j $(JOBS)) || exit 1; \
	done

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer (GCC), in its own
# build folder; any report fails the test that caused it. The browser test is left out: it
# drives Chromium, not our code. Leaks inside librdkafka (not built with the sanitizers) are
# its own: suppressed by scripts/lsan-suppressions.txt.
ASAN_BUILD ?= build-asan
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan-suppressions.txt \
	  ctest --output-on-failure -j $(JOBS) -E browser

bench: build
	@$(BUILD)/cryptolake bench etl --rows 5000000 --features
	@$(BUILD)/cryptolake bench import --symbols 20
	@$(BUILD)/cryptolake bench posts --rows 1000000
	@$(BUILD)/bench/cryptolake_micro_bench

clean:
	rm -rf $(BUILD)
