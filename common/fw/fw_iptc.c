/* The iptables backend, through libiptc (IPv4) and libip6tc (IPv6), for
 * hosts that run iptables-legacy:
 *
 *   filter FORWARD, INPUT:  -j xen-antispoof             (first rule)
 *   xen-antispoof:          -m physdev --physdev-in vif1.0 -j xen-vif1.0
 *                           (-i vif1.0 for a routed vif)
 *   xen-vif1.0:             the rules of fw_rules.c that iptables can
 *                           express; a pass is RETURN, so the host's own
 *                           FORWARD rules still decide what is allowed.
 *   nat PREROUTING:         -j xen-OWNER-pre    (empty)
 *   nat POSTROUTING:        -j xen-OWNER-post   (masquerading, IPv4)
 *
 * Everything from init to commit runs under the xtables lock, the flock on
 * /run/xtables.lock that `iptables -w` takes, so a concurrent iptables or
 * hotplug script never sees a half-made change and never fails on us.
 * The checks read without it (see "reading back").
 * iptables sees IP packets only: ARP, VLAN tags and other ethertypes pass. */
#include "fw_int.h"
#include "kmod.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libiptc/libip6tc.h>
#include <libiptc/libiptc.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define DISPATCH "xen-antispoof"
#define CHAIN_PREFIX "xen-"
#define ENTRY_MAX 2048

/* The two libraries have the same API under two prefixes and two entry
 * types; the entries differ only in their IP header, so everything is
 * built once and handed over through these pointers.  They are filled
 * from the libraries on first use (libs_load()): a run with nft, or with
 * no firewall, does not map and relocate them at every start. */
struct family {
	int af;
	uint16_t ethertype;
	const char *names; /* /proc file listing the live tables */
	const char *tool;  /* its command, for messages */
	size_t ip;	   /* sizeof the IP header part of an entry */
	size_t hdr;	   /* sizeof the entry with its IP header */
	size_t target_offset, next_offset; /* offsetof those fields */
	const char *lib, *prefix; /* the library (soname) and its prefix */
	struct xtc_handle *(*init)(const char *table);
	void (*free)(struct xtc_handle *h);
	int (*commit)(struct xtc_handle *h);
	int (*is_chain)(const char *chain, struct xtc_handle *h);
	int (*create_chain)(const char *chain, struct xtc_handle *h);
	int (*flush)(const char *chain, struct xtc_handle *h);
	int (*delete_chain)(const char *chain, struct xtc_handle *h);
	int (*insert)(const char *chain, const void *e, unsigned n,
		      struct xtc_handle *h);
	int (*append)(const char *chain, const void *e, struct xtc_handle *h);
	int (*check)(const char *chain, const void *e, unsigned char *mask,
		     struct xtc_handle *h);
	const void *(*first)(const char *chain, struct xtc_handle *h);
	const void *(*next)(const void *e, struct xtc_handle *h);
	const char *(*target)(const void *e, struct xtc_handle *h);
	int (*delete_num)(const char *chain, unsigned n, struct xtc_handle *h);
	void (*set_ip)(void *e, const struct fw_rule *r);
	const char *kmod;	/* the module of its tables, */
	const char *table_kmod; /* and of each table, before its name */
};

/* Each pointer above and the library's name for it, after the prefix. */
#define SYM(field, name)                                                       \
	{                                                                      \
		offsetof(struct family, field), name                           \
	}
static const struct {
	size_t off;
	const char *name;
} syms[] = {
	SYM(init, "init"),
	SYM(free, "free"),
	SYM(commit, "commit"),
	SYM(is_chain, "is_chain"),
	SYM(create_chain, "create_chain"),
	SYM(flush, "flush_entries"),
	SYM(delete_chain, "delete_chain"),
	SYM(insert, "insert_entry"),
	SYM(append, "append_entry"),
	SYM(check, "check_entry"),
	SYM(first, "first_rule"),
	SYM(next, "next_rule"),
	SYM(target, "get_target"),
	SYM(delete_num, "delete_num_entry"),
};

static void prefix_mask(unsigned char *mask, int prefix, int len)
{
	memset(mask, 0, (size_t)len);
	for (int i = 0; i < prefix; i++)
		mask[i / 8] |= (unsigned char)(0x80 >> (i % 8));
}

