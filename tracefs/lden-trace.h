/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lden-trace: kernel tracepoints and dynamic probes through perf_event_open,
 * without BPF.
 *
 * A session finds (or mounts) tracefs, owns one probe group named
 * "lden_<pidns inode>_<pid>", one perf mmap ring per CPU and a tracefs
 * instance named like the group.  Events are opened on every online CPU,
 * either in counting mode (a kernel counter, read with read(2)) or in
 * sampling mode: a counter and one record per hit, written to the ftrace
 * ring of the session's instance, or (where that cannot serve) to its perf
 * rings as PERF_SAMPLE_RAW samples.
 *
 * Conventions: int functions return 0 (or a count) on success and a negative
 * errno on failure, with errno set too; pointer functions return NULL with
 * errno set.  After a failure, ltr_last_error() gives a one-line message that
 * names the problem (the event, the filter, the missing privilege).
 * Nothing here prints, except through the hook set with ltr_set_print().
 */
#ifndef LDEN_TRACE_H
#define LDEN_TRACE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ltr_session;
struct ltr_event;
struct ltr_field;

/* ------------------------------------------------------------------ */
/* Diagnostics */

enum ltr_log_level {
	LTR_WARN,
	LTR_INFO,
	LTR_DEBUG,
};

typedef int (*ltr_print_fn_t)(enum ltr_log_level level, const char *fmt,
			      va_list ap);

/**
 * ltr_set_print - route the library's warnings and debug messages
 * @fn: the new hook, or NULL to silence the library
 *
 * Returns the previous hook.  The default hook prints warnings to stderr.
 */
ltr_print_fn_t ltr_set_print(ltr_print_fn_t fn);

/**
 * ltr_last_error - the message of this thread's last failure
 *
 * Returns a borrowed string (valid until the next library call in this
 * thread), e.g. "filter 'nosuch == 1' on sched:sched_switch: field not
 * found".  Empty when there is none.
 */
const char *ltr_last_error(void);

/* ------------------------------------------------------------------ */
/* Session */

/**
 * ltr_tracing_dir - where tracefs is mounted, mounting it if it is not
 *
 * Returns a borrowed path, or NULL with errno and ltr_last_error() set.
 */
const char *ltr_tracing_dir(void);

/*
 * Where a sampling event's records go.  The ftrace ring of the session's
 * tracefs instance costs the kernel far less per record than a perf
 * sample (about 23 against 199 ns here), but an instance holds one filter
 * per tracepoint, traces every task (not one task, or a cgroup, exactly
 * as a per-task perf counter counts), does not carry the process id of a
 * record (struct ltr_sample: LTR_SAMPLE_NO_TGID), and counts lost records
 * per ring, not per event.
 */
enum ltr_ring_kind {
	LTR_RING_AUTO,		/* the ftrace ring where it can serve, else perf */
	LTR_RING_PERF,		/* the session's perf mmap rings */
	LTR_RING_FTRACE,	/* the session's instance; an error where it cannot */
};

struct ltr_session_opts {
	/* tracefs directory; NULL finds it and mounts it if needed */
	const char *tracing_dir;
	/*
	 * data pages per CPU ring, a power of two; 0 means 512 (2 MiB: about
	 * 20k full perf samples, 80 ms of a reader kept off the CPU at 250k
	 * events/s); the same for the instance's ftrace ring; 0 with a first
	 * sampled event scoped to a task or cgroup: perf rings of 1024 on up
	 * to 8 CPUs (one process flat out overran 2 MiB on a loaded machine)
	 */
	unsigned int ring_pages;
	/* the ring of sampling events whose own opts say LTR_RING_AUTO */
	enum ltr_ring_kind ring;
	/*
	 * the caller reads samples' pid (the process): the ftrace ring, which
	 * does not record it, is then never chosen, and asking for it fails
	 */
	bool need_tgid;
	/* bytes in a ring before the reader is woken; 0 means a quarter */
	unsigned int wakeup_bytes;
	/* do not remove probe groups left by dead lden processes */
	bool no_sweep;
	/*
	 * ltr_session__free() hands the tracepoints' perf events, disabled,
	 * to a detached process that closes them.  The last close of each
	 * tracepoint waits for the kernel to be done with it (about 20 ms
	 * here, one tracepoint after another), so that ltr_session__free()
	 * would take that long per tracepoint; it returns at once instead,
	 * and the kernel frees them within a second (or when the process is
	 * killed).  Probes are still closed and removed before it returns.
	 */
	bool detach_close;
	/*
	 * data pages per CPU recall ring (see ltr_session__recall), a power
	 * of two; 0 means 1024 (4 MiB); mapped only when an event asks
	 */
	unsigned int recall_pages;
	/*
	 * read the instance's ftrace ring with read() where the kernel could
	 * map it (6.10+): for tests of the older kernels' path
	 */
	bool ftrace_read;
	/*
	 * perf samples carry the cgroup v2 id of the task at the event
	 * (PERF_SAMPLE_CGROUP, Linux 5.7+: ltr_sample.cgroup with
	 * LTR_SAMPLE_CGROUP), where the kernel has it; never in the ftrace
	 * ring's samples
	 */
	bool sample_cgroup;
};

/**
 * ltr_session__new - start a tracing session
 * @opts: options, or NULL for defaults
 *
 * Finds or mounts tracefs, reads the online CPUs, and removes the probe
 * groups and instances left by lden processes that are gone (see
 * ltr_sweep_stale_groups()).  Does not check
 * privileges: opening an event does, and says what is missing.
 *
 * Returns a session to release with ltr_session__free(), or NULL with errno
 * set (ENODEV: no tracefs and it could not be mounted).
 */
struct ltr_session *ltr_session__new(const struct ltr_session_opts *opts);

/**
 * ltr_session__free - end a session
 * @s: the session, or NULL
 *
 * Disables and closes every event (or, with opts->detach_close, has the
 * tracepoints' events closed by a detached process), unmaps the rings,
 * then removes every probe the session created from the kernel, and
 * frees the memory.
 */
void ltr_session__free(struct ltr_session *s);

/** ltr_session__tracing_dir - the tracefs mount point (borrowed) */
const char *ltr_session__tracing_dir(const struct ltr_session *s);

/**
 * ltr_session__group - this session's probe group (borrowed)
 *
 * "lden_<inode of the PID namespace>_<pid>": no two live processes share
 * it, whichever containers they run in.
 */
