/* The firewall's rules and nft batches as text, for the unit tests' golden
 * files: test code, not in libcommon.a. */
#include "fwdump.h"

/* The libc headers before the kernel's, which defer to them. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/if_ether.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static void put_mac(struct text *o, const unsigned char *m)
{
	char s[ARGS_MAC_LEN];

	args_mac_format(m, s, sizeof(s));
	text_put(o, "%s", s);
}

static const char *ethertype_name(uint16_t t)
{
	switch (t) {
	case ETH_P_IP:
		return "ip";
	case ETH_P_ARP:
		return "arp";
	case ETH_P_IPV6:
		return "ip6";
	case ETH_P_8021Q:
		return "8021q";
	}
	return NULL;
}

static const char *l4_name(uint16_t p)
{
	switch (p) {
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	}
	return NULL;
}

int fwdump_rule(const char *name, const struct fw_rule *r, int routed,
		char *buf, size_t len)
{
	struct text o = TEXT_INIT(buf, len);
	const char *l4 = "th";

	for (int i = 0; i < r->n; i++) {
		const struct fw_match *m = &r->m[i];

		switch (m->kind) {
		case FW_ETHERTYPE:
			if (routed)
				text_put(&o, "meta nfproto %s ",
					 m->val == ETH_P_IP ? "ipv4" : "ipv6");
			else if (ethertype_name(m->val))
				text_put(&o, "ether type %s ",
					 ethertype_name(m->val));
			else
				text_put(&o, "ether type 0x%04x ", m->val);
			break;
		case FW_SMAC_NOT:
			text_put(&o, "ether saddr != ");
			put_mac(&o, m->mac);
			text_put(&o, " ");
			break;
		case FW_ARP_SHA_NOT:
			text_put(&o, "arp saddr ether != ");
			put_mac(&o, m->mac);
			text_put(&o, " ");
			break;
		case FW_ARP_SPA:
			text_put(&o, "arp saddr ip ");
			text_put(&o, "%s", args_addr_text(&m->addr).s);
			text_put(&o, " ");
			break;
		case FW_SADDR:
		case FW_DADDR:
			text_put(&o, "%s %s ",
				 m->addr.family == AF_INET ? "ip" : "ip6",
				 m->kind == FW_SADDR ? "saddr" : "daddr");
			text_put(&o, "%s", args_addr_text(&m->addr).s);
			text_put(&o, " ");
			break;
		case FW_L4PROTO:
			text_put(&o, "meta l4proto %s", m->inv ? "!= " : "");
			if (l4_name(m->val))
				text_put(&o, "%s ", l4_name(m->val));
			else
				text_put(&o, "%u ", m->val);
			if (!m->inv)
				l4 = m->val == IPPROTO_UDP   ? "udp"
				     : m->val == IPPROTO_TCP ? "tcp"
							     : "th";
			break;
		case FW_SPORT:
			text_put(&o, "%s sport %s%u ", l4, m->inv ? "!= " : "",
				 m->val);
			break;
		case FW_DPORT:
			text_put(&o, "%s dport %u ", l4, m->val);
			break;
		case FW_IIFNAME:
		case FW_OIFNAME:
			text_put(&o, "%s \"%s\" ",
				 m->kind == FW_IIFNAME ? "iifname" : "oifname",
				 m->ifname);
			break;
		case FW_LOOKUP: {
			/* The nft layout's sets (fw_nft.c names them). */
			static const char *const sets[FW_NSETS] = {
				"vifs",	 "trunks", "anymac", "macs",
				"addr4", "addr6",  "net4",   "net6",
				"anyip", "fast4",  "fast6"
			};
			static const char *const keys[] = {
				"",
				" . ether saddr",
				" . arp saddr ether",
				" . arp saddr ip",
				" . ip saddr",
				" . ip6 saddr",
				" . ether saddr . ip saddr",
				" . ether saddr . ip6 saddr"
			};

			text_put(&o, "iifname%s %s@%s ", keys[m->key],
				 m->inv ? "!= " : "", sets[m->set]);
			break;
		}
		case FW_ICMP6_TYPE:
			if (m->val == ICMP6_ROUTER_ADVERT)
				text_put(&o, "icmpv6 type nd-router-advert ");
			else if (m->val == ICMP6_REDIRECT)
				text_put(&o, "icmpv6 type nd-redirect ");
			else
				text_put(&o, "icmpv6 type %u ", m->val);
			break;
		}
	}
	switch (r->verdict) {
	case FW_PASS:
		text_put(&o, "accept");
		break;
	case FW_DROP:
		text_put(&o, "drop");
		break;
	case FW_MASQ:
		text_put(&o, "masquerade");
		break;
	}
	text_put(&o, " comment \"%s%s%s\"", name ? name : "", name ? ": " : "",
		 r->why);
	if (o.full) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* The elements of a set element message, one a line after what line
 * holds, each attribute as hex (libnftnl 1.2.4 cannot parse an interval
 * set's second element back). */
static void elems_lines(const struct nlmsghdr *nlh, char *line, size_t len)
{
	static const char *const names[] = {
		[NFTA_SET_ELEM_KEY] = "key",
		[NFTA_SET_ELEM_KEY_END] = "key_end",
		[NFTA_SET_ELEM_USERDATA] = "userdata",
	};
	const struct nlattr *list, *elem, *a, *data;
	size_t used;

	mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(elem, list)
		{
			used = strlen(line);
			snprintf(line + used, len - used, "\n\telement");
			mnl_attr_for_each_nested(a, elem)
			{
				uint16_t t = mnl_attr_get_type(a);
				const unsigned char *p;
				uint16_t n;

				/* A key is nested in its data attribute. */
				data = t == NFTA_SET_ELEM_USERDATA
					       ? a
					       : mnl_attr_get_payload(a);
				p = mnl_attr_get_payload(data);
				n = mnl_attr_get_payload_len(data);
				used = strlen(line);
				snprintf(line + used, len - used, " %s=",
					 t < sizeof(names) / sizeof(names[0]) &&
							 names[t]
						 ? names[t]
						 : "?");
				for (uint16_t i = 0; i < n; i++) {
					used = strlen(line);
					if (t == NFTA_SET_ELEM_USERDATA)
						snprintf(
							line + used, len - used,
							p[i] >= 0x20 && p[i] < 0x7f &&
									p[i] != '\\'
								? "%c"
								: "\\x%02x",
							p[i]);
					else
						snprintf(line + used,
							 len - used, "%02x",
							 p[i]);
				}
			}
		}
	}
}

