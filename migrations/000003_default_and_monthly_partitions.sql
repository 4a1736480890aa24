-- Partitions of resource_action_traces (docs: docs/schema.md §4.3).
--
-- Upstream created fixed monthly partitions (resource_action_traces_yYYYYmMM, 2025-07 to
-- 2025-10, later 2025-11) and no DEFAULT partition, so inserts dated outside them failed.
-- Here:
--   * resource_action_traces_default, a DEFAULT partition: no insert ever fails for lack of a
--     month;
--   * contextapi_ensure_monthly_partitions(from, to): creates the named monthly partitions
--     covering [from, to), in UTC months, using upstream's naming;
--   * named partitions for the three months before the current one through the next month,
--     as of the day this migration runs.
--
-- CAUTION, DEFAULT partition + later named partition: PostgreSQL refuses
-- `CREATE TABLE ... PARTITION OF ... FOR VALUES ...` when the DEFAULT partition holds rows in
-- that range ("updated partition constraint for default partition would be violated"). Call
-- contextapi_ensure_monthly_partitions() to add months: it moves such rows out of the DEFAULT
-- partition into the new month, then attaches it, in one transaction (it locks the DEFAULT
-- partition meanwhile). A plain CREATE TABLE ... PARTITION OF works only while the DEFAULT
-- partition has no row in the new range.

-- +goose Up

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION contextapi_ensure_monthly_partitions(p_from date, p_to date)
RETURNS integer
LANGUAGE plpgsql
-- pgvector < 0.8.2 can overflow a buffer when it builds an HNSW index in parallel; attaching
-- a partition builds its indexes, so keep that single-threaded.
SET max_parallel_maintenance_workers = 0
AS $$
DECLARE
    parent   constant regclass := 'resource_action_traces'::regclass;
    def      regclass;
    m        date := date_trunc('month', p_from)::date;
    m_next   date;
    lo       timestamptz;
    hi       timestamptz;
    part     text;
    cols     text;
    has_rows boolean;
    created  integer := 0;
BEGIN
    SELECT NULLIF(partdefid, 0)::regclass INTO def FROM pg_partitioned_table WHERE partrelid = parent;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
      FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped;

    WHILE m < p_to LOOP
        m_next := (m + interval '1 month')::date;
        lo := m::timestamp AT TIME ZONE 'UTC';
        hi := m_next::timestamp AT TIME ZONE 'UTC';
        part := format('resource_action_traces_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));

        IF to_regclass(quote_ident(part)) IS NULL THEN
            BEGIN
                has_rows := false;
                IF def IS NOT NULL THEN
                    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', def);
                    EXECUTE format('SELECT EXISTS (SELECT FROM %s WHERE action_timestamp >= $1 AND action_timestamp < $2)', def)
                        INTO has_rows USING lo, hi;
                END IF;
                IF has_rows THEN
                    -- Rows of this month sit in the DEFAULT partition: move them into a new
                    -- table, then attach it (ATTACH re-checks the DEFAULT partition).
                    EXECUTE format('CREATE TABLE %I (LIKE resource_action_traces INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
                    EXECUTE format(
                        'WITH moved AS (DELETE FROM %s WHERE action_timestamp >= $1 AND action_timestamp < $2 RETURNING %s) '
                        'INSERT INTO %I (%s) SELECT %s FROM moved', def, cols, part, cols, cols)
                        USING lo, hi;
                    EXECUTE format('ALTER TABLE resource_action_traces ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                                   part, lo, hi);
                ELSE
                    EXECUTE format('CREATE TABLE %I PARTITION OF resource_action_traces FOR VALUES FROM (%L) TO (%L)',
                                   part, lo, hi);
                END IF;
                created := created + 1;
            EXCEPTION WHEN invalid_object_definition THEN
                -- Another partition (under another name) already covers part of this month.
                RAISE NOTICE 'contextapi: month % not partitioned: %', to_char(m, 'YYYY-MM'), SQLERRM;
            END;
        END IF;
        m := m_next;
    END LOOP;
    RETURN created;
END
$$;
-- +goose StatementEnd

COMMENT ON FUNCTION contextapi_ensure_monthly_partitions(date, date) IS
    'Creates the monthly partitions resource_action_traces_yYYYYmMM (UTC months) covering [from, to), '
    'moving rows of those months out of the DEFAULT partition; returns how many it created.';

-- Only if the table has no DEFAULT partition yet, whatever its name.
-- +goose StatementBegin
DO $$
BEGIN
    IF (SELECT partdefid FROM pg_partitioned_table
         WHERE partrelid = 'resource_action_traces'::regclass) = 0 THEN
        CREATE TABLE resource_action_traces_default PARTITION OF resource_action_traces DEFAULT;
    END IF;
END
$$;
-- +goose StatementEnd

SELECT contextapi_ensure_monthly_partitions(
    (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '3 months')::date,
    (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months')::date);

-- +goose Down

-- The function goes; partitions stay, since they hold data (upstream's named partitions
-- included). The DEFAULT partition is dropped only while empty.
DROP FUNCTION IF EXISTS contextapi_ensure_monthly_partitions(date, date);
-- +goose StatementBegin
DO $$
BEGIN
    IF to_regclass('resource_action_traces_default') IS NOT NULL THEN
        IF EXISTS (SELECT FROM resource_action_traces_default) THEN
            RAISE NOTICE 'contextapi: resource_action_traces_default holds rows: kept';
        ELSE
            DROP TABLE resource_action_traces_default;
        END IF;
    END IF;
END
$$;
-- +goose StatementEnd
