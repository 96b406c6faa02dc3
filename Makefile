# xen-netscripts: one non-recursive GNU makefile.
#   make            build the six binaries (build/)
#   make check      install what is missing, build the tests, run them all
#                   (make check-build: only build them)
#   make demo       the demo: a throwaway dom0 in network namespaces
#   make bench      benchmarks against the upstream shell scripts
#   make fuzz       each fuzz target FUZZ_SECONDS (60) seconds (FUZZ_TARGETS: some)
#   make install    DESTDIR, PREFIX, SBINDIR, SCRIPTDIR, LIBEXECDIR, MANDIR, CONFDIR,
#                   UNITDIR, RTPROTOSDIR, DOCDIR (SCRIPTLINKS=no: nothing in SCRIPTDIR)
#   make uninstall  put the shell scripts back
#   make format     rewrite the C files as clang-format does (checked by the tests)

PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
SCRIPTDIR ?= /etc/xen/scripts
# The hotplug binaries live in LIBEXECDIR (as in the Debian package); SCRIPTDIR
# has a symlink to each, the shell script it replaces kept as NAME.sh-orig,
# unless SCRIPTLINKS=no (the package makes those links itself, through
# diversions).
LIBEXECDIR ?= $(PREFIX)/libexec/xen-netscripts
SCRIPTLINKS ?= yes
MANDIR    ?= $(PREFIX)/share/man
CONFDIR   ?= /etc/xen
UNITDIR   ?= /etc/systemd/system
RTPROTOSDIR ?= /etc/iproute2/rt_protos.d
DOCDIR    ?= $(PREFIX)/share/doc/xen-netscripts
DESTDIR   ?=
B         ?= build

CC      ?= cc
# The build honours CPPFLAGS, CFLAGS and LDFLAGS from the environment or the
# command line (a distribution's hardening flags); ours are added to them.
CFLAGS  ?= -O2 -g
XNS_CFLAGS   := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
LAYERS  := base kernel fw skel
VERSION := 0.11.0
XNS_CPPFLAGS := $(LAYERS:%=-Icommon/%) -DSCRIPT_DIR_DEFAULT='"$(SCRIPTDIR)"' -DXNS_VERSION='"$(VERSION)"'
PKGS    := xenstore libnl-route-3.0 libnftnl libmnl libip4tc libip6tc
# libip4tc and libip6tc: their headers only, the iptables backend opens them
# on first use (dlopen).
PKGS_LINKED := $(filter-out libip4tc libip6tc,$(PKGS))

# pkg-config runs only when something is built (make deps works without the
# packages), once, and a missing package stops the build with pkg-config's
# own message: every compile waits for pkgs-ok.
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
PKG_CFLAGS   = $(call lazy,PKG_CFLAGS,pkg-config --cflags $(PKGS))
LIBS_DYNAMIC = $(call lazy,LIBS_DYNAMIC,pkg-config --libs $(PKGS_LINKED))
CHECK_CFLAGS = $(call lazy,CHECK_CFLAGS,pkg-config --cflags check)
CHECK_LIBS   = $(call lazy,CHECK_LIBS,pkg-config --libs check)
pkgs-ok:
	@pkg-config --print-errors --exists $(PKGS)
check-ok:
	@pkg-config --print-errors --exists check

# The libraries Debian ships as archives are linked in statically: start-up
# is most of a hotplug run (bench/ measures both).  libc stays shared.
LIBS_STATIC  := -Wl,-Bstatic -lxenstore -lxentoolcore -lnl-route-3 -lnl-3 -lnftnl \
	-Wl,-Bdynamic -lmnl -lpthread
# Only network-zones applies nft text through libnftables.
LIBS_network-zones := -lnftables
SAN          := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

