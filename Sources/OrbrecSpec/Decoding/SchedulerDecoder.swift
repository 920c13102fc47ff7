internal import OrbrecCore
internal import Yams
internal import Foundation

enum SchedulerDecoder {
    static let keys = ["type", "slots", "partition", "account", "qos", "extraArgs"]

    static func decode(_ envelope: Envelope, context: DecodeContext) -> DecodedResource? {
        guard let node = envelope.spec,
              let spec = MappingReader(node, path: "spec", known: keys, owner: "Scheduler spec", context: context) else {
            return nil
        }
        let type = spec.requireValue("type", in: envelope.displayName) != nil ? spec.choice("type", as: SchedulerSpec.SchedulerType.self) : nil
        let slots = spec.integer("slots", minimum: 1)
        let partition = spec.nonEmptyString("partition")
        let account = spec.nonEmptyString("account")
        let qos = spec.nonEmptyString("qos")
        let extraArgs = spec.stringList("extraArgs")
        guard let metadata = envelope.metadata, let type else { return nil }
        // A local scheduler runs as many attempts at once as the machine has cores, unless told.
        let defaultSlots = type == .local ? ProcessInfo.processInfo.activeProcessorCount : nil
        let scheduler = SchedulerSpec(metadata: metadata, type: type, slots: slots ?? defaultSlots, partition: partition, account: account,
                                      qos: qos, extraArgs: extraArgs)
        return DecodedResource(spec: .scheduler(scheduler), nameLocation: envelope.nameLocation, typeLocation: spec.location(of: "type"))
    }
}
