-- The 招商大数据库 (issue 6): what the city knows of each firm beside its name and credit code.
ALTER TABLE enterprises ADD COLUMN industry_code TEXT;
ALTER TABLE enterprises ADD COLUMN province TEXT;
ALTER TABLE enterprises ADD COLUMN city TEXT;
ALTER TABLE enterprises ADD COLUMN registered_capital INTEGER;
ALTER TABLE enterprises ADD COLUMN founded_on TEXT;
ALTER TABLE enterprises ADD COLUMN size TEXT;
-- Tags joined by '、' (the flags 世界500强, 中国500强, 上市, 行业龙头 among them).
ALTER TABLE enterprises ADD COLUMN tags TEXT;
CREATE INDEX enterprises_industry ON enterprises (industry_code);
