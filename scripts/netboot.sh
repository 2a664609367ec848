#!/bin/bash
# Network boot of xtalk with iPXE (docs/netboot.md).
#
# iPXE runs xtalk.ipxe, which fetches xtalk.ini and the guest images with
# `imgfetch` and then starts xtalk.efi. iPXE shows the files it fetched to the
# EFI program it starts as a Simple File System on the program's device
# handle, the volume xtalk's loader reads \xtalk.ini and the guests from.
#
# Usage:
#   scripts/netboot.sh stage DIR XTALK.efi XTALK.ini [FILE...]
#       fill DIR (its old files are removed) with xtalk.efi, xtalk.ini, the
#       files, Debian's ipxe.efi and snponly.efi when installed, and xtalk.ipxe
#   scripts/netboot.sh script DIR
#       (re)write DIR/xtalk.ipxe so that it fetches xtalk.ini and every other
#       file in DIR except *.efi and *.ipxe
#   scripts/netboot.sh ipxe-usb OUT.img
#       a USB stick image that starts Debian's ipxe.efi, for machines whose
#       firmware has no iPXE: it boots the DHCP server's boot file (xtalk.ipxe)
#   scripts/netboot.sh serve DIR [--addr IP] [--http-port N] [--no-tftp] [--no-http] [--timeout SECS]
#       rewrite xtalk.ipxe, then serve DIR over TFTP (dnsmasq, port 69, needs
#       root) and HTTP (python3 http.server, port 8080) until Ctrl-C or SECS
set -euo pipefail

say() { echo "netboot: $*"; }
die() { echo "netboot: $*" >&2; exit 1; }

INI_MAX=65536            # boot/ini.h XT_INI_MAX_SIZE: a larger xtalk.ini is refused
IMAGE_MAX=$((3072 << 20))  # boot/ini.h XT_MEM_MAX_MIB: no guest file may be larger than a guest's RAM

# Names go into an iPXE script and a URL: keep them plain.
check_name() {
	case $1 in
	*[!A-Za-z0-9._-]* | "" | .*) die "'$1': netboot file names may only use A-Z a-z 0-9 . _ - (and not start with '.')" ;;
	esac
}

write_script() {
	local dir=$1 f name files=()
	[ -f "$dir/xtalk.efi" ] || die "$dir has no xtalk.efi (make netboot stages it)"
	[ -f "$dir/xtalk.ini" ] || die "$dir has no xtalk.ini (make netboot stages it)"
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		name=${f##*/}
		case $name in *.efi | *.ipxe | xtalk.ini) continue ;; esac
		check_name "$name"
		[ "$(stat -c %s "$f")" -le $IMAGE_MAX ] ||
			die "$f is larger than 3072 MiB, the most RAM a guest has: xtalk's loader would refuse it"
		files+=("$name")
	done
	[ "$(stat -c %s "$dir/xtalk.ini")" -le $INI_MAX ] ||
		die "$dir/xtalk.ini is larger than 64 KiB: xtalk would refuse it"
	{
		echo "#!ipxe"
		echo "# xtalk network boot, written by scripts/netboot.sh: fetch xtalk.ini and"
		echo "# the guest images, then start xtalk.efi, which finds them as files of its"
		echo "# boot volume. Relative names load from where this script came from."
		echo "echo xtalk-netboot: fetching xtalk.ini and ${#files[@]} guest image(s)"
		echo "imgfetch xtalk.ini || goto failed"
		for name in "${files[@]}"; do
			echo "imgfetch $name || goto failed"
		done
		echo "echo xtalk-netboot: starting xtalk.efi"
		echo "chain xtalk.efi || goto failed"
		echo ":failed"
		echo "echo xtalk-netboot: FAILED, see the message above. iPXE shell follows, 'exit' leaves it."
		echo "shell"
	} >"$dir/xtalk.ipxe.tmp"
	mv "$dir/xtalk.ipxe.tmp" "$dir/xtalk.ipxe"
	say "wrote $dir/xtalk.ipxe: fetches xtalk.ini and ${#files[@]} guest image(s), then starts xtalk.efi"
}

