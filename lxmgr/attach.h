/* attach.h */
#pragma once
