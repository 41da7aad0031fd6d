-- A pending job's reason as a phrase (bundle key and arguments, nested for composed sentences), beside the
-- English in pending_detail: the web pages say it in the user's language, the REST API and SSH keep the English.
-- NULL for rows written before this column and for reasons that exist in English only.
ALTER TABLE jobs ADD COLUMN pending_phrase JSONB;
