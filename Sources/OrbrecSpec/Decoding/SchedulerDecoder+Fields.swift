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
        FieldSchema("ssh", .object(sshFields), "The cluster's login node, where every Slurm command runs over OpenSSH (slurm; default: this host)."),
    ])

    static let sshFields = ObjectSchema("A cluster reached over SSH: host keys checked against knownHostsFile, one multiplexed connection.", [
        FieldSchema("host", .string(nonEmpty: true), required: true, "The login node's host name or address."),
        FieldSchema("port", .integer(minimum: 1, maximum: 65535), "The SSH port (default 22)."),
        FieldSchema("user", .string(nonEmpty: true), required: true, "The cluster account that submits the jobs."),
        FieldSchema("identityFile", .string(nonEmpty: true), required: true,
                    "The private key's path (ssh -i), relative to the configuration directory; orbrec never reads the key itself."),
        FieldSchema("knownHostsFile", .string(nonEmpty: true), required: true,
                    "A known-hosts file holding the login node's host key, relative to the configuration directory: "
                    + "an unknown or changed key is refused."),
        FieldSchema("controlPath", .string(nonEmpty: true),
                    "The multiplexed connection's socket (at most 90 bytes; default: one per scheduler beside the state)."),
        FieldSchema("remoteRunnerPath", .string(nonEmpty: true),
                    "Where orbrec installs its attempt runner on the cluster (default ~/.orbrec/runner-<version>)."),
        FieldSchema("remoteDirectory", .string(nonEmpty: true),
                    "Where attempts' manifests, outputs and results live on the cluster, on a file system its compute nodes share "
                    + "(default ~/.orbrec/<state>/<scheduler>)."),
    ])

    static var keys: [String] { fields.names }
}
