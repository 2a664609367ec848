# Boot media and hosts: a USB stick image, QEMU with OVMF (KVM when nested
# VMX is there, TCG otherwise), network boot with iPXE, and their tests.
# Included by the Makefile; uses its BUILD, GUEST_ELFS, DEFAULT_INI and DEPS_STAMP.
#
#   make usb        build/xtalk-usb.img: GPT + FAT32 ESP (USB_MIB=64), docs/usb.md
#   make run-qemu   boot that image as a USB stick under QEMU + OVMF
#   make netboot    stage build/netboot/ and serve it over TFTP and HTTP
#                   (NETBOOT_ARGS: --no-tftp, --http-port N, --addr IP), docs/netboot.md
#   make ipxe-usb   build/ipxe-usb.img: a stick that starts Debian's ipxe.efi (no iPXE in firmware)
#   make boot-test  tests/boot/run.py: USB and netboot under QEMU TCG, the USB image under Bochs

USB_IMG := $(BUILD)/xtalk-usb.img
USB_MIB ?= 64
NETBOOT_DIR := $(BUILD)/netboot
NETBOOT_ARGS ?=
BOOT_TEST_ARGS ?=

# Rebuilt on every 'make usb' (it takes a second), so USB_MIB always applies.
usb: $(BUILD)/xtalk.efi $(GUEST_ELFS) $(DEFAULT_INI) | $(call DEPS_STAMP,usb)
	$(call say,USB $(USB_IMG))
	$(Q)USB_MIB=$(USB_MIB) scripts/usb.sh $(USB_IMG) $(BUILD)/xtalk.efi $(DEFAULT_INI) $(GUEST_ELFS)

run-qemu: usb
	scripts/run-qemu.sh $(USB_IMG)

netboot-stage: $(BUILD)/xtalk.efi $(GUEST_ELFS) $(DEFAULT_INI) | $(call DEPS_STAMP,netboot)
	$(call say,NETBOOT $(NETBOOT_DIR))
	$(Q)scripts/netboot.sh stage $(NETBOOT_DIR) $(BUILD)/xtalk.efi $(DEFAULT_INI) $(GUEST_ELFS)

netboot: netboot-stage
	scripts/netboot.sh serve $(NETBOOT_DIR) $(NETBOOT_ARGS)

ipxe-usb: | $(call DEPS_STAMP,netboot)
	$(call say,USB $(BUILD)/ipxe-usb.img)
	$(Q)scripts/netboot.sh ipxe-usb $(BUILD)/ipxe-usb.img

boot-test: usb netboot-stage | $(call DEPS_STAMP,test)
	python3 tests/boot/run.py --build $(BUILD) $(BOOT_TEST_ARGS)

.PHONY: usb run-qemu netboot-stage netboot ipxe-usb boot-test
