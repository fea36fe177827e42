/* security.h */
#pragma once
