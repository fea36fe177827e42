/* cmd-exec.c */
