/* runtime.h */
#pragma once
