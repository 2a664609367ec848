#!/bin/sh
# SPDX-License-Identifier: MIT
# make acpi-check: the guest ACPI tables as iasl and acpiexec (acpica-tools)
# see them, for a few configurations written by the host program acpi_dump:
#   - `iasl -d` disassembles each table (XSDT, FACP, APIC, HPET, FACS, DSDT)
#     and neither its output nor the .dsl mentions an error, a warning, an
#     incorrect checksum or an invalid/unknown field. iasl -d exits 0 even on
#     a bad checksum ("Firmware Warning (ACPI): Incorrect checksum in table
#     [FACP] - 0x00, should be 0x07"), so its words are what is checked;
#   - the .dsl compiles back (iasl -z: keep the compiler ID) to the same
#     bytes, checksum included; for AML tables (DSDT, SSDT) iasl always
#     writes its own compiler ID and revision (and so checksum): there the
#     rest of the header and the whole AML must be the same;
#   - acpiexec evaluates \_SB.PCI0._PRT in APIC mode (\_PIC 1) and PIC mode
#     and the 128 entries match fw_pci_gsi()/fw_pci_pic_irq(); \_S5 gives
#     the SLP_TYP of FW_S5_SLP_TYP; with the SSDT loaded next to the DSDT,
#     the last processor device has _HID ACPI0007 and _UID = its index.
# The RSDP is not an SDT and iasl -d does not decode it (it says "does not
# contain a valid ACPI table" even for its own RSDP template); its checksums
# are checked by tests/unit/test_acpi_tables.c.
# Closes with "acpi: N passed, N failed, 0 skipped".
# Usage: tests/acpi/check_tables.sh ACPI_DUMP WORKDIR
set -u
dump=$1 work=$2
passed=0 failed=0
BAD='error|warning|incorrect|invalid|unknown|\*\*\*\*'

pass() { passed=$((passed + 1)); echo "  ok   $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1"; }

# Bytes [from, from + count) of a file, as hex.
bytes() { od -An -tx1 -v -j "$2" ${3:+-N "$3"} "$1"; }

# Whether the recompiled table rt is the same as t: byte for byte for data
# tables; for AML all but the checksum (9) and compiler ID/revision (28-35).
same_table() {
	if [ "$1" = dsdt ] || [ "$1" = ssdt ]; then
		[ "$(bytes "$2" 0 9)$(bytes "$2" 10 18)$(bytes "$2" 36)" = \
		  "$(bytes "$3" 0 9)$(bytes "$3" 10 18)$(bytes "$3" 36)" ]
	else
		cmp -s "$2" "$3"
	fi
}

# One table: disassemble cleanly, then compile back to the same bytes.
check_table() {
	dir=$1 t=$2
	if (cd "$dir" && iasl -d "$t.dat" >"$t.log" 2>&1) && [ -s "$dir/$t.dsl" ] &&
		! grep -qiE "$BAD" "$dir/$t.log" "$dir/$t.dsl"; then
		pass "$dir/$t: iasl -d clean"
	else
		grep -iE "$BAD" "$dir/$t.log" "$dir/$t.dsl" | head -n 5
		fail "$dir/$t: iasl -d reports a problem ($dir/$t.log)"
	fi
	if (cd "$dir" && iasl -z -vs -p "rt_$t" "$t.dsl" >"rt_$t.log" 2>&1) &&
		same_table "$t" "$dir/$t.dat" "$dir/rt_$t.aml"; then
		pass "$dir/$t: recompiles to the same bytes"
	else
		fail "$dir/$t: recompiled table differs ($dir/rt_$t.log)"
	fi
}

# Hex digits to a number (POSIX awk has no strtonum).
HEX='function hex(s,  i, v) { v = 0; s = tolower(s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v }'

# acpiexec's view of _PRT: "slot pin source-index" lines; its whole output
# (which must have no warning: ACPICA checks _PRT's package shape) in LOG.
eval_prt() {
	acpiexec -b "evaluate \\_PIC $2; evaluate \\_SB.PCI0._PRT" "$1/dsdt.dat" >"$3" 2>&1
	awk "$HEX"'/Evaluation of \\_SB.PCI0._PRT/ { on = 1; next }
	     on && /\[Integer\] = / { v[n++ % 4] = hex($NF)
		if (n % 4 == 0) printf "%d %d %d\n", int(v[0] / 65536), v[1], v[3] }' "$3"
}

check_prt() {
	dir=$1 mode=$2 pic=$3
	log=$dir/acpiexec_$mode.log
	eval_prt "$dir" "$pic" "$log" >"$dir/prt_${mode}_acpiexec.txt"
	if cmp -s "$dir/prt_$mode.txt" "$dir/prt_${mode}_acpiexec.txt" &&
		[ "$(wc -l <"$dir/prt_$mode.txt")" = 128 ] && ! grep -qiE "$BAD|exception" "$log"; then
		pass "$dir: _PRT in $mode mode matches the C routing"
	else
		diff "$dir/prt_$mode.txt" "$dir/prt_${mode}_acpiexec.txt" | head -n 5
		grep -iE "$BAD|exception" "$log" | head -n 5
		fail "$dir: _PRT in $mode mode differs from the C routing"
	fi
}

check_s5() {
	dir=$1
	got=$(acpiexec -b 'evaluate \_S5' "$dir/dsdt.dat" 2>&1 |
		awk "$HEX"'/Evaluation of \\_S5/ { on = 1; next }
		     on && /\[Integer\] = / { printf "%d ", hex($NF) }')
	if [ "$got" = "$(cat "$dir/s5.txt") " ]; then
		pass "$dir: \\_S5 is { $got}"
	else
		fail "$dir: \\_S5 is { $got}, want { $(cat "$dir/s5.txt") }"
	fi
}

# The SSDT's processor devices, loaded with the DSDT into one namespace.
check_cpus() {
	dir=$1
	last=$(($(cat "$dir/cpus.txt") - 1))
	name=$(printf 'CP%02X' "$last")
	out=$(acpiexec -b "evaluate \\_SB.$name._UID; evaluate \\_SB.$name._HID" \
		"$dir/dsdt.dat" "$dir/ssdt.dat" 2>&1)
	uid=$(printf '%s\n' "$out" | awk "$HEX"'/\[Integer\] = / { print hex($NF); exit }')
	if [ "$uid" = "$last" ] && printf '%s\n' "$out" | grep -q '"ACPI0007"' &&
		! printf '%s\n' "$out" | grep -qiE "$BAD|exception"; then
		pass "$dir: processor device $name, _UID $uid"
	else
		printf '%s\n' "$out" | grep -iE "$BAD|exception|Integer|String" | head -n 5
		fail "$dir: processor device $name wrong or missing"
	fi
}

check_config() {
	name=$1
	shift
	dir=$work/$name
	rm -rf "$dir" && mkdir -p "$dir"
	if ! "$dump" "$dir" "$@"; then
		fail "$name: acpi_dump $*"
		return
	fi
	for f in "$dir"/*.dat; do
		check_table "$dir" "$(basename "$f" .dat)"
	done
	check_prt "$dir" apic 1
	check_prt "$dir" pic 0
	check_s5 "$dir"
	check_cpus "$dir"
}

for tool in iasl acpiexec; do
	command -v $tool >/dev/null || { echo "acpi: $tool missing (scripts/deps.sh test)"; exit 1; }
done
check_config cpu1 1
check_config cpu4_hpet 4 hpet
check_config cpu64_hpet 64 hpet
echo "acpi: $passed passed, $failed failed, 0 skipped"
[ "$failed" = 0 ]
