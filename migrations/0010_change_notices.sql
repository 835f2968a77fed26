-- Nothing for SQLite. On PostgreSQL, 0010 announces changes to what each process keeps in
-- memory, because several processes may share that database; an SQLite file has one process,
-- whose own writes keep its memory in step. The file keeps both backends' numbers aligned.
SELECT 1;
