-- 0010_import: order import (issue 10). Reserved in this session; filled by its work.
SELECT 1;
