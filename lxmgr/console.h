/* console.h */
#pragma once
