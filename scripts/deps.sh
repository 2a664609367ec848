#!/bin/sh
# Install the Debian packages a make target needs, when they are missing.
# Usage: scripts/deps.sh GROUP...   (groups: build test run bench usb netboot linux)
set -eu

pkgs_build="gcc make binutils gnu-efi mtools gdisk dosfstools python3 acpica-tools"
pkgs_test="$pkgs_build libcmocka-dev clang libclang-rt-dev bochs bochsbios ovmf qemu-system-x86 gnuplot-nox e2fsprogs"
pkgs_run="$pkgs_build bochs bochsbios ovmf qemu-system-x86"
pkgs_bench="$pkgs_test"
pkgs_usb="$pkgs_build qemu-system-x86 ovmf"
pkgs_netboot="$pkgs_build qemu-system-x86 ovmf ipxe-qemu ipxe dnsmasq-base"
# The Linux guest kit (guests/linux/mkkit.py): the kernel and busybox-static
# are only downloaded and unpacked (apt-get download, dpkg-deb -x), never
# installed; these are the tools that take them apart and pack the initramfs,
# and gcc with libc6-dev for the static benchmark program (guests/linux/xtperf.c);
# binutils' readelf for make linux-kit-check's check of aplay's libraries.
pkgs_linux="python3 make cpio fakeroot xz-utils zstd gzip kmod file gcc libc6-dev binutils"

want=""
for g in "$@"; do
	eval "list=\${pkgs_$g:-}"
	[ -n "$list" ] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
	want="$want $list"
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

echo "deps: installing Debian packages:$missing"
sudo=""
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install:$missing" >&2; exit 1; }
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $sudo apt-get install -y --no-install-recommends $missing; then
	$sudo apt-get update
	# shellcheck disable=SC2086
	$sudo apt-get install -y --no-install-recommends $missing
fi
