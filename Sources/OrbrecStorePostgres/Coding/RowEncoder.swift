internal import Foundation
internal import PostgresNIO
internal import NIOCore

/// A record's columns and values, through its `Codable` conformance, as GRDB writes them for
/// the SQLite backend: snake_case column names, scalars as themselves, anything else as JSON
/// text with sorted keys.
struct RowEncoder {
    /// One column's value, kept until it is bound into a statement.
    enum Value: Sendable {
        case null
        case text(String)
        case integer(Int64)
        case real(Double)
        case boolean(Bool)
        case bytes(Data)

        func bind(into bindings: inout PostgresBindings) {
            switch self {
            case .null: bindings.appendNull()
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .boolean(let flag): bindings.append(flag)
            case .bytes(let data): bindings.append(ByteBuffer(bytes: data))
            }
        }
    }

    static func columns<T: Encodable>(of value: T) throws -> [(name: String, value: Value)] {
        let storage = Storage()
        try value.encode(to: KeyedEncoder(storage: storage))
        return storage.columns
    }

    final class Storage {
        var columns: [(name: String, value: Value)] = []
    }

    static func scalar<T: Encodable>(_ value: T) throws -> Value {
        if let data = value as? Data { return .bytes(data) }
        let encoder = ScalarEncoder()
        do {
            try value.encode(to: encoder)
            if !encoder.askedForContainer { return encoder.value ?? .null }
        } catch is ScalarEncoder.NeedsJSON {}
        do {
            let json = JSONEncoder()
            json.outputFormatting = [.sortedKeys]
            return .text(String(decoding: try json.encode(value), as: UTF8.self))
        }
    }
}

private struct KeyedEncoder: Encoder {
    let storage: RowEncoder.Storage
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Columns<Key>(storage: storage))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("a record is encoded as columns") }
    func singleValueContainer() -> any SingleValueEncodingContainer { fatalError("a record is encoded as columns") }
}

private struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: RowEncoder.Storage
    var codingPath: [any CodingKey] { [] }

    func add(_ key: Key, _ value: RowEncoder.Value) {
        storage.columns.append((ColumnName.snakeCase(key.stringValue), value))
    }

    mutating func encodeNil(forKey key: Key) throws { add(key, .null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { add(key, try RowEncoder.scalar(value)) }
    // Synthesised conformances skip nil optionals: the column must still be written, as NULL.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { add(key, try RowEncoder.scalar(value)) } else { add(key, .null) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { add(key, value.map { .text($0) } ?? .null) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { add(key, value.map { .integer(Int64($0)) } ?? .null) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { add(key, value.map { .integer(Int64($0)) } ?? .null) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { add(key, value.map { .integer($0) } ?? .null) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { add(key, value.map { .real($0) } ?? .null) }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { add(key, value.map { .boolean($0) } ?? .null) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        fatalError("columns hold no nested containers")
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { fatalError("columns hold no nested containers") }
    mutating func superEncoder() -> any Encoder { KeyedEncoder(storage: storage) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { KeyedEncoder(storage: storage) }
}

private final class ScalarEncoder: Encoder, SingleValueEncodingContainer {
    struct NeedsJSON: Error {}
    var value: RowEncoder.Value?
    /// Set when the value asked for a container: it is not a scalar, even when it wrote
    /// nothing into it (an empty list or map).
    var askedForContainer = false
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        askedForContainer = true
        return KeyedEncodingContainer(Refusing<Key>())
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        askedForContainer = true
        return RefusingList()
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() throws { value = .null }
    func encode(_ value: Bool) throws { self.value = .boolean(value) }
    func encode(_ value: String) throws { self.value = .text(value) }
    func encode(_ value: Double) throws { self.value = .real(value) }
    func encode(_ value: Float) throws { self.value = .real(Double(value)) }
    func encode(_ value: Int) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: Int8) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: Int16) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: Int32) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: Int64) throws { self.value = .integer(value) }
    func encode(_ value: UInt) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: UInt8) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: UInt16) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: UInt32) throws { self.value = .integer(Int64(value)) }
    func encode(_ value: UInt64) throws { self.value = .integer(Int64(value)) }
    func encode<T: Encodable>(_ value: T) throws { self.value = try RowEncoder.scalar(value) }

    /// A container was asked for: the value is not a scalar. Every write into it fails, and
    /// the caller encodes the whole value as JSON instead.
    private struct Refusing<Key: CodingKey>: KeyedEncodingContainerProtocol {
        var codingPath: [any CodingKey] { [] }
        mutating func encodeNil(forKey key: Key) throws { throw NeedsJSON() }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { throw NeedsJSON() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>())
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { RefusingList() }
        mutating func superEncoder() -> any Encoder { ScalarEncoder() }
        mutating func superEncoder(forKey key: Key) -> any Encoder { ScalarEncoder() }
    }

    private struct RefusingList: UnkeyedEncodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int { 0 }
        mutating func encodeNil() throws { throw NeedsJSON() }
        mutating func encode<T: Encodable>(_ value: T) throws { throw NeedsJSON() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Refusing<NestedKey>())
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { RefusingList() }
        mutating func superEncoder() -> any Encoder { ScalarEncoder() }
    }
}
