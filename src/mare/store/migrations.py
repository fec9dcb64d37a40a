"""Versioned schema migrations for the embedded DuckDB store."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the store's schema, applied once and recorded."""

    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "contributions, records, values, links, calls, problems",
        """
        CREATE TABLE agencies (
            id VARCHAR PRIMARY KEY,
            name VARCHAR,
            country VARCHAR,
            agency_type VARCHAR,
            registered BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE contributions (
            uid VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            sender_id VARCHAR NOT NULL,
            version INTEGER NOT NULL,
            format VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            source_name VARCHAR,
            received_at TIMESTAMP NOT NULL,
            sent_at TIMESTAMP,
            supersedes VARCHAR,
            superseded_by VARCHAR,
            handling_code VARCHAR NOT NULL,
            restrictions JSON,
            evaluation_scheme VARCHAR,
            source_grade VARCHAR,
            information_grade VARCHAR,
            crime_areas VARCHAR[],
            case_refs VARCHAR[],
            language VARCHAR,
            record_count INTEGER NOT NULL,
            link_count INTEGER NOT NULL,
            call_count BIGINT NOT NULL,
            rejected_count INTEGER NOT NULL,
            warning_count INTEGER NOT NULL,
            UNIQUE (agency, sender_id, version)
        );
        CREATE TABLE raw_files (
            sha256 VARCHAR PRIMARY KEY,
            size_bytes BIGINT NOT NULL,
            path VARCHAR NOT NULL
        );
        CREATE TABLE contribution_files (
            contribution VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            PRIMARY KEY (contribution, name)
        );
        CREATE TABLE records (
            uid VARCHAR PRIMARY KEY,
            contribution VARCHAR NOT NULL,
            local_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            label VARCHAR,
            agency VARCHAR NOT NULL,
            handling_code VARCHAR NOT NULL,
            restrictions JSON,
            evaluation_scheme VARCHAR,
            source_grade VARCHAR,
            information_grade VARCHAR,
            category VARCHAR,
            minor BOOLEAN NOT NULL DEFAULT FALSE,
            assessment BOOLEAN NOT NULL DEFAULT FALSE,
            observed_at TIMESTAMP,
            received_at TIMESTAMP NOT NULL,
            review_at DATE NOT NULL,
            row_ref VARCHAR,
            note VARCHAR
        );
        CREATE TABLE record_values (
            record_uid VARCHAR NOT NULL,
            field VARCHAR NOT NULL,
            position INTEGER NOT NULL,
            value_type VARCHAR NOT NULL,
            original VARCHAR NOT NULL,
            normalised VARCHAR,
            reason VARCHAR,
            flags VARCHAR[],
            extra JSON
        );
        CREATE TABLE links (
            uid VARCHAR PRIMARY KEY,
            contribution VARCHAR NOT NULL,
            local_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            source_uid VARCHAR NOT NULL,
            target_uid VARCHAR NOT NULL,
            agency VARCHAR NOT NULL,
            handling_code VARCHAR NOT NULL,
            restrictions JSON,
            assessment BOOLEAN NOT NULL DEFAULT FALSE,
            properties JSON,
            received_at TIMESTAMP NOT NULL,
            review_at DATE NOT NULL,
            row_ref VARCHAR
        );
        CREATE TABLE calls (
            contribution VARCHAR NOT NULL,
            row_number BIGINT NOT NULL,
            caller BIGINT NOT NULL,
            callee BIGINT NOT NULL,
            started_at TIMESTAMP NOT NULL,
            duration_s INTEGER,
            cell VARCHAR,
            lat DOUBLE,
            lon DOUBLE
        );
        CREATE TABLE ingest_problems (
            contribution VARCHAR NOT NULL,
            file VARCHAR,
            row_number BIGINT,
            field VARCHAR,
            severity VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            fix VARCHAR
        );
        CREATE INDEX records_contribution ON records (contribution);
        CREATE INDEX values_record ON record_values (record_uid);
        """,
    ),
    Migration(
        2,
        "users, tokens, consent, notifications, audit trail, retention",
        """
        CREATE TABLE users (
            username VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            roles VARCHAR[] NOT NULL,
            full_name VARCHAR,
            password_hash VARCHAR,
            disabled BOOLEAN NOT NULL DEFAULT FALSE,
            created_at TIMESTAMP NOT NULL,
            disabled_at TIMESTAMP
        );
        CREATE TABLE api_tokens (
            id VARCHAR PRIMARY KEY,
            username VARCHAR NOT NULL,
            token_hash VARCHAR NOT NULL UNIQUE,
            label VARCHAR,
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP,
            revoked_at TIMESTAMP,
            last_used_at TIMESTAMP
        );
        CREATE TABLE consent_requests (
            id VARCHAR PRIMARY KEY,
            requester VARCHAR NOT NULL,
            requester_agency VARCHAR NOT NULL,
            record_uid VARCHAR NOT NULL,
            owner_agency VARCHAR NOT NULL,
            purpose VARCHAR NOT NULL,
            justification VARCHAR NOT NULL,
            override BOOLEAN NOT NULL DEFAULT FALSE,
            status VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            decided_by VARCHAR,
            decided_at TIMESTAMP,
            decision_reason VARCHAR,
            approved_by VARCHAR
        );
        CREATE TABLE notifications (
            id VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            body VARCHAR,
            ref VARCHAR,
            created_at TIMESTAMP NOT NULL,
            read_at TIMESTAMP
        );
        CREATE TABLE audit_log (
            seq BIGINT PRIMARY KEY,
            logged_at TIMESTAMP NOT NULL,
            actor VARCHAR NOT NULL,
            actor_agency VARCHAR,
            action VARCHAR NOT NULL,
            resource VARCHAR,
            ref VARCHAR,
            purpose VARCHAR,
            justification VARCHAR,
            outcome VARCHAR NOT NULL,
            details JSON,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );
        CREATE TABLE retention_decisions (
            record_uid VARCHAR NOT NULL,
            decided_by VARCHAR NOT NULL,
            decided_at TIMESTAMP NOT NULL,
            action VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            previous_review_at DATE,
            new_review_at DATE
        );
        CREATE TABLE erasures (
            record_uid VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            agency VARCHAR NOT NULL,
            contribution VARCHAR NOT NULL,
            erased_at TIMESTAMP NOT NULL,
            erased_by VARCHAR NOT NULL,
            reason VARCHAR NOT NULL
        );
        ALTER TABLE agencies ADD COLUMN disabled BOOLEAN DEFAULT FALSE;
        """,
    ),
    Migration(
        3,
        "cross-check: person features, blocking keys, identifiers, pairs, judgements, entities, hits, model",
        """
        CREATE TABLE person_features (
            record_uid VARCHAR PRIMARY KEY,
            contribution VARCHAR NOT NULL,
            agency VARCHAR NOT NULL,
            name_latin VARCHAR,
            name_key VARCHAR,
            name_keys VARCHAR[],
            phon_keys VARCHAR[],
            name_parts STRUCT(t VARCHAR, p VARCHAR, s VARCHAR[])[],
            birth_date VARCHAR,
            birth_year INTEGER,
            birth_month INTEGER,
            birth_day INTEGER,
            birth_precision VARCHAR,
            birth_alt VARCHAR,
            nationality VARCHAR[],
            gender VARCHAR,
            birth_place VARCHAR,
            phones VARCHAR[],
            documents VARCHAR[],
            identifiers VARCHAR[]
        );
        CREATE TABLE person_keys (
            key VARCHAR NOT NULL,
            record_uid VARCHAR NOT NULL
        );
        CREATE TABLE identifier_index (
            record_uid VARCHAR NOT NULL,
            contribution VARCHAR NOT NULL,
            agency VARCHAR NOT NULL,
            record_kind VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            value VARCHAR NOT NULL,
            country VARCHAR
        );
        CREATE TABLE candidate_pairs (
            left_uid VARCHAR NOT NULL,
            right_uid VARCHAR NOT NULL,
            match_weight DOUBLE NOT NULL,
            match_probability DOUBLE NOT NULL,
            decision VARCHAR NOT NULL,
            explanation JSON NOT NULL,
            model_version INTEGER,
            scored_at TIMESTAMP NOT NULL,
            PRIMARY KEY (left_uid, right_uid)
        );
        CREATE TABLE judgements (
            id VARCHAR PRIMARY KEY,
            left_uid VARCHAR NOT NULL,
            right_uid VARCHAR NOT NULL,
            verdict VARCHAR NOT NULL,
            judged_by VARCHAR NOT NULL,
            agency VARCHAR,
            reason VARCHAR,
            judged_at TIMESTAMP NOT NULL
        );
        CREATE TABLE entities (
            record_uid VARCHAR PRIMARY KEY,
            entity_id VARCHAR NOT NULL,
            updated_at TIMESTAMP NOT NULL
        );
        CREATE TABLE hits (
            id VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            basis VARCHAR NOT NULL,
            left_uid VARCHAR NOT NULL,
            right_uid VARCHAR NOT NULL,
            left_agency VARCHAR NOT NULL,
            right_agency VARCHAR NOT NULL,
            match_probability DOUBLE,
            created_at TIMESTAMP NOT NULL,
            UNIQUE (kind, basis, left_uid, right_uid)
        );
        CREATE TABLE name_symbols (
            token VARCHAR PRIMARY KEY,
            symbols VARCHAR[] NOT NULL
        );
        CREATE TABLE resolve_model (
            version INTEGER PRIMARY KEY,
            trained_at TIMESTAMP NOT NULL,
            persons INTEGER NOT NULL,
            trained BOOLEAN NOT NULL,
            settings JSON NOT NULL
        );
        CREATE INDEX person_keys_key ON person_keys (key);
        CREATE INDEX person_keys_record ON person_keys (record_uid);
        CREATE INDEX identifier_index_value ON identifier_index (value);
        CREATE INDEX identifier_index_record ON identifier_index (record_uid);
        CREATE INDEX judgements_pair ON judgements (left_uid, right_uid);
        CREATE INDEX entities_entity ON entities (entity_id);
        """,
    ),
    Migration(
        4,
        "cross-check: person context (role, residence, associates) in person features",
        """
        ALTER TABLE person_features ADD COLUMN role VARCHAR;
        ALTER TABLE person_features ADD COLUMN residence VARCHAR[];
        ALTER TABLE person_features ADD COLUMN associates VARCHAR[];
        """,
    ),
    Migration(
        5,
        "geo: geocoded place names of records (derived data)",
        """
        CREATE TABLE place_geocodes (
            record_uid VARCHAR NOT NULL,
            field VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            lat DOUBLE,
            lon DOUBLE,
            country VARCHAR,
            place_name VARCHAR,
            place_kind VARCHAR,
            confidence DOUBLE,
            reason VARCHAR,
            geocoded_at TIMESTAMP NOT NULL
        );
        CREATE INDEX place_geocodes_record ON place_geocodes (record_uid);
        """,
    ),
    Migration(
        6,
        "cross-check: namesake evidence (name sound, birth years, name frequency), aliases apart",
        """
        ALTER TABLE person_features ADD COLUMN name_sound VARCHAR;
        ALTER TABLE person_features ADD COLUMN name_years INTEGER;
        ALTER TABLE person_features ADD COLUMN name_frequency DOUBLE;
        ALTER TABLE person_features ADD COLUMN alias_keys VARCHAR[];
        CREATE INDEX person_features_sound ON person_features (name_sound);
        CREATE TABLE person_name_tokens (
            token VARCHAR NOT NULL,
            nationality VARCHAR NOT NULL,
            record_uid VARCHAR NOT NULL
        );
        CREATE INDEX person_name_tokens_token ON person_name_tokens (token);
        CREATE INDEX person_name_tokens_record ON person_name_tokens (record_uid);
        """,
    ),
    Migration(
        7,
        "identity: the store's local operator (who created it, on this machine)",
        """
        CREATE TABLE store_operator (
            os_user VARCHAR NOT NULL,
            os_uid INTEGER,
            recorded_at TIMESTAMP NOT NULL
        );
        """,
    ),
    Migration(
        8,
        "watchlists: lists of an agency (or the hub), their entries, and the alerts they raised",
        """
        CREATE TABLE watchlists (
            id VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            created_by VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            UNIQUE (agency, name)
        );
        CREATE TABLE watchlist_entries (
            id VARCHAR PRIMARY KEY,
            watchlist VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            value VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            match_kinds VARCHAR[] NOT NULL,
            also VARCHAR[],
            name VARCHAR,
            birth_date VARCHAR,
            birth_year INTEGER,
            sound VARCHAR,
            added_by VARCHAR NOT NULL,
            added_at TIMESTAMP NOT NULL,
            note VARCHAR
        );
        CREATE TABLE alerts (
            id VARCHAR PRIMARY KEY,
            watchlist VARCHAR NOT NULL,
            entry VARCHAR NOT NULL,
            agency VARCHAR NOT NULL,
            record_uid VARCHAR NOT NULL,
            basis VARCHAR NOT NULL,
            explanation JSON NOT NULL,
            created_at TIMESTAMP NOT NULL,
            acknowledged_by VARCHAR,
            acknowledged_at TIMESTAMP,
            UNIQUE (entry, record_uid)
        );
        CREATE INDEX watchlist_entries_list ON watchlist_entries (watchlist);
        CREATE INDEX alerts_agency ON alerts (agency);
        CREATE INDEX alerts_record ON alerts (record_uid);
        """,
    ),
    Migration(
        9,
        "early warning: warnings per recipient agency, and what the structural detectors last saw",
        """
        CREATE TABLE early_warnings (
            id VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            detector VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            start DATE NOT NULL,
            direction VARCHAR NOT NULL,
            baseline DOUBLE NOT NULL,
            observed DOUBLE NOT NULL,
            score DOUBLE NOT NULL,
            explanation VARCHAR NOT NULL,
            evidence JSON NOT NULL,
            records VARCHAR[] NOT NULL,
            created_at TIMESTAMP NOT NULL,
            acknowledged_by VARCHAR,
            acknowledged_at TIMESTAMP,
            UNIQUE (agency, detector, subject, start)
        );
        CREATE TABLE early_warning_seen (
            agency VARCHAR NOT NULL,
            detector VARCHAR NOT NULL,
            key VARCHAR NOT NULL,
            first_seen TIMESTAMP NOT NULL,
            PRIMARY KEY (agency, detector, key)
        );
        CREATE INDEX early_warnings_agency ON early_warnings (agency);
        """,
    ),
    Migration(
        10,
        "early warning: a warning is unique per period too (a weekly and a monthly one may share a start)",
        """
        CREATE TABLE early_warnings_v10 (
            id VARCHAR PRIMARY KEY,
            agency VARCHAR NOT NULL,
            detector VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            start DATE NOT NULL,
            direction VARCHAR NOT NULL,
            baseline DOUBLE NOT NULL,
            observed DOUBLE NOT NULL,
            score DOUBLE NOT NULL,
            explanation VARCHAR NOT NULL,
            evidence JSON NOT NULL,
            records VARCHAR[] NOT NULL,
            created_at TIMESTAMP NOT NULL,
            acknowledged_by VARCHAR,
            acknowledged_at TIMESTAMP,
            UNIQUE (agency, detector, subject, period, start)
        );
        INSERT INTO early_warnings_v10 SELECT * FROM early_warnings;
        DROP TABLE early_warnings;
        ALTER TABLE early_warnings_v10 RENAME TO early_warnings;
        CREATE INDEX early_warnings_agency ON early_warnings (agency);
        """,
    ),
    Migration(
        11,
        "maritime: AIS positions in bulk and vessels' static data over time (issue 16)",
        """
        CREATE TABLE ais_positions (
            contribution VARCHAR NOT NULL,
            line BIGINT NOT NULL,
            mmsi INTEGER NOT NULL,
            t TIMESTAMP,
            lat DOUBLE NOT NULL,
            lon DOUBLE NOT NULL,
            sog REAL,
            cog REAL,
            heading SMALLINT,
            msg_type TINYINT NOT NULL
        );
        CREATE TABLE ais_static (
            contribution VARCHAR NOT NULL,
            line BIGINT NOT NULL,
            mmsi INTEGER NOT NULL,
            first_seen TIMESTAMP,
            last_seen TIMESTAMP,
            reports INTEGER NOT NULL,
            imo VARCHAR,
            name VARCHAR,
            call_sign VARCHAR,
            ship_type SMALLINT,
            length_m REAL,
            width_m REAL,
            draught_m REAL,
            destination VARCHAR
        );
        CREATE INDEX ais_static_mmsi ON ais_static (mmsi);
        """,
    ),
    Migration(
        12,
        "jobs: derived data owed (cross-check, watchlists, geocoding) and compaction after erasure",
        """
        CREATE TABLE jobs (
            kind VARCHAR NOT NULL,
            ref VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        INSERT INTO jobs SELECT DISTINCT 'crosscheck', r.contribution, now()::TIMESTAMP FROM records r
        WHERE r.kind = 'person' AND r.uid NOT IN (SELECT record_uid FROM person_features);
        """,
    ),
    Migration(
        15,
        "resolve_learned: the comparison levels' weights learnt from analysts' judgements",
        """
        CREATE TABLE resolve_learned (
            version INTEGER PRIMARY KEY,
            model_version INTEGER NOT NULL,
            learned_at TIMESTAMP NOT NULL,
            same INTEGER NOT NULL,
            not_same INTEGER NOT NULL,
            weights JSON NOT NULL
        );
        """,
    ),
    Migration(
        16,
        "call_counts: calls and seconds per contribution, phone pair and day/week/month (bulk aggregation)",
        """
        CREATE TABLE call_counts (
            contribution VARCHAR NOT NULL,
            caller BIGINT NOT NULL,
            callee BIGINT NOT NULL,
            period VARCHAR NOT NULL,
            start DATE NOT NULL,
            calls BIGINT NOT NULL,
            seconds BIGINT NOT NULL
        );
        CREATE INDEX call_counts_pair ON call_counts (caller, callee);
        """,
    ),
    Migration(
        18,
        "maritime_events: behaviour events derived from AIS, one build per data stamp (issue 16)",
        """
        CREATE TABLE maritime_event_builds (
            stamp VARCHAR PRIMARY KEY,
            contributions VARCHAR[] NOT NULL,
            built_at TIMESTAMP NOT NULL,
            events INTEGER NOT NULL
        );
        CREATE TABLE maritime_events (
            stamp VARCHAR NOT NULL,
            seq INTEGER NOT NULL,
            kind VARCHAR NOT NULL,
            mmsi BIGINT NOT NULL,
            t_start BIGINT NOT NULL,
            t_end BIGINT NOT NULL,
            lat DOUBLE,
            lon DOUBLE,
            summary VARCHAR NOT NULL,
            evidence JSON NOT NULL,
            other BIGINT,
            sources VARCHAR[] NOT NULL
        );
        CREATE INDEX maritime_events_stamp ON maritime_events (stamp);
        """,
    ),
    Migration(
        19,
        "hits and links indexed by the records at their ends (an entity or record page reads them by uid)",
        # each end its own read (`hub.entity._pairs`, `hub.repository._links_of`): an IN list on one
        # indexed column is looked up, where `a IN (…) OR b IN (…)` read the whole table (the medium
        # scenario's entity page: 140 -> 40 ms of its reads); PostgreSQL had them as `*_pg` already
        """
        DROP INDEX IF EXISTS links_source_pg;
        DROP INDEX IF EXISTS links_target_pg;
        DROP INDEX IF EXISTS hits_left_pg;
        DROP INDEX IF EXISTS hits_right_pg;
        CREATE INDEX links_source ON links (source_uid);
        CREATE INDEX links_target ON links (target_uid);
        CREATE INDEX hits_left ON hits (left_uid);
        CREATE INDEX hits_right ON hits (right_uid);
        """,
    ),
)


