/* cmd-create.c */
