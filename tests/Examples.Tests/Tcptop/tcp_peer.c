// The two ends of the tcptop tests' connections, as processes of their own (so each can sit in its own cgroup,
// under a name of its own): exact byte counts, several write sizes.
//
//   tcp_peer serve COMM ADDR PORTFILE       listen on ADDR (port chosen by the kernel, written to PORTFILE),
//                                           accept one connection, read to EOF; prints "received N"
//   tcp_peer send COMM ADDR PORT N SIZES [PAUSE_MS]
//                                           connect, send exactly N bytes in writes cycling through SIZES
//                                           (comma-separated), PAUSE_MS between writes, close; prints "sent N"
//   tcp_peer sendas PID COMM ADDR PORT N SIZES
//                                           the same from a child created with exactly that PID (clone3 with
//                                           set_tid: a PID reuse on demand); prints "pid P" then "sent N"
//   tcp_peer nsreuse COMM ADDR PORT N1 N2   in a PID namespace of its own: a child sends N1 bytes and exits; after a
//                                           line (or EOF) on stdin, a few PIDs pass, ns_last_pid is set to the first
//                                           child's PID - 1 and the next fork, sending N2, gets that PID again; each
//                                           child prints "first|second nspid P hostpid H" and PID 1, once it exited,
//                                           "first|second exited"; at the end "sent N1+N2"
//   tcp_peer sink COMM ADDR PORTFILE COUNT  like serve, for COUNT connections one after the other; prints "received N"
//   tcp_peer peek COMM ADDR PORTFILE        like serve, but each read is preceded by a recv(MSG_PEEK) of the same
//                                           bytes; prints "peeked P" and "received N"
//   tcp_peer sendfile COMM ADDR PORT N      send N bytes of a temporary file with sendfile(2); prints "sent N"
//   tcp_peer splice COMM ADDR PORTFILE      like serve, but reads with splice(2) into a pipe, never recvmsg
//   tcp_peer many PREFIX COUNT ADDR PORT N  COUNT short-lived processes, one after the other, each named
//                                           PREFIX<i> and sending N bytes; prints "sent TOTAL"
//
// COMM becomes the process's name (prctl PR_SET_NAME on the main thread, which is the thread-group leader).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static int parse_addr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return AF_INET6;
	}
	fprintf(stderr, "bad address %s\n", addr);
	exit(2);
}

/* A TCP socket connected to addr:port; dies if it cannot connect. */
static int connect_to(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);
	int s = socket(family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len))
		die("connect");
	return s;
}

enum read_mode { READ_PLAIN, READ_SPLICE, READ_PEEK };

/* Reads exactly n bytes (they are known to be queued: a MSG_PEEK just saw them). */
static void read_exactly(int c, char *buf, ssize_t n)
{
	for (ssize_t left = n; left > 0;) {
		ssize_t r = read(c, buf, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read after peek");
		left -= r;
	}
}

static int serve(const char *addr, const char *portfile, int connections, enum read_mode mode)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, 0, &ss, &len);
	int l = socket(family, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&ss, len) || listen(l, 1))
		die("listen");
	if (getsockname(l, (struct sockaddr *)&ss, &len))
		die("getsockname");
	int port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", portfile);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) || rename(tmp, portfile))
		die("portfile");
	static char buf[1 << 17];
	long long total = 0, peeked = 0;
	for (int i = 0; i < connections; i++) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			die("accept");
		int pipefd[2];
		if (mode == READ_SPLICE && pipe(pipefd))
			die("pipe");
		for (;;) {
			ssize_t n;
			if (mode == READ_SPLICE) {
				n = splice(c, NULL, pipefd[1], NULL, 1 << 16, SPLICE_F_MOVE);
				/* drain the pipe with read(2): a pipe, not a socket, so nothing here is a socket receive */
				for (ssize_t left = n; left > 0;) {
					ssize_t r = read(pipefd[0], buf, left < (ssize_t)sizeof(buf) ? left : (ssize_t)sizeof(buf));
					if (r <= 0)
						die("pipe read");
					left -= r;
				}
			} else if (mode == READ_PEEK) {
				/* the same bytes twice: once peeked (left queued), then read */
				n = recv(c, buf, sizeof(buf), MSG_PEEK);
				if (n > 0) {
					peeked += n;
					read_exactly(c, buf, n);
				}
			} else {
				n = read(c, buf, sizeof(buf));
			}
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				die("read");
			if (n == 0)
				break;
			total += n;
		}
		close(c);
		if (mode == READ_SPLICE) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
	}
	close(l);
	if (mode == READ_PEEK)
		printf("peeked %lld\n", peeked);
	printf("received %lld\n", total);
	return 0;
}

