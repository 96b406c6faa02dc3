#include "text.h"

#include <stdarg.h>
#include <stdio.h>

void text_put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->p, t->left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->left) {
		t->full = 1;
		n = t->left ? (int)t->left - 1 : 0;
	}
	t->p += n;
	t->left -= (size_t)n;
}
