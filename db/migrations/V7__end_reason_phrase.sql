-- Why a job ended and the details of its timeline as phrases (bundle key and arguments, nested for composed
-- sentences), beside their English in jobs.end_reason and job_transitions.detail: the web pages say them in the
-- user's language, the REST API and SSH keep the English. A process's failure (launches.message) is kept the same
-- way, as it becomes the job's end reason when it ends the run.
-- NULL for rows written before these columns and for sentences that exist in English only.
ALTER TABLE jobs ADD COLUMN end_phrase JSONB;
ALTER TABLE job_transitions ADD COLUMN detail_phrase JSONB;
ALTER TABLE launches ADD COLUMN message_phrase JSONB;
