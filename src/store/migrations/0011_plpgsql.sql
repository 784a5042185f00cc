-- 0011_plpgsql: PostgreSQL's triggers' helpers that write (cases_count,
-- report_move) become PL/pgSQL there, whose plans are kept between calls
-- (pg/0011_plpgsql.sql). SQLite's triggers spell their statements out
-- and are compiled with the statement that fires them: nothing to do.
-- Kept as a no-op so that the version numbers stay in step.
SELECT 1;