const char *ltr_session__group(const struct ltr_session *s);

/**
 * ltr_session__sample_cgroup - whether the perf ring's samples carry the
 * cgroup id (asked in ltr_session_opts.sample_cgroup, and the kernel has it)
 */
bool ltr_session__sample_cgroup(const struct ltr_session *s);

/** ltr_session__ncpus - number of online CPUs events are opened on */
int ltr_session__ncpus(const struct ltr_session *s);

/**
 * ltr_session__cleanup_on_signal - remove probes on SIGINT, SIGTERM, SIGHUP
 * @s: the session (only one session can own the handlers)
 *
 * Installs handlers that, in async-signal-safe code, close the session's
 * perf fds and write the removal lines of its probes to tracefs, then
 * re-raise the signal with its default action.  Programs that handle these
 * signals themselves should instead leave their loop and call
 * ltr_session__free().
 *
 * Returns 0, or a negative errno.
 */
int ltr_session__cleanup_on_signal(struct ltr_session *s);

enum ltr_feature {
	LTR_FEATURE_KPROBES,		/* tracefs kprobe_events */
	LTR_FEATURE_UPROBES,		/* tracefs uprobe_events */
	LTR_FEATURE_KPROBE_PMU,		/* perf's kprobe PMU (4.17+) */
	LTR_FEATURE_FUNCTION_HOOKS,	/* perf ftrace:function (tried) */
	LTR_FEATURE_LOST_COUNTERS,	/* PERF_FORMAT_LOST (6.0+) */
	LTR_FEATURE_HIST_TRIGGERS,	/* CONFIG_HIST_TRIGGERS: LTR_MODE_HIST */
	/* probe fetch-args, from the syntax tracefs's README describes: */
	LTR_FEATURE_PROBE_USTRING,	/* the 'ustring' type (5.5+) */
	LTR_FEATURE_PROBE_ARGS,		/* $argN on kprobes (4.20+) */
	LTR_FEATURE_PROBE_USER_DEREF,	/* +u<offset>(...) (5.5+) */
	LTR_FEATURE_RETPROBE_ARGS,	/* $argN on kretprobes (6.10+) */
	/* a process's later threads counted without its children (5.13+) */
	LTR_FEATURE_INHERIT_THREAD,
	/*
	 * samples carry each task's own cgroup id (PERF_SAMPLE_CGROUP,
	 * 5.7+, and its cgroups have perf state: the why says which is
	 * missing); known once the session was made with opts.sample_cgroup
	 */
	LTR_FEATURE_SAMPLE_CGROUP,
};

/**
 * ltr_session__supports - whether this kernel lets lden use a feature
 * @s:   the session
 * @f:   the feature
 * @why: out (may be NULL): when unsupported, a one-line reason (borrowed,
 *       static), else ""
 *
 * LTR_FEATURE_FUNCTION_HOOKS is tried for real, since the files exist on
 * kernels that refuse it; where it works, the trial patches every kernel
 * function for a moment (an ftrace callback with no filter yet), so ask
 * only when a function hook is the fallback you would use; LTR_FEATURE_LOST_COUNTERS is known only after a
 * sampling event was opened, LTR_FEATURE_INHERIT_THREAD after an event of
 * a process's threads (opts.threads) was.
 */
bool ltr_session__supports(struct ltr_session *s, enum ltr_feature f,
			   const char **why);

/**
 * ltr_hist_triggers_supported - whether the kernel under @tracing_dir has
 * hist triggers (CONFIG_HIST_TRIGGERS), as LTR_FEATURE_HIST_TRIGGERS,
 * without a session
 */
bool ltr_hist_triggers_supported(const char *tracing_dir);

/**
 * ltr_exit_seen_per_task - whether a task's own perf events see its
 * sched:sched_process_exit, tried for real: a child is forked, counted
 * on that tracepoint (pid = the child) and let exit.  Where do_exit()
 * detaches a task's perf events (perf_event_exit_task()) before it fires
 * the tracepoint, an event opened on a pid (--pid, -- COMMAND) counts 0
 * exits, children inherited or not (seen on Debian's 6.1 and 6.12; 6.18
 * fires it first); events of a CPU or a cgroup see them on every kernel.  LDEN_TEST_EXIT_NOT_PER_TASK
 * in the environment says no without trying (the tests' stand-in), and
 * sched_process_exit opened on a task then sees no exit, as there.
 * Returns 1 (seen), 0 (not seen), or a negative errno when it could not
 * be told (no such tracepoint, perf refused): the caller goes on as if
 * seen, and the event's own open says what is wrong.  Tried once per
 * @tracing_dir in a process (thread-safe); later calls give the same
 * answer without a fork.
 */
int ltr_exit_seen_per_task(const char *tracing_dir);

/* ------------------------------------------------------------------ */
/* What tracing costs the kernel */

struct ltr_event_cost {
	double count_ns;	/* a hit of a counted event */
	double sample_ns;	/* a hit of a sampled event, into a perf ring */
};

/**
 * ltr_measure_event_cost - what a hit of a traced event costs the kernel
 * on this machine, paid by the task that hits it (not by the tracer)
 * @tracing_dir: tracefs, or NULL to find it
 * @cost:        out: written only on success
 *
 * The calling thread makes getppid() calls in rounds, bare, counted and
 * sampled (syscalls:sys_enter_getppid, on itself only), and compares its
 * own CPU time per call: some 10 to 50 ms of its time.
 *
 * Returns 0, or -ENOENT (no syscall tracepoints), -EACCES (perf events
 * refused; the message says which privilege), or another negative errno.
 */
int ltr_measure_event_cost(const char *tracing_dir,
			   struct ltr_event_cost *cost);

/*
 * ltr_measure_event_cost_until - the same, given up between two rounds
 * once *@stop is not 0 (set by another thread): then -ECANCELED, at most
 * a round (1,000 calls) after
 */
int ltr_measure_event_cost_until(const char *tracing_dir,
				 struct ltr_event_cost *cost,
				 const int *stop);

#define LTR_COST_MAX_TYPES 4

/*
 * What a hit costs the kernel by the way it is recorded: counted, and
 * sampled into a perf ring with each sample type a session uses (a size
 * summed samples its raw record alone: ltr_event_opts.size_only).
 */
