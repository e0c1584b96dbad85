# switchboard - an MCP server over stdio for business APIs.
# make            build build/switchboard (installs the missing build packages first)
# make run        build, then serve MCP on stdio
# make test       build and run the whole suite (installs the test packages first)
# make asan       the whole suite under address + undefined sanitizers, leaks checked
# make install    PREFIX=/usr/local; make uninstall removes what it put there
# make eval       score switchboard_search on tests/eval (top-1/top-5 per connector)

PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/switchboard
MANDIR  ?= $(PREFIX)/share/man
BUILD   ?= build
CC      ?= cc
PKGS     = jansson libcurl openssl sqlite3 libmicrohttpd libpcre2-8 yaml-0.1 libpq
VERSION := $(shell sed -n 's/^\#define SB_VERSION "\(.*\)"/\1/p' src/base/util.h)
ARCH    := $(shell uname -m)

# The libraries' flags are asked of pkg-config when a recipe first needs them,
# not when make reads this file: on a fresh machine the packages arrive in
# check-deps, which every compile waits for, within this same make.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $$(PKGS)))$(PKG_LIBS)

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
          -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) \
             -DSB_DATADIR='"$(DATADIR)"' -Isrc $(SRC_DIRS:%=-I%)
ifdef CI
ALL_CFLAGS += -Werror
endif
LIBS = $(PKG_LIBS) -lpthread -lm

