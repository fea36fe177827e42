/* machined.c: registering the container with systemd-machined over the system bus. */
#include <net/if.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <uuid/uuid.h>

#include "cleanup.h"
#include "log.h"
#include "lxmgr.h"
#include "machined.h"

#define LOG_STEP "machined"

static const char machined_dest[] = "org.freedesktop.machine1";
static const char machined_path[] = "/org/freedesktop/machine1";
static const char machined_iface[] = "org.freedesktop.machine1.Manager";

static void bus_unrefp(sd_bus **b)
{
	if (*b)
		(void)sd_bus_flush_close_unref(*b);
}

static void msg_unrefp(sd_bus_message **m)
{
	if (*m)
		(void)sd_bus_message_unref(*m);
}

/* The system bus, or NULL with a debug line when there is none (no dbus, no systemd). */
static sd_bus *open_bus(const struct lxmgr_ctx *ctx)
{
	sd_bus *bus = NULL;
	int r = sd_bus_open_system(&bus);

	if (r < 0) {
		log_line(ctx, LOG_LEVEL_DEBUG, LOG_STEP, r, "no system bus, not registering");
		return NULL;
	}
	return bus;
}

static bool machined_absent(const sd_bus_error *e)
{
	return sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN,
				      SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_UNKNOWN_METHOD);
}

static int build_call(sd_bus *bus, const struct machined_info *info, sd_bus_message **ret)
{
	_cleanup_(msg_unrefp) sd_bus_message *m = NULL;
	unsigned char id[16];
	int32_t ifindex = info->ifname ? (int32_t)if_nametoindex(info->ifname) : 0;
	int r;

	if (uuid_parse(info->uuid, id) < 0)
		return -EINVAL;
	r = sd_bus_message_new_method_call(bus, &m, machined_dest, machined_path, machined_iface,
					   "RegisterMachineWithNetwork");
	if (r >= 0)
		r = sd_bus_message_append(m, "s", info->name);
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'y', id, sizeof(id));
	if (r >= 0)
		r = sd_bus_message_append(m, "ssus", "lxmgr", "container", (uint32_t)info->leader,
					  info->rootfs);
	/* The host end of eth0 (machinectl status shows its addresses); none without a veth. */
	if (r >= 0)
		r = sd_bus_message_append_array(m, 'i', &ifindex,
						ifindex > 0 ? sizeof(ifindex) : 0);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(m);
	return 0;
}

int machined_register(const struct lxmgr_ctx *ctx, const struct machined_info *info)
{
	_cleanup_(bus_unrefp) sd_bus *bus = open_bus(ctx);
	_cleanup_(msg_unrefp) sd_bus_message *call = NULL, *reply = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (!bus)
		return 0;
	r = build_call(bus, info, &call);
	if (r < 0) {
		lx_warn(ctx, r, "build the RegisterMachineWithNetwork call, ignoring");
		return 0;
	}
	r = sd_bus_call(bus, call, /* usec= */ 0, &e, &reply);
	if (r < 0 && machined_absent(&e))
		lx_debug(ctx, "systemd-machined is not there (%s), not registering", e.name);
	else if (r < 0)
		log_line(ctx, LOG_LEVEL_WARNING, LOG_STEP, LX_SYNTHETIC(r),
			 "register the machine: %s, ignoring", e.message ? e.message : e.name);
	else
		lx_debug(ctx, "registered with leader %d", (int)info->leader);
	sd_bus_error_free(&e);
	return 0;
}

void machined_unregister(const struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_(bus_unrefp) sd_bus *bus = open_bus(ctx);
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (!bus)
		return;
	r = sd_bus_call_method(bus, machined_dest, machined_path, machined_iface,
			       "UnregisterMachine", &e, NULL, "s", name);
	if (r < 0)
		lx_debug(ctx, "unregister: %s", e.name ? e.name : "failed");
	sd_bus_error_free(&e);
}