struct ltr_sample_costs {
	/* in: the perf sample types to measure, ltr_event__sample_type() */
	int ntypes;
	uint64_t type[LTR_COST_MAX_TYPES];
	/* out: ns a hit, over a bare one */
	double count_ns;	/* counted */
	double full_ns;		/* sampled with every field a session reads */
	double sample_ns[LTR_COST_MAX_TYPES];	/* sampled with type[i] */
};

/*
 * ltr_measure_sample_costs_until - ltr_measure_event_cost_until() for the
 * sample types in @costs (up to LTR_COST_MAX_TYPES, each as
 * ltr_event__sample_type() gives it): the same getppid() rounds, one more
 * kind per type (1,000 calls a round each).  The out fields are written
 * only on success.  Returns 0, -EINVAL (a type no session opens, or too
 * many), -ECANCELED, or as ltr_measure_event_cost().
 */
int ltr_measure_sample_costs_until(const char *tracing_dir,
				   struct ltr_sample_costs *costs,
				   const int *stop);

/* ------------------------------------------------------------------ */
/* Dynamic probes (kprobe_events, uprobe_events) */

/**
 * ltr_kprobes_supported - whether this kernel has kprobe_events
 * @s: the session
 */
bool ltr_kprobes_supported(const struct ltr_session *s);

/**
 * ltr_session__add_kprobe - create a kprobe or kretprobe in the session group
 * @s:         the session
 * @name:      event name, a C identifier, unique in the session
 * @addr:      probe point: "func", "func+off" or an address
 * @fetchargs: kprobe fetch-args ("fd=%di:s32 ret=$retval"), or NULL
 * @retprobe:  true for a kretprobe
 *
 * The event is then opened with ltr_event__open(s, ltr_session__group(s),
 * name, ...), and removed from the kernel by ltr_session__free() or the
 * signal handlers.  A kretprobe gets as many instances (returns it can
 * wait for at once) as this machine may need: twice the threads that
 * exist, within the kernel's bounds; the returns it still misses are in
 * ltr_event__missed().
 *
 * Returns 0, or -EOPNOTSUPP when the kernel has no kprobes, -EEXIST,
 * -EINVAL (the kernel rejected the definition; ltr_last_error() quotes
 * the kernel's error_log), or another negative errno.
 */
int ltr_session__add_kprobe(struct ltr_session *s, const char *name,
			    const char *addr, const char *fetchargs,
			    bool retprobe);

/**
 * ltr_session__add_uprobe - create a uprobe or uretprobe in the session group
 * @s:         the session
 * @name:      event name, a C identifier, unique in the session
 * @path:      the ELF binary or library
 * @symbol:    a function symbol in @path (resolved to a file offset), or
 *             "0x<offset>" for a file offset
 * @fetchargs: uprobe fetch-args, or NULL
 * @retprobe:  true for a uretprobe
 *
 * Returns 0, or -ENOENT (no such file or symbol), -EOPNOTSUPP (no uprobe
 * support), or another negative errno.
 */
int ltr_session__add_uprobe(struct ltr_session *s, const char *name,
			    const char *path, const char *symbol,
			    const char *fetchargs, bool retprobe);

/**
 * ltr_elf__symbol_offset - the file offset of a function, for a uprobe
 * @path:   an ELF64 little-endian executable or shared library
 * @symbol: the function's name as in its symbol table (.symtab, else
 *          .dynsym, the default version first)
 * @offset: out: the offset of its first instruction in @path
 *
 * Aliases (open and open64 in glibc) give the same offset: a caller
 * probing several names of one library can tell them apart by it.
 *
 * Returns 0, or -ENOENT (no such file or function), -ENOEXEC (not an
 * ELF64 little-endian file, or corrupt), or another negative errno.
 */
int ltr_elf__symbol_offset(const char *path, const char *symbol,
			   uint64_t *offset);

/**
 * ltr_sweep_stale_groups - remove what lden processes that are gone left
 * @tracing_dir: tracefs mount point
 *
 * Removes the dynamic events of every probe group "lden_<ns>_<pid>", and
 * every tracefs instance of that name, that no process holds any more: a
 * session holds a lock on its group and instance for its lifetime, which
 * works across PID namespaces, so the live objects of an lden in another
 * container are never taken.  Never touches other tools' groups.
 * ltr_session__new() calls it.  What it removed it says in one line,
 * through the print hook at LTR_INFO.
 *
 * Returns the number of events and instances removed, or a negative errno.
 */
int ltr_sweep_stale_groups(const char *tracing_dir);

/**
 * ltr_sweep_at_exit - have this process's probe group and instance
 * removed however it ends, SIGKILL included
 * @tracing_dir: tracefs mount point
 *
 * Starts a detached watcher ("lden-sweep") that, once this process has
 * exited, runs ltr_sweep_stale_groups() until this process's objects are
 * gone (10 s at most).  Once per process; call it before making threads.
 *
 * Returns 0, or a negative errno (then only a later session's sweep
 * removes what a killed process leaves).
 */
int ltr_sweep_at_exit(const char *tracing_dir);

/* ------------------------------------------------------------------ */
/* Events */

enum ltr_mode {
	LTR_MODE_COUNT,		/* kernel counter only, no ring buffer */
	LTR_MODE_SAMPLE,	/* one PERF_SAMPLE_RAW record per hit */
	/*
	 * a hist trigger in the session's instance: the kernel counts the
	 * hits and sums fields per key (ltr_event__hist()); no record
	 * leaves it.  System-wide only, one per tracepoint.
	 */
	LTR_MODE_HIST,
};

#define LTR_HIST_MAX_KEYS 3
#define LTR_HIST_MAX_VALS 6