static int send_bytes(const char *addr, int port, long long n, const char *sizes_text, int pause_ms)
{
	long sizes[64];
	int count = 0;
	char *copy = strdup(sizes_text), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t && count < 64; t = strtok_r(NULL, ",", &save))
		sizes[count++] = atol(t);
	if (count == 0)
		die("sizes");
	int s = connect_to(addr, port);
	static char buf[1 << 20];
	memset(buf, 'x', sizeof(buf));
	long long sent = 0;
	for (int i = 0; sent < n; i = (i + 1) % count) {
		long want = sizes[i];
		if (want > n - sent)
			want = n - sent;
		if (want > (long)sizeof(buf))
			want = sizeof(buf);
		long done = 0;
		while (done < want) {
			ssize_t w = write(s, buf, want - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die("write");
			done += w;
		}
		sent += done;
		if (pause_ms > 0 && sent < n) {
			struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	close(s);
	printf("sent %lld\n", sent);
	return 0;
}

static int send_file(const char *addr, int port, long long n)
{
	char path[] = "/tmp/tcp_peer_sendfile_XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	static char buf[1 << 16];
	memset(buf, 'f', sizeof(buf));
	for (long long left = n; left > 0;) {
		ssize_t w = write(fd, buf, left < (long long)sizeof(buf) ? left : (long long)sizeof(buf));
		if (w <= 0)
			die("write file");
		left -= w;
	}
	int s = connect_to(addr, port);
	off_t off = 0;
	while (off < n) {
		ssize_t w = sendfile(s, fd, &off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("sendfile");
	}
	close(s);
	close(fd);
	printf("sent %lld\n", (long long)off);
	return 0;
}

/* Waits for a child and passes its failure on. */
static void reap(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "child %d failed\n", pid);
		exit(2);
	}
}

static int send_as(pid_t want, const char *comm, const char *addr, int port, long long n, const char *sizes)
{
	pid_t tid[1] = { want };
	struct clone_args args = { .exit_signal = SIGCHLD, .set_tid = (__u64)(unsigned long)tid, .set_tid_size = 1 };
	fflush(stdout);
	long pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3 set_tid");
	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		printf("pid %d\n", getpid());
		fflush(stdout);
		exit(send_bytes(addr, port, n, sizes, 0));
	}
	reap(pid);
	return 0;
}

/* Prints which child this is, its PID in its own namespace and in the host's (the /proc mounted here is the host's). */
static void say_pids(const char *which)
{
	char self[32];
	ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self");
	self[n] = 0;
	printf("%s nspid %d hostpid %s\n", which, getpid(), self);
	fflush(stdout);
}

static pid_t fork_sender(const char *which, const char *comm, const char *addr, int port, long long n)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		say_pids(which);
		freopen("/dev/null", "w", stdout);
		exit(send_bytes(addr, port, n, "1000", 0));
	}
	return pid;
}

/* PID 1 of the namespace: the two senders, the second one with the first one's PID through ns_last_pid. */
static int ns_init(const char *comm, const char *addr, int port, long long n1, long long n2)
{
	pid_t first = fork_sender("first", comm, addr, port, n1);
	reap(first);
	printf("first exited\n");
	fflush(stdout);
	for (int c = getchar(); c != EOF && c != '\n'; c = getchar())
		;
	/* PIDs move on, so the second sender would not get the first one's PID without ns_last_pid */
	for (int i = 0; i < 3; i++) {
		pid_t spacer = fork();
		if (spacer < 0)
			die("fork");
		if (spacer == 0)
			exit(0);
		reap(spacer);
	}
	/* ns_last_pid acts on the writer's PID namespace, whichever /proc it is written through */
	FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
	if (!f || fprintf(f, "%d", first - 1) < 0 || fclose(f))
		die("write /proc/sys/kernel/ns_last_pid");
	pid_t second = fork_sender("second", comm, addr, port, n2);
	reap(second);
	printf("second exited\n");
	if (second != first) {
		fprintf(stderr, "ns_last_pid: the second sender got PID %d, not %d\n", second, first);
		return 2;
	}
	printf("sent %lld\n", n1 + n2);
	return 0;
}

static int ns_reuse(const char *comm, const char *addr, int port, long long n1, long long n2)
{
	if (unshare(CLONE_NEWPID))
		die("unshare CLONE_NEWPID");
	fflush(stdout);
	pid_t init = fork(); /* the first child in the new namespace is its PID 1 */
	if (init < 0)
		die("fork");
	if (init == 0)
		exit(ns_init(comm, addr, port, n1, n2));
	reap(init);
	return 0;
}

static int many(const char *prefix, int count, const char *addr, int port, long long n)
{
	for (int i = 0; i < count; i++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			char comm[16];
			snprintf(comm, sizeof(comm), "%s%d", prefix, i);
			prctl(PR_SET_NAME, comm);
			freopen("/dev/null", "w", stdout);
			exit(send_bytes(addr, port, n, "1000", 0));
		}
		reap(pid);
	}
	printf("sent %lld\n", n * count);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "serve") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return serve(argv[3], argv[4], 1, READ_PLAIN);
	}
	if (argc >= 5 && strcmp(argv[1], "splice") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return serve(argv[3], argv[4], 1, READ_SPLICE);
	}
	if (argc >= 5 && strcmp(argv[1], "peek") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return serve(argv[3], argv[4], 1, READ_PEEK);
	}
	if (argc >= 6 && strcmp(argv[1], "sendfile") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return send_file(argv[3], atoi(argv[4]), atoll(argv[5]));
	}
	if (argc >= 6 && strcmp(argv[1], "sink") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return serve(argv[3], argv[4], atoi(argv[5]), READ_PLAIN);
	}
	if (argc >= 7 && strcmp(argv[1], "send") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return send_bytes(argv[3], atoi(argv[4]), atoll(argv[5]), argv[6], argc >= 8 ? atoi(argv[7]) : 0);
	}
	if (argc >= 8 && strcmp(argv[1], "sendas") == 0)
		return send_as(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]), atoll(argv[6]), argv[7]);
	if (argc >= 7 && strcmp(argv[1], "nsreuse") == 0)
		return ns_reuse(argv[2], argv[3], atoi(argv[4]), atoll(argv[5]), atoll(argv[6]));
	if (argc >= 7 && strcmp(argv[1], "many") == 0)
		return many(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]), atoll(argv[6]));
	fprintf(stderr, "usage: tcp_peer serve|sink|peek|splice|send|sendas|sendfile|nsreuse|many ... (see the comment at the top)\n");
	return 2;
}
