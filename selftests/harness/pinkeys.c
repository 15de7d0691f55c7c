// SPDX-License-Identifier: GPL-2.0
/*
 * pinkeys: hold the static keys that KVM and packet timestamps toggle
 * switched on for the life of a test VM (scripts/vm-init, vfp.pinkeys=1).
 *
 * It keeps open a KVM VM with one vCPU (kvm's preempt notifier key and
 * its static calls) and a datagram socket with SO_TIMESTAMP on
 * (netstamp_needed_key), creates the file named by its argument once all
 * three are in place, and sleeps until it is killed.  vm-init starts it
 * while only the boot vCPU is online; see there for why.
 *
 * The same job was a python3 one-liner, whose start alone took 3-4 s of
 * every test VM under TCG.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "pinkeys: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	int kvm, vm, vcpu, sock, ready, on = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: pinkeys READY_FILE\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("KVM_CREATE_IRQCHIP");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return fail("socket");
	if (setsockopt(sock, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof(on)) < 0)
		return fail("SO_TIMESTAMP");
	ready = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (ready < 0)
		return fail(argv[1]);
	close(ready);
	for (;;)
		pause();
}
