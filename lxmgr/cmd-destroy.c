/* cmd-destroy.c */
