#!/bin/sh
# The USB stick image: a GPT disk with one EFI system partition (FAT32)
# holding EFI/BOOT/BOOTX64.EFI, xtalk.ini and the guest images. Built by
# scripts/mkimage.sh (no root, no loop devices), then read back and checked.
#
# Usage: scripts/usb.sh OUT.img XTALK.efi XTALK.ini [FILE...]
#          ESP size in MiB from USB_MIB (default 64, at least 34)
#        scripts/usb.sh --check IMAGE
#          exit 0 if IMAGE has a FAT32 ESP with EFI/BOOT/BOOTX64.EFI and xtalk.ini
set -eu

say() { echo "usb: $*"; }
die() { echo "usb: $*" >&2; exit 1; }

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null || PATH=$PATH:/sbin:/usr/sbin
		command -v "$tool" >/dev/null ||
			die "'$tool' not found (Debian packages gdisk, dosfstools, mtools: scripts/deps.sh usb)"
	done
}

# Byte offset of the first EFI system partition of $1, or a message and exit 1.
esp_offset() {
	table=$(sgdisk -p "$1" 2>&1) || die "$1: no readable partition table: $table"
	case $table in
	*"GPT: not present"* | *"Creating new GPT entries"*) die "$1: no GPT (not an xtalk USB image? build it with 'make usb')" ;;
	esac
	sector=$(printf '%s\n' "$table" | sed -n 's/^Sector size (logical): \([0-9]*\) bytes$/\1/p')
	start=$(printf '%s\n' "$table" | awk '$6 == "EF00" { print $2; exit }')
	[ -n "$start" ] || die "$1: no EFI system partition (type EF00) in its GPT"
	echo $((start * ${sector:-512}))
}

check() {
	img=$1
	[ -f "$img" ] || die "no image file '$img' (build it with 'make usb')"
	need sgdisk mdir mcopy od
	off=$(esp_offset "$img")
	fstype=$(od -An -c -j $((off + 82)) -N 5 "$img" | tr -d ' ')
	[ "$fstype" = FAT32 ] || die "$img: the EFI system partition at byte $off is not FAT32"
	for f in EFI/BOOT/BOOTX64.EFI xtalk.ini; do
		mdir -i "$img@@$off" "::/$f" >/dev/null 2>&1 ||
			die "$img: the EFI system partition has no /$f"
	done
}

if [ "${1:-}" = --check ]; then
	[ $# -eq 2 ] || die "usage: $0 --check IMAGE"
	check "$2"
	exit 0
fi

[ $# -ge 3 ] || die "usage: $0 OUT.img XTALK.efi XTALK.ini [FILE...]"
out=$1 efi=$2 ini=$3
shift 3
for f in "$efi" "$ini" "$@"; do
	[ -f "$f" ] || die "missing input file '$f' (run 'make' first)"
done
need sgdisk mkfs.fat mcopy mmd mdir od cmp

mib=${USB_MIB:-64}
say "building $out: GPT, one FAT32 EFI system partition of $mib MiB (USB_MIB)"
XTALK_ESP_MIB=$mib "$(dirname "$0")/mkimage.sh" "$out" "$efi" "$ini" "$@" ||
	die "could not build $out (see the message above; a larger stick image: make usb USB_MIB=256)"

# Read every file back from the image: what boots is what was built.
check "$out"
off=$(esp_offset "$out")
verify() {
	mcopy -n -i "$out@@$off" "::/$2" - 2>/dev/null | cmp -s - "$1" ||
		{ rm -f "$out"; die "$out: /$2 on the ESP differs from $1"; }
}
verify "$efi" EFI/BOOT/BOOTX64.EFI
verify "$ini" xtalk.ini
for f in "$@"; do
	verify "$f" "$(basename "$f")"
done

say "wrote $out ($(($(wc -c <"$out") / 1048576)) MiB): EFI/BOOT/BOOTX64.EFI, xtalk.ini ($ini), $# guest image(s)"
say "write it to a stick: lsblk first, then sudo dd if=$out of=/dev/sdX bs=4M conv=fsync status=progress"
say "(sdX = the whole stick, not a partition; everything on it is lost). Read docs/usb.md first."
