SELECT id, name FROM c.items WHERE status = 'open' COLLATE NOCASE LIMIT 3 OFFSET 5;
