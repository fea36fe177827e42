/* cmd-config.c */
