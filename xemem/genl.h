/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control plane: the generic netlink family between cokctl and the
 * module.  Strict validation (resv_start_op 0): unknown attributes and
 * trailing data are refused.  Every refusal carries an extack message.
 */
#ifndef XEMEM_GENL_H
#define XEMEM_GENL_H

#define COK_GENL_NAME		"ckpt_cokernel"
#define COK_GENL_VERSION	1

enum cok_genl_cmd {
	COK_CMD_UNSPEC,
	COK_CMD_CREATE,		/* admin; reply: ENCLAVE_ID */
	COK_CMD_DESTROY,	/* admin; ENCLAVE_ID */
	COK_CMD_STATUS,		/* doit with ENCLAVE_ID, or dump: all */
	COK_CMD_CONSOLE,	/* ENCLAVE_ID, CONSOLE_POS; reply: one chunk */
	COK_CMD_FREEZE,		/* admin; APP_ID; reply: FREEZE_NS */
	COK_CMD_THAW,		/* admin; APP_ID; reply: FREEZE_NS */
	__COK_CMD_MAX,
};
#define COK_CMD_MAX (__COK_CMD_MAX - 1)

enum cok_genl_attr {
	COK_A_UNSPEC,
	COK_A_ENCLAVE_ID,	/* u32, >= 1 */
	COK_A_CPU_COUNT,	/* u32: how many cores to take */
	COK_A_CPU_LIST,		/* binary: array of u32 Linux CPU numbers */
	COK_A_MEM_BYTES,	/* u64: multiple of 2 MiB */
	COK_A_STATE,		/* string: "booting", "running", ... */
	COK_A_UPTIME_NS,	/* u64: since the co-kernel's first entry */
	COK_A_BOOT_NS,		/* u64: create request -> first heartbeat */
	COK_A_MEM_FREE,		/* u64: free bytes in the co-kernel */
	COK_A_CORE,		/* nested cok_genl_core_attr, repeated */
	COK_A_CONSOLE_POS,	/* u64: log offset to read from / next */
	COK_A_CONSOLE_DATA,	/* binary: log bytes */
	COK_A_CONSOLE_LOST,	/* u64: bytes overwritten before read */
	COK_A_PAD,
	COK_A_MEMORY_NS,	/* u64: of BOOT_NS, taking memory */
	COK_A_OFFLINE_NS,	/* u64: of BOOT_NS, CPU hotplug offline */
	COK_A_START_NS,		/* u64: of BOOT_NS, SIPI -> core 0 running */
	COK_A_APP_ID,		/* u32: an app, for FREEZE and THAW */
	COK_A_FREEZE_NS,	/* u64: request -> app stopped (or resumed) */
	COK_A_FREEZE_CORE_NS,	/* u64: of FREEZE_NS, in the co-kernel (0 for
				 * THAW) */
	__COK_A_MAX,
};
#define COK_A_MAX (__COK_A_MAX - 1)

enum cok_genl_core_attr {
	COK_CORE_A_UNSPEC,
	COK_CORE_A_CPU,		/* u32: Linux CPU number */
	COK_CORE_A_APIC_ID,	/* u32 */
	COK_CORE_A_STAGE,	/* string: enum cok_stage as text */
	COK_CORE_A_ALIVE,	/* u8: answered a ping just now */
	COK_CORE_A_HEARTBEAT,	/* u64 */
	COK_CORE_A_INTERRUPTS,	/* u64 */
	COK_CORE_A_NMIS,	/* u64 */
	COK_CORE_A_FOREIGN,	/* u64: Linux's IPIs that reached the core */
	COK_CORE_A_PAD,
	COK_CORE_A_APP_ID,	/* u32: the app on this core; absent or 0: none */
	COK_CORE_A_APP_STATE,	/* string: enum cok_app_state as text */
	COK_CORE_A_APP_PID,	/* u32: its proxy's pid (cokctl launch);
				 * absent for another user's app */
	COK_CORE_A_APP_UID,	/* u32: its owner's uid */
	COK_CORE_A_REASON,	/* string: why a core is "dead" (stage); absent
				 * otherwise */
	__COK_CORE_A_MAX,
};
#define COK_CORE_A_MAX (__COK_CORE_A_MAX - 1)

#define COK_CONSOLE_CHUNK	4000	/* bytes per CONSOLE reply */

#endif /* XEMEM_GENL_H */
