# switchboard - an MCP server over stdio for business APIs.
# make            build build/switchboard
# make run        build, then serve MCP on stdio
# make test       build and run the whole suite (installs missing packages first)
# make asan       the whole suite under address + undefined sanitizers, leaks checked

PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/switchboard
BUILD   ?= build
CC      ?= cc
PKGS     = jansson libcurl openssl sqlite3 libmicrohttpd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
          -Wno-format-nonliteral
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) $(PKG_CFLAGS) \
             -DSB_DATADIR='"$(DATADIR)"' -Isrc
ifdef CI
ALL_CFLAGS += -Werror
endif
LIBS = $(PKG_LIBS) -lpthread

SRCS  = $(wildcard src/*.c src/auth/*.c)
OBJS  = $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/src/main.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BIN   = $(BUILD)/switchboard

.PHONY: all run test unit asan valgrind lint fmt install clean deps bench fuzz check-deps

all: check-deps $(BIN)

check-deps:
	@pkg-config --exists $(PKGS) || $(MAKE) --no-print-directory deps

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/%.o: %.c $(wildcard src/*.h src/auth/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

unit: $(UNITS)

run: all
	$(BIN) serve

test: all unit
	@tests/deps.sh --check || $(MAKE) --no-print-directory deps
	python3 tests/run.py --build $(BUILD) $(if $(J),-j $(J))

# The whole suite again, built with address and undefined sanitizers.
asan:
	$(MAKE) --no-print-directory BUILD=build-asan CC=clang \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" test

valgrind: all unit
	python3 tests/run.py --build $(BUILD) --valgrind

bench: all $(BUILD)/bench_curl $(BUILD)/bench_floor
	python3 tests/bench.py --build $(BUILD)

$(BUILD)/bench_curl: tests/bench_curl.c
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

$(BUILD)/bench_floor: tests/bench_floor.c
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBS)

fuzz:
	$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang \
		EXTRA_CFLAGS="-DSB_FUZZ -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" all
	@mkdir -p build-fuzz/fuzz build-fuzz/corpus/line build-fuzz/corpus/registry
	clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc $(PKG_CFLAGS) \
		-o build-fuzz/fuzz/fuzz_line tests/fuzz/fuzz_line.c \
		$(filter-out build-fuzz/src/main.o,$(SRCS:%.c=build-fuzz/%.o)) $(LIBS)
	clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Isrc $(PKG_CFLAGS) \
		-o build-fuzz/fuzz/fuzz_registry tests/fuzz/fuzz_registry.c \
		$(filter-out build-fuzz/src/main.o,$(SRCS:%.c=build-fuzz/%.o)) $(LIBS)
	@echo "run: build-fuzz/fuzz/fuzz_line -max_total_time=180 build-fuzz/corpus/line tests/fuzz/corpus/line"
	@echo "     build-fuzz/fuzz/fuzz_registry -max_total_time=180 build-fuzz/corpus/registry tests/fuzz/corpus/registry"

lint:
	tests/lint.sh

fmt:
	clang-format -i src/*.c src/*.h src/auth/*.c src/auth/*.h tests/unit/*.c

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/capabilities $(DESTDIR)$(DATADIR)/schemas
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/switchboard
	install -m 0644 capabilities/*.json $(DESTDIR)$(DATADIR)/capabilities/
	install -m 0644 schemas/*.json $(DESTDIR)$(DATADIR)/schemas/

deps:
	tests/deps.sh --install

clean:
	rm -rf build build-asan build-fuzz
