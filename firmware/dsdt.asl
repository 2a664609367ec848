/* SPDX-License-Identifier: MIT */
/*
 * The DSDT of an xtalk guest (ACPI Specification 6.3, "Differentiated System
 * Description Table (DSDT)"), compiled by iasl at build time into a C array
 * (Makefile, "firmware tables") that firmware/acpi_tables.c copies whole.
 * Built twice: as is, and with -D FW_HPET for a guest with an HPET.
 *
 * Numbers here that C code also knows, and where the C side lives:
 *   \_S5 SLP_TYP 5                 FW_S5_SLP_TYP (firmware/fw_config.h)
 *   _PRT swizzle and PIRQ 10/11     fw_pci_gsi(), fw_pci_pic_irq()
 *   MMIO window 0xC0000000-0xFEBFFFFF   the VMM's PCI MMIO window, which holds
 *                                  the e1000 BAR0 at 0xFEB80000
 *   HPET at 0xFED00000             FW_HPET_ADDR
 * The unit tests and tests/acpi/check_tables.sh (acpiexec) hold them together.
 */
DefinitionBlock ("", "DSDT", 2, "XTALK ", "XTALKVM ", 0x00000001)
{
    /*
     * "\_Sx (System States)": S5 soft off. The OS writes SLP_TYP = 5 with
     * SLP_EN to PM1a_CNT; PM1b is absent, its value unused.
     */
    Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })

    /*
     * "\_PIC Method": the OS says which interrupt model it uses (0: 8259
     * PIC, 1: IOAPIC) before it evaluates any _PRT; PICM remembers it.
     */
    Name (PICM, Zero)
    Method (\_PIC, 1, NotSerialized)
    {
        PICM = Arg0
    }

    Scope (\_SB)
    {
        /*
         * "PCI Root Bridge": bus 0, configuration mechanism #1 at 0xCF8. No
         * _ADR: "_ADR (Address)" names a device on its parent bus, and a
         * device with a _HID has none (iasl warns about both).
         */
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_BBN, Zero)
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,,)
                /* The configuration ports themselves. */
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8,,, , TypeStatic, DenseTranslation)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300,,, , TypeStatic, DenseTranslation)
                /* BARs below 4 GiB: from the end of guest RAM's ceiling
                 * (3 GiB) up to the IOAPIC. */
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0xC0000000, 0xFEBFFFFF, 0x00000000, 0x3EC00000,,, ,
                    AddressRangeMemory, TypeStatic)
            })

            /*
             * PIC-mode IRQ of each link: 8259 inputs 10 and 11, level
             * (the OS sets ELCR for them).
             */
            Name (PIRQ, Package (0x04) { 0x0A, 0x0A, 0x0B, 0x0B })

            /*
             * "_PRT (PCI Routing Table)", one entry per slot (0-31) and pin
             * (0 = INTA .. 3 = INTD), built in a loop: slot s, pin p drives
             * link (s + p) mod 4, which is GSI 16 + link in APIC mode and
             * PIRQ[link] in PIC mode. Source is 0 in both, so SourceIndex is
             * the GSI itself (in PIC mode GSIs 0-15 are the 8259 inputs),
             * level-sensitive and active low as _PRT defines for that case.
             */
            Method (_PRT, 0, NotSerialized)
            {
                Local0 = Package (0x80) {}
                Local1 = Zero
                While ((Local1 < 0x80))
                {
                    Local2 = (Local1 >> 0x02)
                    Local3 = (Local1 & 0x03)
                    Local4 = ((Local2 + Local3) & 0x03)
                    If (PICM)
                    {
                        Local5 = (Local4 + 0x10)
                    }
                    Else
                    {
                        Local5 = DerefOf (PIRQ [Local4])
                    }

                    Local6 = Package (0x04) { Zero, Zero, Zero, Zero }
                    Local6 [Zero] = ((Local2 << 0x10) | 0xFFFF)
                    Local6 [One] = Local3
                    Local6 [0x03] = Local5
                    Local0 [Local1] = Local6
                    Local1++
                }

                Return (Local0)
            }
        }

        /* The legacy devices the platform emulates ("Device Object Name
         * Collection": PNP IDs). */
        Device (PIC)
        {
            Name (_HID, EisaId ("PNP0000"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0020, 0x0020, 0x01, 0x02)
                IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02)
                IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02)
                IRQNoFlags () {2}
            })
        }

        Device (TIMR)
        {
            Name (_HID, EisaId ("PNP0100"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0040, 0x0040, 0x01, 0x04)
                IRQNoFlags () {0}
            })
        }

        Device (RTC)
        {
            Name (_HID, EisaId ("PNP0B00"))
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
                IRQNoFlags () {8}
            })
        }

        Device (COM1)
        {
            Name (_HID, EisaId ("PNP0501"))
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x03F8, 0x03F8, 0x01, 0x08)
                IRQNoFlags () {4}
            })
        }

#ifdef FW_HPET
        /* IA-PC HPET Specification 1.0a, "HPET Device Object". */
        Device (HPET)
        {
            Name (_HID, EisaId ("PNP0103"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                Memory32Fixed (ReadOnly, 0xFED00000, 0x00000400,)
            })
        }
#endif
    }
}
