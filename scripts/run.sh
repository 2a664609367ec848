#!/bin/sh
# Boot a disk image with xtalk in the best emulator available and show the
# serial console live: QEMU/KVM when this host offers nested VMX, Bochs
# (which emulates VMX and EPT) otherwise.
# Usage: scripts/run.sh DISK.img
set -eu
disk=$(realpath "$1")
work=$(dirname "$disk")/run
mkdir -p "$work"

# QEMU/KVM's part is scripts/run-qemu.sh (also 'make run-qemu'): the image as a
# SATA disk, an e1000 NIC on user networking, COM1 on the terminal.
if "$(dirname "$0")/run-qemu.sh" --probe >/dev/null; then
	echo "run: QEMU/KVM with nested VMX (Ctrl-A X quits)"
	exec "$(dirname "$0")/run-qemu.sh" --bus ide --accel kvm "$disk"
fi

command -v bochs >/dev/null || { echo "run: bochs not found (Debian package bochs)" >&2; exit 1; }
echo "run: no KVM with nested VMX here; using Bochs, which emulates VT-x and EPT (about 10 s to boot the firmware)"
cat /usr/share/OVMF/OVMF_VARS.fd /usr/share/OVMF/OVMF_CODE.fd >"$work/OVMF.fd"
cat >"$work/bochsrc" <<EOF2
megs: 256
romimage: file=$work/OVMF.fd, address=0xffe00000
cpu: model=corei7_skylake_x, count=1, ips=200000000, reset_on_triple_fault=0
ata0-master: type=disk, path=$disk, mode=flat
boot: disk
display_library: rfb, options="timeout=0"
com1: enabled=1, mode=file, dev=$work/serial.txt
log: $work/bochs.log
info: action=ignore
panic: action=fatal
sound: driver=dummy
speaker: enabled=0
EOF2
printf 'c\nquit\n' >"$work/cmds"
: >"$work/serial.txt"
timeout "${XTALK_RUN_TIMEOUT:-600}" bochs -q -unlock -f "$work/bochsrc" -rc "$work/cmds" \
	</dev/null >"$work/bochs.out" 2>&1 &
pid=$!
# Show the console as it is written, without the firmware's screen-control codes.
tail -n +1 -f --pid=$pid "$work/serial.txt" | sed -u 's/\x1b\[[0-9;=?]*[A-Za-z]//g; s/\r$//'
wait $pid || true
echo
echo "run: emulator stopped; console log in $work/serial.txt"
