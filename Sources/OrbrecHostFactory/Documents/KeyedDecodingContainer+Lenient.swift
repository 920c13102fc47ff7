extension KeyedDecodingContainer {
    /// A whole number written as a JSON number (`7`, `7.0`, `7.5` kept as 7) or a string (`"7"`), as plugins
    /// variously write counts and times; nil when absent or null.
    func decodeLenientInt(forKey key: Key) throws -> Int? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let value = try? decode(Int.self, forKey: key) { return value }
        // A launch time with a fraction of a second is kept to the second.
        if let value = try? decode(Double.self, forKey: key), value.isFinite, abs(value) < 1e15 {
            return Int(value.rounded(.down))
        }
        let text = try decode(String.self, forKey: key)
        guard let value = Int(text.trimmingPrefixAndSuffixSpaces) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a whole number: \(text)")
        }
        return value
    }
}

private extension String {
    var trimmingPrefixAndSuffixSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}

extension Decoder {
    /// One of a closed set of words, whatever its case (`RUNNING`, `Complete`).
    func decodeCaseInsensitive<Value: RawRepresentable & CaseIterable>(_ type: Value.Type) throws -> Value where Value.RawValue == String {
        let text = try singleValueContainer().decode(String.self)
        guard let value = Value.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: codingPath, debugDescription: "\(text) is none of \(Value.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return value
    }
}
