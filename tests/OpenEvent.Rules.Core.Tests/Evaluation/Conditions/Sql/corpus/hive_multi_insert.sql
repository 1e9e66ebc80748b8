-- EMR Hive: one scan, two outputs
FROM `ods`.`Web_Log` s
INSERT OVERWRITE TABLE dwd.web_pv PARTITION (dt = '${dt}')
  SELECT s.* WHERE s.kind = "pv;view"
INSERT INTO TABLE dwd.web_click
  SELECT s.id, s.url WHERE s.kind = 'click\'s';

CREATE TABLE dwd.`odd``name` AS SELECT id FROM dwd.web_pv WHERE dt = '${dt}';
INSERT OVERWRITE DIRECTORY '/tmp/export' SELECT id FROM dwd.web_click;
