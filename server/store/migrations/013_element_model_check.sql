-- Element rows are checked against their model once per statement instead of once per row. The foreign key ran its
-- check (a locking SELECT on models) for every row a COPY wrote: ~20% of a model's row writes on the embedded store,
-- which runs them on the server's own thread (WILLEMSEN's 980 rows, scratch COPY timing, 2026-12-08: 48-53 ms with the
-- foreign key, 40-41 ms with this trigger, 37-39 ms with no check). Same guarantees: a row for a missing model fails
-- the statement with 23503, each model is locked FOR KEY SHARE as the key's check did (a concurrent delete of it waits
-- for this transaction, then removes its rows), and deleting a model (also through its project) deletes its rows.
ALTER TABLE elements DROP CONSTRAINT elements_model_id_fkey;

CREATE FUNCTION elements_check_model() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  mid uuid;
BEGIN
  FOR mid IN SELECT DISTINCT model_id FROM new_rows LOOP
    PERFORM 1 FROM models WHERE id = mid FOR KEY SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'insert or update on table "elements": model % is not present in table "models"', mid
        USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE TRIGGER elements_model_insert AFTER INSERT ON elements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION elements_check_model();
CREATE TRIGGER elements_model_update AFTER UPDATE ON elements
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION elements_check_model();

CREATE FUNCTION models_delete_elements() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM elements WHERE model_id IN (SELECT id FROM old_rows);
  RETURN NULL;
END
$$;

CREATE TRIGGER models_delete_elements AFTER DELETE ON models
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION models_delete_elements();
