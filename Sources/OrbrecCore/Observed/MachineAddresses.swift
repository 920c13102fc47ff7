/// Where a machine can be reached, as its provider reports it: EC2's private and public
/// address and DNS name, this host's for a local machine.
public struct MachineAddresses: Hashable, Sendable, Codable {
    public var privateIP: String?
    public var publicIP: String?
    public var hostname: String?

    public init(privateIP: String? = nil, publicIP: String? = nil, hostname: String? = nil) {
        self.privateIP = privateIP
        self.publicIP = publicIP
        self.hostname = hostname
    }

    public var isEmpty: Bool { privateIP == nil && publicIP == nil && hostname == nil }
}