struct ltr_event_opts {
	enum ltr_mode mode;
	/* kernel filter in ftrace syntax ("common_pid == 42"), or NULL */
	const char *filter;
	/* > 0: only this task (its threads with @threads), else all */
	pid_t pid;
	/* with pid: also count the tasks it creates after the open, child
	 * processes and threads */
	bool inherit;
	/* a cgroup directory (perf cgroup mode), or NULL */
	const char *cgroup;
	/* sampling: where the records go; AUTO: the session's choice */
	enum ltr_ring_kind ring;
	/* why @ring, for ltr_event__ring_why() (static); NULL: "asked for" */
	const char *ring_why;
	/*
	 * on the ftrace ring: count the records read rather than keep a
	 * perf counter beside them, which costs the kernel about as much per
	 * hit as the record itself (it builds the whole record once more).
	 * The count is as of the last drain, exact while the ring dropped
	 * nothing, or when the event is alone in it (its drops are then the
	 * event's, and counted); with drops shared, it lacks the event's
	 * share of them (ltr_event__count_short()).
	 * ltr_event__stop_sampling() then keeps the records, which are the
	 * count, and stops delivering them.
	 */
	bool count_records;
	/*
	 * with count_records: only while the event is alone in the ring; in
	 * a ring shared (another event joins it before this one is enabled,
	 * or it joins one), a perf counter counts it, exact whatever the ring
	 * drops (ltr_event__counts_records() says which it is)
	 */
	bool shared_counter;
	/*
	 * LTR_MODE_HIST: the fields the kernel groups hits by (comma-separated,
	 * up to LTR_HIST_MAX_KEYS; NULL: one group) and sums (up to
	 * LTR_HIST_MAX_VALS; NULL: none), numbers all
	 */
	const char *hist_keys;
	const char *hist_vals;
	/*
	 * open nothing: only load the format and check the filter, as an
	 * open would, for ltr_event__field() (lden list-events' checks);
	 * enabling and counting such an event do nothing
	 */
	bool format_only;
	/*
	 * an event of the same session, scope and CPUs, or NULL: this one
	 * joins its group on every CPU, so that enabling or disabling
	 * @group starts or stops both at the same instant (a sampling event
	 * and its counting twin count the same hits); on its own, this one
	 * can still be disabled (ltr_event__disable()) while @group goes on
	 */
	struct ltr_event *group;
	/*
	 * sampling only: the records go to the session's recall rings,
	 * which the kernel overwrites and nobody reads until
	 * ltr_session__recall() looks back in them; ltr_session__poll()
	 * never delivers them
	 */
	bool recall;
	/*
	 * with pid, when it is a process: every thread of it, each opened
	 * (/proc/<pid>/task), and the threads it creates later, inherited
	 * (inherit_thread, Linux 5.13; before it, see
	 * LTR_FEATURE_INHERIT_THREAD), not its child processes unless
	 * @inherit; not with @group
	 */
	bool threads;
	/*
	 * sampling on the perf ring: the reader reads each record's raw
	 * fields alone (a size summed, nothing per thread or in time order),
	 * so the samples carry no thread and no time (ltr_sample.flags
	 * LTR_SAMPLE_NO_TID, LTR_SAMPLE_NO_TIME; pid, tid and time 0): each
	 * field costs the kernel per record, the time the most.  Not with
	 * @recall, whose walk reads both.  The ftrace ring's records carry
	 * them anyway.
	 */
	bool size_only;
	/*
	 * an event of the same session opened before, or NULL: this one is
	 * enabled just before it and disabled just after it
	 * (ltr_session__enable(), ltr_session__disable()), as if opened
	 * first: a counting twin opened once its sampling event's ring is
	 * known counts every hit the sampling event sees
	 */
	struct ltr_event *enable_before;
	/*
	 * sampling on the perf ring: the kernel writes each record's CPU
	 * (PERF_SAMPLE_CPU).  Without it (the default) a record's CPU is
	 * its ring's, the same (each CPU's events write to that CPU's
	 * ring), and a field less for the kernel to write per record; for
	 * tests that check the two agree.
	 */
	bool sample_cpu;
};

/**
 * ltr_event__open - open a tracepoint or dynamic event on every online CPU
 * @s:      the session
 * @system: event system ("sched", or the session group for probes)
 * @name:   event name ("sched_process_fork")
 * @opts:   mode, filter and scope; NULL means counting, system-wide
 *
 * Loads only this event's format.  A filter is checked in user space first
 * so that a bad one gets a message naming the filter and the problem.  The
 * event starts disabled: see ltr_session__enable().
 *
 * Returns the event, owned by the session (freed by ltr_session__free(),
 * or earlier by ltr_event__close()), or NULL with errno set: ENOENT (no such
 * event on this kernel), EINVAL (bad filter), EACCES (not permitted; the
 * message says which capability or perf_event_paranoid value), EMFILE.
 */
struct ltr_event *ltr_event__open(struct ltr_session *s, const char *system,
				  const char *name,
				  const struct ltr_event_opts *opts);

/** ltr_event__close - disable and close an event before the session ends */
void ltr_event__close(struct ltr_event *ev);

/** ltr_event__system - the event's system (borrowed) */
const char *ltr_event__system(const struct ltr_event *ev);

/** ltr_event__name - the event's name (borrowed) */
const char *ltr_event__name(const struct ltr_event *ev);

/** ltr_event__mode - counting or sampling */
enum ltr_mode ltr_event__mode(const struct ltr_event *ev);

/**
 * ltr_event__ring - where a sampling event's records go
 *
 * Returns LTR_RING_PERF or LTR_RING_FTRACE; LTR_RING_AUTO for a counting
 * event.
 */
enum ltr_ring_kind ltr_event__ring(const struct ltr_event *ev);

/**
 * ltr_event__ring_why - why that ring, in a few words ("system-wide",
 * "a tracefs instance cannot count per cgroup"); "" for a counting event
 * (borrowed, valid while the event is open)
 */
const char *ltr_event__ring_why(const struct ltr_event *ev);

/**
 * ltr_event__sample_type - the perf sample_type of a sampling event's
 * records on the perf ring (what each costs the kernel:
 * ltr_measure_sample_costs_until()); 0 for any other event
 */
uint64_t ltr_event__sample_type(const struct ltr_event *ev);

/**
 * ltr_event__ring_reader - how an event on the ftrace ring is read:
 * "mmap" or "read" (see ltr_session__ftrace_reader()); "" on the perf
 * ring or counting (static)
 */
const char *ltr_event__ring_reader(const struct ltr_event *ev);

/** ltr_session__ring - the session's ring choice (opts->ring) */
enum ltr_ring_kind ltr_session__ring(const struct ltr_session *s);

/**
 * ltr_session__instance - the name of the session's tracefs instance, or
 * NULL while it has none (borrowed)
 */
const char *ltr_session__instance(const struct ltr_session *s);

