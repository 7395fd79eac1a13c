-- The Fragments file is built after a model is ready for the map, by a job of its own: its state is kept apart from
-- the model's status. `generator` holds the parameters of a generated (demo) model, so that a model whose file was never
-- written before a crash can be generated again at restart.
ALTER TABLE models ADD COLUMN fragments text NOT NULL DEFAULT 'pending';
ALTER TABLE models ADD COLUMN fragments_error jsonb;
ALTER TABLE models ADD COLUMN generator jsonb;
-- Models converted before this migration built their .frag inline (or recorded why not in the report's warnings).
UPDATE models SET fragments = 'ready' WHERE status = 'ready';
UPDATE models SET fragments = 'failed' WHERE status = 'failed';
