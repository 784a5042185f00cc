/* sqlite_vfs.c: the store's SQLite VFS (store layer): the default one
 * ("unix") with one change, so that a request's statement journal can
 * stay in memory up to STMT_JOURNAL_SPILL (sqlite.c) however large that
 * is.
 *
 * SQLite keeps a statement journal in one block of the spill's size and,
 * when it outgrows it, moves the block to a temporary file in one write.
 * The unix VFS cuts a write's length to 17 bits, so a block of 128 KiB or
 * more never reaches the file: the request fails with SQLITE_FULL
 * (SQLite 3.40, measured). Below 128 KiB, a case opened (~110 KiB of
 * journal) sometimes outgrew the block, and from then on every request of
 * its group commit wrote its journal to the file, two writes a page
 * (`strace`: 6,000 a second; cases opened a second 3,700 against 6,600
 * with the block at 1 MiB). This VFS writes and reads the temporary
 * journals in pieces of at most PIECE bytes; every other file, and every
 * other call, is the unix VFS's own. */
#include <string.h>

#include <sqlite3.h>

#include "sqlite_vfs.h"

#define PIECE (64 * 1024)

/* A journal file: its methods are ours, the unix VFS's file follows. */
struct piece_file {
	sqlite3_file base;
	sqlite3_file *real;
};

static sqlite3_vfs *unix_vfs;
static sqlite3_vfs vfs;

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct piece_file *)f)->real;
}

static int piece_close(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods ? r->pMethods->xClose(r) : SQLITE_OK;
}

static int piece_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	sqlite3_file *r = real_of(f);
	char *p = buf;

	while (n > 0) {
		int k = n > PIECE ? PIECE : n;
		int rc = r->pMethods->xRead(r, p, k, off);

		if (rc == SQLITE_IOERR_SHORT_READ) {
			/* the piece was zero-filled past the end: so is the
			 * rest */
			memset(p + k, 0, (size_t)(n - k));
			return rc;
		}
		if (rc != SQLITE_OK)
			return rc;
		p += k;
		off += k;
		n -= k;
	}
	return SQLITE_OK;
}

static int piece_write(sqlite3_file *f, const void *buf, int n,
		       sqlite3_int64 off)
{
	sqlite3_file *r = real_of(f);
	const char *p = buf;

	while (n > 0) {
		int k = n > PIECE ? PIECE : n;
		int rc = r->pMethods->xWrite(r, p, k, off);

		if (rc != SQLITE_OK)
			return rc;
		p += k;
		off += k;
		n -= k;
	}
	return SQLITE_OK;
}

static int piece_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xTruncate(r, size);
}

static int piece_sync(sqlite3_file *f, int flags)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xSync(r, flags);
}

static int piece_size(sqlite3_file *f, sqlite3_int64 *size)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xFileSize(r, size);
}

static int piece_lock(sqlite3_file *f, int lock)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xLock(r, lock);
}

static int piece_unlock(sqlite3_file *f, int lock)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xUnlock(r, lock);
}

static int piece_reserved(sqlite3_file *f, int *out)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xCheckReservedLock(r, out);
}

static int piece_control(sqlite3_file *f, int op, void *arg)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xFileControl(r, op, arg);
}

static int piece_sector(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xSectorSize(r);
}

static int piece_device(sqlite3_file *f)
{
	sqlite3_file *r = real_of(f);

	return r->pMethods->xDeviceCharacteristics(r);
}

/* version 1: a temporary journal is never mapped nor shared */
static const sqlite3_io_methods piece_methods = {
	1, piece_close, piece_read, piece_write, piece_truncate, piece_sync,
	piece_size, piece_lock, piece_unlock, piece_reserved, piece_control,
	piece_sector, piece_device,
	NULL, NULL, NULL, NULL, NULL, NULL,
};

/* The journals SQLite may first keep in memory (memjournal.c) */
#define JOURNALS (SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_JOURNAL)

static int piece_open(sqlite3_vfs *v, sqlite3_filename name,
		      sqlite3_file *f, int flags, int *out_flags)
{
	struct piece_file *p = (struct piece_file *)f;
	int rc;

	(void)v;
	if (!(flags & JOURNALS))
		return unix_vfs->xOpen(unix_vfs, name, f, flags, out_flags);
	p->real = (sqlite3_file *)(p + 1);
	rc = unix_vfs->xOpen(unix_vfs, name, p->real, flags, out_flags);
	/* on failure SQLite calls no method, xClose included */
	p->base.pMethods = rc == SQLITE_OK ? &piece_methods : NULL;
	return rc;
}

int sqlite_vfs_register(void)
{
	unix_vfs = sqlite3_vfs_find(NULL);
	if (!unix_vfs)
		return SQLITE_ERROR;
	/* the unix VFS's own calls, which find their settings in pAppData;
	 * a file of ours holds one of its files */
	vfs = *unix_vfs;
	vfs.pNext = NULL;
	vfs.zName = SQLITE_VFS_NAME;
	vfs.szOsFile = (int)sizeof(struct piece_file) + unix_vfs->szOsFile;
	vfs.xOpen = piece_open;
	return sqlite3_vfs_register(&vfs, 0);
}
