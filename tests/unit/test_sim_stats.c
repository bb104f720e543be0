/* Percentiles, the hub's replies item by item, Retry-After. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "xiaoan/sim_stats.h"
#include "xiaoan/util.h"

static void test_percentile(void **state)
{
	(void)state;
	int64_t v[100];
	for (int i = 0; i < 100; i++)
		v[i] = i + 1; /* 1..100 */
	assert_int_equal(sim_percentile(v, 100, 50), 50);
	assert_int_equal(sim_percentile(v, 100, 90), 90);
	assert_int_equal(sim_percentile(v, 100, 99), 99);
	assert_int_equal(sim_percentile(v, 100, 100), 100);
	assert_int_equal(sim_percentile(v, 100, 0.5), 1);
	assert_int_equal(sim_percentile(v, 0, 50), 0);

	int64_t ten[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	assert_int_equal(sim_percentile(ten, 10, 50), 5);
	assert_int_equal(sim_percentile(ten, 10, 90), 9);
	assert_int_equal(sim_percentile(ten, 10, 99), 10); /* rank ceil(9.9) = 10 */
	assert_int_equal(sim_percentile(ten, 10, 10), 1);
	assert_int_equal(sim_percentile(ten, 10, 11), 2);

	int64_t one[1] = { 7 };
	assert_int_equal(sim_percentile(one, 1, 1), 7);
	assert_int_equal(sim_percentile(one, 1, 99), 7);
}

static void test_summarize(void **state)
{
	(void)state;
	struct sim_lat l = { 0 };
	struct sim_summary s;
	for (int i = 1000; i >= 1; i--) /* unsorted on purpose */
		sim_lat_add(&l, i * 10);
	assert_int_equal(l.n, 1000);
	sim_summarize(l.v, l.n, &s);
	assert_int_equal(s.n, 1000);
	assert_int_equal(s.p50, 5000);
	assert_int_equal(s.p90, 9000);
	assert_int_equal(s.p99, 9900);
	assert_int_equal(s.max, 10000);
	assert_int_equal(l.v[0], 10);
	sim_lat_free(&l);
	sim_summarize(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.max, 0);
}

static size_t parse(int status, const char *body, bool batch, size_t n, struct sim_result *r)
{
	return sim_reply_parse(status, body, body ? strlen(body) : 0, batch, n, r);
}

static void test_reply_single(void **state)
{
	(void)state;
	struct sim_result r[1];
	assert_int_equal(parse(201, "{\"case_id\":17,\"seq\":42}", false, 1, r), 0);
	assert_int_equal(r[0].status, 201);
	assert_int_equal(r[0].case_id, 17);
	assert_int_equal(r[0].seq, 42);
	assert_int_equal(parse(200, "{\"case_id\":17,\"seq\":42}", false, 1, r), 0);
	assert_int_equal(r[0].status, 200);
	assert_int_equal(parse(400, "{\"error\":\"unknown school \\\"S999\\\"\",\"field\":\"school\"}", false, 1, r), 0);
	assert_int_equal(r[0].status, 400);
	assert_string_equal(r[0].field, "school");
	assert_string_equal(r[0].error, "unknown school \"S999\"");
	assert_int_equal(r[0].case_id, 0);
	/* Status without a JSON body still counts. */
	assert_int_equal(parse(503, "", false, 1, r), 0);
	assert_int_equal(r[0].status, 503);
	assert_int_equal(parse(401, "Unauthorized", false, 1, r), 0);
	assert_int_equal(r[0].status, 401);
	/* No reply at all. */
	assert_int_equal(parse(0, NULL, false, 1, r), 1);
	assert_int_equal(r[0].status, 0);
	assert_string_equal(r[0].error, "no reply from the hub");
}

static void test_reply_batch(void **state)
{
	(void)state;
	struct sim_result r[4];
	const char *body = "{\"results\":[{\"index\":0,\"status\":201,\"case_id\":5,\"seq\":9},"
			   "{\"index\":2,\"status\":400,\"error\":\"bad\",\"field\":\"type\"},"
			   "{\"index\":1,\"status\":200,\"case_id\":3,\"seq\":4}]}";
	assert_int_equal(parse(200, body, true, 4, r), 1);
	assert_int_equal(r[0].status, 201);
	assert_int_equal(r[0].seq, 9);
	assert_int_equal(r[1].status, 200);
	assert_int_equal(r[1].case_id, 3);
	assert_int_equal(r[2].status, 400);
	assert_string_equal(r[2].field, "type");
	assert_int_equal(r[3].status, 0); /* not mentioned */
	assert_string_equal(r[3].error, "no answer for this item");

	/* Out-of-range and repeated indexes are ignored. */
	body = "{\"results\":[{\"index\":7,\"status\":201},{\"index\":-1,\"status\":201},"
	       "{\"index\":0,\"status\":201,\"seq\":1},{\"index\":0,\"status\":400},{\"index\":1,\"status\":42}]}";
	assert_int_equal(parse(207, body, true, 2, r), 1);
	assert_int_equal(r[0].status, 201);
	assert_int_equal(r[1].status, 0);

	/* The batch refused as a whole. */
	assert_int_equal(parse(413, "{\"error\":\"too large\",\"field\":\"\"}", true, 3, r), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(r[i].status, 413);
	assert_int_equal(parse(503, "", true, 2, r), 0);
	assert_int_equal(r[1].status, 503);
	/* A 2xx batch reply without results accounts for nothing. */
	assert_int_equal(parse(200, "{\"case_id\":1}", true, 2, r), 2);
	assert_int_equal(parse(200, "{\"results\":[] } x", true, 1, r), 1);
}

static void test_retry_after(void **state)
{
	(void)state;
	assert_int_equal(sim_retry_after("3", 1, 30), 3);
	assert_int_equal(sim_retry_after("0", 1, 30), 0);
	assert_int_equal(sim_retry_after("120", 1, 30), 30);
	assert_int_equal(sim_retry_after("99999999999999999999", 1, 30), 30);
	assert_int_equal(sim_retry_after("", 1, 30), 1);
	assert_int_equal(sim_retry_after(NULL, 2, 30), 2);
	assert_int_equal(sim_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1, 30), 1);
	assert_int_equal(sim_retry_after("-5", 1, 30), 1);
	assert_int_equal(sim_retry_after("5s", 1, 30), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_reply_single),
		cmocka_unit_test(test_reply_batch),
		cmocka_unit_test(test_retry_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
