internal import OrbrecCore

extension WorkflowDecoder {
    static let triggerFields = ObjectSchema("When a run starts by itself.", [
        FieldSchema("onChange", .boolean, "Start a run whenever the workflow's spec changes to a generation that has not run (default false)."),
        FieldSchema("schedule", .string(), "A 5-field cron expression, in UTC: a run each time it comes due."),
    ])

    static let provisionFields = ObjectSchema("Sets a fleet's count for the run.", [
        FieldSchema("fleet", .string(), required: true, "The name of a Fleet in the configuration."),
        FieldSchema("count", .integer(minimum: 0, maximum: FleetDecoder.maxCount), required: true, "The fleet's count from the step's start until the run ends."),
        FieldSchema("waitReady", .boolean, "Succeed once the machines are running, not just requested (default false)."),
    ])

    static let poolReferenceFields = ObjectSchema("A TaskPool declared elsewhere.", [
        FieldSchema("ref", .string(nonEmpty: true), required: true, "The name of a TaskPool in the configuration."),
    ])

    static let runFields = ObjectSchema("Runs one command as a job on a scheduler.", [
        FieldSchema("scheduler", .string(), required: true, "The name of a Scheduler in the configuration."),
        FieldSchema("command", .scalarList(minItems: 1), required: true, "The job's argv, with ${attempt}, ${workflow}, ${step} and ${run}."),
        FieldSchema("resources", .object(TaskPoolDecoder.resourceFields), "What the job may use, as a pool's resources."),
    ])

    static let stepFields = ObjectSchema("One step of the workflow: provision, taskPool or run.", [
        FieldSchema("name", .name, required: true, "The step's name, unique in the workflow."),
        FieldSchema("needs", .stringList, "The steps that must end before this one starts."),
        FieldSchema("provision", .object(provisionFields), "Set a fleet's count for the run."),
        FieldSchema("taskPool", .anyOf([.object(poolReferenceFields), .object(TaskPoolDecoder.fields)]),
                    "Run a pool's tasks: {ref: POOL} for a TaskPool declared elsewhere, or an inline pool."),
        FieldSchema("run", .object(runFields), "Run one command as a job on a scheduler."),
        FieldSchema("always", .boolean, "Start once the needed steps have ended, however they ended (default false)."),
        FieldSchema("retry", .object(TaskPoolDecoder.retryFields), "Replaces the pool's retry for the step's tasks."),
        FieldSchema("timeout", .duration, "How long after it started the step may run."),
    ], exactlyOne: [works])

    static let fields = ObjectSchema("Steps that provision fleets and run tasks, in the order their needs give.", [
        FieldSchema("steps", .objectList(stepFields, minItems: 1), required: true, "The workflow's steps, at least one."),
        FieldSchema("trigger", .object(triggerFields), "When a run starts by itself: onChange, schedule."),
        FieldSchema("concurrency", .choice(WorkflowSpec.Concurrency.allCases.map(\.rawValue)),
                    "What a due run does while another runs: forbid, replace or allow (default forbid)."),
    ])

    static var keys: [String] { fields.names }
}
