/* SPDX-License-Identifier: MIT */
/* Host tests for the guest MAC address table (crosstalk/mactable.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crosstalk/mactable.h"
#include "lib/xerrno.h"

static struct mac_table t;

static void mac_of(unsigned port, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x52, 0x54, 0x00, 0x00, (uint8_t)(port >> 8), (uint8_t)port };

	memcpy(mac, m, 6);
}

static void test_add_lookup(void **state)
{
	uint8_t mac[6];
	uint16_t net = 0;

	(void)state;
	mac_table_init(&t);
	for (unsigned p = 0; p < MAC_TABLE_MAX_PORTS; p++) {
		mac_of(p, mac);
		assert_int_equal(mac_table_add(&t, mac, p, (uint16_t)(p % 3)), 0);
	}
	for (unsigned p = 0; p < MAC_TABLE_MAX_PORTS; p++) {
		mac_of(p, mac);
		assert_int_equal(mac_table_lookup(&t, mac, &net), (int)p);
		assert_int_equal(net, p % 3);
	}
	mac_of(1000, mac);
	assert_int_equal(mac_table_lookup(&t, mac, NULL), -1);
	assert_int_equal(mac_table_add(&t, mac, 1, 0), -XT_ENOSPC);
}

static void test_rejects(void **state)
{
	const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	const uint8_t zero[6] = { 0 };
	uint8_t mac[6];

	(void)state;
	mac_table_init(&t);
	assert_int_equal(mac_table_add(&t, bcast, 0, 0), -XT_EINVAL);
	assert_int_equal(mac_table_add(&t, mcast, 0, 0), -XT_EINVAL);
	assert_int_equal(mac_table_add(&t, zero, 0, 0), -XT_EINVAL);
	mac_of(7, mac);
	assert_int_equal(mac_table_add(&t, mac, MAC_TABLE_MAX_PORTS, 0), -XT_EINVAL);
	assert_int_equal(mac_table_add(&t, mac, 7, 0), 0);
	assert_int_equal(mac_table_add(&t, mac, 8, 0), -XT_EEXIST);
	assert_true(mac_is_multicast(bcast) && mac_is_multicast(mcast) && !mac_is_multicast(mac));
}

static void test_remove_keeps_others_reachable(void **state)
{
	uint8_t mac[6];

	(void)state;
	mac_table_init(&t);
	for (unsigned p = 0; p < 40; p++) {
		mac_of(p, mac);
		assert_int_equal(mac_table_add(&t, mac, p, 1), 0);
	}
	for (unsigned p = 0; p < 40; p += 2)
		mac_table_remove_port(&t, p);
	assert_int_equal(t.count, 20);
	for (unsigned p = 0; p < 40; p++) {
		mac_of(p, mac);
		assert_int_equal(mac_table_lookup(&t, mac, NULL), p % 2 ? (int)p : -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_lookup),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_remove_keeps_others_reachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
