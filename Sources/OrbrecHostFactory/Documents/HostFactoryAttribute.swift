/// One attribute of a HostFactory template, written as a pair: `["Numeric", "2"]`,
/// `["String", "X86_64"]`, `["Boolean", "1"]`. The value is always a string on the wire.
public struct HostFactoryAttribute: Hashable, Sendable, Codable {
    public var type: String
    public var value: String

    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }

    public static func numeric(_ value: Int) -> HostFactoryAttribute { HostFactoryAttribute(type: "Numeric", value: String(value)) }
    public static func string(_ value: String) -> HostFactoryAttribute { HostFactoryAttribute(type: "String", value: value) }
    public static func boolean(_ value: Bool) -> HostFactoryAttribute { HostFactoryAttribute(type: "Boolean", value: value ? "1" : "0") }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        type = try container.decode(String.self)
        // Some plugins write the value as a JSON number; the contract's form is a string.
        if let text = try? container.decode(String.self) {
            value = text
        } else if let number = try? container.decode(Int.self) {
            value = String(number)
        } else {
            value = String(try container.decode(Double.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(type)
        try container.encode(value)
    }
}
