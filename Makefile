# Hotline Desk: `make run` starts the desktop app, `make test` runs every check.
# Both install what a fresh Debian/Ubuntu machine is missing (apt, as root or via sudo).

SHELL := /bin/bash
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Build and run the WebKitGTK shell; fonts so Chinese renders.
BUILD_DEPS := libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev \
              libayatana-appindicator3-dev librsvg2-dev fonts-noto-cjk
# Headless end-to-end tests: display, session bus, WebDriver, notification daemon, and
# pdftotext to read the PDFs the desk prints; the packaging tools that build and check the
# .deb and .rpm packages (rpm for rpmbuild, systemd for systemd-analyze); PostgreSQL, whose
# binaries the store's tests start private clusters with.
TEST_DEPS := xvfb xauth webkit2gtk-driver dbus dbus-x11 dunst nodejs poppler-utils rpm systemd postgresql

.PHONY: run test package bench measure deps test-deps toolchain fmt lint unit ui e2e app seed-demo

run: deps toolchain
	$(CARGO) run --release -p hotline-desk

test: deps test-deps toolchain
	scripts/test.sh

# The desk's and the centre server's .deb and .rpm (release build) into dist/.
package: deps test-deps toolchain
	scripts/package.sh
	scripts/check-packages.sh

# Performance figures (release build): the benchmark against raw SQL on a million
# tickets (seeded once into the cache directory), then the app's start-up and memory.
bench: toolchain
	$(CARGO) run --release -p hotline-bench -- $(BENCH_ARGS)

measure: deps test-deps toolchain
	scripts/measure-app.sh

deps:
	@missing=$$(for p in $(BUILD_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-deps:
	@missing=$$(for p in $(TEST_DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@command -v npx >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm; }
	@command -v tauri-driver >/dev/null || [ -x "$$HOME/.cargo/bin/tauri-driver" ] || $(CARGO) install tauri-driver --version '^2' --locked

toolchain:
	@command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it from https://rustup.rs, then run make again"; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy

fmt:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace --tests

ui:
	node --test tests/ui/

app:
	$(CARGO) build -p hotline-desk -p hotline-cli

e2e: app
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- $(CARGO) test -p hotline-e2e --tests -- --ignored --skip start_up_and_memory_on_a_big_store --test-threads=1