/**
 * ltr_session__ftrace_reader - how the instance's ring is read: "mmap"
 * (mapped, Linux 6.10+), "read" (sub-buffers copied out by read()), or
 * NULL while there is no instance (static)
 */
const char *ltr_session__ftrace_reader(const struct ltr_session *s);

/** ltr_event__set_user - attach a caller pointer to an event */
void ltr_event__set_user(struct ltr_event *ev, void *user);

/** ltr_event__user - the pointer set with ltr_event__set_user() */
void *ltr_event__user(const struct ltr_event *ev);

/** ltr_event__enable - start counting/sampling one event on all CPUs */
int ltr_event__enable(struct ltr_event *ev);

/** ltr_event__disable - stop one event on all CPUs */
int ltr_event__disable(struct ltr_event *ev);

/**
 * ltr_session__enable - enable every event of the session, in the order
 * they were opened (ltr_session__disable() goes the other way)
 */
int ltr_session__enable(struct ltr_session *s);

/** ltr_session__disable - disable every event of the session */
int ltr_session__disable(struct ltr_session *s);

/**
 * ltr_event__count - hits since the event was enabled, summed over CPUs
 * @ev:    the event (either mode)
 * @count: out: the total
 *
 * Returns 0 or a negative errno.
 */
int ltr_event__count(struct ltr_event *ev, uint64_t *count);

/**
 * ltr_event__lost - samples of this event the kernel dropped (ring full)
 * @ev:   a sampling event
 * @lost: out: the total over CPUs
 *
 * Current at once, unlike the rings' LOST records, which the kernel writes
 * only when space is free again.  For an event on the ftrace ring, the
 * records that ring dropped, whichever events they were of: the kernel
 * counts them per ring (see ltr_event__lost_shared()).  Returns 0, or
 * -EOPNOTSUPP on kernels before 6.0 for the perf ring (use
 * ltr_session__lost()).
 */
int ltr_event__lost(struct ltr_event *ev, uint64_t *lost);

/**
 * ltr_event__lost_shared - whether ltr_event__lost() counts the drops of
 * a ring shared with other events (the ftrace ring) rather than this
 * event's alone; exact either way, and 0 means none of this event's
 */
bool ltr_event__lost_shared(const struct ltr_event *ev);

/**
 * ltr_event__count_short - how many hits ltr_event__count() may lack
 * @short_by: out: 0 when the count is exact; else up to this many hits
 *            are missing from it.  Only an event counted from its records
 *            (opts.count_records) in a ring it shares with other events
 *            can be short: by the records that ring dropped, of which
 *            the kernel does not say how many were this event's.
 *
 * Returns 0 or a negative errno.
 */
int ltr_event__count_short(struct ltr_event *ev, uint64_t *short_by);

/**
 * ltr_event__stop_sampling - stop an event's samples, keep its count
 * @ev: a sampling event on the ftrace ring
 *
 * The records already written stay readable; ltr_event__count() goes on
 * counting, with no gap.  With a perf counter, the records stop.
 * Counted from its records (opts.count_records), the kernel goes on
 * writing them, as it would go on counting: those with a time from now
 * on (ltr_event__sampling_stopped_at()) are read and counted, not
 * delivered, and those before are delivered as usual.  Returns 0, or
 * -EOPNOTSUPP for the perf ring (its count stops with its samples: open
 * a counting event beside it).
 */
int ltr_event__stop_sampling(struct ltr_event *ev);

/**
 * ltr_event__counts_records - whether @ev is counted from its records on
 * the ftrace ring (opts.count_records), with no perf counter
 */
bool ltr_event__counts_records(const struct ltr_event *ev);

/**
 * ltr_event__sampling_stopped_at - when (CLOCK_MONOTONIC ns, the records'
 * clock) ltr_event__stop_sampling() stopped the samples of @ev on the
 * ftrace ring, or 0: every record delivered is older, and every older
 * one was delivered once ltr_session__complete_until() is past it.
 */
uint64_t ltr_event__sampling_stopped_at(const struct ltr_event *ev);

/* One key of a hist (LTR_MODE_HIST): its hits and its sums. */
struct ltr_hist_bucket {
	uint64_t keys[LTR_HIST_MAX_KEYS];	/* as opts.hist_keys; 0 if none */
	uint64_t hits;
	uint64_t vals[LTR_HIST_MAX_VALS];	/* sums, as opts.hist_vals */
};

struct ltr_hist {
	int nkeys, nvals;
	struct ltr_hist_bucket *buckets;
	int nbuckets;
	/*
	 * hits aggregated ("Hits:"; not the dropped): printed after the
	 * buckets, and counted before a hit's bucket has it, so while the
	 * event fires it may be ahead of the buckets' (ltr_hist__count())
	 */
	uint64_t hits;
	uint64_t dropped;	/* hits the kernel's map had no room for */
};

/**
 * ltr_event__hist - what the kernel aggregated so far for @ev
 * @h: out: release with ltr_hist__fini()
 *
 * Returns 0, or a negative errno (-EINVAL: not an LTR_MODE_HIST event).
 * ltr_event__count() of such an event is every hit, aggregated or
 * dropped (h->hits + h->dropped); ltr_event__lost() the dropped, whose
 * values are in no bucket.
 */
int ltr_event__hist(struct ltr_event *ev, struct ltr_hist *h);
void ltr_hist__fini(struct ltr_hist *h);

/**
 * ltr_hist__count - every hit of the reading @h: those in its buckets
 * and the dropped, as ltr_event__count() of its event says
 *
 * From the buckets, not "Hits:": of one moment with the buckets' sums
 * (a hit between the kernel's printing of the buckets and of the totals
 * is in "Hits:" only); once the event is disabled the two are equal.
 */
uint64_t ltr_hist__count(const struct ltr_hist *h);

/**
 * ltr_event__missed - hits the kernel could not record, for kprobe events
 * @ev:     the event
 * @missed: out: for a kprobe or kretprobe of the session's group, the
 *          probe's missed count (kprobe_profile): returns a kretprobe
 *          missed for lack of an instance, hits skipped while another
 *          kprobe ran on the CPU; for every task, not only the event's
 *          scope, since the probe was created.  0 for other events.
 *
 * A count with misses is short by at most that many.  Returns 0 or a
 * negative errno.
 */
int ltr_event__missed(struct ltr_event *ev, uint64_t *missed);