/* An exact interface name, as iptables -i/-o writes it. */
static void iface(char *name, unsigned char *mask, const char *dev)
{
	snprintf(name, IFNAMSIZ, "%s", dev);
	memset(mask, 0xff, strlen(dev) + 1);
}

static void set_ip4(void *entry, const struct fw_rule *r)
{
	struct ipt_ip *ip = &((struct ipt_entry *)entry)->ip;

	for (int i = 0; i < r->n; i++) {
		const struct fw_match *m = &r->m[i];

		if (m->kind == FW_SADDR) {
			memcpy(&ip->src, m->addr.a, 4);
			prefix_mask((unsigned char *)&ip->smsk, m->addr.prefix,
				    4);
		} else if (m->kind == FW_DADDR) {
			memcpy(&ip->dst, m->addr.a, 4);
			prefix_mask((unsigned char *)&ip->dmsk, m->addr.prefix,
				    4);
		} else if (m->kind == FW_L4PROTO) {
			ip->proto = m->val;
		} else if (m->kind == FW_IIFNAME) {
			iface(ip->iniface, ip->iniface_mask, m->ifname);
		} else if (m->kind == FW_OIFNAME) {
			iface(ip->outiface, ip->outiface_mask, m->ifname);
		}
	}
}

static void set_ip6(void *entry, const struct fw_rule *r)
{
	struct ip6t_ip6 *ip = &((struct ip6t_entry *)entry)->ipv6;

	for (int i = 0; i < r->n; i++) {
		const struct fw_match *m = &r->m[i];

		if (m->kind == FW_SADDR) {
			memcpy(&ip->src, m->addr.a, 16);
			prefix_mask((unsigned char *)&ip->smsk, m->addr.prefix,
				    16);
		} else if (m->kind == FW_DADDR) {
			memcpy(&ip->dst, m->addr.a, 16);
			prefix_mask((unsigned char *)&ip->dmsk, m->addr.prefix,
				    16);
		} else if (m->kind == FW_L4PROTO) {
			ip->proto = m->val;
			ip->flags |= IP6T_F_PROTO;
		} else if (m->kind == FW_IIFNAME) {
			iface(ip->iniface, ip->iniface_mask, m->ifname);
		} else if (m->kind == FW_OIFNAME) {
			iface(ip->outiface, ip->outiface_mask, m->ifname);
		}
	}
}

static struct family families[] = {
	{ AF_INET, ETH_P_IP, "/proc/net/ip_tables_names", "iptables",
	  offsetof(struct ipt_entry, nfcache), sizeof(struct ipt_entry),
	  offsetof(struct ipt_entry, target_offset),
	  offsetof(struct ipt_entry, next_offset), "libip4tc.so.2", "iptc_",
	  .set_ip = set_ip4, .kmod = "ip_tables", .table_kmod = "iptable_" },
	{ AF_INET6, ETH_P_IPV6, "/proc/net/ip6_tables_names", "ip6tables",
	  offsetof(struct ip6t_entry, nfcache), sizeof(struct ip6t_entry),
	  offsetof(struct ip6t_entry, target_offset),
	  offsetof(struct ip6t_entry, next_offset), "libip6tc.so.2", "ip6tc_",
	  .set_ip = set_ip6, .kmod = "ip6_tables", .table_kmod = "ip6table_" },
};

/* --- entries --- */

struct entry {
	union {
		unsigned char b[ENTRY_MAX];
		uint64_t align;
	} u;
	const struct family *f;
	size_t len;
};

static void entry_init(struct entry *e, const struct family *f)
{
	memset(e->u.b, 0, f->hdr);
	e->f = f;
	e->len = f->hdr;
}

static void set_u16(struct entry *e, size_t off, size_t val)
{
	uint16_t v = (uint16_t)val;

	memcpy(e->u.b + off, &v, sizeof(v));
}

static void *entry_match(struct entry *e, const char *name, size_t size)
{
	size_t total = XT_ALIGN(sizeof(struct xt_entry_match) + size);
	struct xt_entry_match *m = (struct xt_entry_match *)(e->u.b + e->len);

	memset(m, 0, total);
	m->u.user.match_size = (uint16_t)total;
	snprintf(m->u.user.name, sizeof(m->u.user.name), "%s", name);
	e->len += total;
	return m->data;
}

