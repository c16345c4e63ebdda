# ftvm top-level entry points. Each installs missing Debian packages first
# (needs root), then configures and builds with CMake.
BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test run bench bench-pair guest clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@if [ ! -f $(BUILD)/build.ninja ]; then cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS); fi

build: configure
	cmake --build $(BUILD) -j $(JOBS)

guest: build
	bash guest/build-image.sh $(BUILD)/guest

# The guest image comes from a Debian package mirror. If it cannot be built
# (mirror down or mid-sync and nothing cached), every other test still runs
# and the guest tests report themselves skipped, loudly.
test: build
	@$(MAKE) --no-print-directory guest || echo "WARNING: the guest image could not be built; guest tests will be SKIPPED" >&2
	bash scripts/run-tests.sh $(BUILD)

run: build
	bash scripts/demo.sh $(BUILD)

bench: build
	bash bench/run.sh $(BUILD)

# redis-benchmark against the guest alone and against a fault-tolerant pair.
bench-pair: build
	bash bench/pair.sh $(BUILD)

clean:
	rm -rf $(BUILD)
