# xtalk: a Type-1 hypervisor for x86-64 (VT-x + EPT), loaded from UEFI.
#
#   make          build/xtalk.efi, the guests and the bootable disk image
#   make run      boot the default configuration and show the guests live
#   make test     host unit tests (ASan+UBSan), the ACPI tables through iasl/acpiexec,
#                 a short fuzz run, end-to-end tests
#   make fuzz     long fuzz runs: 10^7 executions per target (build/fuzz/report.txt)
#
# Missing Debian packages are installed by scripts/deps.sh.

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

BUILD    := build
GCC_INC  := $(shell gcc -print-file-name=include)
EFI_LIB  := /usr/lib
EFI_LDS  := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

WARN := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow
# Freestanding C: no libc headers, no SSE (guest state stays in the guest's
# registers), no red zone (interrupts and exits may land on our stack).
FREE_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-Ilib/include -I. -fno-stack-protector -fno-stack-check -fno-strict-aliasing \
	-mno-red-zone -mgeneral-regs-only -fno-tree-loop-distribute-patterns $(WARN)
VMM_CFLAGS := $(FREE_CFLAGS) -fpic -fshort-wchar -maccumulate-outgoing-args
EFI_CFLAGS := $(VMM_CFLAGS) -DGNU_EFI_USE_MS_ABI -I/usr/include/efi -I/usr/include/efi/x86_64
GUEST_CFLAGS := $(FREE_CFLAGS) -fno-pic -fno-pie -mcmodel=small -Iguests/lib

HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(WARN) -I. -Ilib
FUZZ_CFLAGS := -g -O2 -fsanitize=fuzzer,address,undefined -I. -Ilib

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @echo "  $(1)"
endif

# ---------------------------------------------------------------- deps
DEPS_STAMP = $(BUILD)/.deps-$(1)
.PRECIOUS: $(BUILD)/.deps-%
$(BUILD)/.deps-%: scripts/deps.sh
	@mkdir -p $(BUILD)
	$(Q)scripts/deps.sh $*
	@touch $@

# ---------------------------------------------------------------- firmware tables
# The guest's DSDT, compiled from ASL by iasl (acpica-tools) with warnings as
# errors, twice (without and with the HPET device), then turned into C arrays
# that firmware/acpi_tables.c copies. The object is named as if it were
# firmware/dsdt_aml.c, so the layering check sees it in firmware/.
FW_GEN := $(BUILD)/firmware
FW_AML_C := $(FW_GEN)/dsdt_aml.c
FW_AML_OBJ := firmware/dsdt_aml.c.o
IASL := iasl -we -vs

$(FW_GEN)/dsdt.aml: firmware/dsdt.asl | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,IASL $@)
	$(Q)$(IASL) -p $(FW_GEN)/dsdt $< >$(FW_GEN)/dsdt.log 2>&1 || { cat $(FW_GEN)/dsdt.log; exit 1; }
$(FW_GEN)/dsdt_hpet.aml: firmware/dsdt.asl | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,IASL $@)
	$(Q)$(IASL) -D FW_HPET -p $(FW_GEN)/dsdt_hpet $< >$(FW_GEN)/dsdt_hpet.log 2>&1 || \
		{ cat $(FW_GEN)/dsdt_hpet.log; exit 1; }
$(FW_AML_C): $(FW_GEN)/dsdt.aml $(FW_GEN)/dsdt_hpet.aml scripts/aml2c.py
	$(call say,AML2C $@)
	$(Q)python3 scripts/aml2c.py $@ fw_dsdt_aml=$(FW_GEN)/dsdt.aml \
		fw_dsdt_hpet_aml=$(FW_GEN)/dsdt_hpet.aml
