SELECT 'a;b', "c--d", 'it\'s; fine', '/* not a comment */' FROM t1;
SELECT COUNT(*), SUM(a * b) FROM t2;
SELECT EXTRACT(YEAR FROM created_at), TRIM(BOTH ' ' FROM name) FROM t3;
SELECT t.* FROM t4 t JOIN t5 u ON t.id = u.id;
SELECT x FROM (SELECT * FROM t6) sub, t7 AS y, t8 z WHERE sub.x = y.x;
select distinct * from T9
