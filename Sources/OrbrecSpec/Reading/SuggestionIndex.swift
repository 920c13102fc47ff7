/// The names of one kind, prepared once for many "did you mean" lookups.
///
/// A suggestion is the candidate at the smallest edit distance (ties to the first name), offered
/// when that distance is at most `max(2, shorter length / 3)`. Looking it up naively costs one
/// full distance per candidate, so a configuration with thousands of unresolved references was
/// quadratic (1,000 against 1,000 took 38 s). Here a candidate is first ruled out by cheap lower
/// bounds (length difference, characters one has and the other lacks), the distance is computed
/// only in the band that can still beat the best so far, each word is looked up once, and all
/// lookups of a load share a `SuggestionBudget`: past it, no more suggestions are offered.
final class SuggestionIndex {
    /// Words longer than this get no suggestion: no name is that long.
    static let maxWordLength = 256

    private struct Candidate {
        var name: String
        var scalars: [Unicode.Scalar]
        var mask: UInt64
    }

    /// Candidates by length, each list in name order.
    private let byLength: [Int: [Candidate]]
    private let budget: SuggestionBudget
    private var memo: [String: String?] = [:]
    private var rows = Rows()

    init(_ names: some Sequence<String>, budget: SuggestionBudget = SuggestionBudget()) {
        var byLength: [Int: [Candidate]] = [:]
        for name in Set(names).sorted() {
            let scalars = Array(name.lowercased().unicodeScalars)
            guard scalars.count <= Self.maxWordLength else { continue }
            byLength[scalars.count, default: []].append(Candidate(name: name, scalars: scalars, mask: Self.mask(scalars)))
        }
        self.byLength = byLength
        self.budget = budget
    }

    func closest(to word: String) -> String? {
        if let known = memo[word] { return known }
        let found = search(word)
        memo[word] = found
        return found
    }

    private func search(_ word: String) -> String? {
        let w = Array(word.lowercased().unicodeScalars)
        guard w.count <= Self.maxWordLength else { return nil }
        let wordMask = Self.mask(w)
        // No candidate's own limit is above this, so nothing farther can be suggested.
        let reach = max(2, w.count / 3)
        var best: (distance: Int, name: String, length: Int)?
        for length in max(0, w.count - reach)...(w.count + reach) {
            for candidate in byLength[length] ?? [] {
                guard budget.spend(1) else { return nil }
                let cutoff = best?.distance ?? reach
                let bound = max(abs(length - w.count), (wordMask & ~candidate.mask).nonzeroBitCount,
                                (candidate.mask & ~wordMask).nonzeroBitCount)
                if bound > cutoff { continue }
                let (distance, cells) = Self.distance(w, candidate.scalars, atMost: cutoff, rows: &rows)
                guard budget.spend(cells) else { return nil }
                if distance > cutoff { continue }
                if let current = best, distance > current.distance || (distance == current.distance && candidate.name > current.name) {
                    continue
                }
                best = (distance, candidate.name, length)
            }
        }
        guard let best else { return nil }
        return best.distance <= max(2, min(w.count, best.length) / 3) ? best.name : nil
    }

    /// Which characters a word has, folded into 64 bits: a character one word has and the
    /// other lacks costs at least one edit, so the bits one mask has and the other lacks bound
    /// the distance from below.
    private static func mask(_ scalars: [Unicode.Scalar]) -> UInt64 {
        scalars.reduce(0) { $0 | (1 << UInt64($1.value % 64)) }
    }

    /// Reused rows of the distance table.
    struct Rows {
        var previousPrevious: [Int] = []
        var previous: [Int] = []
        var current: [Int] = []
    }

    /// The distance (a transposition is one edit) if it is at most `limit`, else `limit + 1`;
    /// with the table cells it took. Only the diagonal band of width `limit` can hold a value
    /// within the limit, and a row whose smallest value is past it ends the computation (rows
    /// never decrease).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], atMost limit: Int, rows: inout Rows) -> (distance: Int, cells: Int) {
        if abs(a.count - b.count) > limit { return (limit + 1, 1) }
        if a.isEmpty { return (b.count, 1) }
        if b.isEmpty { return (a.count, 1) }
        let outside = limit + 1
        let width = b.count + 1
        rows.previousPrevious = [Int](repeating: outside, count: width)
        rows.previous = (0...b.count).map { min($0, outside) }
        rows.current = [Int](repeating: outside, count: width)
        var cells = 0
        for i in 1...a.count {
            let low = max(1, i - limit), high = min(b.count, i + limit)
            rows.current[0] = min(i, outside)
            if low > 1 { rows.current[low - 1] = outside }
            var rowMinimum = rows.current[0]
            if low <= high {
                for j in low...high {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(rows.previous[j] + 1, rows.current[j - 1] + 1, rows.previous[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = min(value, rows.previousPrevious[j - 2] + 1)
                    }
                    value = min(value, outside)
                    rows.current[j] = value
                    rowMinimum = min(rowMinimum, value)
                }
                cells += high - low + 1
            }
            if high < b.count { rows.current[high + 1] = outside }
            if rowMinimum > limit { return (outside, cells) }
            swap(&rows.previousPrevious, &rows.previous)
            swap(&rows.previous, &rows.current)
        }
        return (rows.previous[b.count], cells)
    }
}

/// How much "did you mean" work one load may do, in candidates looked at plus distance-table
/// cells. A configuration with a few typos spends a tiny part of it; one with 10,000 unresolved
/// references against 10,000 names would otherwise spend minutes.
final class SuggestionBudget {
    static let perLoad = 5_000_000
    private var remaining: Int

    init(_ units: Int = perLoad) { remaining = units }

    /// False, once and for all, when the budget is spent.
    func spend(_ units: Int) -> Bool {
        guard remaining >= units else {
            remaining = 0
            return false
        }
        remaining -= units
        return true
    }
}