/* A target module (MASQUERADE) with its data, which is returned. */
static void *entry_target_data(struct entry *e, const char *name, size_t size)
{
	size_t total = XT_ALIGN(sizeof(struct xt_entry_target) + size);
	struct xt_entry_target *t = (struct xt_entry_target *)(e->u.b + e->len);

	memset(t, 0, total);
	t->u.user.target_size = (uint16_t)total;
	snprintf(t->u.user.name, sizeof(t->u.user.name), "%s", name);
	set_u16(e, e->f->target_offset, e->len);
	e->len += total;
	set_u16(e, e->f->next_offset, e->len);
	return t->data;
}

/* A standard target: DROP, RETURN or a chain's name (libiptc resolves it). */
static void entry_target(struct entry *e, const char *target)
{
	entry_target_data(e, target, sizeof(int));
}

/* MASQUERADE (revision 0: the compat range). */
static void entry_masq(struct entry *e)
{
	struct nf_nat_ipv4_multi_range_compat *mr;

	mr = entry_target_data(e, "MASQUERADE", sizeof(*mr));
	mr->rangesize = 1;
}

static void entry_comment(struct entry *e, const char *dev, const char *why)
{
	struct xt_comment_info *c = entry_match(e, "comment", sizeof(*c));

	snprintf(c->comment, sizeof(c->comment), "%s: %s", dev, why);
}

static void entry_physdev_in(struct entry *e, const char *dev)
{
	struct xt_physdev_info *p = entry_match(e, "physdev", sizeof(*p));

	snprintf(p->physindev, sizeof(p->physindev), "%s", dev);
	memset(p->in_mask, 0xff, strlen(dev) + 1);
	p->bitmask = XT_PHYSDEV_OP_IN;
}

/* Whether family f can express r, and then r as an entry. */
static int entry_rule(struct entry *e, const struct family *f, const char *dev,
		      const struct fw_rule *r)
{
	uint16_t proto = 0, sport = 0, dport = 0;

	if (r->n == 0)
		return 0; /* "any other ethertype": not iptables' to see */
	entry_init(e, f);
	for (int i = 0; i < r->n; i++) {
		const struct fw_match *m = &r->m[i];

		switch (m->kind) {
		case FW_ETHERTYPE:
			if (m->val != f->ethertype)
				return 0;
			break;
		case FW_SMAC_NOT: {
			struct xt_mac_info *mi =
				entry_match(e, "mac", sizeof(*mi));

			memcpy(mi->srcaddr, m->mac, 6);
			mi->invert = 1;
			break;
		}
		case FW_ARP_SHA_NOT:
		case FW_ARP_SPA:
		case FW_LOOKUP: /* the nft layout's sets: not iptables' */
			return 0;
		case FW_IIFNAME:
		case FW_OIFNAME:
			break;
		case FW_L4PROTO:
			if (m->inv) /* only the nft layout's fast path */
				return 0;
			proto = m->val;
			break;
		case FW_SPORT:
			if (m->inv)
				return 0;
			sport = m->val;
			break;
		case FW_DPORT:
			dport = m->val;
			break;
		case FW_ICMP6_TYPE: {
			struct ip6t_icmp *ic =
				entry_match(e, "icmp6", sizeof(*ic));

			ic->type = (uint8_t)m->val;
			ic->code[1] = 0xff;
			break;
		}
		case FW_SADDR:
		case FW_DADDR:
			if (m->addr.family != f->af)
				return 0;
			break;
		}
	}
	if (sport || dport) {
		struct xt_udp *u = entry_match(
			e, proto == IPPROTO_TCP ? "tcp" : "udp", sizeof(*u));

		u->spts[0] = sport;
		u->spts[1] = sport ? sport : 0xffff;
		u->dpts[0] = dport;
		u->dpts[1] = dport ? dport : 0xffff;
	}
	f->set_ip(e->u.b, r);
	entry_comment(e, dev, r->why);
	if (r->verdict == FW_MASQ)
		entry_masq(e);
	else
		entry_target(e, r->verdict == FW_PASS ? "RETURN" : "DROP");
	return 1;
}

/* --- the lock and the tables --- */

static int xtables_lock(void)
{
	const char *path = getenv("XTABLES_LOCKFILE");
	int fd;

	fd = open(path && *path ? path : "/run/xtables.lock",
		  O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Whether the kernel has instantiated one of family f's tables a, b (NULL:
 * none) in this network namespace; reading it through libiptc would
 * create it. */
static int table_live(const struct family *f, const char *a, const char *b)
{
	char line[64];
	FILE *fp = fopen(f->names, "re");
	int live = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		live |= !strcmp(line, a) || (b && !strcmp(line, b));
	}
	fclose(fp);
	return live;
}