/**
 * ltr_session__missed - the same, summed over every kprobe and kretprobe
 * of the session's group, in one reading of kprobe_profile (for a
 * session with many probes)
 *
 * Returns 0 (with 0 on a kernel without kprobes) or a negative errno.
 */
int ltr_session__missed(struct ltr_session *s, uint64_t *missed);

/* ------------------------------------------------------------------ */
/* Samples */

/* ltr_sample.flags: pid is the thread's id, the ftrace ring has no other */
#define LTR_SAMPLE_NO_TGID 0x1u
/*
 * a perf sample of an event opened with opts.size_only: no thread (pid
 * and tid 0), no time (0); its raw record and CPU only
 */
#define LTR_SAMPLE_NO_TID 0x2u
#define LTR_SAMPLE_NO_TIME 0x4u
/* (internal: the ring's CPU fills it in) */
#define LTR_SAMPLE_NO_CPU 0x8u
/* cgroup is the kernel's (ltr_session_opts.sample_cgroup) */
#define LTR_SAMPLE_CGROUP 0x10u

struct ltr_sample {
	struct ltr_event *event;	/* the event that produced it */
	uint32_t pid;			/* the process (thread group) id */
	uint32_t tid;
	uint64_t time;			/* CLOCK_MONOTONIC, ns */
	uint32_t cpu;
	uint32_t raw_size;
	const void *raw;		/* the ftrace record; see ltr_field__*() */
	uint32_t flags;			/* LTR_SAMPLE_* */
	/* with LTR_SAMPLE_CGROUP: the task's cgroup v2 id at the event (its
	 * directory's inode number in the cgroup2 file system) */
	uint64_t cgroup;
};

/* Return non-zero to stop the drain after this sample. */
typedef int (*ltr_sample_fn)(const struct ltr_sample *sample, void *ctx);

/**
 * ltr_session__follow - the command lden started, held before its exec:
 * sampling events scoped to @pid and its children (opts.pid, inherit)
 * may then take the ftrace ring, the instance following @pid and every
 * task it starts (set_event_pid, options/event-fork), each record's
 * process told by the forks in the same ring; a record whose process
 * cannot be known comes with LTR_SAMPLE_NO_TGID, counted
 * (ltr_session__unknown_pids()).  Events of another scope go to the perf
 * ring.  Only in a session with opts.need_tgid (elsewhere a no-op: the
 * per-task perf counts stay the reference).  Call before the first
 * event opens.
 */
int ltr_session__follow(struct ltr_session *s, pid_t pid);
uint64_t ltr_session__unknown_pids(const struct ltr_session *s);
/*
 * Records of tasks the command did not start, which the kernel's pid
 * filter let through (a task waking one of the command's is traced
 * until it leaves its CPU), known as such (no fork lost) and dropped
 */
uint64_t ltr_session__foreign(const struct ltr_session *s);
/*
 * A process of the command given the id of an earlier one (clone3's
 * set_tid, ids wrapping), the command's or another process's, may have
 * records missing: the kernel takes the id out of set_event_pid when the
 * earlier task is freed, which may come after the fork put it back.  Each gap: the process, and the times
 * (CLOCK_MONOTONIC ns) between which its records (and its children's
 * forks) may not have been written; @to UINT64_MAX: to its end.  Known
 * at each drain; complete once the ring is off and read.  A process not
 * listed was proven in the filter throughout.
 */
struct ltr_follow_gap {
	uint32_t pid;
	uint64_t from, to;
	bool taken_out;		/* seen out of the filter (else not proven) */
	bool put_back;		/* lden put the id back in the filter at @to */
	/* with put_back: the tasks it started in the gap, alive then,
	 * which lden put in the filter too (from @to on) */
	unsigned int started;
	/* the fork of the task given the id (its records are from then) */
	uint64_t since;
	/* not taken_out (not proven): the frees of the machine lden dropped
	 * by the end, the earlier task's maybe among them; UINT64_MAX: it
	 * read none (no perf event on sched_process_free); 0: all read,
	 * the earlier task's not among them (freed after the end) */
	uint64_t frees_dropped;
	/* taken_out by the free of a process not the command's, the id's
	 * holder before (freed late: ids wrapping, or clone3's set_tid) */
	bool foreign;
};
const struct ltr_follow_gap *ltr_session__follow_gaps(const struct ltr_session *s,
						      size_t *n);

/*
 * ltr_session__follow_doubt - whether a record of task @tid (of process
 * @pid) at @time (CLOCK_MONOTONIC ns) is of a task whose records may be
 * missing, so that a count of its records may be short: one given a
 * reused id from its fork on (@tid or @pid the id), or one it started in
 * the gap that lden put back.  LTR_DOUBT_NONE: no doubt;
 * LTR_DOUBT_GAP: a gap of ltr_session__follow_gaps() touches it;
 * LTR_DOUBT_OPEN: a reused id not proven either way yet (decided at a
 * later drain, at the latest once the ring is off and read).
 */
enum ltr_follow_doubt {
	LTR_DOUBT_NONE,
	LTR_DOUBT_GAP,
	LTR_DOUBT_OPEN,
};
enum ltr_follow_doubt ltr_session__follow_doubt(const struct ltr_session *s,
						uint32_t pid, uint32_t tid,
						uint64_t time);

/**
 * ltr_session__poll - wait for samples, then deliver them
 * @s:          the session
 * @timeout_ms: longest wait before draining anyway (-1: no limit)
 * @fn:         called for every sample, in per-CPU time order
 * @ctx:        passed to @fn
 *
 * On the ftrace ring read with read() (before Linux 6.10), a CPU's
 * sub-buffer that the kernel is still writing is read only by a poll
 * that comes LTR_FTRACE_LAG_MS or more after that CPU was last read to
 * its end: a caller polling every T ms gets a record at most
 * LTR_FTRACE_LAG_MS + T ms after it was written (the wait is not cut
 * short for it: an idle session wakes no more often), and
 * ltr_session__complete_until() says up to when every record was.
 * ltr_session__drain() reads everything.
 *
 * Returns the number of samples delivered, or a negative errno (-EINTR
 * when a signal interrupted the wait).
 */
int ltr_session__poll(struct ltr_session *s, int timeout_ms,
		      ltr_sample_fn fn, void *ctx);
