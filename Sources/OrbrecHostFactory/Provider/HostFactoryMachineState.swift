public import OrbrecCore

/// How a plugin's word on one machine of a create request reads as orbrec's machine state.
public enum HostFactoryMachineState {
    /// `succeed` is running and `fail` is gone. `executing` is pending while the request runs;
    /// once the request is `complete` (or `complete_with_error`) the contract says its machines
    /// were created, and orbrec believes the request: ORB 1.8.5 marks a RunInstances request
    /// complete at launch and never looks at its machines again, so they would read
    /// `executing` forever.
    public static func state(of result: HostFactoryRequestStatus.MachineResult, requestFinished: Bool) -> MachineState {
        switch result {
        case .succeed: .running
        case .executing: requestFinished ? .running : .pending
        case .fail: .lost
        }
    }
}
