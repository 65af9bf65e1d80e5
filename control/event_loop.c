/* SPDX-License-Identifier: BSD-3-Clause */
#include "event_loop.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS 256

struct loop_fd {
	int fd;
	vsw_loop_fd_cb cb;
	void *arg;
	bool dead;              /* deleted; freed at the end of the turn */
	struct loop_fd *next_dead;
};

struct loop_timer {
	uint64_t period_ms;
	uint64_t due_ms;
	vsw_loop_cb cb;         /* NULL: free slot */
	void *arg;
	unsigned int heap_idx;
};

struct loop_hook {
	vsw_loop_cb cb;         /* NULL: free slot */
	void *arg;
};

struct vsw_loop {
	int epfd;
	bool stopping;
	bool pending;
	uint64_t now_ms;

	/* fd -> entry; epoll's data.ptr points at the entry, never at the fd
	 * number, so a deleted-then-reused fd cannot get the old one's events. */
	struct loop_fd **fds;
	unsigned int n_fds;
	struct loop_fd *dead_fds;

	/* Timers by id, and a binary min-heap of ids ordered by due time. */
	struct loop_timer *timers;
	unsigned int n_timers;
	unsigned int *heap;
	unsigned int n_heap;
	unsigned int heap_cap;

	struct loop_hook *hooks;
	unsigned int n_hooks;
};

static uint64_t
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Grows arr (*n entries of elem_size) to hold at least want entries, new
 * ones zeroed. Returns the array, or NULL (arr untouched) when out of memory. */
static void *
grow_array(void *arr, unsigned int *n, unsigned int want, size_t elem_size)
{
	unsigned int new_n = *n ? *n : 16;
	char *p;

	if (want <= *n)
		return arr;
	while (new_n < want) {
		if (new_n > UINT_MAX / 2)
			return NULL;
		new_n *= 2;
	}
	p = realloc(arr, (size_t)new_n * elem_size);
	if (p == NULL)
		return NULL;
	memset(p + (size_t)*n * elem_size, 0, (size_t)(new_n - *n) * elem_size);
	*n = new_n;
	return p;
}

struct vsw_loop *
vsw_loop_create(void)
{
	struct vsw_loop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->now_ms = monotonic_ms();
	return loop;
}

static void
free_dead_fds(struct vsw_loop *loop)
{
	while (loop->dead_fds != NULL) {
		struct loop_fd *e = loop->dead_fds;

		loop->dead_fds = e->next_dead;
		free(e);
	}
}

void
vsw_loop_destroy(struct vsw_loop *loop)
{
	unsigned int i;

	if (loop == NULL)
		return;
	for (i = 0; i < loop->n_fds; i++)
		free(loop->fds[i]);
	free_dead_fds(loop);
	free(loop->fds);
	free(loop->timers);
	free(loop->heap);
	free(loop->hooks);
	close(loop->epfd);
	free(loop);
}

/* ---- fds ---- */

static struct loop_fd *
lookup_fd(const struct vsw_loop *loop, int fd)
{
	if (fd < 0 || (unsigned int)fd >= loop->n_fds)
		return NULL;
	return loop->fds[fd];
}

int
vsw_loop_add_fd(struct vsw_loop *loop, int fd, uint32_t events,
		vsw_loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct loop_fd **fds, *e;
	int rc;

	if (fd < 0 || fd == INT_MAX || cb == NULL)
		return -EINVAL;
	if (lookup_fd(loop, fd) != NULL)
		return -EEXIST;
	fds = grow_array(loop->fds, &loop->n_fds, (unsigned int)fd + 1,
			 sizeof(loop->fds[0]));
	if (fds == NULL)
		return -ENOMEM;
	loop->fds = fds;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	e->fd = fd;
	e->cb = cb;
	e->arg = arg;
	ev.data.ptr = e;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		free(e);
		return rc;
	}
	loop->fds[fd] = e;
	return 0;
}

int
vsw_loop_mod_fd(struct vsw_loop *loop, int fd, uint32_t events)
{
	struct loop_fd *e = lookup_fd(loop, fd);
	struct epoll_event ev = { .events = events };

	if (e == NULL)
		return -ENOENT;
	ev.data.ptr = e;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int
vsw_loop_del_fd(struct vsw_loop *loop, int fd)
{
	struct loop_fd *e = lookup_fd(loop, fd);

	if (e == NULL)
		return -ENOENT;
	/* Fails harmlessly when the fd was already closed (epoll dropped it). */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd] = NULL;
	e->dead = true;
	e->next_dead = loop->dead_fds;
	loop->dead_fds = e;
	return 0;
}

/* ---- turn hooks ---- */

int
vsw_loop_add_turn_hook(struct vsw_loop *loop, vsw_loop_cb cb, void *arg)
{
	struct loop_hook *hooks;
	unsigned int i;

	if (cb == NULL)
		return -EINVAL;
	for (i = 0; i < loop->n_hooks; i++)
		if (loop->hooks[i].cb == NULL)
			break;
	if (i == INT_MAX)
		return -ENOSPC;
	hooks = grow_array(loop->hooks, &loop->n_hooks, i + 1, sizeof(*hooks));
	if (hooks == NULL)
		return -ENOMEM;
	loop->hooks = hooks;
	loop->hooks[i].cb = cb;
	loop->hooks[i].arg = arg;
	return (int)i;
}

int
vsw_loop_del_turn_hook(struct vsw_loop *loop, int id)
{
	if (id < 0 || (unsigned int)id >= loop->n_hooks ||
	    loop->hooks[id].cb == NULL)
		return -ENOENT;
	loop->hooks[id].cb = NULL;
	loop->hooks[id].arg = NULL;
	return 0;
}