#define LTR_FTRACE_LAG_MS 100

/**
 * ltr_session__hold_counters - read every system-wide counter now, one
 * read a CPU
 *
 * The session's system-wide events (no task, no cgroup) count in one perf
 * group a CPU; this reads each group at once (one read, one interrupt of
 * that CPU, instead of one a counter) and holds the values:
 * ltr_event__count() and ltr_event__lost() return them, of that moment,
 * until ltr_session__release_counters() or the next hold.  Counters not
 * in a group (scoped events, a kernel that refused the group) are read
 * as always.  Call it where many counters are read together (a tick),
 * and release right after.  Holds nest: one inside another reads
 * nothing, and the outermost release ends it.
 *
 * Returns 0, or a negative errno: a CPU's group could not be read (its
 * counters are then read one by one, as without it).
 */
int ltr_session__hold_counters(struct ltr_session *s);

/** ltr_session__release_counters - counters read afresh again */
void ltr_session__release_counters(struct ltr_session *s);

/** ltr_event__session - the session of @ev (borrowed) */
struct ltr_session *ltr_event__session(const struct ltr_event *ev);

/**
 * ltr_session__drain - deliver the samples already in the rings, no wait
 *
 * Every record written before the call is delivered (or counted lost).
 * Returns the number of samples delivered, or a negative errno.
 */
int ltr_session__drain(struct ltr_session *s, ltr_sample_fn fn, void *ctx);

/*
 * ltr_session__complete_until - every record with a time before this
 * (CLOCK_MONOTONIC ns) was delivered by the polls and drains so far;
 * UINT64_MAX when no ring holds records back
 */
uint64_t ltr_session__complete_until(const struct ltr_session *s);

/**
 * ltr_session__recall - look back at the samples of recall events
 * @s:     the session
 * @tid:   only this thread's samples (0: every sample)
 * @since: the walk ends at the first sample older than this (0: none)
 * @until: only samples at or before this time (CLOCK_MONOTONIC ns, as
 *         ltr_sample.time), e.g. the time of the sample that asks
 * @fn:    called per sample, newest first, every CPU merged by time; the
 *         sample is a copy valid only during the call; return non-zero
 *         to stop
 * @ctx:   passed to @fn
 *
 * Recall rings are never paused: the kernel goes on overwriting their
 * oldest records.  A sample is delivered only while every ring can still
 * vouch that it holds everything it recorded after that sample.
 *
 * Returns 1 when @fn stopped the walk, 0 when it reached @since or
 * every record the rings ever held (none was overwritten), -ENODATA when the history
 * ends at an overwritten record (the samples delivered are exact; older
 * ones are gone), or another negative errno.
 */
int ltr_session__recall(struct ltr_session *s, uint32_t tid, uint64_t since,
			uint64_t until, ltr_sample_fn fn, void *ctx);

/**
 * ltr_session__settle - the end of a session's reading
 * @timeout_ms: how long to wait for records still being written
 *
 * Disables every event, then delivers the samples in the rings until
 * every hit each sampling event counted has either arrived or is counted
 * lost by the kernel: at once after ltr_session__drain_final(), where the
 * CPUs can be quiesced; else until none has come for LTR_SETTLE_QUIET_MS,
 * or @timeout_ms passed.  What is still missing then
 * (ltr_session__unarrived(): a throttled sample, a record not written in
 * time) is added to ltr_session__lost(s, -1): never dropped unsaid.
 *
 * Returns the number of samples delivered, or a negative errno.
 */
int ltr_session__settle(struct ltr_session *s, int timeout_ms,
			ltr_sample_fn fn, void *ctx);

/* The end of a settle once no sample has come for this long (ms). */
#define LTR_SETTLE_QUIET_MS 25

/**
 * ltr_session__quiesce - wait until every CPU of the session has finished
 * the records it began writing before the call
 *
 * The calling thread runs on each of the session's other CPUs in turn
 * (the one it is on has nothing half-written), then is given back its CPUs: a hit counts and writes its record with preemption
 * off, so a CPU that has run the thread since has written it.  Microseconds
 * to a few milliseconds (the wait for a turn on a busy CPU).
 *
 * Returns 0, or a negative errno when a CPU could not be run on (a cpuset
 * without it).
 */
int ltr_session__quiesce(struct ltr_session *s);

/**
 * ltr_session__drain_final - after ltr_session__disable(): quiesce, then
 * deliver every record left in the rings.  What has not arrived then
 * never will (a hit the kernel counted and neither wrote nor counted
 * lost: kmem:kfree, a few in 10,000 on 6.18): those hits are counted in
 * ltr_session__unarrived() and in ltr_session__lost(s, -1), so that
 * delivered + lost is every hit the sampling events counted.
 *
 * Returns the number delivered, -EAGAIN when the CPUs could not be
 * quiesced (nothing delivered: wait for the records as
 * ltr_session__settle() does), or another negative errno.
 */
int ltr_session__drain_final(struct ltr_session *s, ltr_sample_fn fn,
			     void *ctx);

/*
 * Hits the last ltr_session__settle() or ltr_session__drain_final() found
 * neither delivered nor lost by the kernel.
 */
uint64_t ltr_session__unarrived(const struct ltr_session *s);

/**
 * ltr_session__lost - records the kernel dropped because a ring was full
 * @s:   the session
 * @cpu: a CPU index in [0, ltr_session__ncpus()), or -1 for all
 *
 * For the perf rings, the larger of their LOST records and the events'
 * own counters; plus the ftrace ring's drops (per_cpu/cpuN/stats); for
 * @cpu -1 after ltr_session__settle() or ltr_session__drain_final(), plus
 * their unarrived hits.
 */
uint64_t ltr_session__lost(const struct ltr_session *s, int cpu);

/**
 * ltr_session__full_marks - how many times a look at a perf ring of @s
 * found that it may have been full since the look before, plus the
 * records the rings' LOST records said were dropped
 * @s: the session
 *
 * Reads each perf ring's head and tail (memory, no system call); every
 * drain looks too.  The kernel drops a record of a perf ring only when
 * the record does not fit: when two calls return the same value, no
 * perf ring dropped a record between them, and no LOST record came (so
 * the events' lost counters, ltr_event__lost(), and ltr_session__lost()
 * without the ftrace ring's are as they were).  When it grew, one may
 * have.  Not the ftrace ring's, not the recall rings'.  Call it from
 * the thread that reads the rings.
 */
