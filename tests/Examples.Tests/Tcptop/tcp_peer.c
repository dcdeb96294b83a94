// The two ends of the tcptop tests' connections, as processes of their own (so each can sit in its own cgroup,
// under a name of its own): exact byte counts, several write sizes.
//
//   tcp_peer serve COMM ADDR PORTFILE       listen on ADDR (port chosen by the kernel, written to PORTFILE),
//                                           accept one connection, read to EOF; prints "received N"
//   tcp_peer send COMM ADDR PORT N SIZES    connect, send exactly N bytes in writes cycling through SIZES
//                                           (comma-separated), close; prints "sent N"
//
// COMM becomes the process's name (prctl PR_SET_NAME on the main thread, which is the thread-group leader).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

static int serve(const char *addr, const char *portfile)
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
	int c = accept(l, NULL, NULL);
	if (c < 0)
		die("accept");
	static char buf[1 << 17];
	long long total = 0;
	for (;;) {
		ssize_t n = read(c, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		total += n;
	}
	close(c);
	close(l);
	printf("received %lld\n", total);
	return 0;
}

static int send_bytes(const char *addr, int port, long long n, const char *sizes_text)
{
	long sizes[64];
	int count = 0;
	char *copy = strdup(sizes_text), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t && count < 64; t = strtok_r(NULL, ",", &save))
		sizes[count++] = atol(t);
	if (count == 0)
		die("sizes");
	struct sockaddr_storage ss;
	socklen_t len;
	int family = parse_addr(addr, port, &ss, &len);
	int s = socket(family, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&ss, len))
		die("connect");
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
	}
	close(s);
	printf("sent %lld\n", sent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "serve") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return serve(argv[3], argv[4]);
	}
	if (argc >= 7 && strcmp(argv[1], "send") == 0) {
		prctl(PR_SET_NAME, argv[2]);
		return send_bytes(argv[3], atoi(argv[4]), atoll(argv[5]), argv[6]);
	}
	fprintf(stderr, "usage: tcp_peer serve COMM ADDR PORTFILE | send COMM ADDR PORT N SIZES\n");
	return 2;
}
