/* bench_curl.c - the baseline for `make bench`: the same GET made directly
 * with libcurl over one kept-alive connection, N times; prints latencies in
 * microseconds, one per line, on stdout. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p, (void)u;
	return s * n;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_curl URL N\n");
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *e = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer sk_test_bench");
	curl_easy_setopt(e, CURLOPT_URL, argv[1]);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
	for (long i = 0; i < n; i++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (curl_easy_perform(e) != CURLE_OK)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("%ld\n", (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	curl_global_cleanup();
	return 0;
}
