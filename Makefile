# xiaoan — campus-safety dispatch console, hub, simulator and admin tool.
# Plain GNU make + pkg-config. `make help` lists the targets.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
LOCALEDIR  ?= $(DATADIR)/locale
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DESTDIR    ?=

# BUILD is the output folder; SAN=1 builds with AddressSanitizer + UBSan.
SAN   ?=
ifeq ($(SAN),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD ?= build
SANFLAGS =
endif

VERSION := 0.1

CC      ?= cc
PKGS    := ncursesw libpq libwebsockets json-c libnotify
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
XCFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP -Iinclude -DXIAOAN_VERSION='"$(VERSION)"' \
           -DXIAOAN_DATADIR='"$(DATADIR)/xiaoan"' -DXIAOAN_LOCALEDIR='"$(LOCALEDIR)"' \
           -DXIAOAN_SYSCONFDIR='"$(SYSCONFDIR)/xiaoan"' \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SANFLAGS)
LIBS_CORE    := $(shell pkg-config --libs libpq json-c 2>/dev/null)
LIBS_CONSOLE := $(shell pkg-config --libs ncursesw libwebsockets libnotify 2>/dev/null) $(LIBS_CORE)
LIBS_HUB     := $(shell pkg-config --libs libwebsockets 2>/dev/null) $(LIBS_CORE)
LIBS_ALL     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
LDFLAGS ?=
XLDFLAGS := $(SANFLAGS)

