/* cmd-lifecycle.c */
