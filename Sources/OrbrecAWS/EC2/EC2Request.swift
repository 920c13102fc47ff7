/// One Query API call: an action and its flattened parameters, form-encoded as the AWS CLI
/// sends them (`Action=…&Version=2016-11-15&…`). EC2's version unless told otherwise: Auto
/// Scaling speaks the same protocol with its own version.
public struct EC2Request: Sendable, Hashable {
    public static let apiVersion = "2016-11-15"

    public var action: String
    public var parameters: [Parameter]
    public var version: String

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(action: String, parameters: [Parameter] = [], version: String = Self.apiVersion) {
        self.action = action
        self.parameters = parameters
        self.version = version
    }

    /// The form body, parameters in the order given after Action and Version.
    public var body: String {
        ([Parameter("Action", action), Parameter("Version", version)] + parameters)
            .map { "\(SigV4Signer.encode($0.name))=\(SigV4Signer.encode($0.value))" }
            .joined(separator: "&")
    }

    /// `Prefix.1.Key=…, Prefix.1.Value=…`: EC2's flattening of a list of key/value pairs.
    public static func tags(_ prefix: String, _ tags: [(String, String)]) -> [Parameter] {
        tags.enumerated().flatMap { index, tag in
            [Parameter("\(prefix).\(index + 1).Key", tag.0), Parameter("\(prefix).\(index + 1).Value", tag.1)]
        }
    }

    /// `Name.1=…, Name.2=…`: EC2's flattening of a list.
    public static func list(_ name: String, _ values: [String]) -> [Parameter] {
        values.enumerated().map { Parameter("\(name).\($0 + 1)", $1) }
    }
}
