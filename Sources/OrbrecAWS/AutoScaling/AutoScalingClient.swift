public import Foundation

/// Sends Auto Scaling Query calls. Auto Scaling is a service of its own (`autoscaling`, API
/// version 2011-01-01) with EC2's wire format: form-encoded POST, SigV4 signed with its own
/// service name, XML answers, the same retries. moto_server serves it on the EC2 port and
/// tells the two apart by the service in the signature's scope.
public struct AutoScalingClient: Sendable {
    public static let apiVersion = "2011-01-01"
    public static let service = "autoscaling"

    /// The transport, signing for `autoscaling`.
    public let transport: EC2Client

    public var endpoint: URL { transport.endpoint }
    public var calls: CallCounter { transport.calls }

    /// A client at `endpoint` with `ec2`'s credentials, region, clock and retries.
    public init(endpoint: URL, sharing ec2: EC2Client) {
        let signer = SigV4Signer(credentials: ec2.signer.credentials, region: ec2.signer.region, service: Self.service)
        transport = EC2Client(endpoint: endpoint, signer: signer, clock: ec2.clock, maxAttempts: ec2.maxAttempts,
                              initialBackoff: ec2.initialBackoff)
    }

    /// The standard endpoint of a region.
    public static func endpoint(region: String) -> URL {
        URL(string: "https://autoscaling.\(region).amazonaws.com/")!
    }

    public func send(_ action: String, _ parameters: [EC2Request.Parameter]) async throws(EC2Error) -> XMLTree {
        try await transport.send(EC2Request(action: action, parameters: parameters, version: Self.apiVersion))
    }

    /// `Name.member.1=…, Name.member.2=…`: the Query protocol's flattening of a list, as Auto
    /// Scaling takes it (EC2 leaves out `member`).
    public static func members(_ name: String, _ values: [String]) -> [EC2Request.Parameter] {
        values.enumerated().map { EC2Request.Parameter("\(name).member.\($0 + 1)", $1) }
    }
}
