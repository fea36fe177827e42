/* cmd-gc.c */