int fw_iptc_present(void)
{
	for (size_t i = 0; i < 2; i++)
		if (table_live(&families[i], "filter", "nat"))
			return 1;
	return 0;
}

/* Make sure chain exists, and is empty when flush. */
static int ensure_chain(const struct family *f, struct xtc_handle *h,
			const char *chain, int flush)
{
	if (!f->is_chain(chain, h))
		return f->create_chain(chain, h) ? 0 : -1;
	if (flush && !f->flush(chain, h))
		return -1;
	return 0;
}

/* Whether chain holds a rule identical to e, anywhere. */
static int has_rule(const struct family *f, struct xtc_handle *h,
		    const char *chain, struct entry *e)
{
	unsigned char mask[ENTRY_MAX];

	memset(mask, 0xff, e->len);
	return f->check(chain, e->u.b, mask, h);
}

/* Add e to chain unless an identical rule is there; at the top when top. */
static int ensure_rule(const struct family *f, struct xtc_handle *h,
		       const char *chain, struct entry *e, int top)
{
	if (has_rule(f, h, chain, e))
		return 0;
	if (top ? f->insert(chain, e->u.b, 0, h) : f->append(chain, e->u.b, h))
		return 0;
	return -1;
}

/* The jump to to of all packets, commented with why. */
static void jump_entry(struct entry *e, const struct family *f, const char *to,
		       const char *name, const char *why)
{
	entry_init(e, f);
	entry_comment(e, name, why);
	entry_target(e, to);
}

/* from jumps to to, first in from. */
static int jump(const struct family *f, struct xtc_handle *h, const char *from,
		const char *to, const char *name, const char *why)
{
	struct entry e;

	jump_entry(&e, f, to, name, why);
	return ensure_rule(f, h, from, &e, 1);
}

/* The rule of xen-antispoof that sends v's packets to chain: bridged ones
 * by physdev, routed ones by their input interface. */
static void dispatch_entry(struct entry *e, const struct family *f,
			   const struct fw_vif *v, const char *chain)
{
	struct fw_rule r = { .n = 0 };

	entry_init(e, f);
	if (v->routed) {
		r.m[r.n].kind = FW_IIFNAME;
		snprintf(r.m[r.n++].ifname, IFNAMSIZ, "%s", v->dev);
		f->set_ip(e->u.b, &r);
	} else {
		entry_physdev_in(e, v->dev);
	}
	entry_comment(e, v->dev, "anti-spoofing");
	entry_target(e, chain);
}

static int dispatch(const struct family *f, struct xtc_handle *h,
		    const struct fw_vif *v, const char *chain)
{
	struct entry e;

	dispatch_entry(&e, f, v, chain);
	return ensure_rule(f, h, DISPATCH, &e, 0);
}

/* Delete the rules of from that jump to chain. */
static int unjump(const struct family *f, struct xtc_handle *h,
		  const char *from, const char *chain)
{
	unsigned n;
	const void *e;

again:
	for (n = 0, e = f->first(from, h); e; e = f->next(e, h), n++) {
		if (strcmp(f->target(e, h), chain))
			continue;
		if (!f->delete_num(from, n, h))
			return -1;
		goto again;
	}
	return 0;
}

/* chain, emptied and filled with the rules of hook that family f can
 * express, commented with name. */
static int fill(const struct family *f, struct xtc_handle *h, const char *chain,
		const char *name, const struct fw_rule *r, int n,
		enum fw_hook hook)
{
	struct entry e;

