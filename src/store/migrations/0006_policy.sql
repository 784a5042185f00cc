-- 0006_policy: policy versions (issue 9). Reserved in this session; filled by its work.
SELECT 1;
