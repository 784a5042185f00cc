-- 0009_hooks: webhooks and payment refunds (issue 10). Reserved in this session; filled by its work.
SELECT 1;
