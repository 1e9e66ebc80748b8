--odps sql
--********************************************************************--
--author: someone
--create time: 2024-07-01 10:00:00
--********************************************************************--
@src := SELECT id, amount, shop_id
        FROM sales.ods_orders
        WHERE ds = '${bizdate}';

@big := SELECT * FROM @src WHERE amount > 1000;

INSERT INTO TABLE dwd_big_orders PARTITION (ds = '${bizdate}')
SELECT b.id, b.amount, s.shop_name
FROM @big b
JOIN dim.dim_shop s ON b.shop_id = s.shop_id;

CREATE TABLE IF NOT EXISTS dwd_big_orders_bak LIKE dwd_big_orders;
