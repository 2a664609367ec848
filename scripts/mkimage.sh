#!/bin/sh
# Make a bootable GPT disk image with one EFI system partition (FAT32)
# holding EFI/BOOT/BOOTX64.EFI, xtalk.ini and the given files at its root.
# No root privileges or loop devices: sgdisk, mkfs.fat and mtools only.
#
# Usage: scripts/mkimage.sh OUT.img XTALK.efi XTALK.ini [FILE...]
set -eu

[ $# -ge 3 ] || { echo "usage: $0 OUT.img XTALK.efi XTALK.ini [FILE...]" >&2; exit 2; }
out=$1 efi=$2 ini=$3
shift 3

for tool in sgdisk mkfs.fat mcopy mmd; do
	command -v "$tool" >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v "$tool" >/dev/null || {
		echo "mkimage: '$tool' not found (Debian packages gdisk, dosfstools, mtools)" >&2
		exit 1
	}
done

# ESP size in MiB (XTALK_ESP_MIB): FAT32 needs at least 65525 clusters, so 34 MiB
# is the smallest that works.
esp_mib=${XTALK_ESP_MIB:-64}
case $esp_mib in
''|*[!0-9]*) echo "mkimage: XTALK_ESP_MIB='$esp_mib' is not a number of MiB" >&2; exit 1 ;;
esac
if [ "$esp_mib" -lt 34 ]; then
	echo "mkimage: an ESP of ${esp_mib} MiB is too small for FAT32 (at least 34 MiB)" >&2
	exit 1
fi
need_kib=$(du -ck --apparent-size "$efi" "$ini" "$@" | tail -n 1 | cut -f 1)
if [ "$need_kib" -gt $(( (esp_mib - 2) * 1024 )) ]; then
	echo "mkimage: the files need ${need_kib} KiB, more than the ${esp_mib} MiB ESP" \
		"(set XTALK_ESP_MIB)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
esp=$tmp/esp.img

# The ESP starts at 1 MiB; the disk ends with 1 MiB of room for the backup GPT.
mkfs.fat -C -F 32 -n XTALK "$esp" $((esp_mib * 1024)) >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
mcopy -i "$esp" "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" "$ini" ::/xtalk.ini
for f in "$@"; do
	mcopy -i "$esp" "$f" "::/$(basename "$f")"
done

rm -f "$out"
truncate -s $(( (esp_mib + 2) * 1024 * 1024 )) "$out"
sgdisk --clear --new=1:2048:+"${esp_mib}M" --typecode=1:ef00 \
	--change-name=1:"EFI system partition" "$out" >/dev/null
dd if="$esp" of="$out" bs=1M seek=1 conv=notrunc,sparse status=none