EMBEDDED    := $(sort $(wildcard themes/*.theme) $(wildcard keymaps/*.keys))
CORE_SRC    := $(wildcard src/core/*.c)
CONSOLE_SRC := $(wildcard src/console/*.c)
HUB_SRC     := $(wildcard src/hub/*.c)
SIM_SRC     := $(wildcard src/sim/*.c)
ADMIN_SRC   := $(wildcard src/admin/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
# Each program's main() lives in main.c; everything else in its folder is a
# library the unit tests link against.
libobj = $(call obj,$(filter-out %/main.c,$(1)))

PROGRAMS := $(BUILD)/xiaoan $(BUILD)/xiaoan-hub $(BUILD)/xiaoan-sim $(BUILD)/xiaoan-admin
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

.PHONY: all deps check check-unit demo bench faults fuzz soak install uninstall clean help
all: $(PROGRAMS)

# The install paths are compiled in: a stamp that changes with them makes
# `make install PREFIX=/usr` rebuild what a plain `make` built for /usr/local.
PATHS_ID := $(DATADIR) $(LOCALEDIR) $(SYSCONFDIR) $(VERSION)
$(shell mkdir -p $(BUILD); echo '$(PATHS_ID)' | cmp -s - $(BUILD)/paths.stamp 2>/dev/null || \
        echo '$(PATHS_ID)' > $(BUILD)/paths.stamp)

$(BUILD)/%.o: %.c $(BUILD)/paths.stamp
	@mkdir -p $(@D)
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

# The shipped themes and keymaps, compiled in as the built-in defaults.
$(BUILD)/gen/embedded_data.c: $(EMBEDDED) scripts/embed.sh
	@mkdir -p $(@D)
	scripts/embed.sh $(EMBEDDED) > $@
$(BUILD)/gen/embedded_data.o: $(BUILD)/gen/embedded_data.c
	$(CC) $(XCFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libxiaoan-core.a: $(call libobj,$(CORE_SRC)) $(BUILD)/gen/embedded_data.o
$(BUILD)/libxiaoan-console.a: $(call libobj,$(CONSOLE_SRC))
$(BUILD)/libxiaoan-hub.a: $(call libobj,$(HUB_SRC))
$(BUILD)/libxiaoan-sim.a: $(call libobj,$(SIM_SRC))
$(BUILD)/libxiaoan-admin.a: $(call libobj,$(ADMIN_SRC))
$(BUILD)/%.a:
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/xiaoan: $(call obj,src/console/main.c) $(BUILD)/libxiaoan-console.a $(BUILD)/libxiaoan-core.a
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_CONSOLE) -lm
$(BUILD)/xiaoan-hub: $(call obj,src/hub/main.c) $(BUILD)/libxiaoan-hub.a $(BUILD)/libxiaoan-core.a
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_HUB) -lm
$(BUILD)/xiaoan-sim: $(call obj,src/sim/main.c) $(BUILD)/libxiaoan-sim.a $(BUILD)/libxiaoan-core.a
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_HUB) -lm
$(BUILD)/xiaoan-admin: $(call obj,src/admin/main.c) $(BUILD)/libxiaoan-admin.a $(BUILD)/libxiaoan-core.a
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS_CORE) -lm

TEST_LIBS := $(BUILD)/libxiaoan-console.a $(BUILD)/libxiaoan-hub.a $(BUILD)/libxiaoan-sim.a \
             $(BUILD)/libxiaoan-admin.a $(BUILD)/libxiaoan-core.a
$(BUILD)/tests/%: $(call obj,tests/unit/%.c) $(TEST_LIBS)
	@mkdir -p $(@D)
	$(CC) $(XLDFLAGS) $(LDFLAGS) -o $@ $< $(TEST_LIBS) $(LIBS_ALL) $(shell pkg-config --libs cmocka 2>/dev/null)

units: $(UNIT_BINS)

# Message catalogues (gettext): po/<lang>.po -> $(BUILD)/locale/<lang>/LC_MESSAGES/xiaoan.mo
PO_FILES := $(wildcard po/*.po)
MO_FILES := $(patsubst po/%.po,$(BUILD)/locale/%/LC_MESSAGES/xiaoan.mo,$(PO_FILES))
$(BUILD)/locale/%/LC_MESSAGES/xiaoan.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<
all: $(MO_FILES)

deps:
	@scripts/deps.sh

# deps runs first in its own step: pkg-config flags are read when make starts,
# so what it installs is only seen by a fresh make (the recursive calls).

# The whole test suite: unit tests (normal and sanitizer builds), SQL tests
# and integration tests against a PostgreSQL cluster the run starts and removes.
check: deps
	@scripts/check.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

faults: deps
	@$(MAKE) --no-print-directory all
	@scripts/faults.sh

fuzz: deps
	@scripts/fuzz.sh

soak: deps
	@$(MAKE) --no-print-directory all
	@scripts/soak.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/xiaoan/themes $(DESTDIR)$(DATADIR)/xiaoan/keymaps \
	    $(DESTDIR)$(DATADIR)/xiaoan/sql/migrations $(DESTDIR)$(DATADIR)/xiaoan/sql/ref \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/xiaoan
	install -m 755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 644 themes/*.theme $(DESTDIR)$(DATADIR)/xiaoan/themes/
	install -m 644 keymaps/*.keys $(DESTDIR)$(DATADIR)/xiaoan/keymaps/
	install -m 644 sql/migrations/*.sql $(DESTDIR)$(DATADIR)/xiaoan/sql/migrations/
	install -m 644 sql/ref/*.sql $(DESTDIR)$(DATADIR)/xiaoan/sql/ref/
	install -m 644 docs/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 scripts/xiaoan-hub.service $(DESTDIR)$(UNITDIR)/
	test -e $(DESTDIR)$(SYSCONFDIR)/xiaoan/hub.conf || \
	    install -m 640 scripts/hub.conf.example $(DESTDIR)$(SYSCONFDIR)/xiaoan/hub.conf
	for mo in $(MO_FILES); do l=$${mo#$(BUILD)/locale/}; l=$${l%%/*}; \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	    install -m 644 $$mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/xiaoan.mo; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,xiaoan xiaoan-hub xiaoan-sim xiaoan-admin)
	rm -rf $(DESTDIR)$(DATADIR)/xiaoan
	rm -f $(DESTDIR)$(UNITDIR)/xiaoan-hub.service

clean:
	rm -rf build build-san build-fuzz

help:
	@echo "make            build xiaoan, xiaoan-hub, xiaoan-sim, xiaoan-admin into $(BUILD)/"
	@echo "make demo       local PostgreSQL + hub + simulator + console"
	@echo "make check      every test (unit, SQL, integration, sanitizers)"
	@echo "make bench      throughput/latency figures"
	@echo "make faults     fault-injection suite;  make fuzz  libFuzzer harnesses;  make soak  30-min soak"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)"

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