	if (ensure_chain(f, h, chain, 1) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (r[i].hook == hook && entry_rule(&e, f, name, &r[i]) &&
		    !f->append(chain, e.u.b, h))
			return -1;
	return 0;
}

/* Remove chain and every rule of the from chains that jumps to it. */
static int remove_chain(const struct family *f, struct xtc_handle *h,
			const char *chain, const char *const *from, int nfrom)
{
	if (!f->is_chain(chain, h))
		return 0;
	for (int i = 0; i < nfrom; i++)
		if (f->is_chain(from[i], h) && unjump(f, h, from[i], chain) < 0)
			return -1;
	if (!f->flush(chain, h) || !f->delete_chain(chain, h))
		return -1;
	return 1;
}

/* --- one change of one table --- */

struct change {
	const struct fw_vif *v;
	const struct fw_nat *nat;
	const struct fw_rule *r;
	int n;
	const char *chain, *chain2; /* the vif's, or the owner's pre/post */
};

/* Why the last change failed, when errno cannot say it (fw_iptc_error()). */
static char load_error[512];

const char *fw_iptc_error(void)
{
	return load_error[0] ? load_error : NULL;
}

/* Fill families[]' pointers from libip4tc and libip6tc, once; -1 with
 * load_error[] saying why. */
static int libs_load(void)
{
	static int loaded;

	if (loaded)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		struct family *f = &families[i];
		void *lib = dlopen(f->lib, RTLD_NOW | RTLD_LOCAL), *p = lib;
		char name[64];

		for (size_t j = 0; p && j < sizeof(syms) / sizeof(syms[0]);
		     j++) {
			snprintf(name, sizeof(name), "%s%s", f->prefix,
				 syms[j].name);
			if ((p = dlsym(lib, name)))
				memcpy((char *)f + syms[j].off, &p, sizeof(p));
		}
		if (!p) {
			snprintf(load_error, sizeof(load_error), "%s",
				 dlerror());
			if (lib)
				dlclose(lib);
			errno = ELIBACC;
			return -1;
		}
	}
	loaded = 1;
	return 0;
}

/* Table of family f, its modules loaded first when the kernel does not have
 * them yet: libiptc loads none, the iptables command loads them
 * (xtables_insmod), and so does this.  Before ip_tables is loaded the
 * kernel answers ENOPROTOOPT ("iptables who?"), or ENOENT when bpfilter
 * answers for it; a table whose module is not loaded, ENOENT.  NULL with
 * errno set, and load_error[] when a module could not be loaded. */
static struct xtc_handle *open_table(const struct family *f, const char *table)
{
	struct xtc_handle *h;
	char mod[32];

	if (libs_load() < 0)
		return NULL;
	h = f->init(table);
	if (h || (errno != ENOPROTOOPT && errno != ENOENT))
		return h;
	snprintf(mod, sizeof(mod), "%s%s", f->table_kmod, table);
	if (kmod_load(f->kmod, load_error, sizeof(load_error)) < 0 ||
	    kmod_load(mod, load_error, sizeof(load_error)) < 0)
		return NULL;
	return f->init(table);
}

/* Open table of family f, apply, commit; a table not live is left alone
 * by a removal (remove: apply only removes). */
static int change(const struct family *f, const char *table, int remove,
		  int (*apply)(const struct family *, struct xtc_handle *,
			       const struct change *),
		  const struct change *c)
{
	struct xtc_handle *h;
	int ret;

	if (remove && !table_live(f, table, NULL))
		return 0;
	if (!(h = open_table(f, table)))
		return -1;
	ret = apply(f, h, c);
	if (ret > 0 && !f->commit(h))
		ret = -1;
	f->free(h);
	return ret < 0 ? -1 : 0;
}

static int apply_allow(const struct family *f, struct xtc_handle *h,
		       const struct change *c)
{
	if (ensure_chain(f, h, DISPATCH, 0) < 0 ||
	    jump(f, h, "FORWARD", DISPATCH, "xen",
		 "anti-spoofing of the vifs") < 0 ||
	    jump(f, h, "INPUT", DISPATCH, "xen", "anti-spoofing of the vifs") <
		    0 ||
	    fill(f, h, c->chain, c->v->dev, c->r, c->n, FW_PREROUTING) < 0 ||
	    dispatch(f, h, c->v, c->chain) < 0)
		return -1;
	return 1;
}

static int apply_revoke(const struct family *f, struct xtc_handle *h,
			const struct change *c)
{
	static const char *const from[] = { DISPATCH };

	return remove_chain(f, h, c->chain, from, 1);
}

static int apply_nat(const struct family *f, struct xtc_handle *h,
		     const struct change *c)
{
	if (fill(f, h, c->chain, c->nat->owner, c->r, c->n, FW_PREROUTING) <
		    0 ||
	    fill(f, h, c->chain2, c->nat->owner, c->r, c->n, FW_POSTROUTING) <
		    0 ||
	    jump(f, h, "PREROUTING", c->chain, c->nat->owner, "port forwards") <
		    0 ||
	    jump(f, h, "POSTROUTING", c->chain2, c->nat->owner,
		 "masquerading") < 0)
		return -1;
	return 1;
}

