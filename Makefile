# SPDX-License-Identifier: BSD-3-Clause
# Thin wrapper over meson. A fresh Debian 12 machine needs only:
#   make demo    start vswd on the embedded default and take the tour
#   make test    install what is missing, build, run every test suite
BUILD      ?= build
PYTHON     ?= /usr/bin/python3
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Exactly the Debian 12 packages vsw builds and tests with.
DEB_BUILD  := gcc pkg-config meson ninja-build libdpdk-dev libipsec-mb-dev \
              libjansson-dev libconfig-dev libsqlite3-dev libssl-dev libcmocka-dev
DEB_TEST   := dpdk dpdk-dev python3 python3-scapy python3-cryptography sqlite3 util-linux iproute2 iputils-ping busybox tshark clang libclang-rt-14-dev \
              lua5.4
DEB_ALL    := $(DEB_BUILD) $(DEB_TEST)
# Only for make bench: the peers vsw is measured against.
DEB_BENCH  := openvswitch-switch-dpdk iproute2 coreutils dpdk-doc make

.PHONY: all deps deps-bench build demo test unit bench clean

all: build

deps:
	@missing=""; for p in $(DEB_ALL); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-bench: deps
	@missing=""; for p in $(DEB_BENCH); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps-bench: installing$$missing"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: build
	BUILD=$(BUILD) tests/tools/demo.sh

unit: build
	meson test -C $(BUILD) --print-errorlogs

test: deps
	BUILD=$(BUILD) PYTHON=$(PYTHON) tests/tools/run_all.sh

# The L2 benchmark against dpdk-testpmd io-fwd and Open vSwitch-DPDK (root:
# hugepages; see pktgen-scripts/README.md). BENCH_ARGS=--quick for a smoke run.
bench: build deps-bench
	$(SUDO) $(PYTHON) pktgen-scripts/bench_l2.py --build $(BUILD) $(BENCH_ARGS)
	$(SUDO) $(PYTHON) pktgen-scripts/bench_l3.py --build $(BUILD)
	$(SUDO) $(PYTHON) pktgen-scripts/bench_ipsec.py --build $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
