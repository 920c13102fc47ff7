public import OrbrecCore
public import Foundation

/// An error answer: EC2's `<Response><Errors><Error><Code>…</Code><Message>…</Message>`, or
/// Auto Scaling's `<ErrorResponse><Error><Code>…`.
public struct EC2Error: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var requestID: String?

    public init(status: Int, code: String, message: String, requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Throttling and server-side trouble are worth another try at once; client errors are
    /// not, and neither is a lack of capacity, which seconds do not cure: that machine fails,
    /// its request is partial, and the next pass plans it again.
    public var isRetryable: Bool {
        if Self.notRetried.contains(code) { return false }
        return ["RequestLimitExceeded", "Throttling", "ThrottlingException", "InternalError", "Unavailable",
                "ServiceUnavailable", "EndpointUnreachable", "ResourceContention"].contains(code) || status >= 500
    }

    static let notRetried: Set<String> = ["InsufficientInstanceCapacity", "InsufficientCapacity", "MaxSpotInstanceCountExceeded",
                                          "InstanceLimitExceeded", "VcpuLimitExceeded"]

    public var description: String { "\(code): \(message)" }

    public var providerError: ProviderError { ProviderError(code: code, message: message, retryable: isRetryable) }

    /// Reads an error document; a body that is not one still gives a clear error.
    public static func parse(status: Int, body: Data) -> EC2Error {
        if let tree = XMLTree.parse(body), let code = tree.value("Errors/Error/Code") ?? tree.value("Error/Code") {
            return EC2Error(status: status, code: code, message: tree.value("Errors/Error/Message") ?? tree.value("Error/Message") ?? "",
                            requestID: tree.value("RequestID") ?? tree.value("RequestId"))
        }
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
        return EC2Error(status: status, code: "HTTP\(status)", message: snippet.isEmpty ? "no error document" : "unexpected answer: \(snippet)")
    }
}

/// One instance of a DescribeInstances, RunInstances or CreateFleet answer.
public struct EC2Instance: Sendable, Hashable {
    public var instanceID: String
    public var state: String
    public var instanceType: String
    public var launchTime: String
    public var tags: [String: String]
    /// `privateIpAddress`, `ipAddress` and `privateDnsName` (or `dnsName`), once EC2 has given them.
    public var addresses = MachineAddresses()
    /// Why it last changed state (`stateReason`): `Server.SpotInstanceTermination`,
    /// `Client.UserInitiatedShutdown`, …, and AWS's sentence.
    public var stateReasonCode: String?
    public var stateReasonMessage: String?

    init(instanceID: String, state: String, instanceType: String = "t3.micro", launchTime: String = "", tags: [String: String]) {
        self.instanceID = instanceID
        self.state = state
        self.instanceType = instanceType
        self.launchTime = launchTime
        self.tags = tags
    }

    init?(_ item: XMLTree) {
        guard let id = item.value("instanceId") else { return nil }
        instanceID = id
        state = item.value("instanceState/name") ?? item.value("currentState/name") ?? "pending"
        instanceType = item.value("instanceType") ?? ""
        launchTime = item.value("launchTime") ?? ""
        func nonEmpty(_ path: String) -> String? { item.value(path).flatMap { $0.isEmpty ? nil : $0 } }
        addresses = MachineAddresses(privateIP: nonEmpty("privateIpAddress"), publicIP: nonEmpty("ipAddress"),
                                     hostname: nonEmpty("privateDnsName") ?? nonEmpty("dnsName"))
        stateReasonCode = nonEmpty("stateReason/code")
        stateReasonMessage = nonEmpty("stateReason/message")
        var tags: [String: String] = [:]
        for tag in item.elements("tagSet/item") {
            if let key = tag.value("key") { tags[key] = tag.value("value") ?? "" }
        }
        self.tags = tags
    }

    /// DESIGN's mapping: pending and running are healthy, stopping and stopped unhealthy,
    /// shutting-down and terminated lost.
    public var machineState: MachineState {
        switch state {
        case "pending": .pending
        case "running": .running
        case "stopping", "stopped": .unhealthy
        default: .lost
        }
    }

    /// Ended or stopped by EC2 itself: `Server.*` reasons are AWS's doing (a spot interruption,
    /// no capacity, a failed host, a scheduled stop); `Client.*` ones a user's or orbrec's.
    public var reclaimedByProvider: Bool {
        !machineState.isLive && (stateReasonCode ?? "").hasPrefix("Server.")
    }

    /// Instances of every reservation of a DescribeInstances page, and its next token.
    public static func describePage(_ tree: XMLTree) -> (instances: [EC2Instance], nextToken: String?) {
        let instances = tree.elements("reservationSet/item/instancesSet/item").compactMap(EC2Instance.init)
        let token = tree.value("nextToken").flatMap { $0.isEmpty ? nil : $0 }
        return (instances, token)
    }

    /// The instances a RunInstances answer launched.
    public static func launched(_ tree: XMLTree) -> [EC2Instance] {
        tree.elements("instancesSet/item").compactMap(EC2Instance.init)
    }

    /// `launchTime` (`2026-11-24T15:01:27.000Z`) as an instant.
    public var launchedAt: Instant {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: launchTime) ?? ISO8601DateFormatter().date(from: launchTime)
        return Instant(millisecondsSinceEpoch: Int64(((date?.timeIntervalSince1970) ?? 0) * 1000))
    }
}