static int apply_nat_clear(const struct family *f, struct xtc_handle *h,
			   const struct change *c)
{
	static const char *const pre[] = { "PREROUTING" }, *const post[] = {
		"POSTROUTING"
	};
	int a, b;

	if ((a = remove_chain(f, h, c->chain, pre, 1)) < 0 ||
	    (b = remove_chain(f, h, c->chain2, post, 1)) < 0)
		return -1;
	return a || b;
}

static void chain_name(const char *name, const char *suffix, char *chain,
		       size_t len)
{
	snprintf(chain, len, CHAIN_PREFIX "%s%s", name, suffix);
}

int fw_iptc_allow(const struct fw_vif *v, const struct fw_rule *r, int n)
{
	char chain[32];
	struct change c = { .v = v, .r = r, .n = n, .chain = chain };
	int lock, ret = 0;

	chain_name(v->dev, "", chain, sizeof(chain));
	if ((lock = xtables_lock()) < 0)
		return -1;
	for (size_t i = 0; i < 2 && ret == 0; i++)
		ret = change(&families[i], "filter", 0, apply_allow, &c);
	/* Both families or neither. */
	if (ret < 0)
		for (size_t i = 0; i < 2; i++)
			change(&families[i], "filter", 1, apply_revoke, &c);
	close(lock);
	return ret < 0 ? -1 : 0;
}

int fw_iptc_revoke(const char *dev)
{
	char chain[32];
	struct change c = { .chain = chain };
	int lock, ret = 0;

	chain_name(dev, "", chain, sizeof(chain));
	if ((lock = xtables_lock()) < 0)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (change(&families[i], "filter", 1, apply_revoke, &c) < 0)
			ret = -1;
	close(lock);
	return ret;
}

/* NAT is IPv4's: families[0] only. */
int fw_iptc_nat_set(const struct fw_nat *nat, const struct fw_rule *r, int n)
{
	char pre[32], post[32];
	struct change c = {
		.nat = nat, .r = r, .n = n, .chain = pre, .chain2 = post
	};
	int lock, ret;

	chain_name(nat->owner, "-pre", pre, sizeof(pre));
	chain_name(nat->owner, "-post", post, sizeof(post));
	if ((lock = xtables_lock()) < 0)
		return -1;
	ret = change(&families[0], "nat", 0, apply_nat, &c);
	close(lock);
	return ret;
}

int fw_iptc_nat_clear(const char *owner)
{
	char pre[32], post[32];
	struct change c = { .chain = pre, .chain2 = post };
	int lock, ret;

	chain_name(owner, "-pre", pre, sizeof(pre));
	chain_name(owner, "-post", post, sizeof(post));
	if ((lock = xtables_lock()) < 0)
		return -1;
	ret = change(&families[0], "nat", 1, apply_nat_clear, &c);
	close(lock);
	return ret;
}

/* --- reading back: the checks ---
 *
 * Without the xtables lock: iptc_init() reads a table whole, its size and
 * then its entries, which the kernel copies under its own table mutex and
 * refuses (EAGAIN, and libiptc asks again) when the size changed in
 * between, so what it reads is one consistent snapshot.  The lock only
 * orders writers' read-modify-write; taking it would make every check wait
 * behind a long iptables-restore.  A table not yet live is not read at all
 * (reading it would make it). */

/* xen-antispoof's rule that jumps to target. */
struct disp {
	const char *target; /* libiptc's, valid with the handle */
	const void *e;
};

/* What the checks read of one table of one family, once per pass
 * (fw_iptc_check_reset() forgets it). */
struct snap {
	int read;
	struct xtc_handle *h; /* NULL: the table is not live */
	int jumps_ok;	      /* FORWARD and INPUT jump to xen-antispoof */
	struct disp *disp;    /* xen-antispoof's rules by target, once read */
	int ndisp;
};

static struct snap snaps[2][2]; /* [family][filter, nat] */

void fw_iptc_check_reset(void)
{
	load_error[0] = '\0';
	for (size_t i = 0; i < 2; i++)
		for (size_t j = 0; j < 2; j++) {
			if (snaps[i][j].h)
				families[i].free(snaps[i][j].h);
			free(snaps[i][j].disp);
			memset(&snaps[i][j], 0, sizeof(snaps[i][j]));
		}
}

/* Table filter (nat when nat) of families[i], read once per pass; NULL
 * with errno set. */
