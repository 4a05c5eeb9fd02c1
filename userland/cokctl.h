/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cokctl: the command line client of the ckpt_cokernel module.
 * Shared declarations of its parts (main, help, parsing, JSON, verbs).
 */
#ifndef COKCTL_H
#define COKCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../xemem/channel.h"
#include "../xemem/genl.h"
#include "../xemem/cokdev.h"
#include "nl.h"

#define COKCTL_VERSION	"0.1.0"

/* The kernel's helpers, for the same style in userland. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define COK_ATTR(x)	__attribute__(x)
#define __printf(a, b)	COK_ATTR((format(printf, a, b)))

/* Exit status: part of the interface, documented in cokctl --help. */
enum cok_exit {
	COK_EXIT_OK		= 0,	/* success */
	COK_EXIT_REFUSED	= 1,	/* the module refused the request */
	COK_EXIT_USAGE		= 2,	/* bad command line */
	COK_EXIT_NO_MODULE	= 3,	/* ckpt_cokernel is not loaded */
	COK_EXIT_PERM		= 4,	/* EPERM / EACCES */
	COK_EXIT_SYSTEM		= 5,	/* any other system error */
	COK_EXIT_BAD_IMAGE	= 6,	/* a checkpoint image is refused */
	/* launch/restore: the app's co-kernel core died (watchdog) */
	COK_EXIT_LOST		= 125,
};

/* main.c */
__printf(2, 3)
int cok_usage_error(const char *verb, const char *fmt, ...);
int cok_option_error(const char *verb, int c, char **argv);
int cok_nl_failure(const struct cok_nl *nl);
int cok_connect(struct cok_nl *nl);

/* help.c */
struct cok_verb {
	const char *name;
	const char *summary;
	const char *manual;
	int (*run)(int argc, char **argv);
};
extern const struct cok_verb cok_verbs[];
extern const char cok_main_manual[];
extern const char cok_check_manual[];	/* cmd_check.c */
const struct cok_verb *cok_find_verb(const char *name);
void cok_print_manual(const char *text);

/* manual.c: topics and the man page / completion views of the manuals. */
const char *cok_find_topic(const char *name);
int cok_help_view(int argc, char **argv);

/* parse.c */
int cok_parse_u32(const char *s, uint32_t *out);
int cok_parse_enclave(const char *s, uint32_t *id);
int cok_parse_size(const char *s, uint64_t *out);
int cok_parse_cpu_list(const char *s, uint32_t *cpus, size_t max,
		       size_t *n, const char **why);

/* json.c */
void cok_json_string(FILE *f, const char *s);
void cok_json_bool(FILE *f, bool v);

/* cmd_status.c: the STATUS view, shared with console. */
struct cok_core_status {
	uint32_t cpu;
	uint32_t apic_id;
	char stage[32];
	bool alive;
	uint64_t heartbeat;
	uint64_t interrupts;
	uint64_t nmis;
	uint64_t foreign;
	uint32_t app_id;		/* 0: no app on the core */
	uint32_t app_pid;		/* 0: not shown (another user's) */
	uint32_t app_uid;
	char app_state[16];
	char reason[COK_LOST_REASON_LEN];	/* stage "dead": why */
};

struct cok_enclave_status {
	uint32_t id;
	char state[32];
	uint64_t mem_bytes;
	uint64_t mem_free;
	uint64_t uptime_ns;
	uint64_t boot_ns;
	uint64_t memory_ns;		/* phases of boot_ns */
	uint64_t offline_ns;
	uint64_t start_ns;
	uint32_t ncores;
	struct cok_core_status core[COK_MAX_CORES];
};

struct cok_status_list {
	struct cok_enclave_status *v;
	size_t n;
	size_t cap;
};

/* id 0: every enclave (a dump); else that one. */
int cok_status_fetch(struct cok_nl *nl, uint32_t id,
		     struct cok_status_list *out);
void cok_status_free(struct cok_status_list *list);

/* cmd_ps.c: the apps on co-kernel cores, shared with kill. */
struct cok_app_info {
	uint32_t id;
	uint32_t enclave;
	uint32_t core;		/* index in the enclave */
	uint32_t cpu;		/* Linux CPU number */
	uint32_t pid;		/* its proxy; 0 if none or not shown */
	uint32_t uid;		/* its owner */
	char state[32];
};

struct cok_app_list {
	struct cok_app_info *v;
	size_t n;
	size_t cap;
};

int cok_apps_fetch(struct cok_nl *nl, struct cok_app_list *out);
void cok_apps_free(struct cok_app_list *list);

/* cmd_freeze.c: FREEZE or THAW app; 0, or -1 with the outcome in nl. */
int cok_freeze_request(struct cok_nl *nl, uint32_t app, bool thaw,
		       uint64_t *ns);

/* cmd_launch.c: /dev/ckpt_cokernel opened, or -(exit status), said. */
int cok_open_device(const char *why_needed);
/*
 * cmd_launch.c: a proxy's device and stderr, moved above the app's fd
 * numbers, and its signal handlers; 0 or an exit status, said.
 */
struct cok_proxy;
int cok_proxy_open(struct cok_proxy *p, const char *why_needed);
/* cmd_launch.c: option c ('e', 'c' or 'n') of launch or restore, optarg. */
int cok_placement_option(const char *verb, int c, uint32_t *enclave,
			 int32_t *core, uint32_t *ncores);

/* cmd_kill.c: ask app's proxy to end it (SIGTERM); 0 or an exit status. */
int cok_kill_app(struct cok_nl *nl, uint32_t app, bool wait);

/* The verbs. */
int cok_cmd_create(int argc, char **argv);
int cok_cmd_destroy(int argc, char **argv);
int cok_cmd_status(int argc, char **argv);
int cok_cmd_console(int argc, char **argv);
int cok_cmd_launch(int argc, char **argv);
int cok_cmd_ps(int argc, char **argv);
int cok_cmd_kill(int argc, char **argv);
int cok_cmd_freeze(int argc, char **argv);
int cok_cmd_thaw(int argc, char **argv);
int cok_cmd_dump(int argc, char **argv);
int cok_cmd_restore(int argc, char **argv);
int cok_cmd_image(int argc, char **argv);
int cok_cmd_help(int argc, char **argv);
int cok_cmd_check(int argc, char **argv);

#endif /* COKCTL_H */
