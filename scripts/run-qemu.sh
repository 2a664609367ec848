#!/bin/sh
# Boot an xtalk disk image under QEMU with OVMF and show COM1 live (Ctrl-A X
# quits). With /dev/kvm and nested VMX (kvm_intel nested=Y) the virtual CPU
# has VT-x (-enable-kvm -cpu host,+vmx) and xtalk runs its guests. Without
# it QEMU still boots, under TCG, which has no VT-x: xtalk reads xtalk.ini and
# loads the guests, then stops with "VT-x not available" and powers off.
# The image itself is never written (snapshot=on).
#
# Usage: scripts/run-qemu.sh [--bus usb|ide] [--accel auto|kvm|tcg] [--timeout SECS] DISK.img
#          --bus usb    the image is a USB stick on an xHCI controller (default)
#          --bus ide    the image is a SATA disk (what 'make run' uses)
#          --timeout    stop QEMU after SECS (default XTALK_RUN_TIMEOUT or 600; 0 = never)
#        scripts/run-qemu.sh --probe
#          exit 0 if QEMU/KVM with nested VMX is usable here, else say why
set -eu

OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS.fd

say() { echo "run-qemu: $*"; }
die() { echo "run-qemu: $*" >&2; exit 1; }
usage() {
	echo "usage: $0 [--bus usb|ide] [--accel auto|kvm|tcg] [--timeout SECS] DISK.img | --probe" >&2
	exit 2
}

# Why QEMU/KVM cannot give its guest VT-x on this host; nothing if it can.
kvm_problem() {
	nested=/sys/module/kvm_intel/parameters/nested
	if ! command -v qemu-system-x86_64 >/dev/null; then
		echo "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
	elif [ ! -e /dev/kvm ]; then
		echo "no /dev/kvm (KVM is not available on this host)"
	elif [ ! -w /dev/kvm ]; then
		echo "/dev/kvm is not writable by $(id -un) (join group kvm)"
	elif ! grep -qw vmx /proc/cpuinfo; then
		echo "the host CPU does not offer VMX (xtalk needs Intel VT-x)"
	elif [ ! -r $nested ]; then
		echo "the kvm_intel module is not loaded"
	else
		case $(cat $nested) in
		Y | 1) ;;
		*) echo "nested VMX is off ($nested = $(cat $nested)): sudo modprobe -r kvm_intel && sudo modprobe kvm_intel nested=1" ;;
		esac
	fi
}

bus=usb accel=auto secs=${XTALK_RUN_TIMEOUT:-600}
while [ $# -gt 0 ]; do
	case $1 in
	--probe)
		problem=$(kvm_problem)
		[ -z "$problem" ] || { echo "$problem"; exit 1; }
		echo "QEMU/KVM with nested VMX is available"
		exit 0
		;;
	--bus) [ $# -ge 2 ] || usage; bus=$2; shift 2 ;;
	--accel) [ $# -ge 2 ] || usage; accel=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || usage; secs=$2; shift 2 ;;
	-h | --help) usage ;;
	-*) echo "run-qemu: unknown option '$1'" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
disk=$1
case $bus in usb | ide) ;; *) die "--bus must be usb or ide, not '$bus'" ;; esac
case $secs in '' | *[!0-9]*) die "--timeout wants a number of seconds, not '$secs'" ;; esac

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 not found (Debian package qemu-system-x86: scripts/deps.sh usb)"
{ [ -r $OVMF_CODE ] && [ -r $OVMF_VARS ]; } ||
	die "OVMF not found in /usr/share/OVMF (Debian package ovmf)"
[ -f "$disk" ] || die "no disk image '$disk' (make usb builds build/xtalk-usb.img)"
"$(dirname "$0")/usb.sh" --check "$disk" ||
	die "$disk cannot boot: it needs a GPT disk with a FAT32 EFI system partition holding EFI/BOOT/BOOTX64.EFI and xtalk.ini"

problem=$(kvm_problem)
case $accel in
auto) if [ -z "$problem" ]; then accel=kvm; else accel=tcg; fi ;;
kvm) [ -z "$problem" ] || die "cannot use QEMU/KVM with nested VMX: $problem" ;;
tcg) problem=${problem:-TCG was asked for} ;;
*) die "--accel must be auto, kvm or tcg, not '$accel'" ;;
esac
limit="stopped after $secs s"
[ "$secs" != 0 ] || limit="no time limit"
if [ "$accel" = kvm ]; then
	say "QEMU/KVM with nested VMX: the guests get VT-x ($disk as $bus disk; Ctrl-A X quits; $limit)"
	cpu="-enable-kvm -cpu host,+vmx"
else
	say "no VT-x for the guest here: $problem"
	say "booting under QEMU TCG anyway: xtalk will load xtalk.ini and its guests, then stop with"
	say "'VT-x not available' and power off. To run the guests use 'make run' (Bochs emulates VT-x)"
	say "or a host with nested KVM. ($disk as $bus disk; Ctrl-A X quits; $limit)"
	cpu="-cpu qemu64"
fi

# QEMU reads ',' in a file name as an option separator: double it.
file=$(printf '%s' "$(realpath "$disk")" | sed 's/,/,,/g')
case $bus in
usb) media="-device qemu-xhci,id=xhci -device usb-storage,bus=xhci.0,drive=disk0,bootindex=0" ;;
ide) media="-device ide-hd,bus=ide.0,drive=disk0,bootindex=0" ;;
esac
vars=$(mktemp "${TMPDIR:-/tmp}/xtalk-OVMF_VARS.XXXXXX")
trap 'rm -f "$vars"' EXIT
cp $OVMF_VARS "$vars"

# --foreground: QEMU keeps the terminal (Ctrl-A X); -k: KILL if TERM is ignored.
# shellcheck disable=SC2086 # $cpu and $media are lists of words
if timeout --foreground -k 5 "$secs" qemu-system-x86_64 -machine "q35,accel=$accel" $cpu -m 512 \
	-drive if=pflash,format=raw,readonly=on,file=$OVMF_CODE \
	-drive if=pflash,format=raw,file="$vars" \
	-drive if=none,id=disk0,format=raw,snapshot=on,file="$file" $media \
	-netdev user,id=net0 -device e1000,netdev=net0 \
	-display none -serial mon:stdio -no-reboot; then
	rc=0
else
	rc=$?
fi
echo
case $rc in
0) say "QEMU exited" ;;
124 | 137) say "QEMU was still running after $secs s: stopped it (--timeout, XTALK_RUN_TIMEOUT)" ;;
*) say "QEMU failed (exit status $rc)" ;;
esac
exit $rc
