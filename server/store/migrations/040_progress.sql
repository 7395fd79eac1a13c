-- 4D progress. A model's schedule is replaced as a whole on import; selectors are kept as written (GlobalIds or an
-- IFC class + storey) and resolved against the element index when read, so a re-converted model keeps its schedule.
CREATE TABLE schedule_tasks (
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  task_id text NOT NULL,
  ord integer NOT NULL,
  name text NOT NULL,
  planned_start date NOT NULL,
  planned_finish date NOT NULL,
  selector jsonb NOT NULL,
  PRIMARY KEY (model_id, task_id),
  CONSTRAINT schedule_tasks_window CHECK (planned_start <= planned_finish)
);

CREATE TABLE schedules (
  model_id uuid PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
  source text NOT NULL,
  imported_at bigint NOT NULL
);

-- Actual status per element: one date per status. Not a foreign key to elements: those rows are rebuilt when a model
-- is re-converted, and what happened on site must survive that.
CREATE TABLE element_progress (
  model_id uuid NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  global_id text NOT NULL,
  started_on date,
  finished_on date,
  inspected_on date,
  updated_at bigint NOT NULL,
  PRIMARY KEY (model_id, global_id)
);
