/// An `Encoder` that builds a `CanonicalValue` tree, for `CanonicalHash`. Its own, not
/// Foundation's JSONEncoder: OrbrecCore links nothing, and a tree needs no text parsed back.
struct CanonicalEncoder: Encoder {
    /// One value being encoded; containers write into it after they are handed out. Fields
    /// and items are kept outside `storage` so that adding one does not copy the rest.
    final class Node {
        enum Storage {
            case unset
            case null
            case string(String)
            case literal(String)
            /// Fields in `fields`, in the order they were first encoded.
            case object
            /// Items in `items`.
            case array
        }

        var storage: Storage = .unset
        private var fields: [(key: String, node: Node)] = []
        private var fieldIndex: [String: Int] = [:]
        private var items: [Node] = []

        var value: CanonicalValue {
            switch storage {
            case .unset, .null: .null
            case .string(let text): .string(text)
            case .literal(let text): .literal(text)
            case .object: .object(fields.map { CanonicalValue.Field(key: $0.key, value: $0.node.value) })
            case .array: .array(items.map(\.value))
            }
        }

        func makeObject() {
            if case .object = storage { return }
            storage = .object
            fields = []
            fieldIndex = [:]
        }

        func makeArray() {
            if case .array = storage { return }
            storage = .array
            items = []
        }

        func child(_ key: String) -> Node {
            makeObject()
            if let index = fieldIndex[key] { return fields[index].node }
            let node = Node()
            fieldIndex[key] = fields.count
            fields.append((key, node))
            return node
        }

        func appended() -> Node {
            makeArray()
            let node = Node()
            items.append(node)
            return node
        }

        var count: Int { items.count }
    }

    let node: Node
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, path: [any CodingKey]) {
        self.node = node
        self.codingPath = path
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(node: node, codingPath: codingPath)
    }

    static func encode(_ value: some Encodable, into node: Node, path: [any CodingKey]) throws {
        switch value {
        // Where a document was written is never part of what it says: moving it is no change.
        case is SourceLocation: node.storage = .null
        case let text as String: node.storage = .string(text)
        case let flag as Bool: node.storage = .literal(flag ? "true" : "false")
        case let number as Double: node.storage = .literal(number.description)
        case let number as Float: node.storage = .literal(number.description)
        case let number as any BinaryInteger: node.storage = .literal(String(number))
        default: try value.encode(to: CanonicalEncoder(node: node, path: path))
        }
    }

    struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { String(intValue ?? 0) }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil(forKey key: Key) throws { node.child(key.stringValue).storage = .null }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try CanonicalEncoder.encode(value, into: node.child(key.stringValue), path: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey> {
            CanonicalEncoder(node: node.child(key.stringValue), path: codingPath + [key]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            CanonicalEncoder(node: node.child(key.stringValue), path: codingPath + [key]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            CanonicalEncoder(node: node.child("super"), path: codingPath)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            CanonicalEncoder(node: node.child(key.stringValue), path: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]
        var count: Int { node.count }

        mutating func encodeNil() throws { node.appended().storage = .null }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let index = Index(count)
            try CanonicalEncoder.encode(value, into: node.appended(), path: codingPath + [index])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let index = Index(count)
            return CanonicalEncoder(node: node.appended(), path: codingPath + [index]).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let index = Index(count)
            return CanonicalEncoder(node: node.appended(), path: codingPath + [index]).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let index = Index(count)
            return CanonicalEncoder(node: node.appended(), path: codingPath + [index])
        }
    }

    struct Single: SingleValueEncodingContainer {
        let node: Node
        let codingPath: [any CodingKey]

        mutating func encodeNil() throws { node.storage = .null }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try CanonicalEncoder.encode(value, into: node, path: codingPath)
        }
    }
}
