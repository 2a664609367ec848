# The Linux guest kit: a stock Debian 12 kernel (bzImage and its uncompressed
# vmlinux) and a small busybox initramfs with e1000.ko, snd-ens1370.ko and
# Debian's aplay/arecord with their libraries, built from Debian packages by
# guests/linux/mkkit.py into build/linux-kit/ (docs/linux.md).
# Included by the Makefile; uses its BUILD and DEPS_STAMP.
#
#   make linux-kit         build (or confirm) build/linux-kit/: bzImage, vmlinux,
#                          initrd.cpio, initrd.cpio.gz, kit.txt (pinned versions)
#   make linux-kit-check   tests/linux/check_kit.py: the kit's files checked
#                          against the boot protocol, without booting anything
#   make linux-kit-qemu    tests/linux/qemu_smoke.py: two guests of the kit under
#                          QEMU TCG (no xtalk), /init's ping, TCP and sync for
#                          real (~30 s; not part of make test)
#
# mkkit.py itself decides whether anything is to be done: it asks apt-cache
# which kernel linux-image-amd64 depends on today and rebuilds only when
# that version, busybox-static's, a userland package's (alsa-utils and the
# libraries aplay needs), mkkit.py, init or a test program changed, or an
# output is missing. So the target always runs it, and it is a no-op when up to date.

LINUX_KIT := $(BUILD)/linux-kit
LINUX_KIT_ARGS ?=

linux-kit: | $(call DEPS_STAMP,linux)
	$(Q)python3 guests/linux/mkkit.py --out $(LINUX_KIT) $(LINUX_KIT_ARGS)

linux-kit-check: | $(call DEPS_STAMP,linux)
	$(Q)python3 tests/linux/check_kit.py --out $(LINUX_KIT)

linux-kit-qemu: linux-kit | $(call DEPS_STAMP,run)
	$(Q)python3 tests/linux/qemu_smoke.py --kit $(LINUX_KIT) --work $(BUILD)/linux-kit-qemu

.PHONY: linux-kit linux-kit-check linux-kit-qemu
