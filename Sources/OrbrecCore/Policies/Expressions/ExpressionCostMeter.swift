/// Counts evaluation steps so that a hostile or careless expression (a nested macro over a big
/// list, a pathological regex, repeated string doubling) stops instead of stalling the reconciler.
struct ExpressionCostMeter: Sendable {
    let budget: Int
    private(set) var spent = 0

    init(budget: Int) {
        self.budget = max(0, budget)
    }

    mutating func charge(_ steps: Int = 1, at offset: Int) throws(ExpressionError) {
        spent = spent > budget ? spent : spent &+ max(0, steps)
        if spent > budget || spent < 0 {
            throw ExpressionError(
                code: ExpressionError.costCode,
                message: "evaluation cost exceeded \(budget) steps",
                offset: offset
            )
        }
    }

    /// Work that grows with a string's size costs one step per 16 UTF-8 bytes.
    mutating func charge(forText text: String, at offset: Int) throws(ExpressionError) {
        try charge(1 + text.utf8.count / 16, at: offset)
    }
}
