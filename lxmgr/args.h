/* args.h */
#pragma once
