-- 0008_outbox: the outbox and mail (issue 10). Reserved in this session; filled by its work.
SELECT 1;
