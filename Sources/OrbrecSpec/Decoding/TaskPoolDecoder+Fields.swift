internal import OrbrecCore

extension TaskPoolDecoder {
    static let rangeFields = ObjectSchema("One task per integer from `from` to `to`, both included.", [
        FieldSchema("from", .integer(), required: true, "The first task's number."),
        FieldSchema("to", .integer(), required: true, "The last task's number; not less than from."),
    ])

    static let resourceFields = ObjectSchema("What one attempt may use; slurm turns these into sbatch options.", [
        FieldSchema("cpus", .integer(minimum: 1), "--cpus-per-task (slurm)."),
        FieldSchema("memoryMB", .integer(minimum: 1), "--mem in megabytes (slurm)."),
        FieldSchema("walltime", .duration, "How long one attempt may run; local stops it, slurm sets --time."),
        FieldSchema("partition", .string(nonEmpty: true), "--partition, over the scheduler's partition (slurm)."),
        FieldSchema("gpus", .integer(minimum: 0), "--gres=gpu:N (slurm)."),
    ])

    static let retryFields = ObjectSchema("How failed attempts are tried again.", [
        FieldSchema("maxAttempts", .integer(minimum: 1), "How many attempts a task may fail before it is dead-lettered (default 3)."),
        FieldSchema("initialBackoff", .duration, "The wait after the first counted failure (default 5s)."),
        FieldSchema("multiplier", .number(minimum: 1), "Each further wait is this many times the one before (default 2)."),
        FieldSchema("maxBackoff", .duration, "The longest wait (default 5m); not shorter than initialBackoff."),
        FieldSchema("jitter", .number(minimum: 0, maximum: 1), "The fraction of each wait added or removed at random (default 0.1)."),
    ])

    static let fields = ObjectSchema("A set of tasks, each run as attempts on a scheduler (push) or claimed by workers (pull).", [
        FieldSchema("scheduler", .string(), "The name of a Scheduler in the configuration. Required for a push pool; not for pull."),
        FieldSchema("mode", .choice(TaskPoolSpec.Mode.allCases.map(\.rawValue)),
                    "push: orbrec submits each attempt to the scheduler; pull: workers claim attempts over the API (default push)."),
        FieldSchema("command", .scalarList(minItems: 1),
                    "The argv of each attempt with ${item}, ${index}, ${attempt}, ${pool} and matrix variables "
                        + "(an api pool's: ${key} and ${args.NAME}). Required for a push pool."),
        FieldSchema("items", .scalarList(minItems: 1), "One task per item; items are task keys and must be unique."),
        FieldSchema("range", .object(rangeFields), "One task per integer from `from` to `to`."),
        FieldSchema("matrix", .listMap, "One task per combination of the dimensions' values; each dimension is a variable of the command."),
        FieldSchema("source", .choice(["api"]),
                    "api: no task is listed here; programs post them (POST /api/v1/pools/NAME/tasks, MCP create_task), each with a key "
                        + "and args the command reads as ${args.NAME}."),
        FieldSchema("env", .stringMap, "Added to each attempt's environment, over orbrec's own."),
        FieldSchema("workdir", .string(nonEmpty: true), "The directory each attempt starts in, relative to the configuration directory (push)."),
        FieldSchema("resources", .object(resourceFields), "What one attempt may use (push)."),
        FieldSchema("parallelism", .integer(minimum: 1), "At most this many attempts of this pool run at once."),
        FieldSchema("retry", .object(retryFields), "How failed attempts are tried again."),
        FieldSchema("deadline", .duration, "How long after the pool's first submission it must be finished; then unfinished tasks are cancelled."),
    ], exactlyOne: [["items", "range", "matrix", "source"]])

    static var keys: [String] { fields.names }
}
