/// Knuth-Morris-Pratt, so `contains()` is linear even for inputs like "aaaa...ab".
enum ExpressionSubstringSearch {
    static func contains(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        var fallback = [Int](repeating: 0, count: needle.count)
        var length = 0
        for position in 1..<needle.count {
            while length > 0, needle[position] != needle[length] { length = fallback[length - 1] }
            if needle[position] == needle[length] { length += 1 }
            fallback[position] = length
        }
        var matched = 0
        for scalar in haystack {
            while matched > 0, scalar != needle[matched] { matched = fallback[matched - 1] }
            if scalar == needle[matched] { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }
}
