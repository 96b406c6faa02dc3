/* Sockets whose release makes the releasing process wait for an RCU grace
 * period, 5 to 25 ms here, longer than a whole hotplug run: an nfnetlink
 * socket that sent a batch (nf_tables' NETLINK_URELEASE handler), a packet
 * socket (packet_release() calls synchronize_net()).  A run hands them to
 * its network namespace's holder, a process that releases them later, all
 * at once, when the toolstack no longer waits for anyone. */
#ifndef XNS_RELEASE_H
#define XNS_RELEASE_H

/* Keep fd's socket open in this network namespace's holder until its next
 * release instant, the next multiple of 250 ms of the monotonic clock after
 * the run that started the holder has exited; without a holder (or with
 * one that is not root's), this run forks one.  The caller then closes fd:
 * the holder's reference keeps the socket.  Nothing is reported: at worst
 * the socket is released when fd is closed, as without a holder. */
void release_later(int fd);

#endif
