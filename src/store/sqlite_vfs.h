/* sqlite_vfs.h: the store's SQLite VFS (sqlite_vfs.c). */
#ifndef AC_SQLITE_VFS_H
#define AC_SQLITE_VFS_H

#define SQLITE_VFS_NAME "aftercare"

/* sqlite_vfs_register registers SQLITE_VFS_NAME (once, not as the
 * default); SQLITE_OK or SQLite's error. It starts SQLite: call it after
 * sqlite3_config. */
int sqlite_vfs_register(void);

#endif
