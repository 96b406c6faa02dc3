/* nftables input text, applied through libnftables in one transaction:
 * network-zones' plan is nft syntax that an administrator reads (the dry
 * run) and that is applied as it is printed.  Not for the hotplug scripts,
 * whose batches common/fw/fw_nft.c builds directly (no parser to start);
 * network-zones is the only binary linking libnftables. */
#include "zones.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

/* Run text (only checked with check); with out, the listing it printed is
 * copied there. */
static int run(const char *text, int check, char *out, size_t outlen, char *err,
	       size_t len)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *e, *o;
	int rc;

	if (!ctx) {
		snprintf(err, len, "nftables: out of memory");
		errno = ENOMEM;
		return -1;
	}
	nft_ctx_buffer_error(ctx);
	nft_ctx_buffer_output(ctx);
	/* The batch goes to the kernel without its end: checked, then aborted.
	 */
	nft_ctx_set_dry_run(ctx, check);
	rc = nft_run_cmd_from_buffer(ctx, text);
	e = nft_ctx_get_error_buffer(ctx);
	o = nft_ctx_get_output_buffer(ctx);
	if (rc) {
		snprintf(err, len, "nftables: %.*s",
			 (int)strcspn(e ? e : "", "\n"),
			 e && *e ? e : "failed");
		errno = EINVAL;
	} else if (out) {
		snprintf(out, outlen, "%s", o ? o : "");
	}
	nft_ctx_free(ctx);
	return rc ? -1 : 0;
}

int zones_nft_apply(const char *text, char *err, size_t len)
{
	return run(text, 0, NULL, 0, err, len);
}

int zones_nft_check(const char *text, char *err, size_t len)
{
	return run(text, 1, NULL, 0, err, len);
}

int zones_nft_list(const char *what, char *out, size_t outlen, char *err,
		   size_t len)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "list %s", what);
	return run(cmd, 0, out, outlen, err, len);
}
