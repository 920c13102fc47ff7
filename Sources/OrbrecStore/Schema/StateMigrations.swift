internal import GRDB

/// The state schema. A migration is never edited once released; changes are new migrations.
enum StateMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.create(table: "meta") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "resources") { t in
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.primaryKey(["kind", "name"])
                t.column("generation", .integer).notNull()
                t.column("spec_hash", .text).notNull()
                t.column("source_file", .text)
                t.column("source_line", .integer)
                t.column("source_column", .integer)
                t.column("labels", .text).notNull()
                t.column("annotations", .text).notNull()
                t.column("spec", .text).notNull()
                t.column("version", .text).notNull()
                t.column("status", .text).notNull()
                t.column("conditions", .text).notNull()
                t.column("applied_at", .integer).notNull()
            }
            try db.create(table: "actions") { t in
                t.primaryKey("id", .text)
                t.column("idempotency_key", .text).notNull().unique()
                t.column("verb", .text).notNull()
                t.column("resource", .text).notNull().indexed()
                t.column("reason", .text).notNull()
                t.column("detail", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("request_id", .text)
                t.column("payload", .text).notNull()
                t.column("error", .text)
                t.column("config_revision", .text).notNull()
                t.column("actor", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
            try db.create(table: "requests") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull()
                t.column("status", .text).notNull()
                t.column("resource", .text).notNull()
                t.column("action_id", .text).notNull().indexed()
                t.column("message", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
            try db.create(table: "request_machines") { t in
                t.column("request_id", .text).notNull().references("requests", onDelete: .cascade)
                t.column("machine_id", .text).notNull()
                t.primaryKey(["request_id", "machine_id"])
                t.column("state", .text).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(table: "machines") { t in
                t.primaryKey("id", .text)
                t.column("fleet", .text).notNull().indexed()
                t.column("template", .text).notNull()
                t.column("template_hash", .text).notNull()
                t.column("provider", .text).notNull()
                t.column("provider_id", .text)
                t.column("action_id", .text).notNull()
                t.column("request_id", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("message", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("at", .integer).notNull()
                t.column("resource", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("from_state", .text)
                t.column("to_state", .text).notNull()
                t.column("cause", .text).notNull()
            }
            try db.create(table: "locks") { t in
                t.primaryKey("name", .text)
                t.column("id", .text).notNull()
                t.column("operation", .text).notNull()
                t.column("who", .text).notNull()
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("process_start", .text).notNull()
                t.column("created_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v2-tasks") { db in
            try db.create(table: "tasks") { t in
                t.column("pool", .text).notNull()
                t.column("key", .text).notNull()
                t.primaryKey(["pool", "key"])
                t.column("state", .text).notNull().indexed()
                t.column("attempts_started", .integer).notNull()
                t.column("attempts_consumed", .integer).notNull()
                t.column("infra_losses", .integer).notNull()
                t.column("next_try_at", .integer)
                t.column("last_outcome", .text)
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
            }
            try db.create(table: "attempts") { t in
                t.column("pool", .text).notNull()
                t.column("key", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.primaryKey(["pool", "key", "attempt"])
                t.column("scheduler", .text).notNull()
                t.column("action_id", .text).notNull()
                t.column("job_id", .text)
                t.column("state", .text).notNull()
                t.column("exit_code", .integer)
                t.column("signal", .integer)
                t.column("failure_class", .text)
                t.column("host", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.column("started_at", .integer)
                t.column("ended_at", .integer)
            }
        }
        migrator.registerMigration("v3-workflow-runs") { db in
            try db.create(table: "workflow_runs") { t in
                t.primaryKey("id", .text)
                t.column("workflow", .text).notNull().indexed()
                t.column("spec_hash", .text).notNull()
                t.column("trigger", .text).notNull()
                t.column("scheduled_for", .integer)
                t.column("reason", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("created_at", .integer).notNull()
                t.column("ended_at", .integer)
            }
            try db.create(table: "workflow_steps") { t in
                t.column("run_id", .text).notNull().references("workflow_runs", onDelete: .cascade)
                t.column("step", .text).notNull()
                t.primaryKey(["run_id", "step"])
                t.column("position", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("started_at", .integer)
                t.column("ended_at", .integer)
                t.column("message", .text).notNull()
            }
        }
        migrator.registerMigration("v4-workflow-step-actions") { db in
            // Which actions a run's step caused (a provision step's fleet actions), written with
            // the actions' intent, so `workflows show` names the step's requests exactly.
            try db.create(table: "workflow_step_actions") { t in
                t.column("run_id", .text).notNull().references("workflow_runs", onDelete: .cascade)
                t.column("step", .text).notNull()
                t.column("action_id", .text).notNull()
                t.primaryKey(["run_id", "step", "action_id"])
            }
        }
        migrator.registerMigration("v5-leases") { db in
            // A pull pool's attempts: offered when the planner submits them, leased to the worker
            // that claims one (with a fencing token), ended by the worker, by expiry, by revocation
            // (its machine went away) or by a cancel.
            try db.create(table: "leases") { t in
                t.column("pool", .text).notNull()
                t.column("key", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.primaryKey(["pool", "key", "attempt"])
                t.column("offered_seq", .integer).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("token", .text).unique()
                t.column("worker", .text)
                t.column("machine", .text).indexed()
                t.column("claimed_at", .integer)
                t.column("expires_at", .integer)
                t.column("lease_ms", .integer)
                t.column("outcome", .text)
                t.column("reason", .text)
                t.column("result", .text)
                t.column("ended_at", .integer)
            }
            // Answers to POSTs carrying an Idempotency-Key: a replay gets the first answer.
            // A key is reserved (`pending`) before its request is carried out, so a concurrent
            // replay waits for the first answer instead of acting again; a claim writes the
            // lease it made into the reservation in its own transaction, so a request that dies
            // before answering is answered from that lease on a retry.
            try db.create(table: "idempotency_keys") { t in
                t.primaryKey("key", .text)
                t.column("fingerprint", .text).notNull()
                t.column("state", .text).notNull()
                t.column("status", .integer).notNull()
                t.column("body", .blob).notNull()
                t.column("lease_pool", .text)
                t.column("lease_key", .text)
                t.column("lease_attempt", .integer)
                t.column("created_at", .integer).notNull().indexed()
            }
            try db.create(index: "leases_offered_seq", on: "leases", columns: ["offered_seq"])
        }
        migrator.registerMigration("v6-open-attempts") { db in
            // The hot path reads only the attempts still open (a few per slot), never the
            // whole history: a partial index keeps that read as cheap at the 10,000th task as at the first.
            try db.execute(sql: "CREATE INDEX attempts_open ON attempts(scheduler) WHERE state IN ('submitting', 'running')")
            // A claim takes a pool's oldest offered attempt: found at the head of this index, not
            // by sorting every offered attempt of the pool.
            try db.execute(sql: "CREATE INDEX leases_offered ON leases(pool, offered_seq) WHERE state = 'offered'")
        }
        migrator.registerMigration("v7-template-history") { db in
            // What each template hash was made from (the fields that replace machines, rendered,
            // `userData` as a digest), so a plan can say which fields a replacement changes
            // after the template itself has moved on.
            try db.create(table: "template_history") { t in
                t.primaryKey("hash", .text)
                t.column("template", .text).notNull()
                t.column("fields", .text).notNull()
                t.column("recorded_at", .integer).notNull()
            }
        }
        migrator.registerMigration("v8-task-generations") { db in
            // Each pool's tasks carry a generation that every change to one of them moves on,
            // whoever makes it (another process, a future write path): a reader that kept a
            // pool's tasks knows from one row whether they are still true. A pass then reads and
            // decodes only the pools that changed, not every task ever run.
            try db.execute(sql: """
                CREATE TABLE task_generations (pool TEXT PRIMARY KEY NOT NULL, generation INTEGER NOT NULL);
                INSERT INTO task_generations (pool, generation) SELECT DISTINCT pool, 1 FROM tasks WHERE true;
                CREATE TRIGGER tasks_generation_insert AFTER INSERT ON tasks BEGIN
                    INSERT INTO task_generations (pool, generation) VALUES (NEW.pool, 1)
                        ON CONFLICT (pool) DO UPDATE SET generation = generation + 1;
                END;
                CREATE TRIGGER tasks_generation_update AFTER UPDATE ON tasks BEGIN
                    INSERT INTO task_generations (pool, generation) VALUES (NEW.pool, 1)
                        ON CONFLICT (pool) DO UPDATE SET generation = generation + 1;
                    INSERT INTO task_generations (pool, generation) SELECT OLD.pool, 1 WHERE OLD.pool IS NOT NEW.pool
                        ON CONFLICT (pool) DO UPDATE SET generation = generation + 1;
                END;
                CREATE TRIGGER tasks_generation_delete AFTER DELETE ON tasks BEGIN
                    INSERT INTO task_generations (pool, generation) VALUES (OLD.pool, 1)
                        ON CONFLICT (pool) DO UPDATE SET generation = generation + 1;
                END;
                """)
        }
        migrator.registerMigration("v9-lock-expiry") { db in
            try db.execute(sql: "ALTER TABLE locks ADD COLUMN expires_at INTEGER")
            try db.execute(sql: "ALTER TABLE locks ADD COLUMN ttl_milliseconds INTEGER")
        }
        // Where what lives beside the state was made (`host:directory`): with a state shared by
        // several machines, an attempt's output is on the host that ran it.
        migrator.registerMigration("v10-output-locations") { db in
            try db.execute(sql: "ALTER TABLE attempts ADD COLUMN output_location TEXT")
            try db.execute(sql: "ALTER TABLE machines ADD COLUMN log_location TEXT")
        }
        // Machines asked for by a command (`machines request`, the API, HostFactory) and given
        // back by one; and where each machine can be reached.
        migrator.registerMigration("v11-machine-requests") { db in
            try db.execute(sql: """
                CREATE TABLE machine_demands (id TEXT PRIMARY KEY NOT NULL, template TEXT NOT NULL, requested INTEGER NOT NULL,
                  replace_lost INTEGER NOT NULL, actor TEXT NOT NULL, idempotency_key TEXT UNIQUE,
                  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, closed_at INTEGER);
                CREATE TABLE machine_returns (machine_id TEXT PRIMARY KEY NOT NULL, id TEXT NOT NULL, demand_id TEXT,
                  reason TEXT NOT NULL, actor TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE INDEX machine_returns_id ON machine_returns(id);
                CREATE INDEX machine_returns_demand ON machine_returns(demand_id);
                ALTER TABLE machines ADD COLUMN private_ip TEXT;
                ALTER TABLE machines ADD COLUMN public_ip TEXT;
                ALTER TABLE machines ADD COLUMN hostname TEXT;
                """)
        }
        migrator.registerMigration("v12-api-tasks") { db in
            // Tasks posted to api pools; seq is the order they were posted in.
            try db.execute(sql: """
                CREATE TABLE api_tasks (seq INTEGER PRIMARY KEY, pool TEXT NOT NULL, key TEXT NOT NULL, args TEXT NOT NULL,
                  actor TEXT NOT NULL, idempotency_key TEXT UNIQUE, created_at INTEGER NOT NULL,
                  cancel_requested_at INTEGER, cancel_requested_by TEXT, UNIQUE (pool, key));
                """)
        }
        return migrator
    }
}
