-- fleet-controller's own tables in its own schema (Flyway: schema controller, history table flyway_history_controller).
-- Enums are stored as their names; JSON documents (scenarios, grids, point parameters) as jsonb.

CREATE TABLE sweep (
    id            varchar(36)  NOT NULL,
    name          varchar(200) NOT NULL,
    seed          bigint       NOT NULL,
    repetitions   integer      NOT NULL,
    detail        varchar(16)  NOT NULL,
    state         varchar(16)  NOT NULL,
    created_at    timestamptz  NOT NULL,
    finished_at   timestamptz,
    -- the base scenario as submitted
    base_scenario jsonb        NOT NULL,
    -- the axes in the order given: [{"axis": "...", "values": [...]}, ...] (an array keeps the order; jsonb objects do not)
    grid          jsonb        NOT NULL,
    grid_points   integer      NOT NULL,
    run_count     integer      NOT NULL,
    CONSTRAINT sweep_pk PRIMARY KEY (id),
    CONSTRAINT sweep_repetitions_ck CHECK (repetitions >= 1),
    CONSTRAINT sweep_detail_ck CHECK (detail IN ('AGGREGATE', 'SAMPLED', 'FULL')),
    CONSTRAINT sweep_state_ck CHECK (state IN ('RUNNING', 'DONE', 'FAILED', 'CANCELLED')),
    CONSTRAINT sweep_grid_points_ck CHECK (grid_points >= 1),
    CONSTRAINT sweep_run_count_ck CHECK (run_count >= 1),
    CONSTRAINT sweep_finished_ck CHECK ((state = 'RUNNING') = (finished_at IS NULL))
);

CREATE INDEX sweep_created_at_ix ON sweep (created_at);

CREATE TABLE run (
    run_id            varchar(100) NOT NULL,
    sweep_id          varchar(36)  NOT NULL,
    point_index       integer      NOT NULL,
    repetition        integer      NOT NULL,
    seed              bigint       NOT NULL,
    -- axis name -> value of this grid point
    parameters        jsonb        NOT NULL,
    -- the resolved scenario (every default filled in, seed = the run's seed)
    scenario          jsonb        NOT NULL,
    -- later grid points with an identical scenario, answered by this run
    duplicate_points  jsonb        NOT NULL,
    state             varchar(16)  NOT NULL,
    attempt           integer      NOT NULL,
    lease_expires_at  timestamptz,
    dispatched_at     timestamptz,
    finished_at       timestamptz,
    -- which attempt's result completed the run, and where it ran
    result_attempt    integer,
    host_sim_instance varchar(200),
    CONSTRAINT run_pk PRIMARY KEY (run_id),
    CONSTRAINT run_sweep_fk FOREIGN KEY (sweep_id) REFERENCES sweep (id) ON DELETE CASCADE,
    CONSTRAINT run_point_repetition_uq UNIQUE (sweep_id, point_index, repetition),
    CONSTRAINT run_state_ck CHECK (state IN ('PENDING', 'DISPATCHED', 'DONE', 'FAILED', 'CANCELLED')),
    CONSTRAINT run_point_index_ck CHECK (point_index >= 0),
    CONSTRAINT run_repetition_ck CHECK (repetition >= 0),
    CONSTRAINT run_attempt_ck CHECK (attempt >= 0),
    CONSTRAINT run_lease_ck CHECK (state <> 'DISPATCHED' OR lease_expires_at IS NOT NULL)
);

-- progress counts per sweep
CREATE INDEX run_sweep_state_ix ON run (sweep_id, state);
-- the dispatch job: pending runs in order, expired leases
CREATE INDEX run_pending_ix ON run (repetition, point_index) WHERE state = 'PENDING';
CREATE INDEX run_lease_ix ON run (lease_expires_at) WHERE state = 'DISPATCHED';