static struct snap *snap(size_t i, int nat)
{
	struct snap *s = &snaps[i][nat];
	const char *table = nat ? "nat" : "filter";

	if (s->read)
		return s;
	if (table_live(&families[i], table, NULL) &&
	    (libs_load() < 0 || !(s->h = families[i].init(table))))
		return NULL;
	s->read = 1;
	return s;
}

/* Whether rule k of h is e as we built it: its IP part, each match, and
 * its target (by name: libiptc holds a jump as an offset; a module
 * target's data too).  Only what the user part of a match or target
 * holds is compared: the kernel leaves the rest of its name as it was. */
static int entry_same(const struct family *f, struct xtc_handle *h,
		      const void *k, const struct entry *e)
{
	const unsigned char *a = k, *b = e->u.b;
	const struct xt_entry_target *kt, *et;
	uint16_t toff, etoff, next;

	memcpy(&toff, a + f->target_offset, sizeof(toff));
	memcpy(&etoff, b + f->target_offset, sizeof(etoff));
	memcpy(&next, a + f->next_offset, sizeof(next));
	if (memcmp(a, b, f->ip) || toff != etoff || next != e->len)
		return 0;
	for (size_t i = f->hdr; i < toff;) {
		const struct xt_entry_match *km = (const void *)(a + i);
		const struct xt_entry_match *em = (const void *)(b + i);
		size_t size = em->u.match_size;

		if (km->u.match_size != size ||
		    strcmp(km->u.user.name, em->u.user.name) ||
		    km->u.user.revision != em->u.user.revision ||
		    memcmp(km->data, em->data, size - sizeof(*em)))
			return 0;
		i += size;
	}
	kt = (const void *)(a + toff);
	et = (const void *)(b + toff);
	if (strcmp(f->target(k, h), et->u.user.name))
		return 0;
	/* The standard target's name is empty: its verdict is compared. */
	return !*kt->u.user.name ||
	       (kt->u.target_size == et->u.target_size &&
		!memcmp(kt->data, et->data, et->u.target_size - sizeof(*et)));
}

/* Whether chain of s holds exactly the rules that fill() makes of r (those
 * of hook that family f can express, commented with name), in order: 1, or
 * 0 with why. */
static int chain_check(const struct family *f, const struct snap *s,
		       const char *chain, const char *name,
		       const struct fw_rule *r, int n, enum fw_hook hook,
		       char *why, size_t len)
{
	int have = 0, want = 0, bad = 0, badi = -1;
	const void *k;
	struct entry e;

	if (!s->h || !f->is_chain(chain, s->h))
		return fw_why(why, len, "%s chain %s not found", f->tool,
			      chain);
	for (k = f->first(chain, s->h); k; k = f->next(k, s->h))
		have++;
	k = f->first(chain, s->h);
	for (int i = 0; i < n; i++) {
		if (r[i].hook != hook || !entry_rule(&e, f, name, &r[i]))
			continue;
		want++;
		if (badi < 0 && k && !entry_same(f, s->h, k, &e)) {
			badi = i;
			bad = want;
		}
		if (k)
			k = f->next(k, s->h);
	}
	if (have != want)
		return fw_why(why, len,
			      "%s chain %s has %d rule%s, expected %d", f->tool,
			      chain, have, have == 1 ? "" : "s", want);
	if (badi >= 0)
		return fw_why(why, len,
			      "%s chain %s: rule %d differs, expected '%s: %s'",
			      f->tool, chain, bad, name, r[badi].why);
	return 1;
}

/* Whether from of s jumps to to as jump() makes it: 1, or 0 with why. */
static int jump_check(const struct family *f, const struct snap *s,
		      const char *from, const char *to, const char *name,
		      const char *comment, char *why, size_t len)
{
	struct entry e;

	jump_entry(&e, f, to, name, comment);
	if (s->h && f->is_chain(from, s->h) && f->is_chain(to, s->h) &&
	    has_rule(f, s->h, from, &e))
		return 1;
	return fw_why(why, len, "no jump to %s in %s chain %s", to, f->tool,
		      from);
}

/* What apply_allow() makes for every vif, in s: xen-antispoof, and the
 * jumps to it (known good for the rest of the pass once seen). */
