/* machined.c: registering the container with systemd-machined over the system bus. */
#include <net/if.h>
#include <stdarg.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <uuid/uuid.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/sd.h"
#include "run/machined.h"

#define LOG_STEP "machined"

static const char machined_dest[] = "org.freedesktop.machine1";
static const char machined_path[] = "/org/freedesktop/machine1";
static const char machined_iface[] = "org.freedesktop.machine1.Manager";

/* libsystemd and the system bus, for one call. */
struct bus {
	struct sd_lib sd;
	sd_bus *bus;
};

static void bus_close(struct bus *b)
{
	if (b->bus)
		(void)b->sd.bus_flush_close_unref(b->bus);
	sd_lib_close(&b->sd);
}

/* 0, or < 0 with a debug line when there is no libsystemd or no system bus (no dbus, no
 * systemd): nothing to register with. */
static int bus_open(const struct lxmgr_ctx *ctx, struct bus *b)
{
	int r;

	*b = (struct bus){0};
	r = sd_lib_open(&b->sd);
	if (r < 0) {
		log_line(ctx, LOG_LEVEL_DEBUG, LOG_STEP, r, "no libsystemd, not registering");
		return r;
	}
	r = b->sd.bus_open_system(&b->bus);
	if (r < 0) {
		log_line(ctx, LOG_LEVEL_DEBUG, LOG_STEP, r, "no system bus, not registering");
		b->bus = NULL;
		bus_close(b);
	}
	return r;
}

static int append(const struct bus *b, sd_bus_message *m, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = b->sd.bus_message_appendv(m, types, ap);
	va_end(ap);
	return r;
}

static int call_method(const struct bus *b, const char *member, sd_bus_error *e, const char *types,
		       ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = b->sd.bus_call_methodv(b->bus, machined_dest, machined_path, machined_iface, member, e,
				   NULL, types, ap);
	va_end(ap);
	return r;
}

static bool machined_absent(const struct bus *b, const sd_bus_error *e)
{
	return b->sd.bus_error_has_name(e, SD_BUS_ERROR_SERVICE_UNKNOWN) > 0 ||
	       b->sd.bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) > 0 ||
	       b->sd.bus_error_has_name(e, SD_BUS_ERROR_UNKNOWN_METHOD) > 0;
}

static int build_call(const struct bus *b, const struct machined_info *info, sd_bus_message **ret)
{
	sd_bus_message *m = NULL;
	unsigned char id[16];
	int32_t ifindex = info->ifname ? (int32_t)if_nametoindex(info->ifname) : 0;
	int r;

	if (uuid_parse(info->uuid, id) < 0)
		return -EINVAL;
	r = b->sd.bus_message_new_method_call(b->bus, &m, machined_dest, machined_path,
					      machined_iface, "RegisterMachineWithNetwork");
	if (r >= 0)
		r = append(b, m, "s", info->name);
	if (r >= 0)
		r = b->sd.bus_message_append_array(m, 'y', id, sizeof(id));
	if (r >= 0)
		r = append(b, m, "ssus", "lxmgr", "container", (uint32_t)info->leader,
			   info->rootfs);
	/* The host end of eth0 (machinectl status shows its addresses); none without a veth. */
	if (r >= 0)
		r = b->sd.bus_message_append_array(m, 'i', &ifindex,
						   ifindex > 0 ? sizeof(ifindex) : 0);
	if (r < 0) {
		if (m)
			(void)b->sd.bus_message_unref(m);
		return r;
	}
	*ret = m;
	return 0;
}

static void report_register(const struct lxmgr_ctx *ctx, const struct bus *b, int r,
			    const sd_bus_error *e, pid_t leader)
{
	if (r < 0 && machined_absent(b, e))
		lx_debug(ctx, "systemd-machined is not there (%s), not registering", e->name);
	else if (r < 0)
		log_line(ctx, LOG_LEVEL_WARNING, LOG_STEP, LX_SYNTHETIC(r),
			 "register the machine: %s, ignoring", e->message ? e->message : e->name);
	else
		lx_debug(ctx, "registered with leader %d", (int)leader);
}

int machined_register(const struct lxmgr_ctx *ctx, const struct machined_info *info)
{
	sd_bus_message *call = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct bus b;
	int r;

	if (bus_open(ctx, &b) < 0)
		return 0;
	r = build_call(&b, info, &call);
	if (r < 0) {
		lx_warn(ctx, r, "build the RegisterMachineWithNetwork call, ignoring");
		bus_close(&b);
		return 0;
	}
	r = b.sd.bus_call(b.bus, call, /* usec= */ 0, &e, &reply);
	report_register(ctx, &b, r, &e, info->leader);
	b.sd.bus_error_free(&e);
	(void)b.sd.bus_message_unref(call);
	if (reply)
		(void)b.sd.bus_message_unref(reply);
	bus_close(&b);
	return 0;
}

void machined_unregister(const struct lxmgr_ctx *ctx, const char *name)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct bus b;
	int r;

	if (bus_open(ctx, &b) < 0)
		return;
	r = call_method(&b, "UnregisterMachine", &e, "s", name);
	if (r < 0)
		lx_debug(ctx, "unregister: %s", e.name ? e.name : "failed");
	b.sd.bus_error_free(&e);
	bus_close(&b);
}
