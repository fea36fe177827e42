/* monitor.h */
#pragma once
