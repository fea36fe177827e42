/* child.h */
#pragma once
