internal import OrbrecCore

extension SchedulerDecoder {
    static let fields = ObjectSchema("Where task attempts run: this host (local) or a batch cluster (slurm).", [
        FieldSchema("type", .choice(SchedulerSpec.SchedulerType.declarable.map(\.rawValue)), required: true,
                    "The scheduler's kind. local and slurm are supported; pbs and lsf are recognised and refused."),
        FieldSchema("slots", .integer(minimum: 1), "How many attempts run at once across all pools using it (local; default the number of CPU cores)."),
        FieldSchema("partition", .string(nonEmpty: true), "The partition of every job, unless a pool's resources name another (not local)."),
        FieldSchema("account", .string(nonEmpty: true), "--account of every job (not local)."),
        FieldSchema("qos", .string(nonEmpty: true), "--qos of every job (not local)."),
        FieldSchema("extraArgs", .stringList, "Further sbatch options, one per element; options orbrec sets itself are refused (not local)."),
    ])

    static var keys: [String] { fields.names }
}