uint64_t ltr_session__full_marks(struct ltr_session *s);

/* ------------------------------------------------------------------ */
/* Fields, resolved once per event, read per sample */

/**
 * ltr_event__field - look up a field of the event's format by name
 *
 * Returns a borrowed field, valid while the event is open, or NULL with
 * errno ENOENT.
 */
const struct ltr_field *ltr_event__field(struct ltr_event *ev,
					 const char *name);

/**
 * ltr_event__field_at - the event's fields in format order
 * @i: index from 0; the common_* header fields come first
 *
 * Returns a borrowed field, or NULL past the last one.
 */
const struct ltr_field *ltr_event__field_at(const struct ltr_event *ev, int i);

/** ltr_field__name - the field's name (borrowed) */
const char *ltr_field__name(const struct ltr_field *f);

/** ltr_field__type - the C type the format declares ("void *", "__u8[4]") */
const char *ltr_field__type(const struct ltr_field *f);

/**
 * ltr_field__bytes - the raw bytes of a field in a sample (for __data_loc
 * fields, the data they point to): addresses, arrays such as __u8[16]
 * @buf: out: borrowed, inside the sample
 * Returns 0, or -ERANGE when they lie beyond the record.
 */
int ltr_field__bytes(const struct ltr_field *f, const struct ltr_sample *s,
		     const void **buf, size_t *len);

/**
 * ltr_field__narrow - @v (a whole slot, as a hist key prints it) as the
 * field's C type holds it: cut to its width, zero- or sign-extended
 */
uint64_t ltr_field__narrow(const struct ltr_field *f, uint64_t v);

/**
 * ltr_field__stored_wider - the record keeps the field in a slot wider
 * than its C type (syscall arguments: "int fd" in 8 bytes)
 */
bool ltr_field__stored_wider(const struct ltr_field *f);

/** ltr_field__is_signed - a number field whose C type is signed */
bool ltr_field__is_signed(const struct ltr_field *f);

/** ltr_field__is_string - char[N], __data_loc or __rel_loc string */
bool ltr_field__is_string(const struct ltr_field *f);

/**
 * ltr_field__u64 - a number field, zero-extended (or sign-extended when
 * the field is signed), from a sample
 *
 * Returns 0, -ERANGE when the field lies beyond the record, -EINVAL when
 * the field is not a number.
 */
int ltr_field__u64(const struct ltr_field *f, const struct ltr_sample *s,
		   uint64_t *val);

/** ltr_field__s64 - a number field, sign-extended as its C type says */
int ltr_field__s64(const struct ltr_field *f, const struct ltr_sample *s,
		   int64_t *val);

/**
 * ltr_field__str - a string field of a sample
 * @str: out: points into the sample (not NUL-terminated), borrowed
 * @len: out: length without the terminating NUL
 *
 * Returns 0, -ERANGE when the string lies beyond the record, -EINVAL when
 * the field is not a string.
 */
int ltr_field__str(const struct ltr_field *f, const struct ltr_sample *s,
		   const char **str, size_t *len);

/* ------------------------------------------------------------------ */
/* Processes: their namespaces */

struct ltr_process;

/* The kinds of namespace, as obs numbers them; names as in /proc/PID/ns. */
enum ltr_ns {
	LTR_NS_NET,		/* "net": network */
	LTR_NS_IPC,		/* "ipc": System V IPC, POSIX queues */
	LTR_NS_UTS,		/* "uts": host and domain name */
	LTR_NS_MNT,		/* "mnt": mount points */
	LTR_NS_PID,		/* "pid": the process's own PID namespace */
	LTR_NS_USER,		/* "user": user and group ids */
	LTR_NS_CGROUP,		/* "cgroup": the cgroup root it sees */
	LTR_NS_COUNT
};

/**
 * ltr_ns__name - the name of a kind of namespace: "net", "ipc", "uts",
 * "mnt", "pid", "user" or "cgroup" (static), or NULL for no such kind
 */
const char *ltr_ns__name(enum ltr_ns kind);

/**
 * ltr_ns__from_name - the kind named @name, as ltr_ns__name() spells it
 * @kind: out: the kind
 *
 * Returns 0, or -EINVAL (the message lists the names).
 */
int ltr_ns__from_name(const char *name, enum ltr_ns *kind);

/**
 * ltr_process__new - a process, for reading its namespaces
 * @pid: a process (or thread) id, in the caller's PID namespace
 *
 * Opens /proc/@pid once.  The object stays tied to that process: after it
 * exits, ltr_process__namespace() fails with ESRCH even when the pid has
 * been reused, so a value read is never another process's.
 *
 * Returns an object to release with ltr_process__free(), or NULL with
 * errno set: ESRCH (no such process), EINVAL (@pid <= 0), ENOMEM.
 */
struct ltr_process *ltr_process__new(pid_t pid);

/**
 * ltr_process__new_at - the same, through a procfs mounted at @proc_dir
 * @proc_dir: the mount point ("/proc" when NULL), e.g. the procfs of
 *            another PID namespace, where @pid is that namespace's number
 */
struct ltr_process *ltr_process__new_at(const char *proc_dir, pid_t pid);

/** ltr_process__free - release a process object (NULL is fine) */
void ltr_process__free(struct ltr_process *p);

/** ltr_process__pid - the pid the object was made for */
pid_t ltr_process__pid(const struct ltr_process *p);

/**
 * ltr_process__namespace - the inode of one of the process's namespaces
 * @p:     the process
 * @kind:  which namespace
 * @inode: out (written only on success): the namespace's inode, the
 *         number readlink(2) shows in "net:[4026531833]"; two processes
 *         share a namespace when the numbers are equal
 *
 * Returns 0, or a negative errno a caller can act on, with
 * ltr_last_error() naming the process and the namespace:
 * -ESRCH (the process has exited, zombies included), -EACCES (no ptrace
 * read access to it: another user's process without CAP_SYS_PTRACE),
 * -EOPNOTSUPP (a kernel built without that kind of namespace), -EINVAL
 * (no such kind).
 */
int ltr_process__namespace(const struct ltr_process *p, enum ltr_ns kind,
			   uint64_t *inode);

#ifdef __cplusplus
}
#endif

#endif /* LDEN_TRACE_H */
