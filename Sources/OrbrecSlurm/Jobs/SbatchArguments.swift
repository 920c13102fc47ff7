public import OrbrecCore

/// The sbatch command line of one submission, as an argv (never a shell string). The job's
/// program is orbrec's own batch script, which holds the attempts' argv as data.
public struct SbatchArguments: Sendable, Hashable {
    public var identity: SlurmJobIdentity
    public var scheduler: SchedulerSpec
    public var resources: TaskPoolSpec.Resources
    /// `0-N%throttle` for an array; nil for one attempt.
    public var array: String?
    /// Where Slurm writes the job's stdout and stderr (`%j`, or `%A_%a` for an array task).
    public var outputDirectory: String
    public var script: String

    public init(identity: SlurmJobIdentity, scheduler: SchedulerSpec, resources: TaskPoolSpec.Resources, array: String?,
                outputDirectory: String, script: String) {
        self.identity = identity
        self.scheduler = scheduler
        self.resources = resources
        self.array = array
        self.outputDirectory = outputDirectory
        self.script = script
    }

    /// Slurm's limits are whole minutes: a walltime is rounded up, never down.
    public static func minutes(_ duration: ConfigDuration) -> Int {
        max(1, Int((duration.milliseconds + 59_999) / 60_000))
    }

    /// `0-4%2`: indexes 0 to count-1, at most `throttle` at once.
    public static func arraySpec(count: Int, throttle: Int?) -> String {
        let range = "0-\(max(0, count - 1))"
        guard let throttle, throttle < count else { return range }
        return range + "%\(max(1, throttle))"
    }

    public var argv: [String] {
        var argv = ["sbatch", "--parsable", "--job-name=\(identity.jobName)", "--comment=\(identity.comment)"]
        let pattern = array == nil ? "%j" : "%A_%a"
        argv += ["--output=\(outputDirectory)/\(pattern).out", "--error=\(outputDirectory)/\(pattern).err"]
        if let array { argv.append("--array=\(array)") }
        if let partition = resources.partition ?? scheduler.partition { argv.append("--partition=\(partition)") }
        if let account = scheduler.account { argv.append("--account=\(account)") }
        if let qos = scheduler.qos { argv.append("--qos=\(qos)") }
        if let cpus = resources.cpus { argv.append("--cpus-per-task=\(cpus)") }
        if let memory = resources.memoryMB { argv.append("--mem=\(memory)M") }
        if let walltime = resources.walltime { argv.append("--time=\(Self.minutes(walltime))") }
        if let gpus = resources.gpus, gpus > 0 { argv.append("--gres=gpu:\(gpus)") }
        argv += scheduler.extraArgs ?? []
        argv.append(script)
        return argv
    }
}