void
vsw_loop_set_pending(struct vsw_loop *loop)
{
	loop->pending = true;
}

/* ---- timers: a min-heap of timer ids keyed on due_ms ---- */

static bool
timer_before(const struct vsw_loop *loop, unsigned int a, unsigned int b)
{
	return loop->timers[loop->heap[a]].due_ms < loop->timers[loop->heap[b]].due_ms;
}

static void
heap_swap(struct vsw_loop *loop, unsigned int a, unsigned int b)
{
	unsigned int id = loop->heap[a];

	loop->heap[a] = loop->heap[b];
	loop->heap[b] = id;
	loop->timers[loop->heap[a]].heap_idx = a;
	loop->timers[loop->heap[b]].heap_idx = b;
}

static void
heap_sift_up(struct vsw_loop *loop, unsigned int i)
{
	while (i > 0) {
		unsigned int parent = (i - 1) / 2;

		if (!timer_before(loop, i, parent))
			break;
		heap_swap(loop, i, parent);
		i = parent;
	}
}

static void
heap_sift_down(struct vsw_loop *loop, unsigned int i)
{
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, min = i;

		if (l < loop->n_heap && timer_before(loop, l, min))
			min = l;
		if (r < loop->n_heap && timer_before(loop, r, min))
			min = r;
		if (min == i)
			break;
		heap_swap(loop, i, min);
		i = min;
	}
}

static void
heap_remove(struct vsw_loop *loop, unsigned int i)
{
	unsigned int last = --loop->n_heap;

	if (i == last)
		return;
	heap_swap(loop, i, last);
	heap_sift_down(loop, i);
	heap_sift_up(loop, i);
}

int
vsw_loop_add_timer(struct vsw_loop *loop, uint64_t period_ms,
		   vsw_loop_cb cb, void *arg)
{
	struct loop_timer *timers;
	unsigned int id, *heap;

	if (cb == NULL || period_ms == 0 || period_ms > UINT64_MAX / 4)
		return -EINVAL;
	for (id = 0; id < loop->n_timers; id++)
		if (loop->timers[id].cb == NULL)
			break;
	if (id == INT_MAX)
		return -ENOSPC;
	heap = grow_array(loop->heap, &loop->heap_cap, loop->n_heap + 1,
			  sizeof(*heap));
	if (heap == NULL)
		return -ENOMEM;
	loop->heap = heap;
	timers = grow_array(loop->timers, &loop->n_timers, id + 1, sizeof(*timers));
	if (timers == NULL)
		return -ENOMEM;
	loop->timers = timers;
	loop->timers[id] = (struct loop_timer){
		.period_ms = period_ms,
		.due_ms = monotonic_ms() + period_ms,
		.cb = cb,
		.arg = arg,
		.heap_idx = loop->n_heap,
	};
	loop->heap[loop->n_heap++] = id;
	heap_sift_up(loop, loop->n_heap - 1);
	return (int)id;
}

int
vsw_loop_del_timer(struct vsw_loop *loop, int id)
{
	struct loop_timer *t;

	if (id < 0 || (unsigned int)id >= loop->n_timers)
		return -ENOENT;
	t = &loop->timers[id];
	if (t->cb == NULL)
		return -ENOENT;
	heap_remove(loop, t->heap_idx);
	t->cb = NULL;
	t->arg = NULL;
	return 0;
}

uint64_t
vsw_loop_now_ms(const struct vsw_loop *loop)
{
	return loop->now_ms;
}

static int
next_timeout_ms(const struct vsw_loop *loop)
{
	uint64_t due, now;

	if (loop->pending)
		return 0;
	if (loop->n_heap == 0)
		return -1;
	due = loop->timers[loop->heap[0]].due_ms;
	now = monotonic_ms();
	if (due <= now)
		return 0;
	return due - now > INT_MAX ? INT_MAX : (int)(due - now);
}

static void
run_due_timers(struct vsw_loop *loop)
{
	uint64_t now = loop->now_ms;

	while (loop->n_heap > 0) {
		unsigned int id = loop->heap[0];
		struct loop_timer *t = &loop->timers[id];
		vsw_loop_cb cb = t->cb;
		void *arg = t->arg;

		if (t->due_ms > now)
			break;
		/* Reschedule before the call: the callback may delete it. */
		t->due_ms += t->period_ms;
		if (t->due_ms <= now)
			t->due_ms = now + t->period_ms;
		heap_sift_down(loop, 0);
		cb(arg);
	}
}

/* ---- the loop ---- */

static void
run_hooks(struct vsw_loop *loop)
{
	unsigned int i;

	for (i = 0; i < loop->n_hooks; i++)
		if (loop->hooks[i].cb != NULL)
			loop->hooks[i].cb(loop->hooks[i].arg);
}

static int
run_turn(struct vsw_loop *loop)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, i, timeout;

	timeout = next_timeout_ms(loop);
	loop->pending = false;
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	loop->now_ms = monotonic_ms();
	for (i = 0; i < n; i++) {
		struct loop_fd *e = evs[i].data.ptr;

		if (!e->dead)
			e->cb(e->arg, e->fd, evs[i].events);
	}
	free_dead_fds(loop);
	run_due_timers(loop);
	run_hooks(loop);
	return 0;
}

int
vsw_loop_run(struct vsw_loop *loop)
{
	int rc = 0;

	while (!loop->stopping) {
		rc = run_turn(loop);
		if (rc < 0)
			break;
	}
	loop->stopping = false;
	return rc;
}

void
vsw_loop_stop(struct vsw_loop *loop)
{
	loop->stopping = true;
}
