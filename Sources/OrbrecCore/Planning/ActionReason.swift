/// Why an action was planned, like Terraform's `action_reason`: a stable code and,
/// where it helps, a detail (`task-failed exit=3 attempt=2/3`).
public struct ActionReason: Hashable, Sendable, Codable, CustomStringConvertible {
    public var code: String
    public var detail: String?

    public init(_ code: String, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public static let scaleUp = ActionReason("scale-up")
    public static let scaleDown = ActionReason("scale-down")
    public static let machineLost = ActionReason("machine-lost")
    public static let machineUnhealthy = ActionReason("machine-unhealthy")
    public static let templateChanged = ActionReason("template-changed")
    public static let removedFromConfig = ActionReason("removed-from-config")
    public static let returnIncomplete = ActionReason("return-incomplete")
    public static let manualReturn = ActionReason("manual-return")
    /// `--replace MACHINE`.
    public static let replaceRequested = ActionReason("replace-requested")
    /// `orbrec destroy`.
    public static let destroy = ActionReason("destroy")

    public var description: String {
        if let detail { return "\(code) \(detail)" }
        return code
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let space = text.firstIndex(of: " ") {
            self.init(String(text[..<space]), detail: String(text[text.index(after: space)...]))
        } else {
            self.init(text)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