/* One line per message of the batch, in libnftnl's own notation. */
static void dump_msg(const struct nlmsghdr *nlh, char *line, size_t len)
{
	uint16_t type = nlh->nlmsg_type;

	if (type == NFNL_MSG_BATCH_BEGIN || type == NFNL_MSG_BATCH_END) {
		snprintf(line, len, "batch %s",
			 type == NFNL_MSG_BATCH_BEGIN ? "begin" : "end");
		return;
	}
	switch (NFNL_MSG_TYPE(type)) {
	case NFT_MSG_NEWTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		nftnl_table_nlmsg_parse(nlh, t);
		snprintf(line, len, "add ");
		nftnl_table_snprintf(line + strlen(line), len - strlen(line), t,
				     NFTNL_OUTPUT_DEFAULT, 0);
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_NEWCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();

		nftnl_chain_nlmsg_parse(nlh, c);
		snprintf(line, len, "add chain ");
		nftnl_chain_snprintf(line + strlen(line), len - strlen(line), c,
				     NFTNL_OUTPUT_DEFAULT, 0);
		nftnl_chain_free(c);
		break;
	}
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM: {
		struct nftnl_set *s = nftnl_set_alloc();

		if (NFNL_MSG_TYPE(type) == NFT_MSG_NEWSET) {
			nftnl_set_nlmsg_parse(nlh, s);
			snprintf(line, len, "add set ");
			nftnl_set_snprintf(line + strlen(line),
					   len - strlen(line), s,
					   NFTNL_OUTPUT_DEFAULT, 0);
			nftnl_set_free(s);
			break;
		}
		nftnl_set_elems_nlmsg_parse(nlh, s);
		snprintf(line, len, "add element %s",
			 nftnl_set_get_str(s, NFTNL_SET_NAME));
		nftnl_set_free(s);
		elems_lines(nlh, line, len);
		break;
	}
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();

		nftnl_rule_nlmsg_parse(nlh, r);
		if (NFNL_MSG_TYPE(type) == NFT_MSG_DELRULE)
			snprintf(line, len, "flush chain %s",
				 nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		else
			nftnl_rule_snprintf(line, len, r, NFTNL_OUTPUT_DEFAULT,
					    0);
		nftnl_rule_free(r);
		break;
	}
	default:
		snprintf(line, len, "message %u", NFNL_MSG_TYPE(type));
	}
}

char *fwdump_batch(const struct fw_vif *v, const struct fw_nat *nat,
		   const struct fw_rule *r, int n)
{
	size_t size = 1 << 17, used = 0, len;
	const struct nlmsghdr *nlh;
	void *batch;
	char *out;
	int left;

	if (!(batch = fw_nft_batch(v, nat, r, n, &len)))
		return NULL;
	if (!(out = malloc(size))) {
		free(batch);
		return NULL;
	}
	out[0] = 0;
	left = (int)len;
	for (nlh = batch; mnl_nlmsg_ok(nlh, left) && used < size;
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		char line[4096];

		dump_msg(nlh, line, sizeof(line));
		used += (size_t)snprintf(out + used, size - used, "%s\n", line);
	}
	free(batch);
	return out;
}
