/* start.h */
#pragma once