stage() {
	[ $# -ge 3 ] || die "usage: $0 stage DIR XTALK.efi XTALK.ini [FILE...]"
	local dir=$1 efi=$2 ini=$3 f
	shift 3
	for f in "$efi" "$ini" "$@"; do
		[ -f "$f" ] || die "missing input file '$f' (run 'make' first)"
	done
	mkdir -p "$dir"
	find "$dir" -maxdepth 1 -type f -delete
	cp "$efi" "$dir/xtalk.efi"
	cp "$ini" "$dir/xtalk.ini"
	for f in "$@"; do
		check_name "${f##*/}"
		cp "$f" "$dir/"
	done
	for f in /usr/lib/ipxe/ipxe.efi /usr/lib/ipxe/snponly.efi; do
		[ -f "$f" ] && cp "$f" "$dir/"
	done
	write_script "$dir"
	say "staged $dir: $(cd "$dir" && echo *)"
}

ipxe_usb() {
	[ $# -eq 1 ] || die "usage: $0 ipxe-usb OUT.img"
	local efi=/usr/lib/ipxe/ipxe.efi note
	[ -f $efi ] || die "$efi not found (Debian package ipxe: scripts/deps.sh netboot)"
	note=$(mktemp)
	echo "; This stick starts iPXE (EFI/BOOT/BOOTX64.EFI is Debian's ipxe.efi); xtalk, its xtalk.ini and the guests come over the network (docs/netboot.md)." >"$note"
	XTALK_ESP_MIB=34 "$(dirname "$0")/mkimage.sh" "$1" $efi "$note" || { rm -f "$note"; die "could not build $1"; }
	rm -f "$note"
	say "wrote $1: boots iPXE, which runs the boot file DHCP names (xtalk.ipxe); write it like the xtalk stick (docs/usb.md)"
}

# The servers serve() started, and its scratch folder.
pids=()
tmp=""
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "$tmp" ] || rm -rf "$tmp"
}

serve() {
	[ $# -ge 1 ] || die "usage: $0 serve DIR [--addr IP] [--http-port N] [--no-tftp] [--no-http] [--timeout SECS]"
	local dir addr="" port=8080 tftp=1 http=1 secs=0 ips
	dir=$(realpath "$1")
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--addr) addr=$2; shift 2 ;;
		--http-port) port=$2; shift 2 ;;
		--no-tftp) tftp=0; shift ;;
		--no-http) http=0; shift ;;
		--timeout) secs=$2; shift 2 ;;
		*) die "serve: unknown option '$1'" ;;
		esac
	done
	[ -d "$dir" ] || die "no folder $dir (make netboot stages it)"
	[ $tftp = 1 ] || [ $http = 1 ] || die "serve: nothing to serve with both --no-tftp and --no-http"
	write_script "$dir"

	if [ $tftp = 1 ]; then
		PATH=$PATH:/usr/sbin:/sbin
		command -v dnsmasq >/dev/null ||
			die "TFTP needs dnsmasq (Debian package dnsmasq-base: scripts/deps.sh netboot), or serve HTTP only: --no-tftp"
		[ "$(id -u)" = 0 ] ||
			die "TFTP listens on port 69, which needs root: sudo make netboot, or HTTP only: make netboot NETBOOT_ARGS=--no-tftp"
	fi
	if [ $http = 1 ]; then
		python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' \
			"$addr" "$port" 2>/dev/null ||
			die "HTTP port $port${addr:+ on $addr} is in use or not allowed: choose another with --http-port N (NETBOOT_ARGS)"
	fi

	tmp=$(mktemp -d)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	if [ $tftp = 1 ]; then
		local listen=()
		[ -z "$addr" ] || listen=(--listen-address="$addr")
		# TFTP only (--port=0: no DNS; no DHCP range: no DHCP). --tftp-single-port
		# answers from port 69, which NAT (QEMU user networking) needs.
		dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 "${listen[@]}" \
			--enable-tftp --tftp-root="$dir" --tftp-single-port --user=root \
			--pid-file="$tmp/dnsmasq.pid" --log-facility=- &
		pids+=($!)
	fi
	if [ $http = 1 ]; then
		python3 -m http.server --directory "$dir" ${addr:+--bind "$addr"} "$port" &
		pids+=($!)
	fi
	if [ "$secs" != 0 ]; then
		sleep "$secs" &
		pids+=($!)
	fi
	sleep 0.5
	ips=${addr:-$( (hostname -I 2>/dev/null || true) | awk '{print $1}')}
	ips=${ips:-THIS-HOST}
	if [ "$secs" = 0 ]; then
		say "serving $dir until Ctrl-C:"
	else
		say "serving $dir for $secs s (Ctrl-C stops sooner):"
	fi
	[ $tftp = 0 ] || say "  TFTP  tftp://$ips/xtalk.ipxe"
	[ $http = 0 ] || say "  HTTP  http://$ips:$port/xtalk.ipxe"
	say "an iPXE prompt (Ctrl-B) boots xtalk with:  dhcp && chain <one of the URLs above>"
	say "DHCP for PXE: next-server $ips, boot file 'xtalk.ipxe' for iPXE (user class iPXE), 'ipxe.efi' otherwise"

	# Stop when any server stops (or the time is up), and say which.
	local rc=0
	wait -n || rc=$?
	if [ "$secs" != 0 ] && ! kill -0 "${pids[-1]}" 2>/dev/null; then
		say "stopping after $secs s"
		exit 0
	fi
	die "a server stopped (exit status $rc; see its message above)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
stage) stage "$@" ;;
script) [ $# -eq 1 ] || die "usage: $0 script DIR"; write_script "$1" ;;
serve) serve "$@" ;;
ipxe-usb) ipxe_usb "$@" ;;
*) die "usage: $0 stage|script|serve|ipxe-usb ... (see the comment at the top of $0)" ;;
esac
