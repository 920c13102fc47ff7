internal import OrbrecCore
internal import OrbrecStore
internal import OrbrecHostFactory

/// The machines of a state as HostFactory names them. Its `machineId` is orbrec's machine id
/// (known from the moment the machine is asked for, before its provider gives it an id of its
/// own); its `name` is the host name HostFactory adds to the cluster: the provider's DNS name
/// for a machine with a host of its own, the machine id for a local machine, which runs on
/// this host beside the others.
struct HostFactoryMachines {
    let records: [String: MachineRecord]
    let desired: DesiredState

    init(_ records: [MachineRecord], desired: DesiredState) {
        self.records = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.desired = desired
    }

    func name(of id: String) -> String {
        guard let record = records[id] else { return id }
        if desired.providers[record.provider]?.type == .local { return record.id }
        return record.hostname ?? record.privateIp ?? record.id
    }

    /// orbrec's id of a machine HostFactory names: by its machineId (orbrec's id, or the
    /// provider's as another plugin would have given it), else by its name.
    func resolve(_ machine: HostFactoryMachineList.Machine) -> String? {
        if let id = machine.machineId, !id.isEmpty {
            if records[id] != nil { return id }
            if let record = records.values.first(where: { $0.providerId == id }) { return record.id }
        }
        guard !machine.name.isEmpty else { return nil }
        return records.keys.sorted().first { name(of: $0) == machine.name }
    }
}
