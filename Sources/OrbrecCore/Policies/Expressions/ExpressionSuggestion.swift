/// "Did you mean" hints for misspelt identifiers and fields, by optimal-string-alignment
/// distance, so that a swapped pair of letters ("cuont") counts as one edit.
enum ExpressionSuggestion {
    /// `"; did you mean 'count'?"` when a candidate is close enough, otherwise "".
    static func hint(for name: String, among candidates: some Sequence<String>) -> String {
        guard let match = closest(to: name, among: candidates) else { return "" }
        return "; did you mean '\(match)'?"
    }

    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name)
        let tolerance = min(3, max(1, (target.count + 1) / 3))
        var best: (distance: Int, name: String)?
        for candidate in candidates {
            let distance = Self.distance(target, Array(candidate))
            guard distance <= tolerance else { continue }
            if let current = best,
               current.distance < distance || (current.distance == distance && current.name < candidate) {
                continue
            }
            best = (distance, candidate)
        }
        return best?.name
    }

    private static func distance(_ left: [Character], _ right: [Character]) -> Int {
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previousPrevious = [Int](repeating: 0, count: right.count + 1)
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for row in 1...left.count {
            current[0] = row
            for column in 1...right.count {
                let substitution = left[row - 1] == right[column - 1] ? 0 : 1
                var best = min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + substitution)
                if row > 1, column > 1, left[row - 1] == right[column - 2], left[row - 2] == right[column - 1] {
                    best = min(best, previousPrevious[column - 2] + 1)
                }
                current[column] = best
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[right.count]
    }
}
