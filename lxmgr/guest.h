/* guest.h */
#pragma once
