/* cmd-list.c */