static int antispoof_check(const struct family *f, struct snap *s, char *why,
			   size_t len)
{
	int ret;

	if (s->jumps_ok)
		return 1;
	if (!s->h || !f->is_chain(DISPATCH, s->h))
		return fw_why(why, len, "%s chain %s not found", f->tool,
			      DISPATCH);
	if ((ret = jump_check(f, s, "FORWARD", DISPATCH, "xen",
			      "anti-spoofing of the vifs", why, len)) <= 0 ||
	    (ret = jump_check(f, s, "INPUT", DISPATCH, "xen",
			      "anti-spoofing of the vifs", why, len)) <= 0)
		return ret;
	s->jumps_ok = 1;
	return 1;
}

static int disp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct disp *)a)->target,
		      ((const struct disp *)b)->target);
}

/* Whether xen-antispoof of s holds v's dispatch to chain, as dispatch()
 * makes it.  Its rules are indexed by target once per pass: a pass over
 * every vif stays linear.  -1 with errno ENOMEM. */
static int dispatched(const struct family *f, struct snap *s,
		      const struct fw_vif *v, const char *chain)
{
	size_t lo = 0, hi;
	const void *k;
	struct entry e;

	if (!s->disp) {
		for (k = f->first(DISPATCH, s->h); k; k = f->next(k, s->h))
			s->ndisp++;
		if (!(s->disp = calloc((size_t)s->ndisp + 1, sizeof(*s->disp))))
			return -1;
		s->ndisp = 0;
		for (k = f->first(DISPATCH, s->h); k; k = f->next(k, s->h))
			s->disp[s->ndisp++] =
				(struct disp){ f->target(k, s->h), k };
		qsort(s->disp, (size_t)s->ndisp, sizeof(*s->disp), disp_cmp);
	}
	/* The first rule with target chain, then each one after it. */
	for (hi = (size_t)s->ndisp; lo < hi;) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(s->disp[mid].target, chain) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	dispatch_entry(&e, f, v, chain);
	for (; lo < (size_t)s->ndisp && !strcmp(s->disp[lo].target, chain);
	     lo++)
		if (entry_same(f, s->h, s->disp[lo].e, &e))
			return 1;
	return 0;
}

int fw_iptc_vif_check(const struct fw_vif *v, const struct fw_rule *r, int n,
		      char *why, size_t len)
{
	char chain[32];
	int ret;

	chain_name(v->dev, "", chain, sizeof(chain));
	for (size_t i = 0; i < 2; i++) {
		const struct family *f = &families[i];
		struct snap *s = snap(i, 0);

		if (!s)
			return -1;
		if ((ret = antispoof_check(f, s, why, len)) <= 0 ||
		    (ret = chain_check(f, s, chain, v->dev, r, n, FW_PREROUTING,
				       why, len)) <= 0)
			return ret;
		if ((ret = dispatched(f, s, v, chain)) <= 0)
			return ret < 0 ? -1
				       : fw_why(why, len,
						"no dispatch to chain %s in %s chain %s",
						chain, f->tool, DISPATCH);
	}
	return 1;
}

/* NAT is IPv4's: families[0] only. */
int fw_iptc_nat_check(const struct fw_nat *nat, const struct fw_rule *r, int n,
		      char *why, size_t len)
{
	const struct family *f = &families[0];
	char pre[32], post[32];
	struct snap *s = snap(0, 1);
	int ret;

	if (!s)
		return -1;
	chain_name(nat->owner, "-pre", pre, sizeof(pre));
	chain_name(nat->owner, "-post", post, sizeof(post));
	if ((ret = chain_check(f, s, pre, nat->owner, r, n, FW_PREROUTING, why,
			       len)) <= 0 ||
	    (ret = chain_check(f, s, post, nat->owner, r, n, FW_POSTROUTING,
			       why, len)) <= 0 ||
	    (ret = jump_check(f, s, "PREROUTING", pre, nat->owner,
			      "port forwards", why, len)) <= 0)
		return ret;
	return jump_check(f, s, "POSTROUTING", post, nat->owner, "masquerading",
			  why, len);
}

int fw_iptc_holds(const char *name, int nat)
{
	char a[32], b[32];
	struct snap *s;

	chain_name(name, nat ? "-pre" : "", a, sizeof(a));
	chain_name(name, nat ? "-post" : "", b, sizeof(b));
	for (size_t i = 0; i < (nat ? 1 : 2); i++) {
		if (!(s = snap(i, nat)))
			return -1;
		if (s->h && (families[i].is_chain(a, s->h) ||
			     families[i].is_chain(b, s->h)))
			return 1;
	}
	return 0;
}
