-- Stage cleanup before the reload (do not copy: this is what the policies catch)
DROP TABLE IF EXISTS tmp_orders_${bizdate};
TRUNCATE TABLE ods_orders_stage;

INSERT OVERWRITE TABLE ods_orders
SELECT * FROM ods_orders_stage;
;;
ALTER TABLE ods_orders DROP IF EXISTS PARTITION (ds = '20240101');
