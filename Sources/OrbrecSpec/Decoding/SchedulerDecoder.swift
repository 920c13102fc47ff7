internal import OrbrecCore
internal import Yams
internal import Foundation

enum SchedulerDecoder {

    /// sbatch options orbrec itself sets on every job (or that would replace its script).
    static let ownedLongOptions = ["--job-name", "--comment", "--array", "--output", "--error", "--parsable", "--wrap", "--chdir"]
    static let ownedShortOptions = ["-J", "-a", "-o", "-e", "-D"]

    /// The reserved option `argument` sets, if any: `--job-name=x`, `--job-name`, an
    /// abbreviation sbatch accepts (`--comm=x`), or a short form with its value attached (`-Jx`).
    static func ownedOption(in argument: String) -> String? {
        if argument.hasPrefix("--") {
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            guard name.count > 2 else { return nil }
            return ownedLongOptions.first { $0.hasPrefix(name) && name.count >= 5 || $0 == name }
        }
        return ownedShortOptions.first { argument.hasPrefix($0) }
    }

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", schema: fields, owner: "Scheduler spec", context: context,
                                       parent: envelope.specParent) else {
            return nil
        }
        let type = spec.requireValue("type", in: envelope.displayName) != nil
            ? spec.choice("type", as: SchedulerSpec.SchedulerType.self, among: SchedulerSpec.SchedulerType.declarable) : nil
        let slots = spec.integer("slots", minimum: 1)
        let partition = spec.nonEmptyString("partition")
        let account = spec.nonEmptyString("account")
        let qos = spec.nonEmptyString("qos")
        let extraArgs = spec.stringList("extraArgs")
        let ssh = ssh(spec)
        if let extraArgs {
            for argument in extraArgs {
                if let option = Self.ownedOption(in: argument) {
                    context.error("reserved-option", "spec.extraArgs may not set \(option): orbrec sets it to find its jobs again",
                                  at: spec.value("extraArgs"))
                }
            }
        }
        guard let metadata = envelope.metadata, let type else { return nil }
        for field in ["partition", "account", "qos", "extraArgs"] where type == .local && spec.value(field) != nil {
            context.error("field-not-applicable", "spec.\(field) applies to slurm, pbs and lsf schedulers, not local", at: spec.value(field))
        }
        if type != .slurm && spec.value("ssh") != nil {
            context.error("field-not-applicable", "spec.ssh applies to slurm schedulers, not \(type.rawValue)", at: spec.value("ssh"))
        }
        if type != .local && slots != nil {
            context.error("field-not-applicable", "spec.slots applies to local schedulers; the cluster decides how many jobs run",
                          at: spec.value("slots"))
        }
        var scheduler = SchedulerSpec(metadata: metadata, type: type, slots: slots, partition: partition, account: account,
                                      qos: qos, extraArgs: extraArgs, ssh: type == .slurm ? ssh : nil)
        // A local scheduler runs as many attempts at once as the machine has cores, unless told;
        // kept apart from `slots` so the spec hashes the same on every host.
        if type == .local { scheduler.hostCores = ProcessInfo.processInfo.activeProcessorCount }
        // Where they are written, for the plan's check of them against the cluster's.
        scheduler.partitionLocation = spec.location(of: "partition")
        scheduler.accountLocation = spec.location(of: "account")
        return DecodedResource(spec: .scheduler(scheduler), nameLocation: envelope.nameLocation, typeLocation: spec.location(of: "type"))
    }
}
