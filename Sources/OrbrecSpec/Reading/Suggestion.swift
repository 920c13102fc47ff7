/// "Did you mean" suggestions by edit distance.
enum Suggestion {
    /// The closest candidate, if it is close enough to be a likely typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        SuggestionIndex(candidates).closest(to: word)
    }

    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance, with a transposition counted as one edit.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars), b = Array(rhs.unicodeScalars)
        var rows = SuggestionIndex.Rows()
        return SuggestionIndex.distance(a, b, atMost: max(a.count, b.count), rows: &rows).distance
    }
}
