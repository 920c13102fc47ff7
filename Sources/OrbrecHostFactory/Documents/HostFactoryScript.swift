/// The five calls of HostFactory's provider plugin interface, each a script in the plugin's
/// scripts directory called as `SCRIPT -f INPUT.json`: JSON on stdout with exit 0, or a
/// message with exit 1 (IBMSpectrumComputing/cloud-provider-plugins README; Symphony 7.3.2
/// "Provider plug-in interface specification").
public enum HostFactoryScript: String, Sendable, CaseIterable, Codable {
    /// `{}` → `HostFactoryTemplates`.
    case getAvailableTemplates
    /// `HostFactoryMachineRequest` → `HostFactoryRequestAccepted`.
    case requestMachines
    /// `HostFactoryMachineList` → `HostFactoryRequestAccepted`.
    case requestReturnMachines
    /// `HostFactoryStatusQuery` → `HostFactoryRequestStatus`, for create and return requests alike.
    case getRequestStatus
    /// `HostFactoryMachineList` → `HostFactoryReturnRequests`: the machines the cloud takes back.
    case getReturnRequests

    /// The script's file name on Linux.
    public var fileName: String { rawValue + ".sh" }

    /// Symphony marks getReturnRequests optional; a plugin without it reports no reclaims.
    public var isOptional: Bool { self == .getReturnRequests }
}
