/* sync.h */
#pragma once