# The hotplug scripts (installed in SCRIPTDIR) and the guard (in SBINDIR).
HOTPLUG := vif-bridge vif-route vif-nat network-route network-nat network-zones
PROGS   := $(HOTPLUG) xen-netscripts
# libcommon.a: the mechanism two or more binaries use, by layer.
COMMON_SRCS := $(wildcard $(LAYERS:%=common/%/*.c))
# Each binary: its directory's sources (main.c and what only it uses).
$(foreach p,$(PROGS),$(eval PROG_SRCS_$(p) := $(wildcard $(p)/*.c)))
# The programs' own files besides main.c, for the unit tests and fuzz targets.
PROG_LIB_SRCS := $(filter-out %/main.c,$(foreach p,$(PROGS),$(PROG_SRCS_$(p))))
# What tests/ compiles against besides common/: the programs' headers, the
# harness's.
TEST_CPPFLAGS := $(sort $(patsubst %/,-I%,$(dir $(PROG_LIB_SRCS)))) -Itests/harness
# The harness's tools, tests/harness/NAME.c, each linked against libcommon.a.
TOOLS := fwtool
# The unit tests (one binary) and the test code they link: the rules and
# nft batches as text.
UNIT_SRCS := $(wildcard tests/unit/*.c) tests/harness/fwdump.c

# $(call objs,DIR,SOURCES)
objs = $(patsubst %.c,$(1)/obj/%.o,$(2))

# $(call variant,DIR,EXTRA_CFLAGS_VAR,LIBS_VAR): libcommon.a, binaries, unit
# tests (variables passed by name: their values hold commas).  Objects under
# DIR/obj/, each with its header dependencies (-MMD).
define variant
$(1)/obj/%.o: %.c | pkgs-ok
	@mkdir -p $$(@D)
	$$(CC) $$(XNS_CPPFLAGS) $$(XNS_TEST_CPPFLAGS) $$(PKG_CFLAGS) $$(CPPFLAGS) $$(XNS_CFLAGS) $$(CFLAGS) $$($(2)) -MMD -MP -c $$< -o $$@
$(1)/obj/tests/%.o: XNS_TEST_CPPFLAGS = $$(TEST_CPPFLAGS)
$(1)/obj/tests/unit/%.o: XNS_TEST_CPPFLAGS = $$(TEST_CPPFLAGS) $$(CHECK_CFLAGS)
$(1)/obj/tests/unit/%.o: | check-ok
$(1)/libcommon.a: $$(call objs,$(1),$$(COMMON_SRCS))
	$$(AR) rcs $$@ $$^
$(foreach p,$(PROGS),
$(1)/$(p): $$(call objs,$(1),$$(PROG_SRCS_$(p))) $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $$($(2)) $$(LDFLAGS) $$(filter %.o,$$^) -o $$@ $(1)/libcommon.a $$($(3)) $$(LIBS_$(p))
)
$(foreach t,$(TOOLS),
$(1)/$(t): $$(call objs,$(1),tests/harness/$(t).c) $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $$($(2)) $$(LDFLAGS) $$(filter %.o,$$^) -o $$@ $(1)/libcommon.a $$($(3))
)
$(1)/unit-tests: $$(call objs,$(1),$$(UNIT_SRCS) $$(PROG_LIB_SRCS)) $(1)/libcommon.a
	$$(CC) $$(CFLAGS) $$($(2)) $$(LDFLAGS) $$(filter %.o,$$^) -o $$@ $(1)/libcommon.a $$($(3)) $$(LIBS_network-zones) $$(CHECK_LIBS)
endef

NOFLAGS :=
$(eval $(call variant,$(B),NOFLAGS,LIBS_STATIC))
$(eval $(call variant,$(B)/asan,SAN,LIBS_DYNAMIC))
$(eval $(call variant,$(B)/dyn,NOFLAGS,LIBS_DYNAMIC))

# Fuzz targets: one per parser of outside input, tests/fuzz/NAME.c, built by
# clang with libFuzzer against common/ and the programs' own files compiled
# with the same sanitizers.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(basename $(notdir $(wildcard tests/fuzz/*.c)))
FUZZ_SAN     := $(SAN) -fsanitize=fuzzer-no-link
$(eval $(call variant,$(B)/fuzz,FUZZ_SAN,LIBS_DYNAMIC))
$(B)/fuzz/%: CC := $(FUZZ_CC)
$(B)/fuzz/%: $(B)/fuzz/obj/tests/fuzz/%.o $(call objs,$(B)/fuzz,$(PROG_LIB_SRCS)) $(B)/fuzz/libcommon.a
	$(CC) $(CFLAGS) $(SAN) -fsanitize=fuzzer $(LDFLAGS) $(filter %.o,$^) -o $@ \
		$(B)/fuzz/libcommon.a $(LIBS_DYNAMIC) $(LIBS_network-zones)

# The product: the six scripts and the guard.
all: $(addprefix $(B)/,$(PROGS))

asan: $(addprefix $(B)/asan/,$(PROGS)) $(B)/asan/unit-tests $(TOOLS:%=$(B)/asan/%)
dyn: $(addprefix $(B)/dyn/,$(PROGS))
unit: $(B)/unit-tests $(B)/asan/unit-tests
fuzzers: $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))
harness: $(B)/xsshim.so $(TOOLS:%=$(B)/%)
# Everything the tests run, built (make check builds it and runs them).
check-build: all harness asan unit fuzzers

# The xenstored shim has no pkg-config file (libxen-dev's headers).
$(B)/xsshim.so: tests/harness/xsshim.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(XNS_CFLAGS) $(CFLAGS) $(LDFLAGS) -MMD -MP -shared -fPIC $< -o $@ -ldl

-include $(shell find $(B) -name '*.d' 2>/dev/null)

deps:
	bash scripts/deps

check: deps
	$(MAKE) check-build
	bash tests/run.sh

demo: deps
	$(MAKE) all $(B)/xsshim.so
	bash demo/demo.sh

fuzz: deps
	$(MAKE) fuzzers
	FUZZ_BIN=$(B)/fuzz bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: deps
	$(MAKE) all dyn $(B)/xsshim.so
	bash bench/run.sh

install: all
	install -d $(DESTDIR)$(SCRIPTDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CONFDIR)
	[ -e $(DESTDIR)$(CONFDIR)/xen-netscripts.conf ] || \
	  install -m 0644 etc/xen-netscripts.conf $(DESTDIR)$(CONFDIR)/xen-netscripts.conf
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(RTPROTOSDIR)
	install -m 0644 etc/iproute2/rt_protos.d/xen-netscripts.conf $(DESTDIR)$(RTPROTOSDIR)/xen-netscripts.conf
	for u in systemd/*.service.in; do \
	  sed 's|@LIBEXECDIR@|$(LIBEXECDIR)|g; s|@SBINDIR@|$(SBINDIR)|g' $$u \
	    >$(DESTDIR)$(UNITDIR)/$$(basename $$u .in); \
	done
	install -m 0755 $(B)/xen-netscripts $(DESTDIR)$(SBINDIR)/xen-netscripts
	install -m 0644 xen-netscripts/xen-netscripts.8 $(DESTDIR)$(MANDIR)/man8/xen-netscripts.8
	install -d $(DESTDIR)$(DOCDIR)/examples/bird $(DESTDIR)$(DOCDIR)/examples/frr
	install -m 0644 etc/bird/xen-netscripts.conf $(DESTDIR)$(DOCDIR)/examples/bird/xen-netscripts.conf
	install -m 0644 etc/frr/xen-netscripts.conf $(DESTDIR)$(DOCDIR)/examples/frr/xen-netscripts.conf
	install -d $(DESTDIR)$(LIBEXECDIR)
	for p in $(HOTPLUG); do \
	  t=$(DESTDIR)$(SCRIPTDIR)/$$p; \
	  install -m 0644 $$p/$$p.8 $(DESTDIR)$(MANDIR)/man8/$$p.8; \
	  install -m 0755 $(B)/$$p $(DESTDIR)$(LIBEXECDIR)/$$p; \
	  [ "$(SCRIPTLINKS)" = yes ] || continue; \
	  if [ -f $$t ] && [ ! -L $$t ] && [ ! -e $$t.sh-orig ] && head -c2 $$t | grep -q "#!"; then \
	    mv $$t $$t.sh-orig; fi; \
	  ln -sfn $(LIBEXECDIR)/$$p $$t; \
	done

uninstall:
	for u in systemd/*.service.in; do rm -f $(DESTDIR)$(UNITDIR)/$$(basename $$u .in); done
	rm -f $(DESTDIR)$(SBINDIR)/xen-netscripts $(DESTDIR)$(MANDIR)/man8/xen-netscripts.8
	rm -f $(DESTDIR)$(RTPROTOSDIR)/xen-netscripts.conf
	rm -rf $(DESTDIR)$(DOCDIR)/examples/bird $(DESTDIR)$(DOCDIR)/examples/frr
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null
	for p in $(HOTPLUG); do \
	  t=$(DESTDIR)$(SCRIPTDIR)/$$p; \
	  rm -f $(DESTDIR)$(LIBEXECDIR)/$$p $(DESTDIR)$(MANDIR)/man8/$$p.8; \
	  [ "$(SCRIPTLINKS)" = yes ] || continue; \
	  if [ -e $$t.sh-orig ]; then mv -f $$t.sh-orig $$t; \
	  elif [ -L $$t ]; then rm -f $$t; fi; \
	done
	-rmdir $(DESTDIR)$(LIBEXECDIR) 2>/dev/null

# Rewrite every C file as clang-format writes it (tests/format.sh checks it).
format:
	git ls-files '*.c' '*.h' | xargs clang-format --style=file -i

clean:
	rm -rf $(B)

.PHONY: format all asan dyn unit fuzzers harness check-build pkgs-ok check-ok fuzz deps check demo bench \
	install uninstall clean
.SECONDARY:
