-- dws_orders_daily: daily order summary per shop
-- owner: data-platform; schedule: 00:30 every day
/*
  History:
  2024-06-01 rewrite; the old version did DROP TABLE dws_orders_d; before each run.
*/
SET odps.sql.allow.fullscan=true;

WITH paid AS (
    SELECT shop_id, order_id, amount
    FROM sales.ods_orders            -- the raw orders
    WHERE ds = '${bizdate}' AND status = 'PAID;DONE'
),
refunds AS (
    SELECT order_id, SUM(refund_amount) AS refunded
    FROM sales.ods_refunds
    WHERE ds = '${bizdate}' AND note <> '-- not a comment'
    GROUP BY order_id
)
INSERT OVERWRITE TABLE dws_orders_d PARTITION (ds = '${bizdate}')
SELECT p.shop_id,
       COUNT(*) AS orders,
       SUM(p.amount - COALESCE(r.refunded, 0)) AS net_amount
FROM paid p
LEFT JOIN refunds r ON p.order_id = r.order_id
GROUP BY p.shop_id;
