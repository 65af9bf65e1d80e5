/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef VSW_EVENT_LOOP_H
#define VSW_EVENT_LOOP_H

/*
 * The control thread's single event loop: one level-triggered epoll set,
 * periodic timers driven by the epoll_wait timeout on CLOCK_MONOTONIC, and
 * turn hooks. A loop belongs to one thread; nothing here is thread-safe.
 *
 * One turn of vsw_loop_run():
 *   1. epoll_wait (non-blocking if vsw_loop_set_pending() was called,
 *      else until the next timer is due, or forever when there is none);
 *   2. the fd callbacks of the ready fds;
 *   3. the callbacks of the timers that are due;
 *   4. every turn hook, once, in the order they were added.
 *
 * Any callback may add or delete fds, timers and hooks, and stop the loop.
 * Deleting an fd is safe at any time: events already fetched for it in the
 * same turn are dropped, even when a new fd with the same number is added.
 */

#include <stdint.h>
#include <sys/epoll.h>

struct vsw_loop;

typedef void (*vsw_loop_fd_cb)(void *arg, int fd, uint32_t events);
typedef void (*vsw_loop_cb)(void *arg);

struct vsw_loop *vsw_loop_create(void);
/* Closes the epoll fd; the fds that were added are left open (their owners
 * close them). */
void vsw_loop_destroy(struct vsw_loop *loop);

/* events: EPOLLIN, EPOLLOUT, ... (EPOLLHUP/EPOLLERR are always reported).
 * -EEXIST if fd is already in the loop. */
int vsw_loop_add_fd(struct vsw_loop *loop, int fd, uint32_t events,
		    vsw_loop_fd_cb cb, void *arg);
int vsw_loop_mod_fd(struct vsw_loop *loop, int fd, uint32_t events);
/* Call before close(fd). -ENOENT if fd is not in the loop. */
int vsw_loop_del_fd(struct vsw_loop *loop, int fd);

/* Returns a hook id >= 0 or a negative errno. */
int vsw_loop_add_turn_hook(struct vsw_loop *loop, vsw_loop_cb cb, void *arg);
int vsw_loop_del_turn_hook(struct vsw_loop *loop, int id);

/* Work is queued: the next epoll_wait does not block. */
void vsw_loop_set_pending(struct vsw_loop *loop);

/*
 * A periodic timer, first due period_ms from now (period_ms >= 1). A turn
 * fires it at most once; when the loop falls behind it does not fire the
 * missed periods in a burst. Returns a timer id >= 0 (ids of deleted timers
 * are reused) or a negative errno.
 */
int vsw_loop_add_timer(struct vsw_loop *loop, uint64_t period_ms,
		       vsw_loop_cb cb, void *arg);
int vsw_loop_del_timer(struct vsw_loop *loop, int id);

/* CLOCK_MONOTONIC in ms, read once per turn (after epoll_wait returns). */
uint64_t vsw_loop_now_ms(const struct vsw_loop *loop);

/* Runs turns until vsw_loop_stop(). Returns 0, or a negative errno when
 * epoll_wait fails (EINTR is retried). */
int vsw_loop_run(struct vsw_loop *loop);
/* Ends vsw_loop_run() after the current turn; callable from any callback. */
void vsw_loop_stop(struct vsw_loop *loop);

#endif
