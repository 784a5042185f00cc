-- 0007_reports: report summaries (issue 9). Reserved in this session; filled by its work.
SELECT 1;