@dataclass(frozen=True, slots=True)
class DerivedTable:
    """A table of data derived from records, and which of its rows an erasure of records removes.

    `where` is a SQL condition over the table in which `{erased}` stands for a subquery of the
    erased record uids. Erasure deletes from every declared table, in this order, in its transaction.
    """

    table: str
    where: str


#: Every table derived from records (cross-check, geocoding, watchlist alerts): erasure removes what they
#: hold of erased records. A migration that adds a derived table declares it here.
DERIVED_TABLES: tuple[DerivedTable, ...] = (
    DerivedTable(
        "notifications",
        "kind = 'hit' AND ref IN (SELECT id FROM hits WHERE left_uid IN {erased} OR right_uid IN {erased})",
    ),
    DerivedTable("person_features", "record_uid IN {erased}"),
    DerivedTable("person_keys", "record_uid IN {erased}"),
    DerivedTable("person_name_tokens", "record_uid IN {erased}"),
    DerivedTable("identifier_index", "record_uid IN {erased}"),
    DerivedTable("entities", "record_uid IN {erased}"),
    DerivedTable("candidate_pairs", "left_uid IN {erased} OR right_uid IN {erased}"),
    DerivedTable("judgements", "left_uid IN {erased} OR right_uid IN {erased}"),
    DerivedTable("hits", "left_uid IN {erased} OR right_uid IN {erased}"),
    DerivedTable("place_geocodes", "record_uid IN {erased}"),
    DerivedTable(
        "notifications", "kind = 'alert' AND ref IN (SELECT id FROM alerts WHERE record_uid IN {erased})"
    ),
    DerivedTable("alerts", "record_uid IN {erased}"),
    DerivedTable(
        "notifications",
        "kind = 'early_warning' AND ref IN (SELECT id FROM early_warnings "
        "WHERE list_has_any(records, (SELECT list(uid) FROM {erased})))",
    ),
    DerivedTable("early_warnings", "list_has_any(records, (SELECT list(uid) FROM {erased}))"),
    DerivedTable(
        "early_warning_seen", "list_has_any(string_split(key, '|'), (SELECT list(uid) FROM {erased}))"
    ),
)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this store (0 for a new file)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection) -> list[Migration]:
    """Apply every migration the store lacks, each in its own transaction."""
    applied: list[Migration] = []
    have = current_version(con)
    latest = MIGRATIONS[-1].version
    if have > latest:
        raise RuntimeError(
            f"this store is at schema version {have}, newer than this Mare ({latest}): upgrade Mare"
        )
    for step in MIGRATIONS:
        if step.version <= have:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(step.sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [step.version, step.name],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(step)
    return applied
