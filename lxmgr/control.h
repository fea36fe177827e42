/* control.h */
#pragma once
