hosts before=mymachines,resolve,dns lxmgr
