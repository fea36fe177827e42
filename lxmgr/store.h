/* store.h */
#pragma once
