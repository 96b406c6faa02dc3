/* What the fuzz targets share.  A target is one file tests/fuzz/NAME.c
 * defining LLVMFuzzerTestOneInput(); the Makefile builds every such file as
 * build/fuzz/NAME against common/ and the programs' own files (network-zones/,
 * vif-nat/nat.c) compiled with the same sanitizers, and tests/fuzz/run.sh
 * runs it with the seeds of tests/fuzz/corpus/NAME/ and the dictionary
 * tests/fuzz/NAME.dict when they exist.
 *
 * Besides the sanitizers' reports, a target checks what the parser promises
 * (round trips, messages on refusal, -1 on a short buffer): FUZZ_CHECK aborts,
 * which libFuzzer reports as a crash with the input that caused it. */
#ifndef XNS_FUZZ_H
#define XNS_FUZZ_H
#include <errno.h>
#include <sanitizer/asan_interface.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, \
				__LINE__, #cond);                              \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			abort();                                               \
		}                                                              \
	} while (0)

/* The input as a C string (up to its first NUL), malloc'd to its exact size
 * so that reads past the end are caught. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input split at its NULs into at most max strings, as a command line
 * arrives: returns how many, *copy holds them (free it). */
static inline int fuzz_words(const uint8_t *data, size_t size, char **words,
			     int max, char **copy)
{
	char *s = fuzz_str(data, size);
	int n = 0;

	for (size_t i = 0; n < max && i <= size; i += strlen(s + i) + 1)
		words[n++] = s + i;
	*copy = s;
	return n;
}

/* A buffer of exactly len bytes, for renderers to be caught writing past the
 * length they were given (ASan gives malloc(0) a byte: poisoned here). */
static inline char *fuzz_buf(size_t len)
{
	char *b = malloc(len ? len : 1);

	if (!b)
		abort();
	if (!len)
		ASAN_POISON_MEMORY_REGION(b, 1);
	return b;
}

/* Render obj with fn(obj, buf, len) in at most max bytes and check the
 * renderer at its edge: nothing fits in 0 bytes, one byte short of the text
 * is refused with ENOSPC, exactly enough gives the same text.  The text
 * (free it), or NULL when it did not fit in max (ENOSPC). */
#define FUZZ_RENDER(fn, obj, max)                                              \
	({                                                                     \
		char *full_ = fuzz_buf(max), *edge_;                           \
		size_t n_;                                                     \
                                                                               \
		if (fn((obj), full_, (max)) < 0) {                             \
			FUZZ_CHECK(errno == ENOSPC, "%s: %s", #fn,             \
				   strerror(errno));                           \
			free(full_);                                           \
			full_ = NULL;                                          \
		} else {                                                       \
			n_ = strlen(full_);                                    \
			edge_ = fuzz_buf(0);                                   \
			FUZZ_CHECK(fn((obj), edge_, 0) < 0 && errno == ENOSPC, \
				   "%s: no ENOSPC for 0 bytes", #fn);          \
			free(edge_);                                           \
			edge_ = fuzz_buf(n_);                                  \
			FUZZ_CHECK(fn((obj), edge_, n_) < 0 &&                 \
					   errno == ENOSPC,                    \
				   "%s: no ENOSPC for %zu bytes", #fn, n_);    \
			free(edge_);                                           \
			edge_ = fuzz_buf(n_ + 1);                              \
			FUZZ_CHECK(fn((obj), edge_, n_ + 1) == 0 &&            \
					   !strcmp(edge_, full_),              \
				   "%s: differs in %zu bytes", #fn, n_ + 1);   \
			free(edge_);                                           \
		}                                                              \
		full_;                                                         \
	})
#endif
