/* dev.h */
#pragma once
