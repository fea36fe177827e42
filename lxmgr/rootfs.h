/* rootfs.h */
#pragma once