# src/ has a folder per subsystem (docs/architecture.md); each is on the
# include path, so a file includes "util.h", not "base/util.h".
SRC_DIRS = $(patsubst %/,%,$(sort $(dir $(wildcard src/*/*.c))))
SRCS  = $(wildcard src/*.c src/*/*.c)
HDRS  = $(wildcard src/*.h src/*/*.h)
OBJS  = $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/src/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BIN   = $(BUILD)/switchboard

.PHONY: all run test unit asan valgrind lint fmt fmt-check install uninstall clean deps test-deps bench \
	fuzz check-deps portcheck mcpb eval

all: $(BIN)

# What building needs (tests/deps.sh build): installed with apt-get when missing.
check-deps:
	@pkg-config --exists $(PKGS) 2>/dev/null && command -v $(firstword $(CC)) >/dev/null || \
		tests/deps.sh --install build

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/%.o: %.c $(HDRS) | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

unit: $(UNITS)

run: all
	$(BIN) serve

test: all unit test-deps
	python3 tests/run.py --build $(BUILD) $(if $(J),-j $(J))

# What the tests, lint and packaging use besides (tests/deps.sh test).
test-deps:
	@tests/deps.sh --install test

# The whole suite again, built with address and undefined sanitizers.
asan:
	$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" test

valgrind: all unit
	python3 tests/run.py --build $(BUILD) --valgrind

eval: all
	python3 tests/eval/search_eval.py --run $(BIN) -v
	python3 tests/eval/search_eval.py --run $(BIN) --set holdout.jsonl -v

bench: all $(BUILD)/bench_curl $(BUILD)/bench_floor $(BUILD)/bench_echo
	python3 tests/bench.py --build $(BUILD)

# The floors link only what they use: the floor must not pay for libraries
# it does not need (the linker drops unused ones anyway; this says so).
$(BUILD)/bench_curl: tests/bench_curl.c | $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $< $$(pkg-config --libs libcurl)

$(BUILD)/bench_floor: tests/bench_floor.c | $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $< $$(pkg-config --libs jansson libcurl openssl)

$(BUILD)/bench_echo: tests/bench_floor.c | $(BIN)
	$(CC) $(ALL_CFLAGS) -DFLOOR_BARE -o $@ $< $$(pkg-config --libs jansson)

fuzz:
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		EXTRA_CFLAGS="-DSB_FUZZ -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" all
	@mkdir -p build-fuzz/fuzz build-fuzz/corpus/line build-fuzz/corpus/registry
	clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc $(SRC_DIRS:%=-I%) $(PKG_CFLAGS) \
		-o build-fuzz/fuzz/fuzz_line tests/fuzz/fuzz_line.c \
		$(filter-out build-fuzz/src/main.o,$(SRCS:%.c=build-fuzz/%.o)) $(LIBS)
	clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc $(SRC_DIRS:%=-I%) $(PKG_CFLAGS) \
		-o build-fuzz/fuzz/fuzz_registry tests/fuzz/fuzz_registry.c \
		$(filter-out build-fuzz/src/main.o,$(SRCS:%.c=build-fuzz/%.o)) $(LIBS)
	@echo "run: build-fuzz/fuzz/fuzz_line -max_total_time=180 build-fuzz/corpus/line tests/fuzz/corpus/line"
	@echo "     build-fuzz/fuzz/fuzz_registry -max_total_time=180 build-fuzz/corpus/registry tests/fuzz/corpus/registry"

lint: all
	BUILD=$(BUILD) tests/lint.sh

FMT_FILES = $(SRCS) $(HDRS) tests/unit/*.c

fmt:
	clang-format -i $(FMT_FILES)

# CI: every file as .clang-format writes it (make fmt fixes it).
fmt-check:
	clang-format --dry-run -Werror $(FMT_FILES)

# Every file of src/ must compile as plain POSIX: Linux-only calls go in src/base/compat.c.
portcheck: check-deps
	@bad=$$(grep -nE '#include <(sys/(prctl|epoll|inotify|timerfd|eventfd|signalfd)|linux/|malloc)\.?h?|/proc/self' \
		$(filter-out src/base/compat.c src/base/compat.h,$(SRCS) $(HDRS))); \
	if [ -n "$$bad" ]; then echo "$$bad: Linux-only; put it in src/base/compat.c"; exit 1; fi
	@for f in $(filter-out src/base/compat.c,$(SRCS)); do \
		$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Werror \
			$(PKG_CFLAGS) -DSB_DATADIR='"/"' -Isrc $(SRC_DIRS:%=-I%) -fsyntax-only $$f || exit 1; \
	done
	@$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -DCOMPAT_POSIX_ONLY $(WARN) -Werror -Isrc $(SRC_DIRS:%=-I%) \
		-fsyntax-only src/base/compat.c
	@echo "portcheck: every file compiles with -D_POSIX_C_SOURCE=200809L alone" \
		"(src/base/compat.c with its fallbacks)"

# The data folder is found from the binary at run time (PREFIX/bin/../share/switchboard),
# so PREFIX needs no rebuild.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/capabilities \
		$(DESTDIR)$(DATADIR)/schemas $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/switchboard
	install -m 0644 capabilities/*.json $(DESTDIR)$(DATADIR)/capabilities/
	install -m 0644 schemas/*.json $(DESTDIR)$(DATADIR)/schemas/
	install -m 0644 doc/switchboard.1 $(DESTDIR)$(MANDIR)/man1/switchboard.1
	$(BIN) completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/switchboard
	$(BIN) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_switchboard

# Removes only the files install put there, then the folders left empty.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/switchboard $(DESTDIR)$(MANDIR)/man1/switchboard.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/switchboard \
		$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_switchboard \
		$(addprefix $(DESTDIR)$(DATADIR)/,$(wildcard capabilities/*.json schemas/*.json))
	rmdir $(DESTDIR)$(DATADIR)/capabilities $(DESTDIR)$(DATADIR)/schemas $(DESTDIR)$(DATADIR) \
		2>/dev/null || true

# An MCP Bundle for Claude Desktop and other MCPB clients, packed and checked with
# the official packer (packaging/mcpb, pinned by package-lock.json), and beside it
# server.json, its MCP Registry entry: set REGISTRY_NAME and RELEASE_URL (where the
# bundle will be downloaded from) when publishing.
MCPB          ?= $(BUILD)/switchboard-$(VERSION)-linux-$(ARCH).mcpb
REGISTRY_NAME ?= io.github.switchboard/switchboard
RELEASE_URL   ?= https://github.com/switchboard/switchboard/releases/download/v$(VERSION)

mcpb: $(MCPB)

$(MCPB): $(BIN) $(wildcard packaging/mcpb/*.json packaging/mcpb/*.py packaging/mcpb/*.sh \
		packaging/mcpb/*.txt capabilities/*.json schemas/*.json)
	packaging/mcpb/mcpb.sh $(BIN) $(VERSION) $(ARCH) $@
	python3 packaging/mcpb/server_json.py . $(VERSION) $@ $(RELEASE_URL)/$(notdir $@) \
		$(REGISTRY_NAME) > $(dir $@)server.json

deps:
	tests/deps.sh --install test

clean:
	rm -rf build build-asan build-fuzz
