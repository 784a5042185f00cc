/* migrations.S: the store's SQL migrations, built into the program byte for
 * byte (store layer). Each migration has a start and an end symbol and is
 * followed by a NUL, so sqlite.c can run it as one C string. Paths are
 * relative to the repository root, where make runs the assembler. */
	.section .rodata
	.global ac_migration_0001
	.global ac_migration_0001_end
ac_migration_0001:
	.incbin "src/store/migrations/0001_init.sql"
ac_migration_0001_end:
	.byte 0
	.global ac_migration_0002
	.global ac_migration_0002_end
ac_migration_0002:
	.incbin "src/store/migrations/0002_big.sql"
ac_migration_0002_end:
	.byte 0
	.global ac_migration_0003
	.global ac_migration_0003_end
ac_migration_0003:
	.incbin "src/store/migrations/0003_idem.sql"
ac_migration_0003_end:
	.byte 0
	.global ac_migration_0004
	.global ac_migration_0004_end
ac_migration_0004:
	.incbin "src/store/migrations/0004_pages.sql"
ac_migration_0004_end:
	.byte 0
	.global ac_migration_0005
	.global ac_migration_0005_end
ac_migration_0005:
	.incbin "src/store/migrations/0005_queue.sql"
ac_migration_0005_end:
	.byte 0
	.global ac_migration_0006
	.global ac_migration_0006_end
ac_migration_0006:
	.incbin "src/store/migrations/0006_policy.sql"
ac_migration_0006_end:
	.byte 0
	.global ac_migration_0007
	.global ac_migration_0007_end
ac_migration_0007:
	.incbin "src/store/migrations/0007_reports.sql"
ac_migration_0007_end:
	.byte 0
	.global ac_migration_0008
	.global ac_migration_0008_end
ac_migration_0008:
	.incbin "src/store/migrations/0008_outbox.sql"
ac_migration_0008_end:
	.byte 0
	.global ac_migration_0009
	.global ac_migration_0009_end
ac_migration_0009:
	.incbin "src/store/migrations/0009_hooks.sql"
ac_migration_0009_end:
	.byte 0
	.global ac_migration_0010
	.global ac_migration_0010_end
ac_migration_0010:
	.incbin "src/store/migrations/0010_import.sql"
ac_migration_0010_end:
	.byte 0
	.global ac_migration_0011
	.global ac_migration_0011_end
ac_migration_0011:
	.incbin "src/store/migrations/0011_plpgsql.sql"
ac_migration_0011_end:
	.byte 0
	.global ac_migration_0012
	.global ac_migration_0012_end
ac_migration_0012:
	.incbin "src/store/migrations/0012_checks.sql"
ac_migration_0012_end:
	.byte 0
	.global ac_migration_0013
	.global ac_migration_0013_end
ac_migration_0013:
	.incbin "src/store/migrations/0013_open.sql"
ac_migration_0013_end:
	.byte 0
	.global ac_migration_0014
	.global ac_migration_0014_end
ac_migration_0014:
	.incbin "src/store/migrations/0014_pending.sql"
ac_migration_0014_end:
	.byte 0
	.global ac_migration_0015
	.global ac_migration_0015_end
ac_migration_0015:
	.incbin "src/store/migrations/0015_fold.sql"
ac_migration_0015_end:
	.byte 0
	.global ac_migration_0016
	.global ac_migration_0016_end
ac_migration_0016:
	.incbin "src/store/migrations/0016_writes.sql"
ac_migration_0016_end:
	.byte 0
	.global ac_migration_0017
	.global ac_migration_0017_end
ac_migration_0017:
	.incbin "src/store/migrations/0017_domains.sql"
ac_migration_0017_end:
	.byte 0
	.global ac_migration_0018
	.global ac_migration_0018_end
ac_migration_0018:
	.incbin "src/store/migrations/0018_counts.sql"
ac_migration_0018_end:
	.byte 0
	.global ac_migration_0019
	.global ac_migration_0019_end
ac_migration_0019:
	.incbin "src/store/migrations/0019_decided.sql"
ac_migration_0019_end:
	.byte 0
	.global ac_migration_0020
	.global ac_migration_0020_end
ac_migration_0020:
	.incbin "src/store/migrations/0020_plans.sql"
ac_migration_0020_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
