// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's path (c): the slot copied out and sent over loopback TCP to
 * a separate inference process, which sends the scores back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* ---------------------------------------------- (c) loopback TCP path */

#define MSG_MAGIC 0x41494f54u	/* "AIOT" */

struct msg {
	uint32_t magic;
	uint32_t len;		/* payload bytes; 0 ends the session */
	uint64_t sequence;
	uint64_t capture_ns;
	uint64_t started_ns, ended_ns;	/* the server's job on the device */
	int32_t status;
	uint32_t pad;
};

struct server_stats {
	uint64_t bytes_sent, bytes_recv, lib_copied, cpu_ns, jobs, failed;
};

/* The "inference service": its own process, its own device file and model. */
static int tcp_server(struct ctx *c, int lfd)
{
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct server_stats st = { 0 };
	uint8_t *buf = malloc(c->st.in_size);
	const void *scores;
	char err[256] = "";
	int fd, ret, one = 1;

	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0 || !buf) {
		fprintf(stderr, PROG ": server: accept: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = c->o->accel ? aiot_accel_open(c->o->accel, &accel) : aiot_accel_open_default(&accel);
	if (!ret)
		ret = load_model(c, accel, &model, err, sizeof(err));
	if (!ret)
		ret = aiot_model_map_output(model, 0, &scores);
	if (ret) {
		fprintf(stderr, PROG ": server: %s %s\n", aiot_strerror(ret), err);
		return 1;
	}
	for (;;) {
		struct msg m;

		if ((ret = read_all(fd, &m, sizeof(m), true, -1, &st.bytes_recv)))
			break;
		if (m.magic != MSG_MAGIC || m.len > c->st.in_size) {
			ret = -EPROTO;
			break;
		}
		if (!m.len) {	/* the end: report the counters */
			st.lib_copied = aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED);
			st.cpu_ns = lp_cpu_self_ns();
			ret = write_all(fd, &st, sizeof(st), true, &st.bytes_sent);
			break;
		}
		if ((ret = read_all(fd, buf, m.len, true, -1, &st.bytes_recv)))
			break;
		m.status = aiot_model_write_input(model, 0, buf, m.len);
		m.started_ns = m.ended_ns = 0;
		if (!m.status) {
			struct aiot_job *job;

			m.status = aiot_model_submit(model, NULL, &job);
			if (!m.status) {
				m.status = aiot_job_wait(job, 10 * NS);
				if (!m.status)
					m.status = aiot_job_get_status(job);
				aiot_job_get_timing(job, NULL, NULL, &m.started_ns, &m.ended_ns);
				aiot_job_free(job);
			}
		}
		st.jobs++;
		st.failed += m.status != 0;
		m.len = (uint32_t)c->st.out_size;
		if ((ret = write_all(fd, &m, sizeof(m), true, &st.bytes_sent)) ||
		    (ret = write_all(fd, scores, c->st.out_size, true, &st.bytes_sent)))
			break;
	}
	if (ret)
		fprintf(stderr, PROG ": server: %s\n", aiot_strerror(ret));
	aiot_model_free(model);
	aiot_accel_close(accel);
	close(fd);
	free(buf);
	return ret ? 1 : 0;
}

/* Busybox guests boot with the loopback interface down. */
void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			fprintf(stderr, PROG ": the loopback interface is down and cannot be brought up: %s\n",
				strerror(errno));
	}
	close(s);
}

void run_tcp(struct ctx *c, struct result *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	struct server_stats st;
	struct aiot_sensor *s;
	uint8_t *buf = malloc(sizeof(struct msg) + c->st.in_size), *scores = malloc(c->st.out_size);
	uint64_t sent = 0, recvd = 0;
	struct lp_sequence seq = { 0 };
	struct path_run run;
	struct rusage ru;
	int lfd, fd, ret, one = 1, status;
	pid_t pid;

	if (!buf || !scores)
		die("out of memory");
	loopback_up();
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&addr, &alen))
		die("loopback TCP server socket: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(tcp_server(c, lfd));
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect to the inference server on 127.0.0.1:%u: %s",
		    ntohs(addr.sin_port), strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	s = configure_sensor(c, c->o->slots);
	path_start(c, s, PATH_TCP, &run);
	while (path_running(&run)) {
		struct aiot_sensor_slot slot;
		struct msg m = { .magic = MSG_MAGIC };
		struct lp_decision d = { 0 };
		uint64_t done;
		const void *data;

		if (!next_slot(c, s, r, &seq, &slot, &data))
			continue;
		m.len = (uint32_t)c->st.in_size;
		m.sequence = slot.sequence;
		m.capture_ns = slot.timestamp_ns;
		memcpy(buf, &m, sizeof(m));
		memcpy(buf + sizeof(m), data, c->st.in_size);	/* read() into the app */
		r->app_copied += c->st.in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		if ((ret = write_all(fd, buf, sizeof(m) + c->st.in_size, true, &sent)) ||
		    (ret = read_all(fd, &m, sizeof(m), true, -1, &recvd)) ||
		    (m.magic != MSG_MAGIC || m.len != c->st.out_size ? (ret = -EPROTO) : 0) ||
		    (ret = read_all(fd, scores, c->st.out_size, true, -1, &recvd)))
			die("inference server connection: %s", aiot_strerror(ret));
		if (m.status) {
			r->errors++;
			continue;
		}
		/* The slot's DMA completion here, the job's times from the server. */
		d.slot = slot;
		if (!aiot_sensor_get_slot_timing(s, slot.index, NULL, &done) &&
		    m.started_ns >= done && m.ended_ns >= m.started_ns) {
			d.has_dma_done = true;
			d.dma_to_start_ns = m.started_ns - done;
			d.dma_to_decision_ns = lp_now_ns() - done;
			d.device_ns = m.ended_ns - m.started_ns;
		}
		path_decision(c, r, &run, &d, scores);
	}
	path_stop(c, r, &run, s);
	{
		struct msg m = { .magic = MSG_MAGIC, .len = 0 };
		uint64_t ignore = 0;

		if ((ret = write_all(fd, &m, sizeof(m), true, &sent)) ||
		    (ret = read_all(fd, &st, sizeof(st), true, -1, &ignore)))
			die("inference server did not report its counters: %s", aiot_strerror(ret));
	}
	close(fd);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the inference server failed (status 0x%x)", status);
	/* Client: ring -> buffer, send, recv. Server: recv, send; its library's copies. */
	r->app_copied += sent + recvd + st.bytes_recv + st.bytes_sent;
	r->lib_copied = st.lib_copied;
	r->cpu_ns += st.cpu_ns;
	aiot_sensor_close(s);
	free(buf);
	free(scores);
	r->ran = true;
}