$(BUILD)/vmm/$(FW_AML_OBJ): $(FW_AML_C)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(VMM_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/$(FW_AML_OBJ): $(FW_AML_C)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(HOST_CFLAGS) -MMD -MP -c $< -o $@

# ---------------------------------------------------------------- VMM
# Everything linked into xtalk.efi. Only boot/efi_main.c sees GNU-EFI.
VMM_SRCS := boot/ini.c $(wildcard vmm/*/*.c vmm/*/*.S ept/*.c devices/*.c crosstalk/*.c lib/*.c \
	firmware/*.c)
EFI_SRCS := boot/efi_main.c
VMM_OBJS := $(patsubst %,$(BUILD)/vmm/%.o,$(VMM_SRCS)) $(patsubst %,$(BUILD)/efi/%.o,$(EFI_SRCS)) \
	$(BUILD)/vmm/$(FW_AML_OBJ)

$(BUILD)/vmm/%.c.o: %.c | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(VMM_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/vmm/%.S.o: %.S | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(VMM_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/efi/%.c.o: %.c | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(EFI_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/xtalk.so: $(VMM_OBJS)
	$(call say,LD $@)
	$(Q)ld -nostdlib -znocombreloc -shared -Bsymbolic -z defs -T $(EFI_LDS) $(EFI_CRT0) \
		$(VMM_OBJS) -o $@ -L$(EFI_LIB) -lgnuefi
$(BUILD)/xtalk.efi: $(BUILD)/xtalk.so
	$(call say,EFI $@)
	$(Q)objcopy -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym -j .rel \
		-j .rela -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@

# ---------------------------------------------------------------- guests
GUEST_NAMES := $(filter-out lib linux,$(notdir $(patsubst %/,%,$(wildcard guests/*/))))
GUEST_LIB_SRCS := $(wildcard guests/lib/*.c guests/lib/*.S) lib/fmt.c lib/string.c
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(GUEST_LIB_SRCS))
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUEST_NAMES))

$(BUILD)/guest/%.c.o: %.c | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/guest/%.S.o: %.S | $(call DEPS_STAMP,build)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

define GUEST_RULE
$(BUILD)/guests/$(1).elf: $(patsubst %,$(BUILD)/guest/%.o,$(wildcard guests/$(1)/*.c guests/$(1)/*.S)) \
		$(GUEST_LIB_OBJS) guests/lib/guest.ld
	@mkdir -p $$(dir $$@)
	$$(call say,LD $$@)
	$$(Q)ld -nostdlib -static -z max-page-size=4096 -z noexecstack -T guests/lib/guest.ld \
		$$(filter %.o,$$^) -o $$@
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_RULE,$(g))))

# guests/linuxload wrapped as a Linux bzImage, and a cpio initrd for it
# (scripts/mkbzimage.py): the boot-protocol path end to end without Linux.
LINUX_TEST_FILES := $(BUILD)/guests/linuxload.bzimage $(BUILD)/guests/linuxload.initrd
LINUX_TEST_INITRD_SIZE := 17825792
$(BUILD)/guests/linuxload.bzimage: $(BUILD)/guests/linuxload.elf scripts/mkbzimage.py
	$(call say,BZIMAGE $@)
	$(Q)python3 scripts/mkbzimage.py kernel $< $@
$(BUILD)/guests/linuxload.initrd: scripts/mkbzimage.py
	@mkdir -p $(dir $@)
	$(call say,INITRD $@)
	$(Q)python3 scripts/mkbzimage.py initrd $@ $(LINUX_TEST_INITRD_SIZE)

# ---------------------------------------------------------------- disk image
DEFAULT_INI := configs/default.ini
$(BUILD)/xtalk.img: $(BUILD)/xtalk.efi $(GUEST_ELFS) $(DEFAULT_INI) scripts/mkimage.sh
	$(call say,IMG $@)
	$(Q)scripts/mkimage.sh $@ $(BUILD)/xtalk.efi $(DEFAULT_INI) $(GUEST_ELFS)

all: $(BUILD)/xtalk.efi $(GUEST_ELFS) $(LINUX_TEST_FILES) $(BUILD)/xtalk.img

# ---------------------------------------------------------------- run
run: all | $(call DEPS_STAMP,run)
	scripts/run.py $(BUILD)/xtalk.img

# make run-linux: two Linux guests from the kit (configs/linux.ini), a shell
# on the first. Needs the kit (downloaded once) and about 3 minutes to boot.
LINUX_INI := configs/linux.ini
$(BUILD)/xtalk-linux.img: $(BUILD)/xtalk.efi $(LINUX_INI) scripts/mkimage.sh
	@$(MAKE) --no-print-directory linux-kit
	$(call say,IMG $@)
	$(Q)XTALK_ESP_MIB=160 scripts/mkimage.sh $@ $(BUILD)/xtalk.efi $(LINUX_INI) \
		$(LINUX_KIT)/vmlinux $(LINUX_KIT)/initrd.cpio
run-linux: $(BUILD)/xtalk.efi | $(call DEPS_STAMP,run) $(call DEPS_STAMP,linux)
	@$(MAKE) --no-print-directory linux-kit
	@rm -f $(BUILD)/xtalk-linux.img
	@$(MAKE) --no-print-directory $(BUILD)/xtalk-linux.img
	scripts/run.py --megs 1024 --timeout $${XTALK_RUN_TIMEOUT:-7200} $(BUILD)/xtalk-linux.img

# ---------------------------------------------------------------- host tests
# Pure modules, built for the host with sanitizers; each tests/unit/test_X.c
# links against them.
# vmm/emul/ is pure as a whole; three files elsewhere in vmm/ are the pure
# halves of their concern (the machine's ACPI tables for power-off, the
# physical NIC's driver core, the software bridge).
PURE_VMM := $(wildcard vmm/emul/*.c) vmm/core/acpi.c vmm/hw/physnic.c vmm/hw/physsnd.c vmm/hw/physata.c vmm/net/bridge.c
PURE_SRCS := boot/ini.c $(wildcard ept/*.c devices/*.c crosstalk/*.c firmware/*.c) lib/fmt.c \
	lib/xerrno.c $(PURE_VMM)
PURE_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(PURE_SRCS)) $(BUILD)/host/$(FW_AML_OBJ)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/host/tests/%,$(wildcard tests/unit/test_*.c))

$(BUILD)/host/%.c.o: %.c | $(call DEPS_STAMP,test)
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/libpure.a: $(PURE_OBJS)
	$(call say,AR $@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(BUILD)/host/tests/%: tests/unit/%.c $(BUILD)/host/libpure.a
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(HOST_CFLAGS) -MMD -MP $< $(BUILD)/host/libpure.a -lcmocka -o $@

unit: $(UNIT_TESTS) check-layers
	@tests/unit/run.sh $(UNIT_TESTS)

# The guest ACPI tables as acpica-tools see them: iasl -d disassembles each
# cleanly and recompiles it to the same bytes; acpiexec evaluates _PRT and
# \_S5 against the C side (tests/acpi/check_tables.sh).
$(BUILD)/host/acpi_dump: tests/acpi/acpi_dump.c $(BUILD)/host/libpure.a
	@mkdir -p $(dir $@)
	$(call say,CC $@)
	$(Q)gcc $(HOST_CFLAGS) -MMD -MP $< $(BUILD)/host/libpure.a -o $@
acpi-check: $(BUILD)/host/acpi_dump | $(call DEPS_STAMP,test)
	@tests/acpi/check_tables.sh $(BUILD)/host/acpi_dump $(BUILD)/acpi

# The tree shows the architecture: pure code (device models, EPT, cross-talk
# logic, the INI parser) never reaches into the VMM, GNU-EFI stays in
# boot/efi_main.c, and no two folders call each other in a cycle (checked on
# the objects with nm: scripts/check_layers.py).
check-layers: $(filter $(BUILD)/vmm/%,$(VMM_OBJS))
	@python3 scripts/check_layers.py $(BUILD)/vmm $(filter $(BUILD)/vmm/%,$(VMM_OBJS))

# ---------------------------------------------------------------- fuzzing
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 20
# make fuzz: every target for exactly FUZZ_RUNS executions, nproc targets at a
# time; one still short of FUZZ_RUNS after FUZZ_CAP seconds fails, named. Two
# hours is 10^7 at 1400 exec/s on average: the slowest target today projects to
# about a third of that (docs/security.md, "Fuzzing").
FUZZ_RUNS ?= 10000000
FUZZ_CAP ?= 7200
# One clang call per target, so no generated dependencies: every header the
# pure sources and the harnesses include (tests/unit/xp_env.h among them).
FUZZ_HDRS := $(wildcard boot/*.h ept/*.h devices/*.h crosstalk/*.h firmware/*.h lib/*.h \
	vmm/emul/*.h vmm/core/*.h vmm/hw/*.h vmm/net/*.h tests/unit/*.h)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/harness.h $(PURE_SRCS) $(FUZZ_HDRS) $(FW_AML_C) | $(call DEPS_STAMP,test)
	@mkdir -p $(dir $@)
	$(call say,FUZZ $@)
	$(Q)clang $(FUZZ_CFLAGS) $< $(PURE_SRCS) $(FW_AML_C) -o $@
fuzz-short: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
	@scripts/fuzz.sh --all $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
	@scripts/fuzz.sh --runs $(FUZZ_RUNS) $(FUZZ_CAP) $(FUZZ_TARGETS)

# ---------------------------------------------------------------- end to end
# The Linux cases need the kit; without it they fail with the reason.
e2e: all | $(call DEPS_STAMP,test)
	@$(MAKE) --no-print-directory linux-kit || echo "e2e: the Linux kit could not be built (make linux-kit)"
	python3 tests/e2e/run.py --build $(BUILD) $(E2E_ARGS)

# Every stage runs, even after one failed; the last line counts them all.
TEST_STAGES := unit acpi-check fuzz-short e2e boot-test bench-check linux-kit-check \
	bench-linux-check
test: | $(call DEPS_STAMP,test)
	@python3 tests/run_all.py --make "$(MAKE)" $(TEST_STAGES)

# ---------------------------------------------------------------- benchmark
# make bench: every path, sizes, batches and modes (minutes of emulation).
# make bench-check (part of make test): a tiny run, checked for form only.
bench: all | $(call DEPS_STAMP,bench)
	python3 tests/bench/bench.py --build $(BUILD) $(BENCH_ARGS)
	python3 tests/bench/bench_disk.py --build $(BUILD)
# make bench-disk: a shared disk's pages against the physical path (build/bench/disk.csv).
bench-disk: all | $(call DEPS_STAMP,bench)
	python3 tests/bench/bench_disk.py --build $(BUILD)
# make bench-linux: two Linux guests of the kit, TCP_RR/UDP_RR/PING/TCP_STREAM,
# cross-talk against the bridge (tests/bench/bench_linux.py; build/bench/linux.csv).
bench-linux: all | $(call DEPS_STAMP,bench) $(call DEPS_STAMP,linux)
	@$(MAKE) --no-print-directory linux-kit
	python3 tests/bench/bench_linux.py --build $(BUILD) $(BENCH_ARGS)
# make bench-linux-check (part of make test): the same, a few operations per
# test, checked for form (every test reported, counters read from user space).
bench-linux-check: all | $(call DEPS_STAMP,bench) $(call DEPS_STAMP,linux)
	@$(MAKE) --no-print-directory linux-kit
	python3 tests/bench/bench_linux.py --build $(BUILD) --tiny --check
bench-check: all | $(call DEPS_STAMP,bench)
	python3 tests/bench/bench.py --build $(BUILD) --tiny
	python3 tests/bench/check_results.py $(BUILD)/bench/results.csv

clean:
	rm -rf $(BUILD)

.PHONY: all run run-linux unit acpi-check check-layers fuzz fuzz-short e2e test bench bench-disk bench-check bench-linux bench-linux-check clean

include mk/boot-media.mk
include mk/linux-kit.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
